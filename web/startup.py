"""Checks before a server (or `linli project`, or a restore) takes a store: each says clearly what is wrong.

- the store was written by a newer Linli (its recorded format is above ours): refuse;
- a SQLite store that is not in WAL mode, or whose connections do not write with synchronous=FULL: refuse (an
  acknowledged command must survive a power cut);
- the views are ahead of the events (a mismatched restore): rebuilt, as the runner already does;
- the key store does not go with the events (none of the latest people's keys is there): refuse, since every
  name would read as erased — restore the key backup taken with these events."""
from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.accounts.model import Account
from domain.kernel.store import CURRENT, StoreFormat
from web.wiring import Services

log = logging.getLogger("linli.startup")
SAMPLE = 20


class StoreRefused(SystemExit):
    """The store cannot be served as it is; the message says why and what to do."""


def check_store(svc: Services) -> None:
    """Refuse a store this Linli must not serve; record its format when it is ours (or older)."""
    stored = svc.app.find(StoreFormat, StoreFormat.ID)
    if stored is not None and stored.version > CURRENT:
        raise StoreRefused(f"this event store was written by a newer Linli (store format {stored.version}, this "
                           f"release reads up to {CURRENT}): upgrade Linli before serving it")
    if not svc.settings.postgres:
        _check_sqlite(svc)
    _check_keys(svc)
    try:
        if stored is None:
            svc.app.save(StoreFormat(version=CURRENT))
        elif stored.version < CURRENT:
            stored.upgrade(CURRENT)
            svc.app.save(stored)
    except IntegrityError:
        pass   # another process (a second web worker) recorded it at the same moment


def _check_sqlite(svc: Services) -> None:
    check_wal(svc.settings.event_env.get("SQLITE_DBNAME", ""))
    with svc.app.recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute("PRAGMA synchronous")
        level = cursor.fetchone()[0]
    if level < 2:
        raise StoreRefused(f"the event store is written with synchronous={level}, not FULL (2): acknowledged "
                           "commands could be lost in a power cut; remove the setting that lowers it")


def check_wal(path: str) -> None:
    """The SQLite file keeps a write-ahead log (a file system without WAL support leaves it in another mode)."""
    with closing(sqlite3.connect(path)) as conn:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if mode.lower() != "wal":
        raise StoreRefused(f"the event store {path} is in journal mode {mode!r}, not WAL: keep it on a local file "
                           "system that supports WAL, then open it once with `sqlite3 FILE 'PRAGMA journal_mode=WAL'`")


def _check_keys(svc: Services) -> None:
    topics = [get_topic(Account.Registered), "domain.account:Account.Registered"]
    head = svc.app.recorder.max_notification_id() or 0
    recent = svc.app.recorder.select_notifications(start=max(0, head - 5_000), limit=5_000, topics=topics)
    people = [n.originator_id for n in recent][-SAMPLE:]
    alive = [p for p in people if not _erased(svc, p)]
    if alive and not any(svc.app.sealer.keys.get(UUID(str(p))) for p in alive):
        raise StoreRefused("the key store does not go with this event store: none of the latest people's keys is "
                           "there, so every name would read as erased. Restore the key backup taken with these "
                           "events (`linli restore EVENTS --keys KEYS`)")


def _erased(svc: Services, person: object) -> bool:
    account = svc.app.find(Account, UUID(str(person)))
    return account is None or account.erased
