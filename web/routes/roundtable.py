"""The roundtable tab of a community (to be built)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.http import page, render
from web.routes.core import community_or_404


@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    return render(request, "roundtable/index.html", community=community, tab="roundtable")


routes = [
    Route("/c/{community_id}/roundtable", index, name="roundtable_index"),
]
