"""The community or street a path names, from the directory view: every context's pages start here."""
from __future__ import annotations

from starlette.requests import Request

from domain.kernel.errors import NotFoundError
from projections import accounts as directory
from projections.accounts import Place
from web.http import parse_uuid, services


def community_or_404(request: Request, community_id: str | None = None) -> Place:
    """The community named in the path (or given), or a 404 in Chinese."""
    cid = parse_uuid(community_id or request.path_params.get("community_id"), "社区")
    community = directory.place(services(request).views, str(cid), kind="community")
    if community is None:
        raise NotFoundError("找不到该社区")
    return community


def street_or_404(request: Request) -> Place:
    """The street named in the path, or a 404 in Chinese."""
    street = directory.place(services(request).views, str(parse_uuid(request.path_params.get("street_id"), "街道")),
                             kind="street")
    if street is None:
        raise NotFoundError("找不到该街道")
    return street


def place_by_id(request: Request, place_id: str) -> Place | None:
    """A community, street or district by its id (None if there is none)."""
    return directory.place(services(request).views, str(place_id))
