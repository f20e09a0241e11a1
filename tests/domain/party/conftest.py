"""Fixtures of the Party-member domain tests: a worker and a resident of the community."""
from __future__ import annotations

import pytest

from tests.builders import make_resident, make_worker


@pytest.fixture
def worker(linli, places):
    return make_worker(linli, places.community, name="李社工")


@pytest.fixture
def resident(linli, places, worker):
    return make_resident(linli, places.community, worker, name="王党员")
