"""The service record (服务记录) of Party members, as a fold over the event log: nothing is entered twice.

It reads events other contexts already record — a volunteer action day's shifts and attendance (`ActionDay.Created`,
`.ShiftAdded`, `.CheckedIn`, `.CheckedOut`, `.HoursCorrected`), a roundtable meeting's attendance and agenda
(`Meeting.Scheduled`, `.CheckedIn`, `.AgendaItemProposed`) — together with this context's own registrations and
directly recorded service, and `Account.Erased`. In log order it keeps who is a confirmed member of which community
*at that moment*, so only service done while registered with a community counts for that community:

- a shift counts from the check-in (or a correction without one) of a confirmed member of the day's community; its
  minutes are those of the check-out, or of the latest correction (then marked corrected); street-wide days belong
  to no community and do not count;
- a meeting counts once when a confirmed member of its community is checked in;
- an agenda item counts when a confirmed member of the meeting's community proposes it;
- a task recorded directly counts when a worker confirms it.

The same rules are the read model's (`projections/party.py`); a test replays stores through both and compares. A
report records its figures and items; `PartyService.recount` runs this fold over the whole log again (a replay from
event one) so issuing and the public check both take the totals from the events, never from a view."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from domain.kernel.time import local_date
from domain.party.model import Registration, ServiceRecord

# Topics of the events other contexts record, where they live now and where stores written before the move keep
# them (`domain.kernel.topics.moved` resolves the old ones). Named by text: a context never imports another's model.
_ELSEWHERE = {
    "ActionDay": ("domain.volunteer.model", "domain.action_day"),
    "Meeting": ("domain.roundtable.model", "domain.meeting"),
    "Account": ("domain.accounts.model", "domain.account"),
}
FED_BY = ("ActionDay.Created", "ActionDay.ShiftAdded", "ActionDay.CheckedIn", "ActionDay.CheckedOut",
          "ActionDay.HoursCorrected", "Meeting.Scheduled", "Meeting.CheckedIn", "Meeting.AgendaItemProposed",
          "Account.Erased")
OWN = (Registration.Started, Registration.Confirmed, Registration.Withdrawn, Registration.Ended,
       ServiceRecord.Logged, ServiceRecord.Confirmed)


def topics() -> list[str]:
    """Every stored topic the fold reads."""
    names = [f"{module}:{name}" for name in FED_BY for module in _ELSEWHERE[name.split(".")[0]]]
    return names + [get_topic(cls) for cls in OWN]


def shift_key(shift_id: Any, account_id: Any) -> str:
    return f"shift:{shift_id}:{account_id}"


def meeting_key(meeting_id: Any, account_id: Any) -> str:
    return f"meeting:{meeting_id}:{account_id}"


def agenda_key(meeting_id: Any, item_id: Any) -> str:
    return f"agenda:{meeting_id}:{item_id}"


def task_key(record_id: Any) -> str:
    return f"task:{record_id}"


FIGURES = ("shifts", "shift_minutes", "corrected", "meetings", "agenda_items", "tasks", "task_minutes", "minutes")


def figures_of(items: Iterable[dict]) -> dict[str, int]:
    """The report's figures from counted items: shifts and their minutes (how many corrected), meetings attended,
    agenda items raised, confirmed tasks and their minutes, and all minutes together."""
    f = dict.fromkeys(FIGURES, 0)
    for item in items:
        if item["kind"] == "shift":
            f["shifts"] += 1
            f["shift_minutes"] += item["minutes"]
            f["corrected"] += 1 if item["corrected"] else 0
        elif item["kind"] == "meeting":
            f["meetings"] += 1
        elif item["kind"] == "agenda":
            f["agenda_items"] += 1
        elif item["kind"] == "task":
            f["tasks"] += 1
            f["task_minutes"] += item["minutes"]
    f["minutes"] = f["shift_minutes"] + f["task_minutes"]
    return f


class ServiceLedger:
    """Every member's counted service, folded from events in log order (`apply`), then read per member, community
    and year (`items`)."""

    def __init__(self) -> None:
        self.days: dict[str, str | None] = {}          # action day → its community (None: street-wide)
        self.shifts: dict[str, dict] = {}              # shift → day, task, date
        self.meetings: dict[str, dict] = {}            # meeting → community, title
        self.accounts: dict[str, str] = {}             # registration → account
        self.active: dict[str, str] = {}               # account → the community they are a confirmed member of now
        self.pending: dict[str, dict] = {}             # directly recorded task → what it says, until confirmed
        self.records: dict[str, dict] = {}             # item key → item

    def apply(self, e: Any) -> None:
        handler = getattr(self, "_" + type(e).__qualname__.replace(".", "_"), None)
        if handler is not None:
            handler(e)

    def apply_all(self, events: Iterable[Any]) -> "ServiceLedger":
        for e in events:
            self.apply(e)
        return self

    # --- reading --------------------------------------------------------------------------------------------
    def items(self, account_id: Any, community_id: Any, year: str) -> list[dict]:
        """The counted items of one member for one community in one year, by date."""
        found = [i for i in self.records.values() if i["account_id"] == str(account_id)
                 and i["community_id"] == str(community_id) and i["date"][:4] == year and i["counted"]]
        return [{k: i[k] for k in ("key", "kind", "date", "title", "minutes", "corrected")}
                for i in sorted(found, key=lambda i: (i["date"], i["key"]))]

    def figures(self, account_id: Any, community_id: Any, year: str) -> dict[str, int]:
        return figures_of(self.items(account_id, community_id, year))

    def _member_of(self, account_id: Any, community_id: Any) -> bool:
        return community_id is not None and self.active.get(str(account_id)) == str(community_id)

    def _add(self, key: str, kind: str, account_id: Any, community_id: Any, date: str, title: str, *,
             minutes: int = 0, counted: bool = True, corrected: bool = False) -> None:
        self.records.setdefault(key, {"key": key, "kind": kind, "account_id": str(account_id),
                                      "community_id": str(community_id), "date": date, "title": title,
                                      "minutes": minutes, "counted": counted, "corrected": corrected})

    # --- this context --------------------------------------------------------------------------------------
    def _Registration_Started(self, e) -> None:
        self.accounts[str(e.originator_id)] = str(e.account_id)

    def _Registration_Confirmed(self, e) -> None:
        self.active[self.accounts[str(e.originator_id)]] = str(e.community_id)

    def _Registration_Withdrawn(self, e) -> None:
        account = self.accounts[str(e.originator_id)]
        if self.active.get(account) == str(e.community_id):
            del self.active[account]

    _Registration_Ended = _Registration_Withdrawn

    def _ServiceRecord_Logged(self, e) -> None:
        self.pending[str(e.originator_id)] = {"account_id": e.account_id, "community_id": e.community_id,
                                              "date": e.on, "title": e.kind, "minutes": e.minutes}

    def _ServiceRecord_Confirmed(self, e) -> None:
        task = self.pending.pop(str(e.originator_id), None)
        if task is not None:
            self._add(task_key(e.originator_id), "task", task["account_id"], task["community_id"], task["date"],
                      task["title"], minutes=task["minutes"])

    # --- accounts -----------------------------------------------------------------------------------------------
    def _Account_Erased(self, e) -> None:
        self.active.pop(str(e.originator_id), None)

    # --- the volunteer station --------------------------------------------------------------------------------
    def _ActionDay_Created(self, e) -> None:
        self.days[str(e.originator_id)] = str(e.community_id) if e.community_id else None

    def _ActionDay_ShiftAdded(self, e) -> None:
        self.shifts[str(e.shift_id)] = {"day_id": str(e.originator_id), "task": e.task,
                                        "date": local_date(e.starts_at)}

    def _shift_community(self, e) -> str | None:
        return self.days.get(str(e.originator_id))

    def _ActionDay_CheckedIn(self, e) -> None:
        community = self._shift_community(e)
        if self._member_of(e.account_id, community):
            shift = self.shifts[str(e.shift_id)]
            self._add(shift_key(e.shift_id, e.account_id), "shift", e.account_id, community, shift["date"],
                      shift["task"], counted=False)

    def _ActionDay_CheckedOut(self, e) -> None:
        item = self.records.get(shift_key(e.shift_id, e.account_id))
        if item is not None:
            item["minutes"], item["counted"] = e.minutes, True

    def _ActionDay_HoursCorrected(self, e) -> None:
        key = shift_key(e.shift_id, e.account_id)
        if key not in self.records:
            community = self._shift_community(e)
            if not self._member_of(e.account_id, community):
                return
            shift = self.shifts[str(e.shift_id)]
            self._add(key, "shift", e.account_id, community, shift["date"], shift["task"])
        item = self.records[key]
        item["minutes"], item["counted"], item["corrected"] = e.minutes, True, True

    # --- the roundtable -----------------------------------------------------------------------------------------
    def _Meeting_Scheduled(self, e) -> None:
        self.meetings[str(e.originator_id)] = {"community_id": str(e.community_id), "title": e.title}

    def _Meeting_CheckedIn(self, e) -> None:
        meeting = self.meetings[str(e.originator_id)]
        if self._member_of(e.account_id, meeting["community_id"]):
            self._add(meeting_key(e.originator_id, e.account_id), "meeting", e.account_id, meeting["community_id"],
                      _day(e.at), meeting["title"])

    def _Meeting_AgendaItemProposed(self, e) -> None:
        meeting = self.meetings[str(e.originator_id)]
        if self._member_of(e.by, meeting["community_id"]):
            self._add(agenda_key(e.originator_id, e.item_id), "agenda", e.by, meeting["community_id"], _day(e.at),
                      e.title)


def _day(moment: datetime) -> str:
    return local_date(moment)
