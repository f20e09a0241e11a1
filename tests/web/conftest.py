"""Fixtures every web test folder shares."""
from __future__ import annotations

import pytest

from tests.builders import Places, web_person


@pytest.fixture
def places(web):
    """The district, street and two communities, founded in the web app's own store and in its views."""
    p = Places(web.services.app)
    web.services.runner.catch_up()
    return p


@pytest.fixture
def worker(web, places):
    """A community worker of `places.community`: (account id, phone)."""
    return web_person(web, "worker", places.community, name="李社工")
