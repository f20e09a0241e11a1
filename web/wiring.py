"""Builds the application, the views database, the key store and the projection runner from settings."""
from __future__ import annotations

from dataclasses import dataclass

from domain.kernel.application import Linli
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
        keys_db: Database = PostgresDatabase(settings.postgres_conninfo, schema=f"{prefix}_keys", pool_size=2)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        views = SQLiteDatabase(str(settings.data_dir / "views.sqlite3"))
        keys_db = SQLiteDatabase(str(settings.data_dir / "keys.sqlite3"))
    app = Linli(env=settings.event_env, contexts=domain_contexts(), keys=SQLKeyStore(keys_db),
                secret=settings.secret, fund_budget_fen=settings.fund_budget_fen)
    runner = Runner(app, views, projections())
    runner.setup()
    return Services(settings, app, views, keys_db, runner)
