"""Grid service and residents' requests (网格化服务管理, 诉求), and the satisfaction assessment (群众满意度评价).

A community's grids, the buildings and units each covers, its request categories and time limits live in ONE
stream (`Grids`), so a building can never be put in two grids at once. Each request (`Request`) is its own stream:
submitted → accepted (受理) → escalated grid → community (协调) → street, each with a reason → resolved with a note
→ rated by its reporter (or reopened), or closed as "not rated" after seven days; a duplicate is merged into
another, whose followers its reporters become. A visit of the grid worker's diary (民情日记) is a `Visit`. A
resident's rating of their community or street for a quarter is a `PlaceRating` whose id comes from the period,
the place and the person, so rating twice collides. How much residents' ratings weigh in a street's assessment of
a period is `AssessmentWeights`. Free text about people is sealed under the reporter's (or household's) key."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.grid.policies import (CLOSED, COMMUNITY, GRID, IN_PROGRESS, LEVELS, MERGED, OPEN_STATUSES, RESOLVED,
                                  STREET, SUBMITTED, confirmation_lapsed, next_level, weight_allowed)
from domain.kernel.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from domain.kernel.ids import stable_id
from domain.kernel.time import SHANGHAI

MAX_GRIDS = 200
MAX_AREAS = 2000
MAX_CATEGORIES = 50
MAX_ACCEPT_HOURS = 30 * 24
MAX_RESOLVE_HOURS = 90 * 24
MAX_FOLLOWERS = 500
DEFAULT_ACCEPT_HOURS = 24
DEFAULT_CATEGORIES = (("环境卫生", 72), ("设施维修", 120), ("安全隐患", 48), ("邻里纠纷", 168), ("停车交通", 120),
                      ("其他", 168))
SATISFIED, BASICALLY, UNSATISFIED = "satisfied", "basically", "unsatisfied"
RATINGS = {SATISFIED: "满意", BASICALLY: "基本满意", UNSATISFIED: "不满意"}
LEVEL_NAMES = {GRID: "网格", COMMUNITY: "社区", STREET: "街道"}
STATUS_NAMES = {SUBMITTED: "待受理", IN_PROGRESS: "办理中", RESOLVED: "已办结，待评价", CLOSED: "已关闭", MERGED: "已合并"}
PLACE_KINDS = (COMMUNITY, STREET)
_PERIOD = re.compile(r"^(20\d\d)Q([1-4])$")


# --- named errors -----------------------------------------------------------------------------------------------
class GridNameTakenError(ConflictError):
    """Two grids of one community never share a name."""

    message = "本社区已有名为「{name}」的网格"


class AreaTakenError(ConflictError):
    """A building (or one of its units) belongs to one grid only."""

    message = "{area}已划入「{grid}」"


class GridNotFoundError(NotFoundError):
    """The grid is not one of this community's."""

    message = "找不到该网格"


class CategoryNotFoundError(NotFoundError):
    """The category is not one the community keeps (or it was retired)."""

    message = "请选择社区列出的诉求类别"


class HoursError(InvalidInputError):
    """A time limit is a whole number of hours within bounds."""

    message = "时限应为 1 到 {max} 小时之间的整数"


class WrongStateError(ConflictError):
    """The request is not in a state that allows this step."""

    message = "该诉求当前为「{status}」，不能进行此操作"


class EscalationLimitError(ConflictError):
    """Requests go up to the street at most."""

    message = "诉求最高上报至街道，不能再上报"


class NotYourRequestError(NotAllowedError):
    """Only the reporter confirms, rates or reopens their request."""

    message = "只能评价或确认您自己反映的诉求"


class RatingError(InvalidInputError):
    """A request is rated 满意, 基本满意 or 不满意."""

    message = "请选择：满意、基本满意或不满意"


class NotYetLapsedError(ConflictError):
    """A resolved request closes as not rated only after the reporter's seven days."""

    message = "评价期限（办结后 7 天）尚未届满"


class MergeError(ConflictError):
    """A request is merged into another open request of the same community, once."""

    message = "只能把未办结的诉求合并到本社区另一条未关闭的诉求"


class AlreadyTurnedError(ConflictError):
    """A visit's matter becomes one request only."""

    message = "该走访记录已转为诉求"


class ScoreError(InvalidInputError):
    """A community or street is rated 1 to 5."""

    message = "评分应为 1 到 5 分"


class AlreadyRatedError(ConflictError):
    """A resident rates a community, and a street, once per period."""

    message = "您本季度已评价过{place}，每季度只能评价一次"


class WeightError(InvalidInputError):
    """Residents' ratings weigh at least 70% for communities and 50% for streets."""

    message = "居民评价权重应在 {floor}% 到 100% 之间"


class PeriodError(InvalidInputError):
    """Periods are quarters such as 2026Q2."""

    message = "评价周期格式应为 2026Q2"


# --- values every layer shares ------------------------------------------------------------------------------------
def area_key(building: str, unit: str = "") -> str:
    """How a building and unit are matched: `3 号楼`, `3号楼` and `３号楼` are one building."""
    def norm(text: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()
    return f"{norm(building)}|{norm(unit)}"


def route(areas: dict[str, str], building: str, unit: str) -> str | None:
    """The grid (id) covering a building and unit: the unit's own entry, else its whole building's, else None."""
    return areas.get(area_key(building, unit)) or areas.get(area_key(building, ""))


def period_of(moment: datetime) -> str:
    """The quarter (`2026Q2`) a moment falls in, in Shanghai."""
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def check_period(text: str | None) -> str:
    """A period as typed or linked (`2026Q2`), or PeriodError."""
    raw = unicodedata.normalize("NFKC", text or "").strip().upper()
    if not _PERIOD.match(raw):
        raise PeriodError()
    return raw


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """The first moment of the quarter and of the next one (UTC), for queries by submission time."""
    match = _PERIOD.match(check_period(period))
    year, quarter = int(match[1]), int(match[2])
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=SHANGHAI)
    end = datetime(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1, tzinfo=SHANGHAI)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def previous_period(period: str) -> str:
    """The quarter before."""
    start, _ = period_bounds(period)
    return period_of(start - timedelta(days=1))


def check_hours(hours: int, maximum: int) -> int:
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= maximum:
        raise HoursError(max=maximum)
    return hours


def _place_name(building: str, unit: str) -> str:
    return f"{building}{unit}" if unit else building


# --- the community's grids ------------------------------------------------------------------------------------------
class Grids(Aggregate):
    """A community's grids (网格) with the buildings and units each covers, its request categories and time limits."""

    @staticmethod
    def id_for(community_id: UUID) -> UUID:
        return stable_id("community-grids", community_id)

    @classmethod
    def create_id(cls, community_id: UUID, accept_hours: int, categories: list) -> UUID:
        return cls.id_for(community_id)

    @classmethod
    def start(cls, community_id: UUID) -> "Grids":
        """A community's grid book, with the usual categories and a 24-hour acceptance limit to change."""
        return cls(community_id=community_id, accept_hours=DEFAULT_ACCEPT_HOURS,
                   categories=[{"id": str(i), "name": name, "resolve_hours": hours}
                               for i, (name, hours) in enumerate(DEFAULT_CATEGORIES, 1)])

    @event("Started")
    def __init__(self, community_id: UUID, accept_hours: int, categories: list) -> None:
        self.community_id = community_id
        self.accept_hours = accept_hours
        self.categories = {c["id"]: {"name": c["name"], "resolve_hours": c["resolve_hours"], "retired": False}
                           for c in categories}
        self.grids: dict[str, dict] = {}
        self.areas: dict[str, str] = {}        # area key → grid id

    # grids and areas
    @staticmethod
    def grid_id_for(community_id: UUID, number: int) -> UUID:
        """Grid ids are deterministic: the n-th grid of a community."""
        return stable_id("grid", community_id, number)

    def define_grid(self, name: str, by: UUID, at: datetime) -> UUID:
        """A new grid, named uniquely within the community."""
        if any(area_key(g["name"]) == area_key(name) for g in self.grids.values()):
            raise GridNameTakenError(name=name)
        if len(self.grids) >= MAX_GRIDS:
            raise ConflictError("一个社区最多 200 个网格")
        grid_id = self.grid_id_for(self.community_id, len(self.grids) + 1)
        self._grid_defined(grid_id=grid_id, name=name, by=by, at=at)
        return grid_id

    @event("GridDefined")
    def _grid_defined(self, grid_id: UUID, name: str, by: UUID, at: datetime) -> None:
        self.grids[str(grid_id)] = {"name": name, "number": len(self.grids) + 1}

    def grid(self, grid_id: UUID) -> dict:
        grid = self.grids.get(str(grid_id))
        if grid is None:
            raise GridNotFoundError()
        return grid

    def assign_area(self, grid_id: UUID, building: str, unit: str, by: UUID, at: datetime) -> None:
        """Put a building (unit empty: all of it) or one unit of it in a grid."""
        self.grid(grid_id)
        key = area_key(building, unit)
        holder = self.areas.get(key)
        if holder is not None:
            raise AreaTakenError(area=_place_name(building, unit), grid=self.grids[holder]["name"])
        if len(self.areas) >= MAX_AREAS:
            raise ConflictError("一个社区最多划分 2000 个楼栋单元")
        self._area_assigned(grid_id=grid_id, building=building, unit=unit, by=by, at=at)

    @event("AreaAssigned")
    def _area_assigned(self, grid_id: UUID, building: str, unit: str, by: UUID, at: datetime) -> None:
        self.areas[area_key(building, unit)] = str(grid_id)

    def release_area(self, grid_id: UUID, building: str, unit: str, by: UUID, at: datetime) -> None:
        """Take a building or unit out of its grid again."""
        if self.areas.get(area_key(building, unit)) != str(grid_id):
            raise NotFoundError("该网格没有这个楼栋单元")
        self._area_released(grid_id=grid_id, building=building, unit=unit, by=by, at=at)

    @event("AreaReleased")
    def _area_released(self, grid_id: UUID, building: str, unit: str, by: UUID, at: datetime) -> None:
        self.areas.pop(area_key(building, unit), None)

    def route(self, building: str, unit: str) -> UUID | None:
        """The grid covering a place, or None (then the community handles it)."""
        grid_id = route(self.areas, building, unit)
        return UUID(grid_id) if grid_id else None

    # categories and time limits
    def add_category(self, name: str, resolve_hours: int, by: UUID, at: datetime) -> str:
        """A category residents choose from, with the time within which its requests are to be resolved."""
        check_hours(resolve_hours, MAX_RESOLVE_HOURS)
        if any(area_key(c["name"]) == area_key(name) and not c["retired"] for c in self.categories.values()):
            raise ConflictError("已有该类别")
        if len(self.categories) >= MAX_CATEGORIES:
            raise ConflictError("最多 50 个诉求类别")
        category_id = str(len(self.categories) + 1)
        self._category_added(category_id=category_id, name=name, resolve_hours=resolve_hours, by=by, at=at)
        return category_id

    @event("CategoryAdded")
    def _category_added(self, category_id: str, name: str, resolve_hours: int, by: UUID, at: datetime) -> None:
        self.categories[category_id] = {"name": name, "resolve_hours": resolve_hours, "retired": False}

    def category(self, category_id: str) -> dict:
        """A category in use, or CategoryNotFoundError."""
        category = self.categories.get(str(category_id))
        if category is None or category["retired"]:
            raise CategoryNotFoundError()
        return category

    def set_resolve_hours(self, category_id: str, hours: int, by: UUID, at: datetime) -> None:
        """A new resolution limit for the category (requests already made keep theirs)."""
        self.category(category_id)
        check_hours(hours, MAX_RESOLVE_HOURS)
        self._resolve_hours_set(category_id=str(category_id), hours=hours, by=by, at=at)

    @event("ResolveHoursSet")
    def _resolve_hours_set(self, category_id: str, hours: int, by: UUID, at: datetime) -> None:
        self.categories[category_id]["resolve_hours"] = hours

    def retire_category(self, category_id: str, by: UUID, at: datetime) -> None:
        """No new requests in this category (its old ones keep it)."""
        self.category(category_id)
        if sum(not c["retired"] for c in self.categories.values()) <= 1:
            raise ConflictError("至少保留一个诉求类别")
        self._category_retired(category_id=str(category_id), by=by, at=at)

    @event("CategoryRetired")
    def _category_retired(self, category_id: str, by: UUID, at: datetime) -> None:
        self.categories[category_id]["retired"] = True

    def set_accept_hours(self, hours: int, by: UUID, at: datetime) -> None:
        """Within how many hours a request must be taken on (受理)."""
        check_hours(hours, MAX_ACCEPT_HOURS)
        self._accept_hours_set(hours=hours, by=by, at=at)

    @event("AcceptHoursSet")
    def _accept_hours_set(self, hours: int, by: UUID, at: datetime) -> None:
        self.accept_hours = hours


# --- a resident's request -------------------------------------------------------------------------------------------
class Request(Aggregate):
    """One request (诉求): where it is handled, its state and its timeline. `personal` (description, unit, place) and
    every reason or note are sealed under the reporter's key. `by` is who submitted it: the reporter, or a grid
    worker on their behalf (代办, from the visit `visit_id`)."""

    @staticmethod
    def id_for(key: str) -> UUID:
        """A request's id comes from a key the use case chooses (the command id, so a repeat collides)."""
        return stable_id("grid-request", key)

    @classmethod
    def create_id(cls, key: str, **kwargs: object) -> UUID:
        return cls.id_for(key)

    @event("Submitted")
    def __init__(self, key: str, community_id: UUID, street_id: UUID, grid_id: UUID | None, level: str,
                 reporter_id: UUID, category_id: str, category: str, building: str, personal: str, photo: str,
                 public: bool, accept_due: datetime, resolve_due: datetime, by: UUID, visit_id: UUID | None,
                 at: datetime) -> None:
        self.community_id = community_id
        self.grid_id = grid_id
        self.level = level
        self.max_level = level
        self.reporter_id = reporter_id
        self.followers = [str(reporter_id)]
        self.status = SUBMITTED
        self.resolved_at: datetime | None = None

    def _require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise WrongStateError(status=STATUS_NAMES[self.status])

    def accept(self, by: UUID, at: datetime) -> None:
        """Taken on (受理) at its level."""
        self._require(SUBMITTED)
        self._accepted(level=self.level, by=by, at=at)

    @event("Accepted")
    def _accepted(self, level: str, by: UUID, at: datetime) -> None:
        self.status = IN_PROGRESS

    def escalate(self, reason: str, by: UUID, at: datetime) -> None:
        """Passed up one level with a reason; whether it had been taken on stays as it was."""
        self._require(*OPEN_STATUSES)
        to_level = next_level(self.level)
        if to_level is None:
            raise EscalationLimitError()
        self._escalated(from_level=self.level, to_level=to_level, reason=reason, by=by, at=at)

    @event("Escalated")
    def _escalated(self, from_level: str, to_level: str, reason: str, by: UUID, at: datetime) -> None:
        self.level = to_level
        if LEVELS.index(to_level) > LEVELS.index(self.max_level):
            self.max_level = to_level

    def resolve(self, note: str, by: UUID, at: datetime) -> None:
        """Solved, with a note for the reporter; they have seven days to confirm and rate it."""
        self._require(IN_PROGRESS)
        self._resolved(level=self.level, note=note, by=by, at=at)

    @event("Resolved")
    def _resolved(self, level: str, note: str, by: UUID, at: datetime) -> None:
        self.status = RESOLVED
        self.resolved_at = at

    def rate(self, rating: str, comment: str, by: UUID, at: datetime) -> None:
        """The reporter confirms it solved and says how satisfied they are; the request closes."""
        self._require_reporter(by)
        if rating not in RATINGS:
            raise RatingError()
        self._require(RESOLVED)
        self._rated(rating=rating, comment=comment, by=by, at=at)

    @event("Rated")
    def _rated(self, rating: str, comment: str, by: UUID, at: datetime) -> None:
        self.status = CLOSED

    def reopen(self, reason: str, by: UUID, at: datetime) -> None:
        """The reporter says it is not solved: back to whoever resolved it."""
        self._require_reporter(by)
        self._require(RESOLVED)
        self._reopened(reason=reason, by=by, at=at)

    @event("Reopened")
    def _reopened(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = IN_PROGRESS
        self.resolved_at = None

    def close_unrated(self, at: datetime) -> None:
        """Seven days after it was resolved without an answer, it closes as "not rated" (never as satisfied)."""
        self._require(RESOLVED)
        if not confirmation_lapsed(self.status, self.resolved_at, at):
            raise NotYetLapsedError()
        self._closed_unrated(at=at)

    @event("ClosedUnrated")
    def _closed_unrated(self, at: datetime) -> None:
        self.status = CLOSED

    def merge_into(self, primary: "Request", by: UUID, at: datetime) -> None:
        """This request duplicates `primary`: it closes as merged, and its reporters follow the other one."""
        if primary.id == self.id or primary.community_id != self.community_id \
                or self.status not in OPEN_STATUSES or primary.status in (CLOSED, MERGED):
            raise MergeError()
        if len(set(primary.followers) | set(self.followers)) > MAX_FOLLOWERS:
            raise MergeError()
        self._merged_into(primary_id=primary.id, by=by, at=at)
        primary._duplicate_merged(duplicate_id=self.id, followers=list(self.followers), by=by, at=at)

    @event("MergedInto")
    def _merged_into(self, primary_id: UUID, by: UUID, at: datetime) -> None:
        self.status = MERGED

    @event("DuplicateMerged")
    def _duplicate_merged(self, duplicate_id: UUID, followers: list, by: UUID, at: datetime) -> None:
        for follower in followers:
            if follower not in self.followers:
                self.followers.append(follower)

    def _require_reporter(self, by: UUID) -> None:
        if str(by) != str(self.reporter_id):
            raise NotYourRequestError()


# --- the visit diary ---------------------------------------------------------------------------------------------------
class Visit(Aggregate):
    """A visit of a grid worker's diary (民情日记): the day, the household or place, and what was raised (sealed under
    the household's key, or the writer's when a place was visited)."""

    @staticmethod
    def id_for(key: str) -> UUID:
        return stable_id("grid-visit", key)

    @classmethod
    def create_id(cls, key: str, **kwargs: object) -> UUID:
        return cls.id_for(key)

    @event("Recorded")
    def __init__(self, key: str, community_id: UUID, grid_id: UUID, visited_on: str, household_id: UUID | None,
                 sealed_for: UUID, personal: str, by: UUID, at: datetime) -> None:
        self.community_id = community_id
        self.grid_id = grid_id
        self.household_id = household_id
        self.request_id: UUID | None = None

    def turn_into_request(self, request_id: UUID, by: UUID, at: datetime) -> None:
        """What was raised becomes a request on the household's behalf (代办), once."""
        if self.request_id is not None:
            raise AlreadyTurnedError()
        if self.household_id is None:
            raise ConflictError("只有走访住户时记录的事项可以代办为诉求")
        self._turned_into_request(request_id=request_id, by=by, at=at)

    @event("TurnedIntoRequest")
    def _turned_into_request(self, request_id: UUID, by: UUID, at: datetime) -> None:
        self.request_id = request_id


# --- satisfaction -----------------------------------------------------------------------------------------------------
class PlaceRating(Aggregate):
    """A resident's (`by`) rating (1–5, with a comment sealed under their key) of their community or street for one
    quarter."""

    @staticmethod
    def id_for(period: str, place_id: UUID, account_id: UUID) -> UUID:
        return stable_id("grid-place-rating", period, place_id, account_id)

    @classmethod
    def create_id(cls, period: str, place_id: UUID, by: UUID) -> UUID:
        return cls.id_for(period, place_id, by)

    @classmethod
    def check_score(cls, score: int) -> int:
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise ScoreError()
        return score

    @event("Given")
    def __init__(self, period: str, place_kind: str, place_id: UUID, community_id: UUID, street_id: UUID,
                 by: UUID, score: int, comment: str, at: datetime) -> None:
        self.score = score


class AssessmentWeights(Aggregate):
    """How much residents' ratings weigh, against measured request handling, in one street's assessment of one
    period: for its communities (at least 70%) and for the street itself (at least 50%)."""

    @staticmethod
    def id_for(street_id: UUID, period: str) -> UUID:
        return stable_id("grid-assessment-weights", street_id, period)

    @classmethod
    def create_id(cls, street_id: UUID, district_id: UUID, period: str) -> UUID:
        return cls.id_for(street_id, period)

    @event("Started")
    def __init__(self, street_id: UUID, district_id: UUID, period: str) -> None:
        self.shares = {COMMUNITY: 70, STREET: 50}

    def set_share(self, kind: str, percent: int, by: UUID, at: datetime) -> None:
        """Residents' share of the score, in whole percent, never below the floor."""
        if kind not in PLACE_KINDS:
            raise InvalidInputError("输入有误")
        if not weight_allowed(kind, percent):
            raise WeightError(floor=70 if kind == COMMUNITY else 50)
        self._share_set(kind=kind, percent=percent, by=by, at=at)

    @event("ShareSet")
    def _share_set(self, kind: str, percent: int, by: UUID, at: datetime) -> None:
        self.shares[kind] = percent
