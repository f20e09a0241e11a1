"""The Party-member web tests' site."""
from __future__ import annotations

import pytest

from tests.web.party.builders import PartySite


@pytest.fixture
def site(web):
    return PartySite(web)
