"""Use cases of grid service (`app.grid.*`): grids and grid workers, residents' requests from report to rating,
the visit diary, and residents' satisfaction ratings with the weights of the assessment. Who may do what is
`policies`, asked of the actor as the events say it is; the state a step needs is the model's to check."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from domain.grid import policies
from domain.grid.model import (PLACE_KINDS, AlreadyRatedError, AssessmentWeights, Grids,
                               GridNotFoundError, PlaceRating, Request, Visit, WrongStateError, check_period,
                               period_of)
from domain.kernel import roles
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.text import clean_text
from domain.kernel.time import local_day, parse_date

if TYPE_CHECKING:
    from domain.kernel.application import Linli

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
MAX_DIARY_DAYS_BACK = 366


def clean_place(building: str, unit: str, place: str) -> tuple[str, str, str]:
    """Where a matter is: a building (and unit) of the community, or a place (小区南门), or both."""
    building = clean_text(building, "楼栋", max_length=20, required=False)
    unit = clean_text(unit, "单元", max_length=20, required=False)
    place = clean_text(place, "具体位置", max_length=60, required=False)
    if unit and not building:
        raise InvalidInputError("请填写楼栋")
    if not building and not place:
        raise InvalidInputError("请填写楼栋或具体位置")
    return building, unit, place


class GridService:
    """Grid service's use cases."""

    def __init__(self, app: Linli) -> None:
        self.app = app

    # --- what the use cases read ---------------------------------------------------------------------------------
    def grids(self, community_id: UUID) -> Grids:
        """The community's grid book (a new one, with the usual categories, for a community without one)."""
        return self.app.find(Grids, Grids.id_for(community_id)) or Grids.start(community_id)

    def request(self, request_id: UUID) -> Request:
        """The request, or NotFoundError."""
        return self.app.load(Request, request_id, "诉求")

    def visit(self, visit_id: UUID) -> Visit:
        """The visit, or NotFoundError."""
        return self.app.load(Visit, visit_id, "走访记录")

    def _require(self, allowed: bool, message: str) -> None:
        if not allowed:
            raise NotAllowedError(message)

    def _manager(self, worker_id: UUID, community_id: UUID) -> None:
        community = self.app.accounts.community(community_id)
        self._require(policies.may_manage_grids(self.app.accounts.actor(worker_id), community),
                      "只有本社区的社区工作者可以设置网格")

    def _book(self, use_case: str, worker_id: UUID, community_id: UUID, command_id: str | None,
              change: Callable[[Grids], Any]) -> Any:
        """Change the community's grid book as one of its workers."""
        self._manager(worker_id, community_id)

        def action():
            grids = self.grids(community_id)
            return change(grids), [grids]
        return self.app.execute(use_case, command_id, action, actor=worker_id)

    # --- grids, areas, categories, limits ----------------------------------------------------------------------------
    def define_grid(self, worker_id: UUID, community_id: UUID, name: str, command_id: str | None = None) -> UUID:
        """A worker adds a grid to the community."""
        name = clean_text(name, "网格名称", max_length=20)
        return self._book("grid-define", worker_id, community_id, command_id,
                          lambda g: g.define_grid(name, worker_id, self.app.clock()))

    def assign_area(self, worker_id: UUID, community_id: UUID, grid_id: UUID, building: str, unit: str = "",
                    command_id: str | None = None) -> None:
        """A worker puts a building (or one of its units) in a grid."""
        building = clean_text(building, "楼栋", max_length=20)
        unit = clean_text(unit, "单元", max_length=20, required=False)
        return self._book("grid-assign-area", worker_id, community_id, command_id,
                          lambda g: g.assign_area(grid_id, building, unit, worker_id, self.app.clock()))

    def release_area(self, worker_id: UUID, community_id: UUID, grid_id: UUID, building: str, unit: str = "",
                     command_id: str | None = None) -> None:
        """A worker takes a building or unit out of a grid."""
        return self._book("grid-release-area", worker_id, community_id, command_id,
                          lambda g: g.release_area(grid_id, building or "", unit or "", worker_id, self.app.clock()))

    def add_category(self, worker_id: UUID, community_id: UUID, name: str, resolve_hours: int,
                     command_id: str | None = None) -> str:
        """A worker adds a request category with its resolution time limit."""
        name = clean_text(name, "类别名称", max_length=20)
        return self._book("grid-add-category", worker_id, community_id, command_id,
                          lambda g: g.add_category(name, resolve_hours, worker_id, self.app.clock()))

    def set_resolve_hours(self, worker_id: UUID, community_id: UUID, category_id: str, hours: int,
                          command_id: str | None = None) -> None:
        """A worker changes a category's resolution time limit (for requests from now on)."""
        return self._book("grid-resolve-hours", worker_id, community_id, command_id,
                          lambda g: g.set_resolve_hours(category_id, hours, worker_id, self.app.clock()))

    def retire_category(self, worker_id: UUID, community_id: UUID, category_id: str,
                        command_id: str | None = None) -> None:
        """A worker stops offering a category."""
        return self._book("grid-retire-category", worker_id, community_id, command_id,
                          lambda g: g.retire_category(category_id, worker_id, self.app.clock()))

    def set_accept_hours(self, worker_id: UUID, community_id: UUID, hours: int, command_id: str | None = None) -> None:
        """A worker sets within how many hours requests must be taken on."""
        return self._book("grid-accept-hours", worker_id, community_id, command_id,
                          lambda g: g.set_accept_hours(hours, worker_id, self.app.clock()))

    def assign_grid_worker(self, worker_id: UUID, community_id: UUID, grid_id: UUID, phone: str) -> UUID:
        """A worker makes a worker or verified resident of the community (found by phone) a grid worker of a grid.
        Returns their account id."""
        self._manager(worker_id, community_id)
        self._existing_grid(community_id, grid_id)
        account_id = self.app.accounts.account_id_for(phone)
        community = self.app.accounts.community(community_id)
        if account_id is None or not policies.may_serve_as_grid_worker(self.app.accounts.actor(account_id), community):
            raise NotFoundError("找不到使用该手机号的本社区社区工作者或已核实居民")
        self.app.accounts.grant_role(account_id, roles.GRID_WORKER, grid_id, by=worker_id)
        return account_id

    def remove_grid_worker(self, worker_id: UUID, community_id: UUID, grid_id: UUID, account_id: UUID) -> None:
        """A worker takes the grid worker role of a grid away from someone."""
        self._manager(worker_id, community_id)
        self._existing_grid(community_id, grid_id)
        self.app.accounts.revoke_role(account_id, roles.GRID_WORKER, grid_id, by=worker_id)

    def _existing_grid(self, community_id: UUID, grid_id: UUID) -> dict:
        grids = self.app.find(Grids, Grids.id_for(community_id))
        if grids is None:
            raise GridNotFoundError()
        return grids.grid(grid_id)

    # --- requests ---------------------------------------------------------------------------------------------------
    def submit_request(self, reporter_id: UUID, community_id: UUID, category_id: str, description: str,
                       building: str, unit: str = "", place: str = "", public: bool = False, photo: str = "",
                       command_id: str | None = None) -> UUID:
        """A verified resident reports a matter; it goes to the grid worker of that place (or, where no grid
        covers it, to the community), with its acceptance and resolution due times."""
        community = self.app.accounts.community(community_id)
        self._require(policies.may_submit(self.app.accounts.actor(reporter_id), community),
                      "只有经过核实的本社区居民可以反映诉求")
        return self._submit(reporter_id, community, category_id, description, building, unit, place, public, photo,
                            command_id, actor_id=reporter_id)

    def submit_for_household(self, grid_worker_id: UUID, visit_id: UUID, category_id: str, description: str,
                             building: str, unit: str = "", place: str = "", public: bool = False,
                             command_id: str | None = None) -> UUID:
        """A grid worker turns what a household raised on a visit into a request on their behalf (代办)."""
        visit = self.visit(visit_id)
        self._require(policies.may_keep_diary(self.app.accounts.actor(grid_worker_id), visit.grid_id),
                      "只有该网格的网格员可以代办诉求")
        if visit.household_id is None:
            raise ConflictError("只有走访住户时记录的事项可以代办为诉求")
        community = self.app.accounts.community(visit.community_id)
        if not self.app.accounts.is_verified_resident(visit.household_id, visit.community_id):
            raise ConflictError("该住户已不是本社区的已核实居民")
        return self._submit(visit.household_id, community, category_id, description, building, unit, place, public,
                            "", command_id, actor_id=grid_worker_id, visit_id=visit_id)

    def _submit(self, reporter_id: UUID, community: Any, category_id: str, description: str, building: str,
                unit: str, place: str, public: bool, photo: str, command_id: str | None, *, actor_id: UUID,
                visit_id: UUID | None = None) -> UUID:
        description = clean_text(description, "诉求内容", max_length=1000, multiline=True)
        building, unit, place = clean_place(building, unit, place)
        if photo and not _DIGEST.match(photo):
            raise InvalidInputError("照片无效，请重新上传")
        key = command_id or uuid4().hex
        request_id = Request.id_for(key)

        def action():
            if self.app.find(Request, request_id) is not None:
                return request_id, []
            grids = self.grids(community.id)
            category = grids.category(category_id)
            visit = None
            if visit_id is not None:
                visit = self.visit(visit_id)
                visit.turn_into_request(request_id, actor_id, self.app.clock())
            at = self.app.clock()
            grid_id = grids.route(building, unit)
            personal = self.app.sealer.seal(reporter_id, {"description": description, "unit": unit, "place": place})
            request = Request(key=key, community_id=community.id, street_id=community.street_id, grid_id=grid_id,
                              level=policies.GRID if grid_id else policies.COMMUNITY, reporter_id=reporter_id,
                              category_id=str(category_id), category=category["name"], building=building,
                              personal=personal, photo=photo, public=bool(public),
                              accept_due=at + timedelta(hours=grids.accept_hours),
                              resolve_due=at + timedelta(hours=category["resolve_hours"]),
                              by=actor_id, visit_id=visit_id, at=at)
            return request_id, [request, visit, grids]   # the book is saved only when this made it
        return self.app.execute("grid-submit", command_id, action, actor=actor_id)

    def _handle(self, use_case: str, actor_id: UUID, request_id: UUID, command_id: str | None,
                step: Callable[[Request], None]) -> None:
        """A step by whoever handles the request at its level (asked on the request as it is now)."""
        actor = self.app.accounts.actor(actor_id)

        def action():
            request = self.request(request_id)
            community = self.app.accounts.community(request.community_id)
            if not policies.handles(actor, community, request.level, request.grid_id):
                raise NotAllowedError("该诉求现由{level}办理，您不能进行此操作",
                                      level={"grid": "网格员", "community": "社区", "street": "街道"}[request.level])
            step(request)
            return None, [request]
        return self.app.execute(use_case, command_id, action, actor=actor_id)

    def accept(self, actor_id: UUID, request_id: UUID, command_id: str | None = None) -> None:
        """Whoever handles the request at its level takes it on (受理)."""
        return self._handle("grid-accept", actor_id, request_id, command_id,
                            lambda r: r.accept(actor_id, self.app.clock()))

    def escalate(self, actor_id: UUID, request_id: UUID, reason: str, command_id: str | None = None) -> None:
        """Whoever handles the request passes it up one level (grid → community → street), saying why."""
        reason = clean_text(reason, "上报理由", max_length=300, multiline=True)
        return self._handle("grid-escalate", actor_id, request_id, command_id,
                            lambda r: r.escalate(self.app.sealer.seal_text(r.reporter_id, reason), actor_id,
                                                 self.app.clock()))

    def resolve(self, actor_id: UUID, request_id: UUID, note: str, command_id: str | None = None) -> None:
        """Whoever handles the request records it solved, with a note for the reporter."""
        note = clean_text(note, "办结说明", max_length=500, multiline=True)
        return self._handle("grid-resolve", actor_id, request_id, command_id,
                            lambda r: r.resolve(self.app.sealer.seal_text(r.reporter_id, note), actor_id,
                                                self.app.clock()))

    def _answer(self, use_case: str, account_id: UUID, request_id: UUID, command_id: str | None,
                step: Callable[[Request], None]) -> None:
        def action():
            request = self.request(request_id)
            step(request)
            return None, [request]
        return self.app.execute(use_case, command_id, action, actor=account_id)

    def rate(self, account_id: UUID, request_id: UUID, rating: str, comment: str = "",
             command_id: str | None = None) -> None:
        """The reporter confirms the request solved and rates it (满意 / 基本满意 / 不满意, with a comment)."""
        comment = clean_text(comment, "评价意见", max_length=300, required=False, multiline=True)
        return self._answer("grid-rate", account_id, request_id, command_id,
                            lambda r: r.rate(rating, self.app.sealer.seal_text(r.reporter_id, comment), account_id,
                                             self.app.clock()))

    def reopen(self, account_id: UUID, request_id: UUID, reason: str, command_id: str | None = None) -> None:
        """The reporter says the request is not solved: it goes back to whoever resolved it."""
        reason = clean_text(reason, "未解决的情况", max_length=300, multiline=True)
        return self._answer("grid-reopen", account_id, request_id, command_id,
                            lambda r: r.reopen(self.app.sealer.seal_text(r.reporter_id, reason), account_id,
                                               self.app.clock()))

    def close_unanswered(self, request_id: UUID) -> bool:
        """Close a resolved request its reporter left unanswered for seven days, as "not rated" (never satisfied).
        Idempotent: False when it is not (or no longer) due."""
        def action():
            request = self.request(request_id)
            request.close_unrated(self.app.clock())
            return True, [request]
        try:
            return self.app.execute("grid-close-unrated", None, action)
        except (WrongStateError, ConflictError):
            return False

    def merge(self, actor_id: UUID, duplicate_id: UUID, primary_id: UUID, command_id: str | None = None) -> None:
        """Merge a duplicate into another request of the community: its reporters follow that one."""
        actor = self.app.accounts.actor(actor_id)

        def action():
            duplicate = self.request(duplicate_id)
            primary = self.request(primary_id)
            community = self.app.accounts.community(duplicate.community_id)
            if not policies.merges(actor, community, duplicate.level, duplicate.grid_id):
                raise NotAllowedError("只有办理该诉求的人员或本社区的社区工作者可以合并诉求")
            duplicate.merge_into(primary, actor_id, self.app.clock())
            return None, [duplicate, primary]
        return self.app.execute("grid-merge", command_id, action, actor=actor_id)

    # --- the visit diary -----------------------------------------------------------------------------------------------
    def record_visit(self, grid_worker_id: UUID, community_id: UUID, grid_id: UUID, visited_on: str,
                     household_id: UUID | None, place: str, raised: str, command_id: str | None = None) -> UUID:
        """A grid worker notes a visit (民情日记): the day, the household or place, what was raised."""
        self._require(policies.may_keep_diary(self.app.accounts.actor(grid_worker_id), grid_id),
                      "只有该网格的网格员可以记录民情日记")
        self._existing_grid(community_id, grid_id)
        day = parse_date(visited_on, "走访日期")
        today = local_day(self.app.clock())
        if day > today or (today - day).days > MAX_DIARY_DAYS_BACK:
            raise InvalidInputError("走访日期应在一年内且不晚于今天")
        place = clean_text(place, "走访地点", max_length=60, required=household_id is None)
        raised = clean_text(raised, "反映的事项", max_length=1000, multiline=True)
        if household_id is not None and not self.app.accounts.is_verified_resident(household_id, community_id):
            raise NotFoundError("找不到该住户")
        key = command_id or uuid4().hex
        visit_id = Visit.id_for(key)
        subject = household_id or grid_worker_id

        def action():
            if self.app.find(Visit, visit_id) is not None:
                return visit_id, []
            return visit_id, [Visit(key=key, community_id=community_id, grid_id=grid_id, visited_on=day.isoformat(),
                                    household_id=household_id, sealed_for=subject,
                                    personal=self.app.sealer.seal(subject, {"place": place, "raised": raised}),
                                    by=grid_worker_id, at=self.app.clock())]
        return self.app.execute("grid-record-visit", command_id, action, actor=grid_worker_id)

    # --- satisfaction and assessment -----------------------------------------------------------------------------------
    def rate_place(self, account_id: UUID, community_id: UUID, kind: str, score: int, comment: str = "",
                   command_id: str | None = None) -> UUID:
        """A verified resident rates their community, or its street, once this quarter (1–5, with a comment)."""
        if kind not in PLACE_KINDS:
            raise InvalidInputError("输入有误")
        community = self.app.accounts.community(community_id)
        self._require(policies.may_rate_places(self.app.accounts.actor(account_id), community),
                      "只有经过核实的本社区居民可以评价")
        PlaceRating.check_score(score)
        comment = clean_text(comment, "评价意见", max_length=300, required=False, multiline=True)
        place_id = community.id if kind == policies.COMMUNITY else community.street_id
        place_name = community.name if kind == policies.COMMUNITY else self.app.accounts.street(place_id).name

        def action():
            at = self.app.clock()
            period = period_of(at)
            rating_id = PlaceRating.id_for(period, place_id, account_id)
            if self.app.find(PlaceRating, rating_id) is not None:
                raise AlreadyRatedError(place=place_name)
            return rating_id, [PlaceRating(period=period, place_kind=kind, place_id=place_id,
                                           community_id=community.id, street_id=community.street_id,
                                           by=account_id, score=score,
                                           comment=self.app.sealer.seal_text(account_id, comment), at=at)]
        return self.app.execute("grid-rate-place", command_id, action, actor=account_id)

    def set_weight(self, actor_id: UUID, street_id: UUID, period: str, kind: str, percent: int,
                   command_id: str | None = None) -> None:
        """A street official sets how much residents' ratings weigh for the street's communities (≥ 70%), a district
        official for the street itself (≥ 50%), for one period."""
        street = self.app.accounts.street(street_id)
        period = check_period(period)
        self._require(policies.may_set_weight(self.app.accounts.actor(actor_id), street, kind),
                      "只有街道工作人员（社区的权重）或区级工作人员（街道的权重）可以设置权重")

        def action():
            weights = self.app.find(AssessmentWeights, AssessmentWeights.id_for(street_id, period)) or \
                AssessmentWeights(street_id=street_id, district_id=street.district_id, period=period)
            weights.set_share(kind, percent, actor_id, self.app.clock())
            return None, [weights]
        return self.app.execute("grid-set-weight", command_id, action, actor=actor_id)

