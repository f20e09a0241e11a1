"""What the grid domain tests share: a community with two grids, a grid worker, residents and a street official."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from domain.kernel import roles
from tests.builders import make_resident, make_worker


@dataclass
class GridSite:
    """Who and what a grid test needs."""

    app: object
    community: UUID
    other_community: UUID
    street: UUID
    worker: UUID
    grid: UUID
    other_grid: UUID
    grid_worker: UUID
    other_grid_worker: UUID
    resident: UUID
    neighbour: UUID
    official: UUID
    other_worker: UUID

    def submit(self, who=None, building="3号楼", unit="2单元", place="", category="1", text="路灯不亮", **kw):
        return self.app.grid.submit_request(who or self.resident, self.community, category, text, building, unit,
                                            place, **kw)


@pytest.fixture
def site(linli, places, worker) -> GridSite:
    app = linli
    grid = app.grid.define_grid(worker, places.community, "第一网格")
    other_grid = app.grid.define_grid(worker, places.community, "第二网格")
    app.grid.assign_area(worker, places.community, grid, "3号楼")
    app.grid.assign_area(worker, places.community, other_grid, "5号楼")
    grid_worker = make_resident(app, places.community, worker, name="网格员甲")
    other_grid_worker = make_resident(app, places.community, worker, name="网格员乙")
    app.accounts.grant_role(grid_worker, roles.GRID_WORKER, grid)
    app.accounts.grant_role(other_grid_worker, roles.GRID_WORKER, other_grid)
    return GridSite(app=app, community=places.community, other_community=places.other_community,
                    street=places.street, worker=worker, grid=grid, other_grid=other_grid, grid_worker=grid_worker,
                    other_grid_worker=other_grid_worker,
                    resident=make_resident(app, places.community, worker, name="王居民"),
                    neighbour=make_resident(app, places.community, worker, name="李邻居"),
                    official=make_worker(app, places.street, role=roles.STREET_OFFICIAL, name="孙街道"),
                    other_worker=make_worker(app, places.other_community, name="外社工"))
