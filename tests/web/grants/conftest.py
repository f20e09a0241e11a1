"""Fixtures the grants web tests share: the grants case in the web app's own store, and acting as one of its people
(each logs in once per test; switching people swaps their session cookies)."""
from __future__ import annotations

import pytest

from tests.builders import command_id
from tests.domain.grants.builders import grants_case
from web.http import SESSION_COOKIE


class People:
    """Acts as the case's people through the web client."""

    def __init__(self, web, case) -> None:
        self.web, self.case = web, case
        self.current: str | None = None
        self.sessions: dict[str, str] = {}
        self.cookie_domain = ""

    def act_as(self, key: str | None) -> None:
        """Log in as `case.phones[key]` (None: nobody), reusing the session of an earlier login."""
        if key == self.current:
            return
        jar = self.web.cookies
        if self.current is not None:
            self.sessions[self.current] = next(c.value for c in jar.jar if c.name == SESSION_COOKIE)
        for cookie in [c for c in jar.jar if c.name == SESSION_COOKIE]:
            jar.jar.clear(cookie.domain, cookie.path, cookie.name)
        if key is not None:
            if key in self.sessions:
                jar.set(SESSION_COOKIE, self.sessions[key], domain=self.cookie_domain, path="/")
            else:
                self.web.login(self.case.phones[key])
                self.cookie_domain = next(c.domain for c in jar.jar if c.name == SESSION_COOKIE)
        self.current = key

    def post(self, key: str, path: str, data: dict | None = None, **kwargs):
        self.act_as(key)
        return self.web.post_form(path, {"command_id": command_id(), **(data or {})}, **kwargs)

    def get(self, key: str | None, path: str, **kwargs):
        self.act_as(key)
        kwargs.setdefault("follow_redirects", False)
        return self.web.get(path, **kwargs)

    def catch_up(self) -> None:
        self.web.services.runner.catch_up()


@pytest.fixture
def case(web, places):
    """Two approved organisations, officials, reviewers and an open call, in the web app's store and views."""
    c = grants_case(web.services.app, places)
    web.services.runner.catch_up()
    return c


@pytest.fixture
def people(web, case) -> People:
    return People(web, case)
