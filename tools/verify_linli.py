#!/usr/bin/env python3
"""Check a Linli export on your own computer: python3 verify_linli.py FILE [--expect POSITION:DIGEST ...]

FILE is what `linli export --community ID` wrote (JSON Lines, described in docs/EXPORT.md). This one file needs
nothing but Python 3.9 or newer. It

  1. recomputes the hash chain of the place's events and compares it with the digests the file carries (the ones
     Linli computed when each event was first recorded), and each digest given with --expect (one a page published);
  2. re-tallies every vote: each motion's closing tally, the resolution it became and the tallies the minutes state,
     from the votes cast on phones, recorded by workers, cast by proxy and counted by show of hands;
  3. re-derives every fund balance (allocations, commitments, payments, refunds) and checks it never broke a rule,
     nor allocated more under a resolution (increases included, every year's fund together) than its motion stated;
  4. re-derives every certificate's hours from the check-ins, check-outs and corrections.

It prints the first event that breaks anything (position, event, what broke) and exits with 1; a clean file gives a
one-line summary and exit code 0. `linli verify FILE` runs this same file.

The digest functions below are exactly those of Linli's `domain/kernel/chain.py` (a test holds them together)."""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

# --- the link format (domain/kernel/chain.py, repeated exactly) -------------------------------------------------------
GENESIS = "0" * 64
LINK_FORMAT = "linli-chain/1"
EXPORT_FORMAT, EXPORT_VERSION = "linli-export", 1


_canonical = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _digest(*parts):
    return hashlib.sha256(_canonical(list(parts)).encode("utf-8")).hexdigest()


def field_digest(value):
    return _digest("field", value)


def state_digest(fields):
    return _digest("state", sorted(fields.items()))


def event_digest(originator_id, version, topic, time, state):
    return _digest("event", originator_id, version, topic, time, state)


def link(prev, event):
    return _digest(LINK_FORMAT, prev, event)


def digest_of_state(state, withheld=None):
    fields = {name: field_digest(value) for name, value in state.items()}
    fields.update(withheld or {})
    return state_digest(fields)


def event_time(state):
    stamp = state.get("timestamp")
    return stamp.get("_data_", "") if isinstance(stamp, dict) else str(stamp or "")


# --- reading stored values --------------------------------------------------------------------------------------------
CHINA = timezone(timedelta(hours=8))   # Linli's one time zone (no daylight saving)
NAMESPACE = uuid.UUID("6f1c1e2a-6c1b-5d8e-9a57-2b8f0d4c6a11")   # Linli's deterministic ids (domain/kernel/ids.py)
CHOICES = ("for", "against", "abstain")


def decode(value):
    """A stored value as Python: ids as `str(UUID)`, times as aware datetimes (the store's JSON encodings)."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            kind, data = value["_type_"], value["_data_"]
            if kind == "uuid_hex":
                return str(uuid.UUID(data))
            if kind == "datetime_iso":
                return datetime.fromisoformat(data)
            if kind == "decimal_str":
                return Decimal(data)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def stable_id(kind, *parts):
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *(str(p) for p in parts)])))


def local_date(moment):
    return moment.astimezone(CHINA).date().isoformat()


def yuan(fen):
    return f"{fen / 100:,.2f}"


class Broken(Exception):
    """One rule the record breaks at the event being read."""


def require(condition, message, *args):
    if not condition:
        raise Broken(message.format(*args))


# --- votes ------------------------------------------------------------------------------------------------------------
class Tallies:
    """Meetings replayed from their events: the roll, who is present, proxies, every vote by every channel."""

    def __init__(self):
        self.meetings = {}
        self.motions = 0

    def apply(self, name, aggregate_id, s):
        kind = name.split(".", 1)[1]
        if name.startswith("Resolution."):
            if kind == "Adopted":
                self._adopted(aggregate_id, s)
            return
        if kind == "Scheduled":
            self.meetings[aggregate_id] = {"rule": s.get("voting_rule", "simple"),
                                           "percent": s.get("quorum_percent", 50), "roll": set(), "required": 0,
                                           "present": set(), "proxies": {}, "motions": {}}
            return
        m = self.meetings.get(aggregate_id)
        require(m is not None, "an event of a meeting whose scheduling is not in the record")
        handler = getattr(self, "_" + kind, None)
        if handler is not None:
            handler(m, s)

    def _Opened(self, m, s):
        m["roll"], m["required"] = set(s["roll"]), s["quorum_required"]
        expected = max(1, -(-len(m["roll"]) * m["percent"] // 100))
        require(m["required"] == expected, "quorum recorded as {} of a roll of {}, but {}% of it is {}",
                m["required"], len(m["roll"]), m["percent"], expected)

    def _CheckedIn(self, m, s):
        m["present"].add(s["account_id"])

    def _CheckedOut(self, m, s):
        m["present"].discard(s["account_id"])

    def _ProxyGiven(self, m, s):
        m["proxies"][s["giver"]] = s["holder"]

    def _ProxyWithdrawn(self, m, s):
        m["proxies"].pop(s["giver"], None)

    _ProxyRevoked = _ProxyWithdrawn

    def _MotionOpened(self, m, s):
        m["motions"][s["motion_id"]] = {"votes": {}, "hands": None, "pool": set(), "closed": None}

    def _motion(self, m, s, open_only=True):
        motion = m["motions"].get(str(s["motion_id"]))
        require(motion is not None, "motion {} was never opened", s["motion_id"])
        require(not open_only or motion["closed"] is None, "motion {} is already closed", s["motion_id"])
        return motion

    def _vote(self, m, s):
        motion = self._motion(m, s)
        voter = s["voter"]
        require(s["choice"] in CHOICES, "a vote that is neither for, against nor abstain")
        require(voter not in motion["votes"], "a second vote by the same resident on motion {}", s["motion_id"])
        require(voter not in motion["pool"], "a resident counted in the show of hands also voted on motion {}",
                s["motion_id"])
        require(voter in m["roll"], "a vote by someone not on the meeting's roll")
        motion["votes"][voter] = s["choice"]

    _VoteCast = _VoteRecorded = _ProxyVoteCast = _vote

    def _HandsCounted(self, m, s):
        motion = self._motion(m, s)
        hands = (s["votes_for"], s["votes_against"], s["abstentions"])
        eligible = set(s["eligible"])
        require(sum(hands) <= len(eligible), "{} hands counted, but only {} could raise one", sum(hands), len(eligible))
        require(not eligible & set(motion["votes"]), "the show of hands counts residents who had voted already")
        motion["hands"], motion["pool"] = hands, eligible

    def voices(self, m):
        roll, present = m["roll"], m["present"]
        represented = {g for g, h in m["proxies"].items() if g in roll and h in roll and h in present
                       and g not in present}
        return (roll & present) | represented

    def recount(self, m, motion):
        hands = motion["hands"] or (0, 0, 0)
        counts = [sum(1 for v in motion["votes"].values() if v == c) + hands[i] for i, c in enumerate(CHOICES)]
        present = len(self.voices(m) | set(motion["votes"]) | motion["pool"])
        return counts, present

    def _MotionClosed(self, m, s):
        motion = self._motion(m, s)
        (f, a, n), present = self.recount(m, motion)
        stated = (s["votes_for"], s["votes_against"], s["abstentions"])
        # closed as declared (its resolution copies that), recounted from the votes (the minutes must state that)
        motion["closed"] = {"tally": stated, "recount": (f, a, n), "outcome": s["outcome"]}
        self.motions += 1
        require(stated == (f, a, n), "the motion closed with {}/{}/{} (for/against/abstain), the votes recorded "
                                     "give {}/{}/{}", *stated, f, a, n)
        require(s["present"] == present, "the motion closed with {} present, the record gives {}", s["present"],
                present)
        require(s["roll_size"] == len(m["roll"]) and s["required"] == m["required"],
                "the motion closed with another roll or quorum than the meeting opened with")
        if m["rule"] == "two_thirds":
            passed = f > 0 and 3 * f >= 2 * (f + a)
        else:
            passed = f > a
        outcome = "no_quorum" if present < m["required"] else "passed" if passed else "rejected"
        require(s["outcome"] == outcome, "the motion was declared {}, the tally gives {}", s["outcome"], outcome)

    def _MinutesPublished(self, m, s):
        for r in s.get("results") or []:
            motion = m["motions"].get(str(r["motion_id"]))
            require(motion is not None and motion["closed"], "the minutes state a result of motion {} that never "
                                                             "closed", r["motion_id"])
            tally = motion["closed"]["recount"]
            given = (r["votes_for"], r["votes_against"], r["abstentions"])
            require(given == tally, "the minutes give motion {} {}/{}/{}, the votes recorded give {}/{}/{}",
                    r["motion_id"], *given, *tally)
            if r.get("stated") is not None:
                require(tuple(r["stated"]) == tally, "the minutes state motion {} as {}/{}/{}, the votes recorded "
                                                     "give {}/{}/{}", r["motion_id"], *r["stated"], *tally)
            require(r.get("outcome", motion["closed"]["outcome"]) == motion["closed"]["outcome"],
                    "the minutes give motion {} another outcome than it closed with", r["motion_id"])

    def _adopted(self, resolution_id, s):
        m = self.meetings.get(s["meeting_id"])
        require(m is not None, "a resolution whose meeting is not in the record")
        require(resolution_id == stable_id("resolution", s["meeting_id"], s["motion_id"]),
                "a resolution whose id is not its meeting's and motion's")
        motion = m["motions"].get(str(s["motion_id"]))
        require(motion is not None and motion["closed"], "a resolution of motion {} that has not closed",
                s["motion_id"])
        given = (s["votes_for"], s["votes_against"], s["abstentions"])
        require(given == motion["closed"]["tally"], "the resolution gives {}/{}/{}, its motion closed with {}/{}/{}",
                *given, *motion["closed"]["tally"])
        require(bool(s["passed"]) == (motion["closed"]["outcome"] == "passed"),
                "the resolution says passed={}, its motion was {}", s["passed"], motion["closed"]["outcome"])


# --- money ------------------------------------------------------------------------------------------------------------
class Ledgers:
    """Funds replayed from their events: budget = unallocated + allocated; per project allocated = free + committed +
    pending + paid; never below zero, never above the budget; maker ≠ checker."""

    MOVES = ("Allocated", "AllocationIncreased", "AllocationReduced", "Committed", "PaymentRecorded",
             "PaymentRefunded", "RefundRequested", "AllocationIncreaseRequested")

    def __init__(self, resolutions):
        self.funds = {}
        self.resolutions = resolutions   # resolution id → (community, passed, states an amount, amount), from the record
        self.under = {}                  # resolution id → allocated under it, every year's fund together
        self.resolution_of = {}          # project id → the resolution it was allocated under

    def apply(self, name, fund_id, s, position):
        kind = name.split(".", 1)[1]
        if kind == "Opened":
            self.funds[fund_id] = {"community": s["community_id"], "year": s["year"], "budget": s["budget_fen"],
                                   "allocated": 0, "committed": 0, "pending": 0, "paid": 0, "projects": {},
                                   "commitments": {}, "payments": {}, "requests": {}, "closed": False, "last": position}
            return
        f = self.funds.get(fund_id)
        require(f is not None, "an event of a fund whose opening is not in the record")
        require(not f["closed"] or kind in ("PayeeErased", "PayeeErasureRequested", "PayeeErasureRejected"),
                "money moved after the year was closed")
        handler = getattr(self, "_" + kind, None)
        if handler is not None:
            amount = s.get("amount", 0)
            require(isinstance(amount, int) and not isinstance(amount, bool) and amount >= 0
                    and (amount > 0 or kind not in self.MOVES), "an amount that is not a number of fen: {}", amount)
            handler(f, s)
        f["last"] = position
        self._check(f)

    def _project(self, f, project_id):
        p = f["projects"].get(project_id)
        require(p is not None, "a project that was never allocated")
        return p

    @staticmethod
    def free(p):
        return p["allocated"] - p["committed"] - p["pending"] - p["paid"]

    def _Allocated(self, f, s):
        resolution = self.resolutions.get(s["resolution_id"])
        require(resolution is not None, "money allocated against a resolution that is not in the record")
        require(resolution[0] == f["community"], "money allocated against another community's resolution")
        require(resolution[1], "money allocated against a resolution that did not pass")
        require(s["project_id"] not in f["projects"], "a project allocated twice")
        require(s["amount"] <= f["budget"] - f["allocated"], "allocates {} yuan, only {} yuan is unallocated",
                yuan(s["amount"]), yuan(f["budget"] - f["allocated"]))
        f["projects"][s["project_id"]] = {"allocated": s["amount"], "committed": 0, "pending": 0, "paid": 0}
        self.resolution_of[s["project_id"]] = s["resolution_id"]
        f["allocated"] += s["amount"]
        self._authorised(s["resolution_id"], s["amount"])

    def _authorised(self, resolution_id, amount):
        """`amount` more under a resolution: within what its motion stated. A resolution adopted before motions stated
        amounts carries no amount field at all and is not checked (its allocations were made under the old rule)."""
        _, _, states, authorised = self.resolutions[resolution_id]
        self.under[resolution_id] = self.under.get(resolution_id, 0) + amount
        if states:
            require(authorised is not None, "money allocated against a resolution that states no amount")
            require(self.under[resolution_id] <= authorised, "allocates {} yuan in all under a resolution that "
                    "authorised {} yuan", yuan(self.under[resolution_id]), yuan(authorised))

    @staticmethod
    def _ask(f, s, request_id, kind, subject):
        f["requests"][s[request_id]] = (kind, s[subject], s["by"])

    @staticmethod
    def _decide(f, s, request_id):
        f["requests"].pop(s[request_id], None)

    @staticmethod
    def _settle(f, s, kind, subject, what):
        """The approval settles the request of its kind waiting on the subject (none in older stores): another
        manager than the one who asked must approve it."""
        waiting = [rid for rid, (k, sub, _) in f["requests"].items() if k == kind and sub == s[subject]]
        for rid in waiting:
            require(f["requests"][rid][2] != s["by"], "{} approved by the manager who asked for it", what)
            del f["requests"][rid]

    def _AllocationIncreaseRequested(self, f, s):
        self._ask(f, s, "increase_id", "increase", "project_id")

    def _AllocationIncreaseRejected(self, f, s):
        self._decide(f, s, "increase_id")

    def _AllocationIncreased(self, f, s):
        p = self._project(f, s["project_id"])
        self._settle(f, s, "increase", "project_id", "an allocation increase")
        require(s["amount"] <= f["budget"] - f["allocated"], "increases by {} yuan, only {} yuan is unallocated",
                yuan(s["amount"]), yuan(f["budget"] - f["allocated"]))
        p["allocated"] += s["amount"]
        f["allocated"] += s["amount"]
        self._authorised(self.resolution_of[s["project_id"]], s["amount"])

    def _AllocationReduced(self, f, s):
        p = self._project(f, s["project_id"])
        require(s["amount"] <= self.free(p), "reduces by {} yuan, the project has {} yuan free", yuan(s["amount"]),
                yuan(self.free(p)))
        p["allocated"] -= s["amount"]
        f["allocated"] -= s["amount"]
        self.under[self.resolution_of[s["project_id"]]] -= s["amount"]

    def _Committed(self, f, s):
        p = self._project(f, s["project_id"])
        require(s["amount"] <= self.free(p), "reserves {} yuan, the project has {} yuan free", yuan(s["amount"]),
                yuan(self.free(p)))
        f["commitments"][s["commitment_id"]] = {"project": s["project_id"], "remaining": s["amount"], "open": True}
        p["committed"] += s["amount"]
        f["committed"] += s["amount"]

    def _commitment_ended(self, f, s):
        c = f["commitments"].get(s["commitment_id"])
        require(c is not None and c["open"], "a commitment that is not open ended")
        require(s["amount"] == c["remaining"], "a commitment ended with {} yuan, {} yuan remained", yuan(s["amount"]),
                yuan(c["remaining"]))
        c["open"], c["remaining"] = False, 0
        f["projects"][c["project"]]["committed"] -= s["amount"]
        f["committed"] -= s["amount"]

    _CommitmentReleased = _CommitmentCancelled = _commitment_ended

    def _PaymentRecorded(self, f, s):
        p = self._project(f, s["project_id"])
        require(s["payment_id"] not in f["payments"], "a payment recorded twice")
        commitment = s.get("commitment_id")
        if commitment:
            c = f["commitments"].get(commitment)
            require(c is not None and c["open"] and c["project"] == s["project_id"],
                    "a payment against a commitment that is not open")
            require(s["amount"] <= c["remaining"], "pays {} yuan, the commitment has {} yuan left", yuan(s["amount"]),
                    yuan(c["remaining"]))
            c["remaining"] -= s["amount"]
            p["committed"] -= s["amount"]
            f["committed"] -= s["amount"]
        else:
            require(s["amount"] <= self.free(p), "pays {} yuan, the project has {} yuan free", yuan(s["amount"]),
                    yuan(self.free(p)))
        p["pending"] += s["amount"]
        f["pending"] += s["amount"]
        f["payments"][s["payment_id"]] = {"project": s["project_id"], "commitment": commitment, "amount": s["amount"],
                                          "refunded": 0, "status": "pending", "by": s["by"]}

    def _payment(self, f, s, status="pending"):
        pay = f["payments"].get(s["payment_id"])
        require(pay is not None, "a payment that was never recorded")
        require(pay["status"] == status, "the payment is {}, not {}", pay["status"], status)
        return pay

    def _PaymentApproved(self, f, s):
        pay = self._payment(f, s)
        require(s["by"] != pay["by"], "a payment approved by the manager who recorded it")
        require(s["amount"] == pay["amount"], "approves {} yuan of a {} yuan payment", yuan(s["amount"]),
                yuan(pay["amount"]))
        pay["status"] = "approved"
        p = f["projects"][pay["project"]]
        p["pending"] -= pay["amount"]
        p["paid"] += pay["amount"]
        f["pending"] -= pay["amount"]
        f["paid"] += pay["amount"]

    def _released(self, f, s, status):
        pay = self._payment(f, s)
        require(s["amount"] == pay["amount"], "releases {} yuan of a {} yuan payment", yuan(s["amount"]),
                yuan(pay["amount"]))
        pay["status"] = status
        p = f["projects"][pay["project"]]
        p["pending"] -= pay["amount"]
        f["pending"] -= pay["amount"]
        c = f["commitments"].get(pay["commitment"] or "")
        if c is not None and c["open"]:
            c["remaining"] += pay["amount"]
            p["committed"] += pay["amount"]
            f["committed"] += pay["amount"]

    def _PaymentRejected(self, f, s):
        self._released(f, s, "rejected")

    def _PaymentVoided(self, f, s):
        self._released(f, s, "voided")

    def _RefundRequested(self, f, s):
        self._ask(f, s, "refund_id", "refund", "payment_id")

    def _RefundRejected(self, f, s):
        self._decide(f, s, "refund_id")

    def _PaymentRefunded(self, f, s):
        pay = self._payment(f, s, "approved")
        self._settle(f, s, "refund", "payment_id", "a refund")
        require(s["amount"] <= pay["amount"] - pay["refunded"], "refunds {} yuan, only {} yuan can come back",
                yuan(s["amount"]), yuan(pay["amount"] - pay["refunded"]))
        pay["refunded"] += s["amount"]
        f["projects"][pay["project"]]["paid"] -= s["amount"]
        f["paid"] -= s["amount"]

    def _Closed(self, f, s):
        require(f["pending"] == 0 and f["committed"] == 0, "the year closed with money pending or reserved")
        require(s["unspent"] == f["budget"] - f["paid"], "the year closed with {} yuan unspent, the record gives {}",
                yuan(s["unspent"]), yuan(f["budget"] - f["paid"]))
        f["closed"] = True

    def _check(self, f):
        require(0 <= f["allocated"] <= f["budget"], "allocated {} yuan of a {} yuan budget", yuan(f["allocated"]),
                yuan(f["budget"]))
        for key in ("committed", "pending", "paid"):
            require(f[key] >= 0, "{} below zero", key)
        for p in f["projects"].values():
            require(min(p.values()) >= 0 and self.free(p) >= 0, "a project spent or reserved more than allocated")

    @staticmethod
    def figures(f):
        return {k: f[k] for k in ("budget", "allocated", "committed", "pending", "paid")}


# --- hours ------------------------------------------------------------------------------------------------------------
class Hours:
    """Action days replayed from their events: credited minutes per shift and volunteer, from check-in/out or as a
    worker corrected them; each certificate's items and total against them."""

    SPLIT = ("checked_minutes", "corrected")

    def __init__(self):
        self.days, self.shifts, self.attendance, self.certificates = {}, {}, {}, {}
        self.issued = 0

    def apply(self, name, aggregate_id, s):
        kind = name.split(".", 1)[1]
        if name.startswith("Certificate."):
            if kind == "Opened":
                self.certificates[aggregate_id] = s
            elif kind == "Issued":
                self._issued(aggregate_id, s)
            return
        if kind == "Created":
            self.days[aggregate_id] = {"community": s.get("community_id"), "street": s.get("street_id"),
                                       "title": s["title"]}
        elif kind == "ShiftAdded":
            require(aggregate_id in self.days, "a shift of a day whose creation is not in the record")
            self.shifts[s["shift_id"]] = {"day": aggregate_id, "task": s["task"], "starts_at": s["starts_at"]}
        elif kind == "CheckedIn":
            key = (s["shift_id"], s["account_id"])
            require(key not in self.attendance, "checked in twice, or after a correction")
            self.attendance[key] = {"in": s["at"], "out": None, "minutes": 0, "corrected": False}
        elif kind == "CheckedOut":
            record = self.attendance.get((s["shift_id"], s["account_id"]))
            require(record is not None and record["in"] is not None, "checked out without checking in")
            require(record["out"] is None, "checked out twice")
            minutes = max(0, int((s["at"] - record["in"]).total_seconds() // 60))
            require(s["minutes"] == minutes, "credits {} minutes, but check-in to check-out is {} minutes",
                    s["minutes"], minutes)
            record["out"], record["minutes"] = s["at"], s["minutes"]
        elif kind == "HoursCorrected":
            require(isinstance(s["minutes"], int) and 0 <= s["minutes"] <= 24 * 60,
                    "a correction to {} minutes", s["minutes"])
            record = self.attendance.setdefault((s["shift_id"], s["account_id"]),
                                                {"in": None, "out": None, "minutes": 0, "corrected": False})
            record["minutes"], record["corrected"] = s["minutes"], True

    def credited(self, shift_id, account_id):
        record = self.attendance.get((shift_id, account_id))
        if record is None or (record["out"] is None and not record["corrected"]):
            return 0, None
        checked = None
        if record["in"] is not None and record["out"] is not None:
            checked = max(0, int((record["out"] - record["in"]).total_seconds() // 60))
        return record["minutes"], {"checked_minutes": checked, "corrected": record["corrected"]}

    def _issued(self, certificate_id, s):
        opened = self.certificates.get(certificate_id)
        require(opened is not None, "a certificate whose opening is not in the record")
        org, kind, account = opened["org_id"], opened["org_kind"], opened["account_id"]
        expected = []
        for shift_id, shift in self.shifts.items():
            day = self.days[shift["day"]]
            if kind == "community" and day["community"] != org:
                continue
            if kind == "street" and (day["community"] is not None or day["street"] != org):
                continue
            minutes, split = self.credited(shift_id, account)
            date = local_date(shift["starts_at"])
            if minutes > 0 and date[:4] == opened["year"]:
                expected.append({"day_id": shift["day"], "shift_id": shift_id, "date": date, "title": day["title"],
                                 "task": shift["task"], "minutes": minutes, **split})
        expected.sort(key=lambda i: (i["date"], i["shift_id"]))
        items = s["items"]
        hours = [{k: v for k, v in i.items() if k not in self.SPLIT} for i in items]
        require(hours == [{k: v for k, v in i.items() if k not in self.SPLIT} for i in expected],
                "the certificate lists {} shifts and {} minutes; the record credits {} shifts and {} minutes",
                len(items), sum(i["minutes"] for i in items), len(expected), sum(i["minutes"] for i in expected))
        for given, derived in zip(items, expected):
            if all(k in given for k in self.SPLIT):
                require(all(given[k] == derived[k] for k in self.SPLIT),
                        "the certificate says the {} minutes of {} came {}, the record says {}", given["minutes"],
                        given["date"], _how(given), _how(derived))
        require(s["minutes"] == sum(i["minutes"] for i in items), "the certificate's total is not the sum of its items")
        self.issued += 1


def _how(item):
    return "from a correction" if item["corrected"] else "from check-in/out"


# --- the file ---------------------------------------------------------------------------------------------------------
class Verifier:
    """Reads an export line by line; `problems` lists (position, what, message), in the order found."""

    def __init__(self, header):
        require(header.get("format") == EXPORT_FORMAT and header.get("version") == EXPORT_VERSION,
                "not a Linli export (format {} version {})", header.get("format"), header.get("version"))
        require(header.get("link") == LINK_FORMAT, "a chain of another format: {}", header.get("link"))
        self.header = header
        self.place = header.get("place") or {}
        self.problems = []
        self.running = GENESIS
        self.digests = {}       # position → the place's digest after it
        self.last = 0
        self.lines = self.shown = 0
        self.resolutions = {}
        self.tallies, self.hours = Tallies(), Hours()
        self.ledgers = Ledgers(self.resolutions)

    def problem(self, position, what, message):
        self.problems.append((position, what, message))

    def read(self, line):
        position = line.get("position")
        what = (line.get("topic") or "").rsplit(":", 1)[-1] or ("missing event" if line.get("missing") else "event")
        if not isinstance(position, int) or position <= self.last:
            self.problem(position, what, f"out of order: position {position} after {self.last}")
            return
        self.last = position
        self.lines += 1
        if line.get("unchained"):
            self.problem(position, what, "this event of the place is in the store, but the chain never recorded it: "
                                         "it was added afterwards")
            return
        if line.get("prev") != self.running:
            self.problem(position, what, "the chain's link before this event is not the line before it: an event of "
                                         "the place is missing before it, or the events are out of order")
        if line.get("missing"):
            self.problem(position, what, "the chain recorded an event here, but the store no longer holds it: it was "
                                         "deleted")
        else:
            try:
                digest = self.event_digest(line)
            except (Broken, KeyError, TypeError, ValueError) as e:
                self.problem(position, what, f"unreadable line: {e}")
                digest = None
            if digest is not None and link(line.get("prev"), digest) != line.get("digest"):
                self.problem(position, what, "this event is not the one the chain recorded at this position: it was "
                                             "changed, moved or replaced after it was recorded")
        self.running = line.get("digest")
        self.digests[position] = self.running
        if "state" in line and not line.get("missing"):
            self.shown += 1
            try:
                self.check_rules(line, what)
            except Broken as e:
                self.problem(position, what, str(e))
            except (KeyError, TypeError, ValueError, AttributeError) as e:
                self.problem(position, what, f"an event of an unexpected shape ({type(e).__name__}: {e})")

    @staticmethod
    def event_digest(line):
        if "state" not in line:
            return line["event_digest"]
        state, withheld = line["state"], line.get("withheld") or {}
        require(not set(state) & set(withheld), "a field both shown and withheld")
        require("timestamp" not in state or event_time(state) == line["time"], "its time is not the one it stores")
        return event_digest(line["id"], line["version"], line["topic"], line["time"], digest_of_state(state, withheld))

    def check_rules(self, line, name):
        s = decode(line["state"])
        aggregate = name.split(".")[0]
        if aggregate == "Resolution" and name.endswith(".Adopted"):
            self.resolutions[line["id"]] = (s.get("community_id"), bool(s.get("passed")), "amount" in s,
                                            s.get("amount"))
        if aggregate in ("Meeting", "Resolution"):
            self.tallies.apply(name, line["id"], s)
        elif aggregate == "Fund":
            self.ledgers.apply(name, line["id"], s, line["position"])
        elif aggregate in ("ActionDay", "Certificate"):
            self.hours.apply(name, line["id"], s)

    def finish(self, expected=()):
        head = (self.header.get("head") or {}).get("place") or {}
        if head.get("position", 0) > 0 and (head.get("position") != self.last_chained()
                                            or head.get("digest") != self.running):
            self.problem(head.get("position"), "end of the export",
                         f"the chain of the place reached position {head.get('position')}, but the export ends at "
                         f"{self.last_chained()}: the events after it are missing")
        store = (self.header.get("head") or {}).get("store") or {}
        held = self.header.get("store_last_event")
        if isinstance(held, int) and held < store.get("position", 0):
            self.problem(held + 1, "end of the store",
                         f"the store's chain reached position {store.get('position')}, but the store's last event is "
                         f"at {held}: the events after it were removed")
        for fund in (self.header.get("published") or {}).get("funds", []):
            f = self.ledgers.funds.get(fund["id"])
            if f is None:
                self.problem(self.last, "published ledger", f"fund {fund.get('year')} is published but its events are "
                                                            "not in the export")
                continue
            derived, published = Ledgers.figures(f), {k: fund.get(k) for k in Ledgers.figures(f)}
            if derived != published:
                wrong = ", ".join(f"{k} {yuan(published[k] or 0)} (events: {yuan(derived[k])})"
                                  for k in derived if derived[k] != published[k])
                # as of the export's position: the ledger was drawn from every event up to there
                self.problem(max(f["last"], self.header.get("upto") or 0), "published ledger",
                             f"the {fund.get('year')} ledger publishes {wrong}")
        for r in (self.header.get("published") or {}).get("resolutions", []):
            allocated = self.ledgers.under.get(r.get("id"), 0)
            if r.get("allocated") != allocated:
                self.problem(self.header.get("upto") or self.last, "published ledger",
                             f"the ledger publishes {yuan(r.get('allocated') or 0)} yuan allocated under resolution "
                             f"{r.get('id')}, the events give {yuan(allocated)} yuan")
            stated = self.resolutions.get(r.get("id"), (None, None, False, None))[3]
            if r.get("authorised") != stated:
                self.problem(self.header.get("upto") or self.last, "published ledger",
                             f"the ledger publishes resolution {r.get('id')} as authorising "
                             f"{r.get('authorised')} fen, its record states {stated}")
        for position, digest in expected:
            found = self.digests.get(position)
            if found is None:
                self.problem(position, "published digest", f"position {position} is not an event of this export")
            elif not found.startswith(digest.lower()):
                self.problem(position, "published digest",
                             f"the digest published for position {position} ({digest[:16]}…) is not the record's "
                             f"({found[:16]}…): the record was rewritten after it was published")

    def last_chained(self):
        return max(self.digests, default=0)

    def first(self):
        return min(self.problems, key=lambda p: (p[0] if isinstance(p[0], int) else -1)) if self.problems else None

    def summary(self):
        name = self.place.get("name") or self.place.get("id")
        return (f"OK {name}: {self.lines} events up to position {self.last_chained()} chain intact "
                f"(digest {self.running[:16]}…); {self.tallies.motions} motions re-tallied, "
                f"{len(self.ledgers.funds)} funds and {self.hours.issued} certificates re-derived")


def verify(path, expected=(), out=sys.stdout, figures=False):
    """Verify the export at `path`; print the first problem (or the summary); return the exit code (0 clean)."""
    with open(path, encoding="utf-8") as f:
        first = f.readline()
        try:
            verifier = Verifier(json.loads(first))
        except (Broken, ValueError) as e:
            print(f"FAIL: {e}", file=out)
            return 1
        for number, text in enumerate(f, start=2):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
            except ValueError:
                verifier.problem(verifier.last + 1, f"line {number}", "not JSON")
                continue
            verifier.read(line)
    verifier.finish(expected)
    bad = verifier.first()
    if bad is None:
        print(verifier.summary(), file=out)
        for fund in verifier.ledgers.funds.values() if figures else ():
            figures = ", ".join(f"{k} {yuan(v)}" for k, v in Ledgers.figures(fund).items())
            print(f"  fund {fund['year']}: {figures} (yuan)", file=out)
        return 0
    position, what, message = bad
    print(f"FAIL at position {position} ({what}): {message}", file=out)
    if len(verifier.problems) > 1:
        print(f"  {len(verifier.problems) - 1} more problem(s) after it:", file=out)
        for p in sorted(verifier.problems, key=lambda p: (p[0] if isinstance(p[0], int) else -1))[1:11]:
            print(f"  - position {p[0]} ({p[1]}): {p[2]}", file=out)
    return 1


def parse_expect(text):
    position, _, digest = text.partition(":")
    if not position.isdigit() or len(digest) < 16 or any(c not in "0123456789abcdefABCDEF" for c in digest):
        raise argparse.ArgumentTypeError("--expect takes POSITION:DIGEST (the digest, or at least its first 16 hex)")
    return int(position), digest


def main(argv=None):
    parser = argparse.ArgumentParser(prog="verify_linli", description="Check a Linli export (docs/EXPORT.md).")
    parser.add_argument("file", help="the JSON Lines file `linli export` wrote")
    parser.add_argument("--expect", action="append", type=parse_expect, default=[], metavar="POSITION:DIGEST",
                        help="a digest a page published (记录位置 N · 摘要 …): it must be the record's at N")
    parser.add_argument("--figures", action="store_true", help="also print every fund's figures as re-derived")
    args = parser.parse_args(argv)
    return verify(args.file, args.expect, figures=args.figures)


if __name__ == "__main__":
    sys.exit(main())
