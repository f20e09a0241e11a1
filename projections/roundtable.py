"""The roundtable read model: meetings, registrations and waitlist, agenda, attendance, motions, votes, minutes,
and the resolutions board with follow-up. Tables are prefixed `rt_`.

Running totals are never written while a motion is open: a motion row holds only `votes_cast` until its
MotionClosed event brings the tally, so no page can leak the split early. "As of" pages replay one meeting's
events through these same handlers into a throw-away in-memory database (`as_of_database`)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from eventsourcing.utils import get_topic

from domain.kernel.text import mask_phone
from domain.kernel.time import local_date
from domain.roundtable.inputs import asks_for_digits, is_phone_tail
from domain.roundtable.model import Meeting, Resolution
from projections import accounts as directory
from projections.base import Context, Projection
from projections.db import Database, SQLiteDatabase, Tx


projection = Projection(
    name="roundtable",
    tables={
        "rt_meetings": """CREATE TABLE IF NOT EXISTS rt_meetings (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, title TEXT NOT NULL, purpose TEXT NOT NULL,
            starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, place TEXT NOT NULL, mode TEXT NOT NULL,
            capacity INTEGER NOT NULL, registration_deadline TEXT NOT NULL, voting_rule TEXT NOT NULL,
            quorum_percent INTEGER NOT NULL, status TEXT NOT NULL, scheduled_at TEXT NOT NULL,
            registered_count INTEGER NOT NULL DEFAULT 0, waitlist_count INTEGER NOT NULL DEFAULT 0,
            present_count INTEGER NOT NULL DEFAULT 0, present_on_roll INTEGER NOT NULL DEFAULT 0,
            roll_size INTEGER NOT NULL DEFAULT 0, quorum_required INTEGER NOT NULL DEFAULT 0,
            opened_at TEXT, closed_at TEXT, cancel_reason TEXT, minutes TEXT, minutes_revision INTEGER NOT NULL DEFAULT 0,
            minutes_at TEXT, updated_at TEXT NOT NULL)""",
        "rt_reschedules": """CREATE TABLE IF NOT EXISTS rt_reschedules (
            meeting_id TEXT NOT NULL, sequence INTEGER NOT NULL, previous_starts_at TEXT NOT NULL,
            previous_place TEXT NOT NULL, starts_at TEXT NOT NULL, place TEXT NOT NULL, reason TEXT NOT NULL,
            at TEXT NOT NULL, PRIMARY KEY (meeting_id, sequence))""",
        "rt_registrations": """CREATE TABLE IF NOT EXISTS rt_registrations (
            meeting_id TEXT NOT NULL, account_id TEXT NOT NULL, status TEXT NOT NULL, seq BIGINT NOT NULL,
            registered_at TEXT NOT NULL, changed_at TEXT NOT NULL, promoted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (meeting_id, account_id))""",
        "rt_agenda": """CREATE TABLE IF NOT EXISTS rt_agenda (
            meeting_id TEXT NOT NULL, item_id TEXT NOT NULL, title TEXT NOT NULL, description TEXT NOT NULL,
            proposed_by TEXT NOT NULL, proposed_at TEXT NOT NULL, status TEXT NOT NULL,
            supports INTEGER NOT NULL DEFAULT 0, position INTEGER, planned_minutes INTEGER, reason TEXT,
            PRIMARY KEY (meeting_id, item_id))""",
        "rt_supports": """CREATE TABLE IF NOT EXISTS rt_supports (
            meeting_id TEXT NOT NULL, item_id TEXT NOT NULL, account_id TEXT NOT NULL,
            PRIMARY KEY (meeting_id, item_id, account_id))""",
        "rt_roll": """CREATE TABLE IF NOT EXISTS rt_roll (
            meeting_id TEXT NOT NULL, account_id TEXT NOT NULL, PRIMARY KEY (meeting_id, account_id))""",
        "rt_attendance": """CREATE TABLE IF NOT EXISTS rt_attendance (
            meeting_id TEXT NOT NULL, account_id TEXT NOT NULL, present INTEGER NOT NULL,
            checked_in_at TEXT NOT NULL, checked_out_at TEXT, PRIMARY KEY (meeting_id, account_id))""",
        "rt_motions": """CREATE TABLE IF NOT EXISTS rt_motions (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, item_id TEXT NOT NULL, title TEXT NOT NULL,
            status TEXT NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, votes_cast INTEGER NOT NULL DEFAULT 0,
            votes_for INTEGER, votes_against INTEGER, abstentions INTEGER, present INTEGER, roll_size INTEGER,
            required INTEGER, outcome TEXT, resolution_id TEXT, PRIMARY KEY (meeting_id, motion_id))""",
        "rt_votes": """CREATE TABLE IF NOT EXISTS rt_votes (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, account_id TEXT NOT NULL, choice TEXT NOT NULL,
            cast_at TEXT NOT NULL, PRIMARY KEY (meeting_id, motion_id, account_id))""",
        "rt_minutes_results": """CREATE TABLE IF NOT EXISTS rt_minutes_results (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, title TEXT NOT NULL, outcome TEXT NOT NULL,
            votes_for INTEGER NOT NULL, votes_against INTEGER NOT NULL, abstentions INTEGER NOT NULL,
            PRIMARY KEY (meeting_id, motion_id))""",
        "rt_resolutions": """CREATE TABLE IF NOT EXISTS rt_resolutions (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL, meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL,
            title TEXT NOT NULL, passed INTEGER NOT NULL, votes_for INTEGER NOT NULL, votes_against INTEGER NOT NULL,
            abstentions INTEGER NOT NULL, adopted_at TEXT NOT NULL, owner TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL, updated_at TEXT NOT NULL, rating_count INTEGER NOT NULL DEFAULT 0,
            rating_sum INTEGER NOT NULL DEFAULT 0)""",
        "rt_progress": """CREATE TABLE IF NOT EXISTS rt_progress (
            resolution_id TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, note TEXT NOT NULL,
            noted_on TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (resolution_id, seq))""",
        "rt_ratings": """CREATE TABLE IF NOT EXISTS rt_ratings (
            resolution_id TEXT NOT NULL, account_id TEXT NOT NULL, stars INTEGER NOT NULL, at TEXT NOT NULL,
            PRIMARY KEY (resolution_id, account_id))""",
        # Added with proxies, votes by channel, hands, speakers and notices (issue 14): new tables (not new
        # columns), so existing view databases pick them up without a rebuild.
        "rt_proxy_limits": """CREATE TABLE IF NOT EXISTS rt_proxy_limits (
            meeting_id TEXT PRIMARY KEY, proxy_limit INTEGER NOT NULL)""",
        "rt_proxies": """CREATE TABLE IF NOT EXISTS rt_proxies (
            meeting_id TEXT NOT NULL, giver_id TEXT NOT NULL, holder_id TEXT NOT NULL, kind TEXT NOT NULL,
            status TEXT NOT NULL, given_by TEXT NOT NULL, given_at TEXT NOT NULL, ended_at TEXT, ended_on_motion TEXT,
            PRIMARY KEY (meeting_id, giver_id))""",
        "rt_vote_channels": """CREATE TABLE IF NOT EXISTS rt_vote_channels (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, account_id TEXT NOT NULL, channel TEXT NOT NULL,
            holder_id TEXT, recorded_by TEXT, PRIMARY KEY (meeting_id, motion_id, account_id))""",
        "rt_hands": """CREATE TABLE IF NOT EXISTS rt_hands (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, votes_for INTEGER NOT NULL,
            votes_against INTEGER NOT NULL, abstentions INTEGER NOT NULL, eligible INTEGER NOT NULL,
            counted_by TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (meeting_id, motion_id))""",
        "rt_hand_pool": """CREATE TABLE IF NOT EXISTS rt_hand_pool (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, account_id TEXT NOT NULL,
            PRIMARY KEY (meeting_id, motion_id, account_id))""",
        "rt_floor": """CREATE TABLE IF NOT EXISTS rt_floor (
            meeting_id TEXT PRIMARY KEY, item_id TEXT NOT NULL, limit_seconds INTEGER NOT NULL, at TEXT NOT NULL)""",
        "rt_speakers": """CREATE TABLE IF NOT EXISTS rt_speakers (
            meeting_id TEXT NOT NULL, seq INTEGER NOT NULL, item_id TEXT NOT NULL, account_id TEXT NOT NULL,
            status TEXT NOT NULL, added_by TEXT NOT NULL, added_at TEXT NOT NULL, started_at TEXT, ended_at TEXT,
            seconds INTEGER, limit_seconds INTEGER, PRIMARY KEY (meeting_id, seq))""",
        "rt_minutes_tallies": """CREATE TABLE IF NOT EXISTS rt_minutes_tallies (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, stated_for INTEGER NOT NULL,
            stated_against INTEGER NOT NULL, stated_abstentions INTEGER NOT NULL, online INTEGER NOT NULL,
            worker INTEGER NOT NULL, proxy INTEGER NOT NULL, hands_for INTEGER, hands_against INTEGER,
            hands_abstentions INTEGER, hands_eligible INTEGER NOT NULL, PRIMARY KEY (meeting_id, motion_id))""",
        # The money a motion states (issue 15): the most the fund may allocate under its resolution.
        "rt_motion_money": """CREATE TABLE IF NOT EXISTS rt_motion_money (
            meeting_id TEXT NOT NULL, motion_id TEXT NOT NULL, amount BIGINT NOT NULL, category TEXT,
            PRIMARY KEY (meeting_id, motion_id))""",
        "rt_notices": """CREATE TABLE IF NOT EXISTS rt_notices (
            meeting_id TEXT NOT NULL, account_id TEXT NOT NULL, at TEXT NOT NULL, seen INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (meeting_id, account_id))""",
    },
    indexes=[
        "CREATE INDEX IF NOT EXISTS rt_meetings_by_community ON rt_meetings (community_id, starts_at)",
        "CREATE INDEX IF NOT EXISTS rt_resolutions_by_community ON rt_resolutions (community_id, adopted_at)",
        "CREATE INDEX IF NOT EXISTS rt_registrations_by_account ON rt_registrations (account_id)",
        "CREATE INDEX IF NOT EXISTS rt_notices_by_account ON rt_notices (account_id, seen)",
    ],
)


def iso(moment: datetime) -> str:
    """An aware datetime as a sortable UTC ISO string (the one form every rt_ time column uses)."""
    return moment.astimezone(timezone.utc).isoformat()


def _m(e: Any) -> str:
    return str(e.originator_id)


def _touch(tx: Tx, e: Any) -> None:
    tx.execute("UPDATE rt_meetings SET updated_at = ? WHERE id = ?", (iso(e.at), _m(e)))


# --- meeting phase --------------------------------------------------------------------------------
@projection.on(Meeting.Scheduled)
def _scheduled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_meetings (id, community_id, title, purpose, starts_at, ends_at, place, mode, capacity, "
               "registration_deadline, voting_rule, quorum_percent, status, scheduled_at, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?)",
               (_m(e), str(e.community_id), e.title, e.purpose, iso(e.starts_at), iso(e.ends_at), e.place, e.mode,
                e.capacity, iso(e.registration_deadline), e.voting_rule, e.quorum_percent, iso(e.at), iso(e.at)))


@projection.on(Meeting.Rescheduled)
def _rescheduled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_meetings SET starts_at = ?, ends_at = ?, place = ?, registration_deadline = ? WHERE id = ?",
               (iso(e.starts_at), iso(e.ends_at), e.place, iso(e.registration_deadline), _m(e)))
    tx.execute("INSERT INTO rt_reschedules (meeting_id, sequence, previous_starts_at, previous_place, starts_at, "
               "place, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, sequence) DO NOTHING",
               (_m(e), e.sequence, iso(e.previous_starts_at), e.previous_place, iso(e.starts_at), e.place,
                e.reason, iso(e.at)))
    _touch(tx, e)


@projection.on(Meeting.Cancelled)
def _cancelled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_meetings SET status = 'cancelled', cancel_reason = ?, closed_at = ? WHERE id = ?",
               (e.reason, iso(e.at), _m(e)))
    _touch(tx, e)


@projection.on(Meeting.Opened)
def _opened(tx: Tx, e, ctx: Context) -> None:
    tx.executemany("INSERT INTO rt_roll (meeting_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                   [(_m(e), a) for a in e.roll])
    tx.execute("UPDATE rt_meetings SET status = 'open', opened_at = ?, roll_size = ?, quorum_required = ? "
               "WHERE id = ?", (iso(e.at), len(e.roll), e.quorum_required, _m(e)))
    _recount_attendance(tx, _m(e))
    _touch(tx, e)


@projection.on(Meeting.Adjourned)
def _adjourned(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_meetings SET status = 'closed', closed_at = ? WHERE id = ?", (iso(e.at), _m(e)))
    _touch(tx, e)


# --- registration ---------------------------------------------------------------------------------
@projection.on(Meeting.ResidentRegistered, Meeting.ResidentWaitlisted)
def _registered(tx: Tx, e, ctx: Context) -> None:
    status = "registered" if isinstance(e, Meeting.ResidentRegistered) else "waitlisted"
    tx.execute("INSERT INTO rt_registrations (meeting_id, account_id, status, seq, registered_at, changed_at) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, account_id) DO UPDATE SET "
               "status = excluded.status, seq = excluded.seq, registered_at = excluded.registered_at, "
               "changed_at = excluded.changed_at, promoted = 0",
               (_m(e), str(e.account_id), status, e.originator_version, iso(e.at), iso(e.at)))
    _recount_registrations(tx, _m(e))
    _touch(tx, e)


@projection.on(Meeting.RegistrationCancelled)
def _registration_cancelled(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_registrations SET status = 'cancelled', changed_at = ? WHERE meeting_id = ? AND account_id = ?",
               (iso(e.at), _m(e), str(e.account_id)))
    tx.execute("UPDATE rt_notices SET seen = 1 WHERE meeting_id = ? AND account_id = ?", (_m(e), str(e.account_id)))
    _recount_registrations(tx, _m(e))
    _touch(tx, e)


@projection.on(Meeting.WaitlistPromoted)
def _promoted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_registrations SET status = 'registered', promoted = 1, changed_at = ? "
               "WHERE meeting_id = ? AND account_id = ?", (iso(e.at), _m(e), str(e.account_id)))
    tx.execute("INSERT INTO rt_notices (meeting_id, account_id, at, seen) VALUES (?, ?, ?, 0) "
               "ON CONFLICT (meeting_id, account_id) DO UPDATE SET at = excluded.at, seen = 0",
               (_m(e), str(e.account_id), iso(e.at)))
    _recount_registrations(tx, _m(e))
    _touch(tx, e)


def _recount_registrations(tx: Tx, meeting_id: str) -> None:
    tx.execute("UPDATE rt_meetings SET "
               "registered_count = (SELECT COUNT(*) FROM rt_registrations WHERE meeting_id = ? AND status = 'registered'), "
               "waitlist_count = (SELECT COUNT(*) FROM rt_registrations WHERE meeting_id = ? AND status = 'waitlisted') "
               "WHERE id = ?", (meeting_id, meeting_id, meeting_id))


# --- agenda ---------------------------------------------------------------------------------------
@projection.on(Meeting.AgendaItemProposed)
def _proposed(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_agenda (meeting_id, item_id, title, description, proposed_by, proposed_at, status) "
               "VALUES (?, ?, ?, ?, ?, ?, 'proposed')",
               (_m(e), e.item_id, e.title, e.description, str(e.by), iso(e.at)))
    _touch(tx, e)


@projection.on(Meeting.AgendaItemSupported)
def _supported(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_supports (meeting_id, item_id, account_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
               (_m(e), e.item_id, str(e.by)))
    tx.execute("UPDATE rt_agenda SET supports = (SELECT COUNT(*) FROM rt_supports WHERE meeting_id = ? AND item_id = ?) "
               "WHERE meeting_id = ? AND item_id = ?", (_m(e), e.item_id, _m(e), e.item_id))
    _touch(tx, e)


@projection.on(Meeting.AgendaItemAccepted)
def _accepted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_agenda SET position = position + 1 WHERE meeting_id = ? AND status = 'accepted' "
               "AND position >= ?", (_m(e), e.position))
    tx.execute("UPDATE rt_agenda SET status = 'accepted', position = ?, planned_minutes = ? "
               "WHERE meeting_id = ? AND item_id = ?", (e.position, e.planned_minutes, _m(e), e.item_id))
    _touch(tx, e)


@projection.on(Meeting.AgendaItemDeclined)
def _declined(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_agenda SET status = 'declined', reason = ? WHERE meeting_id = ? AND item_id = ?",
               (e.reason, _m(e), e.item_id))
    _touch(tx, e)


# --- attendance -----------------------------------------------------------------------------------
@projection.on(Meeting.CheckedIn)
def _checked_in(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_attendance (meeting_id, account_id, present, checked_in_at) VALUES (?, ?, 1, ?) "
               "ON CONFLICT (meeting_id, account_id) DO UPDATE SET present = 1, "
               "checked_in_at = excluded.checked_in_at, checked_out_at = NULL",
               (_m(e), str(e.account_id), iso(e.at)))
    _recount_attendance(tx, _m(e))
    _touch(tx, e)


@projection.on(Meeting.CheckedOut)
def _checked_out(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_attendance SET present = 0, checked_out_at = ? WHERE meeting_id = ? AND account_id = ?",
               (iso(e.at), _m(e), str(e.account_id)))
    _recount_attendance(tx, _m(e))
    _touch(tx, e)


def _recount_attendance(tx: Tx, meeting_id: str) -> None:
    tx.execute("UPDATE rt_meetings SET "
               "present_count = (SELECT COUNT(*) FROM rt_attendance WHERE meeting_id = ? AND present = 1), "
               "present_on_roll = (SELECT COUNT(*) FROM rt_attendance a JOIN rt_roll r "
               "  ON r.meeting_id = a.meeting_id AND r.account_id = a.account_id "
               "  WHERE a.meeting_id = ? AND a.present = 1) WHERE id = ?", (meeting_id, meeting_id, meeting_id))


# --- motions and votes ----------------------------------------------------------------------------
@projection.on(Meeting.MotionOpened)
def _motion_opened(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_motions (meeting_id, motion_id, item_id, title, status, opened_at) "
               "VALUES (?, ?, ?, ?, 'open', ?)", (_m(e), e.motion_id, e.item_id, e.title, iso(e.at)))
    if getattr(e, "amount", None) is not None:   # (stored before motions stated amounts: no field at all)
        tx.execute("INSERT INTO rt_motion_money (meeting_id, motion_id, amount, category) VALUES (?, ?, ?, ?)",
                   (_m(e), e.motion_id, e.amount, e.category))
    _touch(tx, e)


@projection.on(Meeting.VoteCast)
def _vote_cast(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_votes (meeting_id, motion_id, account_id, choice, cast_at) VALUES (?, ?, ?, ?, ?)",
               (_m(e), e.motion_id, str(e.voter), e.choice, iso(e.at)))
    tx.execute("UPDATE rt_motions SET votes_cast = votes_cast + 1 WHERE meeting_id = ? AND motion_id = ?",
               (_m(e), e.motion_id))
    _touch(tx, e)


@projection.on(Meeting.VoteRecorded, Meeting.ProxyVoteCast)
def _vote_by_channel(tx: Tx, e, ctx: Context) -> None:
    _vote_cast(tx, e, ctx)
    recorded = isinstance(e, Meeting.VoteRecorded)
    holder = getattr(e, "holder", None)
    channel = "proxy" if holder is not None else "worker"
    tx.execute("INSERT INTO rt_vote_channels (meeting_id, motion_id, account_id, channel, holder_id, recorded_by) "
               "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
               (_m(e), e.motion_id, str(e.voter), channel, str(holder) if holder is not None else None,
                str(e.by) if recorded else None))


@projection.on(Meeting.HandsCounted)
def _hands_counted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_hands (meeting_id, motion_id, votes_for, votes_against, abstentions, eligible, "
               "counted_by, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (meeting_id, motion_id) DO UPDATE SET "
               "votes_for = excluded.votes_for, votes_against = excluded.votes_against, "
               "abstentions = excluded.abstentions, eligible = excluded.eligible, counted_by = excluded.counted_by, "
               "at = excluded.at",
               (_m(e), e.motion_id, e.votes_for, e.votes_against, e.abstentions, len(e.eligible), str(e.by),
                iso(e.at)))
    tx.execute("DELETE FROM rt_hand_pool WHERE meeting_id = ? AND motion_id = ?", (_m(e), e.motion_id))
    tx.executemany("INSERT INTO rt_hand_pool (meeting_id, motion_id, account_id) VALUES (?, ?, ?) "
                   "ON CONFLICT DO NOTHING", [(_m(e), e.motion_id, a) for a in e.eligible])
    _touch(tx, e)


# --- proxies --------------------------------------------------------------------------------------
@projection.on(Meeting.ProxyLimitSet)
def _proxy_limit_set(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_proxy_limits (meeting_id, proxy_limit) VALUES (?, ?) ON CONFLICT (meeting_id) "
               "DO UPDATE SET proxy_limit = excluded.proxy_limit", (_m(e), e.limit))


@projection.on(Meeting.ProxyGiven)
def _proxy_given(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_proxies (meeting_id, giver_id, holder_id, kind, status, given_by, given_at) "
               "VALUES (?, ?, ?, ?, 'active', ?, ?) ON CONFLICT (meeting_id, giver_id) DO UPDATE SET "
               "holder_id = excluded.holder_id, kind = excluded.kind, status = 'active', given_by = excluded.given_by, "
               "given_at = excluded.given_at, ended_at = NULL, ended_on_motion = NULL",
               (_m(e), str(e.giver), str(e.holder), e.kind, str(e.by), iso(e.at)))
    _touch(tx, e)


@projection.on(Meeting.ProxyWithdrawn, Meeting.ProxyRevoked)
def _proxy_ended(tx: Tx, e, ctx: Context) -> None:
    withdrawn = isinstance(e, Meeting.ProxyWithdrawn)
    tx.execute("UPDATE rt_proxies SET status = ?, ended_at = ?, ended_on_motion = ? WHERE meeting_id = ? "
               "AND giver_id = ?", ("withdrawn" if withdrawn else "revoked", iso(e.at),
                                    None if withdrawn else e.motion_id, _m(e), str(e.giver)))
    _touch(tx, e)


# --- the floor and speakers -----------------------------------------------------------------------
@projection.on(Meeting.AgendaItemTakenUp)
def _taken_up(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_floor (meeting_id, item_id, limit_seconds, at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT (meeting_id) DO UPDATE SET item_id = excluded.item_id, "
               "limit_seconds = excluded.limit_seconds, at = excluded.at",
               (_m(e), e.item_id, e.limit_seconds, iso(e.at)))
    _touch(tx, e)


@projection.on(Meeting.SpeakerAdded)
def _speaker_added(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_speakers (meeting_id, seq, item_id, account_id, status, added_by, added_at) "
               "VALUES (?, ?, ?, ?, 'waiting', ?, ?) ON CONFLICT DO NOTHING",
               (_m(e), e.seq, e.item_id, str(e.speaker), str(e.by), iso(e.at)))
    _touch(tx, e)


def _speaker_row(tx: Tx, e, status: str, sets: str, params: tuple) -> None:
    tx.execute(f"UPDATE rt_speakers SET {sets} WHERE meeting_id = ? AND seq = (SELECT MIN(seq) FROM rt_speakers "
               "WHERE meeting_id = ? AND item_id = ? AND account_id = ? AND status = ?)",
               (*params, _m(e), _m(e), e.item_id, str(e.speaker), status))


@projection.on(Meeting.SpeakerWithdrawn)
def _speaker_withdrawn(tx: Tx, e, ctx: Context) -> None:
    _speaker_row(tx, e, "waiting", "status = 'withdrawn', ended_at = ?", (iso(e.at),))
    _touch(tx, e)


@projection.on(Meeting.SpeakerStarted)
def _speaker_started(tx: Tx, e, ctx: Context) -> None:
    _speaker_row(tx, e, "waiting", "status = 'speaking', started_at = ?", (iso(e.at),))
    _touch(tx, e)


@projection.on(Meeting.SpeakerFinished)
def _speaker_finished(tx: Tx, e, ctx: Context) -> None:
    _speaker_row(tx, e, "speaking", "status = 'done', ended_at = ?, seconds = ?, limit_seconds = ?",
                 (iso(e.at), e.seconds, e.limit_seconds))
    _touch(tx, e)


# --- notices --------------------------------------------------------------------------------------
@projection.on(Meeting.PromotionNoticeSeen)
def _notice_seen(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_notices SET seen = 1 WHERE meeting_id = ? AND account_id = ?", (_m(e), str(e.account_id)))


@projection.on(Meeting.MotionClosed)
def _motion_closed(tx: Tx, e, ctx: Context) -> None:
    resolution_id = str(Resolution.id_for(e.originator_id, e.motion_id)) if e.outcome == "passed" else None
    tx.execute("UPDATE rt_motions SET status = 'closed', closed_at = ?, votes_for = ?, votes_against = ?, "
               "abstentions = ?, present = ?, roll_size = ?, required = ?, outcome = ?, resolution_id = ? "
               "WHERE meeting_id = ? AND motion_id = ?",
               (iso(e.at), e.votes_for, e.votes_against, e.abstentions, e.present, e.roll_size, e.required,
                e.outcome, resolution_id, _m(e), e.motion_id))
    _touch(tx, e)


@projection.on(Meeting.MinutesPublished)
def _minutes(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_meetings SET minutes = ?, minutes_revision = ?, minutes_at = ? WHERE id = ?",
               (e.text, e.revision, iso(e.at), _m(e)))
    tx.execute("DELETE FROM rt_minutes_results WHERE meeting_id = ?", (_m(e),))
    tx.executemany("INSERT INTO rt_minutes_results (meeting_id, motion_id, title, outcome, votes_for, votes_against, "
                   "abstentions) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(_m(e), r["motion_id"], r["title"], r["outcome"], r["votes_for"], r["votes_against"],
                     r["abstentions"]) for r in e.results])
    # Minutes published since issue 14 state their own tallies and how each vote was taken.
    tx.execute("DELETE FROM rt_minutes_tallies WHERE meeting_id = ?", (_m(e),))
    tx.executemany("INSERT INTO rt_minutes_tallies (meeting_id, motion_id, stated_for, stated_against, "
                   "stated_abstentions, online, worker, proxy, hands_for, hands_against, hands_abstentions, "
                   "hands_eligible) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [(_m(e), r["motion_id"], *r["stated"], r["methods"]["online"], r["methods"]["worker"],
                     r["methods"]["proxy"], *(r["methods"]["hands"] or (None, None, None)),
                     r["methods"]["hands_eligible"]) for r in e.results if "stated" in r])
    _touch(tx, e)


# --- resolutions and follow-up --------------------------------------------------------------------
@projection.on(Resolution.Adopted)
def _adopted(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_resolutions (id, community_id, meeting_id, motion_id, title, passed, votes_for, "
               "votes_against, abstentions, adopted_at, status, updated_at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?) ON CONFLICT (id) DO NOTHING",
               (str(e.originator_id), str(e.community_id), str(e.meeting_id), str(e.motion_id), e.title,
                1 if e.passed else 0, e.votes_for, e.votes_against, e.abstentions, iso(e.at), iso(e.at)))


@projection.on(Resolution.OwnerAssigned)
def _owner(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_resolutions SET owner = ?, updated_at = ? WHERE id = ?", (e.owner, iso(e.at), _m(e)))
    _log(tx, e, "owner", e.owner, local_date(e.at))


@projection.on(Resolution.FollowUpStatusChanged)
def _status(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_resolutions SET status = ?, updated_at = ? WHERE id = ?", (e.status, iso(e.at), _m(e)))
    _log(tx, e, "status", e.status, local_date(e.at))


@projection.on(Resolution.ProgressNoted)
def _progress(tx: Tx, e, ctx: Context) -> None:
    tx.execute("UPDATE rt_resolutions SET updated_at = ? WHERE id = ?", (iso(e.at), _m(e)))
    _log(tx, e, "note", e.note, e.noted_on)


@projection.on(Resolution.Rated)
def _rated(tx: Tx, e, ctx: Context) -> None:
    tx.execute("INSERT INTO rt_ratings (resolution_id, account_id, stars, at) VALUES (?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING", (_m(e), str(e.resident), e.stars, iso(e.at)))
    tx.execute("UPDATE rt_resolutions SET rating_count = (SELECT COUNT(*) FROM rt_ratings WHERE resolution_id = ?), "
               "rating_sum = (SELECT COALESCE(SUM(stars), 0) FROM rt_ratings WHERE resolution_id = ?) WHERE id = ?",
               (_m(e), _m(e), _m(e)))


def _log(tx: Tx, e: Any, kind: str, note: str, noted_on: str) -> None:
    tx.execute("INSERT INTO rt_progress (resolution_id, seq, kind, note, noted_on, at) VALUES (?, ?, ?, ?, ?, ?) "
               "ON CONFLICT DO NOTHING", (_m(e), e.originator_version, kind, note, noted_on, iso(e.at)))


# --- queries (the web layer calls these, never SQL of its own) ------------------------------------
_IS_UPCOMING = "(m.status = 'open' OR (m.status = 'scheduled' AND m.ends_at >= ?))"


def meetings(db: Database, community_id: str, now: datetime, past_limit: int = 1_000_000,
             past_offset: int = 0) -> tuple[list[dict], list[dict]]:
    """The community's upcoming meetings (soonest first) and one page of past ones (latest first)."""
    return upcoming_meetings(db, community_id, now), past_meetings(db, community_id, now, past_limit, past_offset)


def upcoming_meetings(db: Database, community_id: str, now: datetime) -> list[dict]:
    """Meetings open now or scheduled and not yet over, soonest first (closed ones never)."""
    return db.all(_WITH_SEQUENCE + f"WHERE m.community_id = ? AND {_IS_UPCOMING} ORDER BY m.starts_at, m.id",
                  (community_id, iso(now)))


def past_meetings(db: Database, community_id: str, now: datetime, limit: int = 20, offset: int = 0) -> list[dict]:
    """Closed, cancelled and lapsed meetings, latest first, one page."""
    return db.all(_WITH_SEQUENCE + f"WHERE m.community_id = ? AND NOT {_IS_UPCOMING} "
                  "ORDER BY m.starts_at DESC, m.id LIMIT ? OFFSET ?", (community_id, iso(now), limit, offset))


def count_past_meetings(db: Database, community_id: str, now: datetime) -> int:
    """How many past meetings the community has."""
    return db.scalar(f"SELECT COUNT(*) AS n FROM rt_meetings m WHERE m.community_id = ? AND NOT {_IS_UPCOMING}",
                     (community_id, iso(now))) or 0


# `represented`: proxies that count now (both on the roll, the holder checked in, the giver not), the same rule as
# `policies.represented`; `proxy_limit`: 1 for meetings scheduled before the limit was recorded.
_WITH_SEQUENCE = (
    "SELECT m.*, (SELECT COUNT(*) FROM rt_reschedules s WHERE s.meeting_id = m.id) AS sequence, "
    "COALESCE((SELECT l.proxy_limit FROM rt_proxy_limits l WHERE l.meeting_id = m.id), 1) AS proxy_limit, "
    "(SELECT COUNT(*) FROM rt_proxies x WHERE x.meeting_id = m.id AND x.status = 'active' "
    " AND EXISTS (SELECT 1 FROM rt_roll r WHERE r.meeting_id = m.id AND r.account_id = x.giver_id) "
    " AND EXISTS (SELECT 1 FROM rt_roll r WHERE r.meeting_id = m.id AND r.account_id = x.holder_id) "
    " AND EXISTS (SELECT 1 FROM rt_attendance a WHERE a.meeting_id = m.id AND a.account_id = x.holder_id "
    "   AND a.present = 1) "
    " AND NOT EXISTS (SELECT 1 FROM rt_attendance a WHERE a.meeting_id = m.id AND a.account_id = x.giver_id "
    "   AND a.present = 1)) AS represented "
    "FROM rt_meetings m ")


def meeting(db: Database, meeting_id: str) -> dict | None:
    """One meeting's row, with `sequence`: how many times it was rescheduled."""
    return db.one(_WITH_SEQUENCE + "WHERE m.id = ?", (meeting_id,))


def reschedules(db: Database, meeting_id: str) -> list[dict]:
    """The meeting's changes of time and place, oldest first."""
    return db.all("SELECT * FROM rt_reschedules WHERE meeting_id = ? ORDER BY sequence", (meeting_id,))


def viewer_registrations(db: Database, community_id: str, account_id: str | None) -> dict[str, str]:
    """Meeting id → the viewer's registration status (registered / waitlisted) in this community."""
    if not account_id:
        return {}
    rows = db.all("SELECT r.meeting_id, r.status FROM rt_registrations r JOIN rt_meetings m ON m.id = r.meeting_id "
                  "WHERE m.community_id = ? AND r.account_id = ? AND r.status <> 'cancelled'",
                  (community_id, account_id))
    return {r["meeting_id"]: r["status"] for r in rows}


def my_registration(db: Database, meeting_id: str, account_id: str | None) -> dict | None:
    """The viewer's registration, with their place on the waitlist (1 = next to be promoted)."""
    if not account_id:
        return None
    row = db.one("SELECT status, seq, promoted FROM rt_registrations WHERE meeting_id = ? AND account_id = ? "
                 "AND status <> 'cancelled'", (meeting_id, account_id))
    if row is None:
        return None
    place = None
    if row["status"] == "waitlisted":
        place = 1 + (db.scalar("SELECT COUNT(*) AS n FROM rt_registrations WHERE meeting_id = ? "
                               "AND status = 'waitlisted' AND seq < ?", (meeting_id, row["seq"])) or 0)
    return {**row, "waitlist_place": place}


def registrations(db: Database, meeting_id: str) -> list[dict]:
    """Registered and waitlisted people with names, in registration order (waitlist in promotion order)."""
    return db.all("SELECT r.account_id, r.status, r.promoted, r.registered_at, p.name FROM rt_registrations r "
                  "LEFT JOIN dir_people p ON p.id = r.account_id WHERE r.meeting_id = ? AND r.status <> 'cancelled' "
                  "ORDER BY CASE r.status WHEN 'registered' THEN 0 ELSE 1 END, r.seq", (meeting_id,))


def agenda(db: Database, meeting_id: str) -> dict[str, list[dict]]:
    """The agenda (accepted items in order) and the proposed and declined items, with proposers' names."""
    rows = db.all("SELECT a.*, p.name AS proposer FROM rt_agenda a LEFT JOIN dir_people p ON p.id = a.proposed_by "
                  "WHERE a.meeting_id = ? ORDER BY a.position, a.supports DESC, a.proposed_at, a.item_id",
                  (meeting_id,))
    grouped: dict[str, list[dict]] = {"accepted": [], "proposed": [], "declined": []}
    for r in rows:
        grouped[r["status"]].append(r)
    grouped["proposed"].sort(key=lambda r: (-r["supports"], r["proposed_at"]))
    return grouped


def my_supports(db: Database, meeting_id: str, account_id: str | None) -> set[str]:
    """The agenda items the viewer supports."""
    if not account_id:
        return set()
    return {r["item_id"] for r in db.all("SELECT item_id FROM rt_supports WHERE meeting_id = ? AND account_id = ?",
                                         (meeting_id, account_id))}


def attendance(db: Database, meeting_id: str) -> list[dict]:
    """Everyone checked in (now or earlier) with names and whether they are on the frozen roll."""
    return db.all("SELECT a.account_id, a.present, a.checked_in_at, a.checked_out_at, p.name, "
                  "CASE WHEN r.account_id IS NULL THEN 0 ELSE 1 END AS on_roll FROM rt_attendance a "
                  "LEFT JOIN dir_people p ON p.id = a.account_id "
                  "LEFT JOIN rt_roll r ON r.meeting_id = a.meeting_id AND r.account_id = a.account_id "
                  "WHERE a.meeting_id = ? ORDER BY a.present DESC, a.checked_in_at, a.account_id", (meeting_id,))


def _like(text: str) -> str:
    """`text` as a LIKE pattern matching anywhere, with LIKE's own wildcards taken literally (ESCAPE '\\')."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_CHECK_IN_ROWS = (
    "SELECT p.id AS account_id, p.name, p.phone, g.status AS registration, "
    "COALESCE(a.present, 0) AS present, a.checked_in_at, a.checked_out_at FROM dir_residencies r "
    "JOIN dir_people p ON p.id = r.account_id "
    "LEFT JOIN rt_registrations g ON g.meeting_id = ? AND g.account_id = p.id AND g.status <> 'cancelled' "
    "LEFT JOIN rt_attendance a ON a.meeting_id = ? AND a.account_id = p.id ")


def _check_in_rows(db: Database, community_id: str, meeting_id: str, rest: str, params: tuple) -> list[dict]:
    """Check-in rows of the community's verified residents that `rest` (more conditions, order) picks; masked phones."""
    rows = db.all(_CHECK_IN_ROWS + f"WHERE r.community_id = ? AND r.status = 'verified' AND p.erased = 0 {rest}",
                  (meeting_id, meeting_id, community_id, *params))
    for row in rows:
        row["phone"] = mask_phone(row["phone"])
    return rows


def check_in_search(db: Database, community_id: str, meeting_id: str, query: str, limit: int = 20) -> list[dict]:
    """Verified residents of the community by name fragment or exactly the phone's last 4 digits (registered first),
    masked phones. Any other string of digits finds nobody: more digits would reveal more of a number."""
    if is_phone_tail(query):
        match, params = "p.phone LIKE ?", ("%" + query,)
    elif asks_for_digits(query):
        return []
    elif query:
        match, params = "LOWER(p.name) LIKE ? ESCAPE '\\'", (_like(query.lower()),)
    else:   # nothing typed yet: the people expected, i.e. registered or already checked in
        match, params = "(g.status = 'registered' OR a.account_id IS NOT NULL)", ()
    order = "ORDER BY CASE g.status WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, p.name, p.id"
    return _check_in_rows(db, community_id, meeting_id, f"AND {match} {order} LIMIT ?", (*params, limit))


def check_in_person(db: Database, community_id: str, meeting_id: str, account_id: str) -> dict | None:
    """One verified resident's check-in row (as in `check_in_search`), or None."""
    rows = _check_in_rows(db, community_id, meeting_id, "AND p.id = ?", (account_id,))
    return rows[0] if rows else None


def is_on_roll(db: Database, meeting_id: str, account_id: str | None) -> bool:
    """Whether the person is on the meeting's roll (frozen when it opened)."""
    if not account_id:
        return False
    return db.one("SELECT 1 AS x FROM rt_roll WHERE meeting_id = ? AND account_id = ?", (meeting_id, account_id)) \
        is not None


def roll_ids(db: Database, meeting_id: str) -> set[str]:
    """Everyone on the meeting's frozen roll (empty before it opens)."""
    return {r["account_id"] for r in db.all("SELECT account_id FROM rt_roll WHERE meeting_id = ?", (meeting_id,))}


def present_ids(db: Database, meeting_id: str) -> set[str]:
    """Who is checked in right now."""
    return {r["account_id"] for r in db.all("SELECT account_id FROM rt_attendance WHERE meeting_id = ? AND present = 1",
                                            (meeting_id,))}


def motions(db: Database, meeting_id: str) -> list[dict]:
    """Motions in order with the agenda item and the money each states (amount None: none); tallies are present only
    on closed motions."""
    return db.all("SELECT m.*, a.title AS item_title, mm.amount, mm.category FROM rt_motions m LEFT JOIN rt_agenda a "
                  "ON a.meeting_id = m.meeting_id AND a.item_id = m.item_id LEFT JOIN rt_motion_money mm "
                  "ON mm.meeting_id = m.meeting_id AND mm.motion_id = m.motion_id WHERE m.meeting_id = ? "
                  "ORDER BY m.opened_at, m.motion_id", (meeting_id,))


def open_motion(db: Database, meeting_id: str) -> dict | None:
    """The motion being voted on now, if any."""
    return db.one("SELECT * FROM rt_motions WHERE meeting_id = ? AND status = 'open'", (meeting_id,))


def my_votes(db: Database, meeting_id: str, account_id: str | None) -> dict[str, str]:
    """Motion id → the viewer's own choice (a voter may always see their own vote)."""
    if not account_id:
        return {}
    return {r["motion_id"]: r["choice"] for r in db.all(
        "SELECT motion_id, choice FROM rt_votes WHERE meeting_id = ? AND account_id = ?", (meeting_id, account_id))}


def _counted(choice: str, hands: str) -> str:
    """SQL: the individual votes for `choice` on motion r plus its show of hands' `hands` column."""
    return ("(SELECT COUNT(*) FROM rt_votes v WHERE v.meeting_id = r.meeting_id AND v.motion_id = r.motion_id "
            f" AND v.choice = '{choice}') + COALESCE((SELECT h.{hands} FROM rt_hands h WHERE h.meeting_id = r.meeting_id "
            " AND h.motion_id = r.motion_id), 0)")


def minutes_check(db: Database, meeting_id: str) -> list[dict]:
    """Per motion in the minutes: the tally the minutes state (typed by the worker; minutes older than that state
    the recount) beside a recount of the vote record (individual votes of every channel plus the show of hands) and
    the tally the motion closed with, whether they agree, and how the votes were taken."""
    rows = db.all("SELECT r.*, m.votes_for AS closed_for, m.votes_against AS closed_against, "
                  "m.abstentions AS closed_abstentions, "
                  "COALESCE(t.stated_for, r.votes_for) AS stated_for, "
                  "COALESCE(t.stated_against, r.votes_against) AS stated_against, "
                  "COALESCE(t.stated_abstentions, r.abstentions) AS stated_abstentions, "
                  "t.online, t.worker, t.proxy, t.hands_for, t.hands_against, t.hands_abstentions, t.hands_eligible, "
                  f"{_counted('for', 'votes_for')} AS counted_for, "
                  f"{_counted('against', 'votes_against')} AS counted_against, "
                  f"{_counted('abstain', 'abstentions')} AS counted_abstentions "
                  "FROM rt_minutes_results r LEFT JOIN rt_motions m ON m.meeting_id = r.meeting_id "
                  "AND m.motion_id = r.motion_id LEFT JOIN rt_minutes_tallies t ON t.meeting_id = r.meeting_id "
                  "AND t.motion_id = r.motion_id WHERE r.meeting_id = ? ORDER BY r.motion_id", (meeting_id,))
    for r in rows:
        triples = [(r["stated_for"], r["stated_against"], r["stated_abstentions"]),
                   (r["counted_for"], r["counted_against"], r["counted_abstentions"]),
                   (r["closed_for"], r["closed_against"], r["closed_abstentions"])]
        r["matches_vote_record"] = triples[0] == triples[1] == triples[2]
    return rows


def closed_tallies(db: Database, meeting_id: str) -> dict[str, tuple[int, int, int]]:
    """Each closed motion's for / against / abstain as it closed: what the minutes must state."""
    return {r["motion_id"]: (r["votes_for"], r["votes_against"], r["abstentions"]) for r in db.all(
        "SELECT motion_id, votes_for, votes_against, abstentions FROM rt_motions WHERE meeting_id = ? "
        "AND status = 'closed'", (meeting_id,))}


def stated_tallies(db: Database, meeting_id: str) -> dict[str, tuple[int, int, int]]:
    """The tallies the published minutes state, per motion (to start a revision from)."""
    return {r["motion_id"]: (r["stated_for"], r["stated_against"], r["stated_abstentions"]) for r in db.all(
        "SELECT motion_id, stated_for, stated_against, stated_abstentions FROM rt_minutes_tallies "
        "WHERE meeting_id = ?", (meeting_id,))}


def vote_methods(db: Database, meeting_id: str) -> dict[str, dict]:
    """How each motion's votes are being (or were) taken: individual votes per channel, the show of hands."""
    rows = db.all("SELECT o.motion_id, "
                  "(SELECT COUNT(*) FROM rt_votes v LEFT JOIN rt_vote_channels c ON c.meeting_id = v.meeting_id "
                  " AND c.motion_id = v.motion_id AND c.account_id = v.account_id WHERE v.meeting_id = o.meeting_id "
                  " AND v.motion_id = o.motion_id AND c.channel IS NULL) AS online, "
                  "(SELECT COUNT(*) FROM rt_vote_channels c WHERE c.meeting_id = o.meeting_id "
                  " AND c.motion_id = o.motion_id AND c.channel = 'worker') AS worker, "
                  "(SELECT COUNT(*) FROM rt_vote_channels c WHERE c.meeting_id = o.meeting_id "
                  " AND c.motion_id = o.motion_id AND c.channel = 'proxy') AS proxy, "
                  "h.votes_for AS hands_for, h.votes_against AS hands_against, h.abstentions AS hands_abstentions, "
                  "h.eligible AS hands_eligible, p.name AS hands_counted_by "
                  "FROM rt_motions o LEFT JOIN rt_hands h ON h.meeting_id = o.meeting_id AND h.motion_id = o.motion_id "
                  "LEFT JOIN dir_people p ON p.id = h.counted_by WHERE o.meeting_id = ?", (meeting_id,))
    return {r["motion_id"]: r for r in rows}


def individual_votes(db: Database, meeting_id: str, motion_id: str) -> list[dict]:
    """Who has voted on a motion and how the vote came in (never the choice): channel, proxy holder, and the worker
    who recorded it, with names."""
    return db.all("SELECT v.account_id, v.cast_at, COALESCE(c.channel, 'online') AS channel, p.name, "
                  "c.holder_id, hp.name AS holder_name, c.recorded_by, rp.name AS recorded_by_name "
                  "FROM rt_votes v LEFT JOIN rt_vote_channels c ON c.meeting_id = v.meeting_id "
                  "AND c.motion_id = v.motion_id AND c.account_id = v.account_id "
                  "LEFT JOIN dir_people p ON p.id = v.account_id LEFT JOIN dir_people hp ON hp.id = c.holder_id "
                  "LEFT JOIN dir_people rp ON rp.id = c.recorded_by "
                  "WHERE v.meeting_id = ? AND v.motion_id = ? ORDER BY v.cast_at, v.account_id", (meeting_id, motion_id))


def votes_of(db: Database, meeting_id: str, motion_id: str, account_ids: Iterable[str]) -> dict[str, dict]:
    """Account id → its vote on the motion (choice, channel, proxy holder), for the given people only."""
    wanted = set(account_ids)
    if not wanted:
        return {}
    rows = db.all("SELECT v.account_id, v.choice, COALESCE(c.channel, 'online') AS channel, c.holder_id "
                  "FROM rt_votes v LEFT JOIN rt_vote_channels c ON c.meeting_id = v.meeting_id "
                  "AND c.motion_id = v.motion_id AND c.account_id = v.account_id "
                  "WHERE v.meeting_id = ? AND v.motion_id = ?", (meeting_id, motion_id))
    return {r["account_id"]: r for r in rows if r["account_id"] in wanted}


def hand_pool(db: Database, meeting_id: str, motion_id: str) -> set[str]:
    """Who was counted in the motion's show of hands (present and not yet voted when hands were counted)."""
    return {r["account_id"] for r in db.all("SELECT account_id FROM rt_hand_pool WHERE meeting_id = ? "
                                            "AND motion_id = ?", (meeting_id, motion_id))}


def my_vote_details(db: Database, meeting_id: str, account_id: str | None) -> dict[str, dict]:
    """Motion id → how the viewer's own vote came in: channel, proxy holder's and recording worker's names."""
    if not account_id:
        return {}
    return {r["motion_id"]: r for r in db.all(
        "SELECT c.motion_id, c.channel, hp.name AS holder_name, rp.name AS recorded_by_name FROM rt_vote_channels c "
        "LEFT JOIN dir_people hp ON hp.id = c.holder_id LEFT JOIN dir_people rp ON rp.id = c.recorded_by "
        "WHERE c.meeting_id = ? AND c.account_id = ?", (meeting_id, account_id))}


# --- proxies, people present, speakers --------------------------------------------------------------
def proxies(db: Database, meeting_id: str) -> list[dict]:
    """The meeting's active proxies with names, whether each counts now (holder checked in, giver not, both on the
    roll once it is frozen), and who recorded it."""
    return db.all("SELECT x.giver_id, x.holder_id, x.kind, x.given_by, x.given_at, g.name AS giver_name, "
                  "h.name AS holder_name, b.name AS given_by_name, "
                  "COALESCE(ha.present, 0) AS holder_present, COALESCE(ga.present, 0) AS giver_present, "
                  "CASE WHEN gr.account_id IS NULL THEN 0 ELSE 1 END AS giver_on_roll, "
                  "CASE WHEN hr.account_id IS NULL THEN 0 ELSE 1 END AS holder_on_roll "
                  "FROM rt_proxies x LEFT JOIN dir_people g ON g.id = x.giver_id "
                  "LEFT JOIN dir_people h ON h.id = x.holder_id LEFT JOIN dir_people b ON b.id = x.given_by "
                  "LEFT JOIN rt_attendance ha ON ha.meeting_id = x.meeting_id AND ha.account_id = x.holder_id "
                  "LEFT JOIN rt_attendance ga ON ga.meeting_id = x.meeting_id AND ga.account_id = x.giver_id "
                  "LEFT JOIN rt_roll gr ON gr.meeting_id = x.meeting_id AND gr.account_id = x.giver_id "
                  "LEFT JOIN rt_roll hr ON hr.meeting_id = x.meeting_id AND hr.account_id = x.holder_id "
                  "WHERE x.meeting_id = ? AND x.status = 'active' ORDER BY h.name, x.holder_id, x.given_at, g.name, "
                  "x.giver_id",
                  (meeting_id,))


def voters_to_record(db: Database, meeting_id: str, motion_id: str) -> list[dict]:
    """Whose vote the worker may still record on a motion: residents on the roll checked in, and absent givers whose
    holder is checked in (with the holder's name), who have not voted and were not counted by hands."""
    present = db.all("SELECT a.account_id, p.name, NULL AS holder_id, NULL AS holder_name FROM rt_attendance a "
                     "JOIN rt_roll r ON r.meeting_id = a.meeting_id AND r.account_id = a.account_id "
                     "LEFT JOIN dir_people p ON p.id = a.account_id WHERE a.meeting_id = ? AND a.present = 1",
                     (meeting_id,))
    absent = [{"account_id": x["giver_id"], "name": x["giver_name"], "holder_id": x["holder_id"],
               "holder_name": x["holder_name"]} for x in proxies(db, meeting_id)
              if x["holder_present"] and not x["giver_present"] and x["giver_on_roll"] and x["holder_on_roll"]]
    done = {r["account_id"] for r in db.all("SELECT account_id FROM rt_votes WHERE meeting_id = ? AND motion_id = ?",
                                            (meeting_id, motion_id))} | hand_pool(db, meeting_id, motion_id)
    return sorted((r for r in present + absent if r["account_id"] not in done),
                  key=lambda r: (r["name"] or "", r["account_id"]))


def floor(db: Database, meeting_id: str) -> dict | None:
    """The agenda item under discussion, with its per-speaker time limit and the current speaker, if any."""
    row = db.one("SELECT f.item_id, f.limit_seconds, f.at, a.title, a.position FROM rt_floor f "
                 "LEFT JOIN rt_agenda a ON a.meeting_id = f.meeting_id AND a.item_id = f.item_id "
                 "WHERE f.meeting_id = ?", (meeting_id,))
    if row is None:
        return None
    row["speaker"] = db.one("SELECT s.account_id, s.started_at, s.item_id, p.name FROM rt_speakers s "
                            "LEFT JOIN dir_people p ON p.id = s.account_id WHERE s.meeting_id = ? "
                            "AND s.status = 'speaking'", (meeting_id,))
    return row


def speakers(db: Database, meeting_id: str) -> dict[str, list[dict]]:
    """Item id → its speaker list in order (waiting, speaking, done, withdrawn), with names and who added them."""
    grouped: dict[str, list[dict]] = {}
    for r in db.all("SELECT s.*, p.name, b.name AS added_by_name FROM rt_speakers s "
                    "LEFT JOIN dir_people p ON p.id = s.account_id LEFT JOIN dir_people b ON b.id = s.added_by "
                    "WHERE s.meeting_id = ? ORDER BY s.seq", (meeting_id,)):
        grouped.setdefault(r["item_id"], []).append(r)
    return grouped


def sign_in_sheet(db: Database, community_id: str, meeting_id: str, frozen: bool) -> list[dict]:
    """The people on the sign-in sheet with their names as the directory shows them: the frozen roll, or before the
    meeting opens the community's verified residents now (who the roll will be); each with the proxy they gave or
    hold and whether they registered."""
    if frozen:
        rows = db.all("SELECT r.account_id, p.name FROM rt_roll r LEFT JOIN dir_people p ON p.id = r.account_id "
                      "WHERE r.meeting_id = ?", (meeting_id,))
    else:
        rows = db.all("SELECT d.account_id, p.name FROM dir_residencies d JOIN dir_people p ON p.id = d.account_id "
                      "WHERE d.community_id = ? AND d.status = 'verified' AND p.erased = 0", (community_id,))
    registered = {r["account_id"] for r in registrations(db, meeting_id) if r["status"] == "registered"}
    gave = {x["giver_id"]: x for x in proxies(db, meeting_id)}
    holds: dict[str, list[str]] = {}
    for x in gave.values():
        holds.setdefault(x["holder_id"], []).append(x["giver_name"] or "")
    for r in rows:
        r["registered"] = r["account_id"] in registered
        r["gave_to"] = gave[r["account_id"]]["holder_name"] if r["account_id"] in gave else None
        r["gave_kind"] = gave[r["account_id"]]["kind"] if r["account_id"] in gave else None
        r["holds_for"] = sorted(holds.get(r["account_id"], []))
    return sorted(rows, key=lambda r: (r["name"] or "", r["account_id"]))


def unseen_promotions(db: Database, account_id: str | None, now: datetime) -> list[dict]:
    """Meetings the person was promoted into from the waitlist and has not yet read about, still to come."""
    if not account_id:
        return []
    return db.all("SELECT n.meeting_id, n.at, m.community_id, m.title, m.starts_at, m.place FROM rt_notices n "
                  "JOIN rt_meetings m ON m.id = n.meeting_id WHERE n.account_id = ? AND n.seen = 0 "
                  "AND m.status = 'scheduled' AND m.starts_at > ? ORDER BY m.starts_at, m.id",
                  (account_id, iso(now)))


def live_tally(db: Database, meeting_id: str) -> dict | None:
    """What the meeting-room screen shows: attendance, quorum (with the proxies that count), the item under
    discussion and its current speaker and queue, and each motion (split only after close)."""
    row = meeting(db, meeting_id)
    if row is None:
        return None
    current = floor(db, meeting_id)
    queue = speakers(db, meeting_id).get(current["item_id"], []) if current else []
    return {"meeting": row, "motions": motions(db, meeting_id), "floor": current,
            "waiting": [s for s in queue if s["status"] == "waiting"], "methods": vote_methods(db, meeting_id)}


def resolutions(db: Database, community_id: str, limit: int = 50, offset: int = 0) -> list[dict]:
    """The community's resolutions, newest first, with their meeting and follow-up status."""
    return db.all("SELECT r.*, m.title AS meeting_title, m.starts_at AS meeting_starts_at FROM rt_resolutions r "
                  "LEFT JOIN rt_meetings m ON m.id = r.meeting_id WHERE r.community_id = ? "
                  "ORDER BY r.adopted_at DESC, r.id LIMIT ? OFFSET ?", (community_id, limit, offset))


def count_resolutions(db: Database, community_id: str) -> int:
    """How many resolutions the community has."""
    return db.scalar("SELECT COUNT(*) AS n FROM rt_resolutions WHERE community_id = ?", (community_id,)) or 0


def meeting_resolutions(db: Database, meeting_id: str) -> list[dict]:
    """The resolutions adopted at one meeting."""
    return db.all("SELECT * FROM rt_resolutions WHERE meeting_id = ? ORDER BY adopted_at, motion_id", (meeting_id,))


def resolution(db: Database, resolution_id: str) -> dict | None:
    """One resolution with its meeting's title and the money its motion stated (amount None: it authorises none)."""
    return db.one("SELECT r.*, m.title AS meeting_title, m.starts_at AS meeting_starts_at, mm.amount, mm.category "
                  "FROM rt_resolutions r LEFT JOIN rt_meetings m ON m.id = r.meeting_id LEFT JOIN rt_motion_money mm "
                  "ON mm.meeting_id = r.meeting_id AND mm.motion_id = r.motion_id WHERE r.id = ?", (resolution_id,))


def progress(db: Database, resolution_id: str) -> list[dict]:
    """The resolution's follow-up log: owner changes, status steps and dated notes, oldest first."""
    return db.all("SELECT * FROM rt_progress WHERE resolution_id = ? ORDER BY seq", (resolution_id,))


def my_rating(db: Database, resolution_id: str, account_id: str | None) -> int | None:
    """The viewer's own rating of a resolution, if any."""
    if not account_id:
        return None
    return db.scalar("SELECT stars FROM rt_ratings WHERE resolution_id = ? AND account_id = ?",
                     (resolution_id, account_id))


def calendar_meetings(db: Database, community_id: str) -> list[dict]:
    """Every meeting of the community for the iCalendar feed (cancelled ones too, marked so)."""
    return db.all(_WITH_SEQUENCE + "WHERE m.community_id = ? ORDER BY m.starts_at, m.id", (community_id,))


# --- "as of": the same handlers replayed into a throw-away database -------------------------------
@contextmanager
def as_of_database(events: Iterable[Any], moment: datetime, source: Database) -> Iterator[Database]:
    """The roundtable views of one meeting as they stood at `moment`: its events up to then, replayed through
    this module's handlers into an in-memory SQLite database (with the people's names copied from `source`)."""
    view = SQLiteDatabase(":memory:")
    try:
        people: set[str] = set()
        with view.transaction() as tx:
            projection.create(tx)
            tx.execute(directory.projection.tables["dir_people"])
            for e in events:
                if e.at > moment:
                    continue
                topic = get_topic(type(e))
                if topic in projection.handlers:
                    projection.handle(tx, topic, e, Context(0, None))
                for field in ("account_id", "by", "voter", "resident", "giver", "holder", "speaker"):
                    if getattr(e, field, None) is not None:
                        people.add(str(getattr(e, field)))
            for person_id in sorted(people):
                row = directory.person(source, person_id)
                if row is not None:
                    tx.execute("INSERT INTO dir_people (id, name, phone, registered_at, erased) VALUES (?, ?, ?, ?, ?)",
                               (row["id"], row["name"], "", row["registered_at"], row["erased"]))
        yield view
    finally:
        view.close()  # the in-memory database vanishes with its connection


def person_record(db: Database, account_id: str) -> dict[str, list[dict]]:
    """What the roundtable's views hold about one person: registrations, items raised, attendance, votes, ratings."""
    return {
        "registrations": db.all("SELECT m.title, m.starts_at, r.status, r.registered_at FROM rt_registrations r "
                                "JOIN rt_meetings m ON m.id = r.meeting_id WHERE r.account_id = ? ORDER BY m.starts_at",
                                (account_id,)),
        "items": db.all("SELECT m.title AS meeting, a.title, a.status, a.proposed_at FROM rt_agenda a "
                        "JOIN rt_meetings m ON m.id = a.meeting_id WHERE a.proposed_by = ? ORDER BY a.proposed_at",
                        (account_id,)),
        "attendance": db.all("SELECT m.title, a.checked_in_at, a.checked_out_at FROM rt_attendance a "
                             "JOIN rt_meetings m ON m.id = a.meeting_id WHERE a.account_id = ? ORDER BY a.checked_in_at",
                             (account_id,)),
        "votes": db.all("SELECT m.title AS meeting, o.title, v.choice, v.cast_at FROM rt_votes v "
                        "JOIN rt_meetings m ON m.id = v.meeting_id JOIN rt_motions o ON o.meeting_id = v.meeting_id "
                        "AND o.motion_id = v.motion_id WHERE v.account_id = ? ORDER BY v.cast_at", (account_id,)),
        "ratings": db.all("SELECT r.title, g.stars, g.at FROM rt_ratings g JOIN rt_resolutions r ON r.id = g.resolution_id "
                          "WHERE g.account_id = ? ORDER BY g.at", (account_id,)),
        "proxies": db.all("SELECT m.title, x.kind, x.status, x.given_at, CASE WHEN x.giver_id = ? THEN 'given' "
                          "ELSE 'held' END AS role FROM rt_proxies x JOIN rt_meetings m ON m.id = x.meeting_id "
                          "WHERE x.giver_id = ? OR x.holder_id = ? ORDER BY x.given_at",
                          (account_id, account_id, account_id)),
        "speeches": db.all("SELECT m.title AS meeting, a.title, s.status, s.added_at, s.seconds FROM rt_speakers s "
                           "JOIN rt_meetings m ON m.id = s.meeting_id LEFT JOIN rt_agenda a ON a.meeting_id = s.meeting_id "
                           "AND a.item_id = s.item_id WHERE s.account_id = ? ORDER BY s.added_at", (account_id,)),
        "recorded_votes": db.all("SELECT m.title AS meeting, o.title, c.channel FROM rt_vote_channels c "
                                 "JOIN rt_meetings m ON m.id = c.meeting_id JOIN rt_motions o ON o.meeting_id = c.meeting_id "
                                 "AND o.motion_id = c.motion_id WHERE c.account_id = ? ORDER BY m.starts_at",
                                 (account_id,)),
    }
