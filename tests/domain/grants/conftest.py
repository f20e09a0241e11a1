"""Fixtures the grants domain tests share."""
from __future__ import annotations

import pytest

from tests.domain.grants.builders import grants_case


@pytest.fixture
def case(linli, places):
    """Two approved organisations, officials, reviewers and an open call (pool ¥300,000, ¥50,000 per project)."""
    return grants_case(linli, places)
