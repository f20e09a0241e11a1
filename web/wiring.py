"""Builds the application, the views database, the key store and the projection runner from settings."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.kernel.application import Linli
from projections import audit, chain, erasures
from projections.db import Database, PostgresDatabase, SQLiteDatabase
from projections.keys import SQLKeyStore
from projections.runner import Runner
from web.contexts import domain_contexts, projections
from web.settings import Settings


@dataclass
class Services:
    """The running parts of one Linli deployment."""

    settings: Settings
    app: Linli
    views: Database
    keys_db: Database
    runner: Runner

    def scrub(self) -> None:
        """After an erasure: no old copy of the erased rows or keys stays in any file of the views and keys."""
        self.views.scrub()
        self.keys_db.scrub()

    def close(self) -> None:
        self.runner.stop()
        self.app.close()
        self.views.close()
        self.keys_db.close()


def build(settings: Settings) -> Services:
    """Wire everything once; the web app, the CLI and the tests all start here."""
    if settings.postgres:
        prefix = settings.event_env.get("POSTGRES_SCHEMA") or "linli"
        views: Database = PostgresDatabase(settings.postgres_conninfo, schema=f"{prefix}_views")
        # The personal keys may live under a role of their own (POSTGRES_KEYS_USER): the events' role cannot read
        # them, so a dump of the event store never holds the keys that open it.
        keys_db: Database = PostgresDatabase(settings.keys_conninfo or settings.postgres_conninfo,
                                             schema=f"{prefix}_keys", pool_size=2)
    else:
        private_folder(settings.data_dir)
        views = SQLiteDatabase(str(settings.data_dir / "views.sqlite3"))
        keys_db = SQLiteDatabase(str(settings.data_dir / "keys.sqlite3"))
    app = Linli(env=settings.event_env, contexts=domain_contexts(), keys=SQLKeyStore(keys_db),
                secret=settings.secret, fund_budget_fen=settings.fund_budget_fen)
    runner = Runner(app, views, [*projections(), erasures.projection, audit.projection, chain.projection_for(app)])
    runner.setup()
    if not settings.postgres:
        private_files(settings.data_dir)
    return Services(settings, app, views, keys_db, runner)


def private_folder(folder: Path) -> None:
    """The data folder, readable by Linli's user only (files created in it follow the process umask)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)


def private_files(folder: Path) -> None:
    """Every SQLite file (and its WAL and shared memory) mode 0600: personal data is not for other users."""
    for path in folder.glob("*.sqlite3*"):
        path.chmod(0o600)
