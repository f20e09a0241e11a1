"""What the Party-member web tests build with: a community with its worker, residents, an outsider, another
community's worker, a street official and a fund manager, each acting through the forms (sessions kept per person)."""
from __future__ import annotations

import re

from domain.kernel import roles
from domain.party.model import Registration
from domain.party.policies import CONSENT_VERSION
from tests.builders import Places, command_id, web_person
from web.http import SESSION_COOKIE as SESSION

FIELDS = {"unit": "南京某某科技有限公司", "org_name": "某某科技党委", "org_contact": "陈书记", "org_phone": "025-83123456",
          "kinds": ["邻里互助"], "other_kinds": "", "availability": "周末上午", "disclose": ["name", "service"]}


class PartySite:
    """People of two communities and their street, acting through the party pages."""

    def __init__(self, web) -> None:
        self.web = web
        app = web.services.app
        self.places = Places(app)
        web.services.runner.catch_up()
        c, other = self.places.community, self.places.other_community
        self.worker = web_person(web, roles.WORKER, c, "李社工")
        self.members = [web_person(web, None, c, f"党员{i}") for i in range(3)]
        self.outsider = web_person(web, None, other, "外社区居民")
        self.other_worker = web_person(web, roles.WORKER, other, "吴社工")
        self.official = web_person(web, roles.STREET_OFFICIAL, self.places.street, "孙街道")
        self.fund_manager = web_person(web, roles.FUND_MANAGER, c, "赵会计")
        self.base = f"/c/{c}/party"
        self.other_base = f"/c/{other}/party"
        self.as_who: str | None = None
        self.sessions: dict[str, str] = {}
        self.cookie_domain = ""

    @property
    def app(self):
        return self.web.services.app

    def login(self, person) -> None:
        """Act as `person` ((id, phone), or None: anonymous); each logs in once, then sessions are swapped."""
        phone = person[1] if person else None
        if self.as_who == phone:
            return
        jar = self.web.cookies
        if self.as_who is not None:
            self.sessions[self.as_who] = next(c.value for c in jar.jar if c.name == SESSION)
        for cookie in [c for c in jar.jar if c.name == SESSION]:
            jar.jar.clear(cookie.domain, cookie.path, cookie.name)
        if phone is not None:
            if phone in self.sessions:
                jar.set(SESSION, self.sessions[phone], domain=self.cookie_domain, path="/")
            else:
                self.web.login(phone)
                self.cookie_domain = next(c.domain for c in jar.jar if c.name == SESSION)
        self.as_who = phone

    def get(self, person, path: str, **kw):
        self.login(person)
        return self.web.get(path, follow_redirects=False, **kw)

    def post(self, person, path: str, data: dict | None = None, **kw):
        self.login(person)
        return self.web.post_form(path, {"command_id": command_id(), **(data or {})}, **kw)

    # --- the flow ------------------------------------------------------------------------------------------
    def consent(self, person, base: str | None = None):
        return self.post(person, f"{base or self.base}/consent", {"version": CONSENT_VERSION, "agree": "yes"})

    def submit(self, person, stint: int = 1, base: str | None = None, **changes):
        return self.post(person, f"{base or self.base}/register", {**FIELDS, "stint": str(stint), **changes})

    def registration_path(self, person, base: str | None = None) -> str:
        return f"{base or self.base}/registry/{Registration.id_for(person[0])}"

    def confirm(self, person, stint: int = 1, by=None):
        return self.post(by or self.worker, self.registration_path(person) + "/confirm", {"stint": str(stint)})

    def register(self, person, *, confirm: bool = True) -> None:
        assert self.consent(person).status_code == 303
        assert self.submit(person).status_code == 303
        if confirm:
            assert self.confirm(person).status_code == 303

    def events(self) -> int:
        """How many events the store holds (a refused command adds none)."""
        return self.app.recorder.max_notification_id() or 0


def code_of(html: str) -> str:
    return re.search(r'party-code-value">([^<]+)<', html).group(1)
