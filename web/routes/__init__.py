"""Each module lists its routes in `routes = [...]`; this joins them."""
from __future__ import annotations

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from web.routes import core, fund, roundtable, volunteer

    return [*core.routes, *roundtable.routes, *volunteer.routes, *fund.routes]
