"""The grid web tests' community, grid and people."""
from __future__ import annotations

import pytest

from tests.web.grid.builders import grid_web


@pytest.fixture
def site(web, places, worker):
    return grid_web(web, places, worker)
