"""Each module lists its routes in `routes = [...]`; the contexts registry says which modules are served."""
from __future__ import annotations

from importlib import import_module

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from web.contexts import CONTEXTS

    return [route for context in CONTEXTS for route in import_module(context.routes).routes]
