"""The fund tab of a community (to be built)."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.http import page, render
from web.routes.core import community_or_404


@page(public=True)
def index(request: Request) -> Response:
    community = community_or_404(request)
    return render(request, "fund/index.html", community=community, tab="fund")


routes = [
    Route("/c/{community_id}/fund", index, name="fund_index"),
]
