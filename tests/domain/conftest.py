"""Fixtures the domain tests share."""
from __future__ import annotations

import pytest

from tests.builders import make_worker
from tests.domain.builders import DAY


@pytest.fixture
def worker(linli, places):
    """A community worker of `places.community`."""
    return make_worker(linli, places.community)


@pytest.fixture
def day(linli, places, worker):
    """A community action day on DAY, organised by `worker`."""
    return linli.volunteer.create_action_day(worker, places.community, None, "社区清洁日", "一起打扫楼道", DAY)
