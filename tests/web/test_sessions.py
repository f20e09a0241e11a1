"""Login sessions end after an idle hour and, however busy, at their absolute lifetime; ended ones are purged."""
from __future__ import annotations

from datetime import timedelta

from projections.db import SQLiteDatabase
from tests.builders import Clock
from web.sessions import Sessions


def sessions(tmp_path, clock: Clock) -> Sessions:
    return Sessions(SQLiteDatabase(str(tmp_path / "views.sqlite3")), idle_minutes=60, lifetime_hours=12,
                    secret="s", clock=clock)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(tmp_path):
    clock = Clock()
    store = sessions(tmp_path, clock)
    token = store.start("someone")
    for _ in range(11 * 2):   # a request every half hour for eleven hours
        clock.advance(minutes=30)
        assert store.account_for(token) == "someone"
    clock.advance(hours=1, minutes=1)
    assert store.account_for(token) is None


def test_an_idle_session_ends_and_ended_sessions_are_purged(tmp_path):
    clock = Clock()
    store = sessions(tmp_path, clock)
    idle = store.start("idle")
    clock.advance(minutes=61)
    assert store.account_for(idle) is None
    stale = store.start("stale")
    clock.advance(hours=13)
    store.start("fresh")   # starting a session purges the ended ones
    assert store.db.scalar("SELECT COUNT(*) FROM web_sessions") == 1
    assert store.account_for(stale) is None


def test_each_session_has_its_own_csrf_token(tmp_path):
    store = sessions(tmp_path, Clock())
    one, two = store.start("a"), store.start("a")
    assert store.csrf_token(one) != store.csrf_token(two) and len(store.csrf_token(one)) == 64
    assert timedelta(hours=12) == store.lifetime
