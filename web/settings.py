"""Settings, read once from the environment (or the `env` a test passes) by the composition root."""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

DEV_SECRET = "linli-dev-secret"
SECRET_FILE = "secret"


class SecretMissing(SystemExit):
    """Linli refuses to serve real people on the published development secret."""


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
    keys_conninfo: str = ""   # PostgreSQL: the key store's own role (POSTGRES_KEYS_USER), apart from the events'
    has_own_secret: bool = False    # LINLI_SECRET, or the secret file a demo made in the data folder
    session_max_hours: int = 12
    trusted_proxies: frozenset[str] = frozenset()
    sms_outbox: Path | None = None
    log_json: bool = False
    metrics_token: str = ""
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    public_url: str = ""   # the address residents reach the site at (QR codes on notices, calendar links)

    def with_served_secret(self) -> "Settings":
        """The settings a server (or the CLI) may run with: `LINLI_SECRET` from the environment; else the secret the
        demo made once and keeps in the data folder (mode 0600); a demo without one makes it; anything else
        refuses to start."""
        if self.has_own_secret:
            return self
        path = self.data_dir / SECRET_FILE
        if not self.seed_demo:
            raise SecretMissing("LINLI_SECRET is not set. Linli keys phone digests, sessions and certificate codes "
                                "with it; set a long random value (python -c 'import secrets; "
                                "print(secrets.token_urlsafe(48))') or run the demo (LINLI_DEMO=1).")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        secret = path.read_text().strip()
        return replace(self, secret=secret, event_env={**self.event_env, "LINLI_SECRET": secret})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        source = dict(os.environ if env is None else env)
        data_dir = Path(source.get("LINLI_DATA_DIR", "data"))
        module = source.get("PERSISTENCE_MODULE", "eventsourcing.sqlite")
        postgres = module.startswith("eventsourcing.postgres")
        event_env = {k: v for k, v in source.items()
                     if k.startswith(("POSTGRES_", "SQLITE_", "PERSISTENCE_", "LINLI_", "CIPHER_"))}
        event_env["PERSISTENCE_MODULE"] = module
        conninfo = keys_conninfo = ""
        if postgres:
            conninfo = (f"host={source.get('POSTGRES_HOST', '127.0.0.1')} port={source.get('POSTGRES_PORT', '5432')} "
                        f"dbname={source.get('POSTGRES_DBNAME', 'linli')} user={source.get('POSTGRES_USER', 'linli')} "
                        f"password={source.get('POSTGRES_PASSWORD', '')}")
            if source.get("POSTGRES_KEYS_USER"):
                keys_conninfo = conninfo.rsplit(" user=", 1)[0] + (
                    f" user={source['POSTGRES_KEYS_USER']} password={source.get('POSTGRES_KEYS_PASSWORD', '')}")
        else:
            event_env.setdefault("SQLITE_DBNAME", str(data_dir / "events.sqlite3"))
            event_env.setdefault("SQLITE_LOCK_TIMEOUT", "10")
        secret_file = data_dir / SECRET_FILE
        secret = source.get("LINLI_SECRET") or (secret_file.read_text().strip() if secret_file.is_file() else "") \
            or DEV_SECRET
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
            keys_conninfo=keys_conninfo,
            has_own_secret=secret != DEV_SECRET,
            session_max_hours=int(source.get("LINLI_SESSION_MAX_HOURS", "12")),
            trusted_proxies=frozenset(p.strip() for p in source.get("LINLI_TRUSTED_PROXIES", "").split(",") if p.strip()),
            sms_outbox=Path(source["LINLI_SMS_OUTBOX"]) if source.get("LINLI_SMS_OUTBOX") else data_dir / "sms-outbox.log",
            log_json=source.get("LINLI_LOG_JSON", "") in ("1", "true", "yes"),
            metrics_token=source.get("LINLI_METRICS_TOKEN", ""),
            sms_gateway_url=source.get("LINLI_SMS_GATEWAY_URL", ""),
            sms_gateway_token=source.get("LINLI_SMS_GATEWAY_TOKEN", ""),
            public_url=_public_url(source.get("LINLI_PUBLIC_URL", "")),
        )


def _public_url(value: str) -> str:
    """`LINLI_PUBLIC_URL` as an origin (scheme and host, no path); an empty value means "from the request"."""
    value = value.strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?", value):
        raise ValueError(f"LINLI_PUBLIC_URL must look like https://linli.example.cn, not {value!r}")
    return value
