"""Settings, read once from the environment (or the `env` a test passes) by the composition root."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

DEV_SECRET = "linli-dev-secret"


@dataclass(frozen=True)
class Settings:
    """Everything configurable about one Linli deployment."""

    data_dir: Path
    postgres: bool
    secret: str
    secure_cookies: bool
    session_idle_minutes: int
    embedded_projections: bool
    seed_demo: bool
    demo_activity: bool
    max_body_bytes: int
    fund_budget_fen: int
    event_env: dict[str, str] = field(default_factory=dict)
    postgres_conninfo: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        source = dict(os.environ if env is None else env)
        data_dir = Path(source.get("LINLI_DATA_DIR", "data"))
        module = source.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
        postgres = module.startswith("eventsourcing.postgres")
        event_env = {k: v for k, v in source.items()
                     if k.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_", "LINLI_", "CIPHER_"))}
        event_env["PERSISTENCE_MODULE"] = module
        conninfo = ""
        if postgres:
            conninfo = (f"host={source.get('POSTGRES_HOST', '127.0.0.1')} port={source.get('POSTGRES_PORT', '5432')} "
                        f"dbname={source.get('POSTGRES_DBNAME', 'linli')} user={source.get('POSTGRES_USER', 'linli')} "
                        f"password={source.get('POSTGRES_PASSWORD', '')}")
        else:
            event_env.setdefault("SQLITE_DBNAME", str(data_dir / "events.sqlite3"))
            event_env.setdefault("SQLITE_LOCK_TIMEOUT", "10")
        secret = source.get("LINLI_SECRET", DEV_SECRET)
        event_env["LINLI_SECRET"] = secret
        return cls(
            data_dir=data_dir,
            postgres=postgres,
            secret=secret,
            secure_cookies=source.get("LINLI_SECURE_COOKIES", "") in ("1", "true", "yes"),
            session_idle_minutes=int(source.get("LINLI_SESSION_IDLE_MINUTES", "60")),
            embedded_projections=source.get("LINLI_PROJECTIONS", "embedded") == "embedded",  # else: inline or a separate `linli project`
            seed_demo=source.get("LINLI_DEMO", "") in ("1", "true", "yes", "full"),
            demo_activity=source.get("LINLI_DEMO", "") == "full",
            max_body_bytes=int(source.get("LINLI_MAX_BODY_BYTES", str(256 * 1024))),
            fund_budget_fen=int(source.get("LINLI_FUND_BUDGET_FEN", str(200_000 * 100))),
            event_env=event_env,
            postgres_conninfo=conninfo,
        )
