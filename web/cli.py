"""The `linli` command: serve, project, rebuild, demo, grant, revoke, erase, backup, restore."""
from __future__ import annotations

import argparse
import logging
from contextlib import closing
import os
from dataclasses import replace
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from uuid import UUID

from web.settings import SECRET_FILE, Settings


def progress_bar(done: int, total: int, started: float, width: int = 30) -> None:
    """One line, redrawn in place: bar, percentage, events per second."""
    total = max(total, 1)
    filled = int(width * min(done, total) / total)
    rate = done / max(time.monotonic() - started, 1e-9)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * done / total:5.1f}%  "
                     f"{done}/{total} events  {rate:,.0f}/s")
    sys.stderr.flush()


def request_sessions_end(svc, account_id: str) -> None:
    """An erased person's sessions end at once."""
    from web.sessions import Sessions
    Sessions(svc.views, 1, secret=svc.settings.secret).end_all(account_id)


def backup_store(settings: Settings, folder: Path, keys_folder: Path | None) -> None:
    """Online backup (SQLite backup API) of the events; the views are not copied (they rebuild from the events and
    would hold plain names). The personal keys and the secret go to a folder of their own, or nowhere: a backup
    beside the events would let an erased person be read again."""
    folder.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(settings.data_dir / "events.sqlite3", folder / "events.sqlite3")
    print(f"events backed up to {folder}")
    if keys_folder is None:
        print("no key backup (use --keys FOLDER, kept apart): without keys a restore shows every name as erased",
              file=sys.stderr)
        return
    if keys_folder.resolve() == folder.resolve():
        raise SystemExit("keep the keys apart from the events: give --keys another folder")
    keys_folder.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(settings.data_dir / "keys.sqlite3", keys_folder / "keys.sqlite3")
    secret = settings.data_dir / SECRET_FILE
    if secret.exists():
        shutil.copy2(secret, keys_folder / SECRET_FILE)
    print(f"keys backed up to {keys_folder}: store it apart, and replace it after every erasure")


def _copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    target.chmod(0o600)


def restore_store(settings: Settings, folder: Path, keys_folder: Path, force: bool) -> int:
    """Bring back a SQLite backup: the events and the keys taken with them; the views are rebuilt from the events
    (with a progress bar), then the store is checked as a server would. PostgreSQL: see the README."""
    if settings.postgres:
        print("PostgreSQL: restore with pg_restore (events and views schemas), the key schema from its own dump "
              "under the key role, then run `linli rebuild`; see README, Running at scale", file=sys.stderr)
        return 2
    source, data = folder / "events.sqlite3", settings.data_dir
    if not source.exists() or not (keys_folder / "keys.sqlite3").exists():
        print(f"no backup there: need {source} and {keys_folder / 'keys.sqlite3'}", file=sys.stderr)
        return 2
    target = data / "events.sqlite3"
    if target.exists() and not force:
        with closing(sqlite3.connect(target)) as conn:
            held = conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'stored_events'").fetchone()[0] and \
                conn.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0]
        if held:
            print(f"{target} already holds {held} events: restoring would replace them; repeat with --force",
                  file=sys.stderr)
            return 2
    data.mkdir(parents=True, exist_ok=True)
    for stale in data.glob("*.sqlite3*"):
        stale.unlink()
    _copy_sqlite(source, target)
    _copy_sqlite(keys_folder / "keys.sqlite3", data / "keys.sqlite3")
    if (keys_folder / SECRET_FILE).exists():
        shutil.copy2(keys_folder / SECRET_FILE, data / SECRET_FILE)
    from web.startup import check_store
    from web.wiring import build
    svc = build(Settings.from_env().with_served_secret())
    try:
        check_store(svc)
        started = time.monotonic()
        count = svc.runner.rebuild(progress=lambda done, total: progress_bar(done, total, started))
        sys.stderr.write("\n")
        print(f"restored {count} events into {data}; views rebuilt in {time.monotonic() - started:.2f}s")
    finally:
        svc.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # every file Linli writes (stores, WAL, backups, the secret) is its user's alone
    parser = argparse.ArgumentParser(prog="linli", description="邻里 Linli")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app (embedded SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("project", help="run the projection runner as its own process (PostgreSQL deployments)")
    sub.add_parser("rebuild", help="drop the views and replay every event, with a progress bar")
    demo = sub.add_parser("demo", help="seed the demo community if the store is empty")
    demo.add_argument("--activity", action="store_true",
                      help="also a past roundtable, its resolution paid from the fund, an upcoming meeting and action day")
    grant = sub.add_parser("grant", help="grant a role: linli grant PHONE ROLE SCOPE_ID")
    grant.add_argument("phone")
    grant.add_argument("role")
    grant.add_argument("scope_id")
    revoke = sub.add_parser("revoke", help="take a role away: linli revoke PHONE ROLE SCOPE_ID")
    revoke.add_argument("phone")
    revoke.add_argument("role")
    revoke.add_argument("scope_id")
    erase = sub.add_parser("erase", help="erase a person (PIPL art. 47): linli erase PHONE --yes")
    erase.add_argument("phone")
    erase.add_argument("--yes", action="store_true", help="confirm: the person's key is deleted for good")
    backup = sub.add_parser("backup", help="online backup of the SQLite event store into a folder (keys apart)")
    backup.add_argument("folder")
    backup.add_argument("--keys", metavar="KEYS_FOLDER",
                        help="also back up the personal keys and the secret, into a folder kept apart from the events")
    restore = sub.add_parser("restore", help="restore a `linli backup` (events, and the keys kept apart)")
    restore.add_argument("folder", help="the events backup folder")
    restore.add_argument("--keys", metavar="KEYS_FOLDER", required=True, help="the key backup taken with it")
    restore.add_argument("--force", action="store_true", help="replace a store that already holds events")
    args = parser.parse_args(argv)

    if args.command == "restore":
        return restore_store(Settings.from_env(), Path(args.folder), Path(args.keys), args.force)
    settings = Settings.from_env()
    if args.command == "demo":
        settings = replace(settings, seed_demo=True)
    settings = settings.with_served_secret()
    if args.command == "serve":
        import uvicorn

        from web.startup import check_store
        from web.wiring import build
        svc = build(settings)   # once, here, before any worker starts: the checks, then the demo
        try:
            if settings.seed_demo:
                from web.demo import seed_demo
                seed_demo(svc, activity=settings.demo_activity)
            check_store(svc)
        finally:
            svc.close()
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        # Linli logs each request itself (web/logs.py): path without the query string, no personal data.
        uvicorn.run("web.app:app_factory", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_level="info", access_log=False)
        return 0

    from web.wiring import build
    svc = build(settings)
    try:
        if args.command == "project":
            from web.startup import check_store
            check_store(svc)
            print("projection runner following the event store; Ctrl-C to stop", file=sys.stderr)
            try:
                while True:
                    svc.runner.catch_up()
                    time.sleep(0.2)
            except KeyboardInterrupt:
                return 0
        if args.command == "rebuild":
            started = time.monotonic()
            count = svc.runner.rebuild(progress=lambda done, total: progress_bar(done, total, started))
            sys.stderr.write("\n")
            print(f"rebuilt views from {count} events in {time.monotonic() - started:.2f}s")
        elif args.command == "demo":
            from web.demo import seed_demo
            if not seed_demo(svc, activity=args.activity):
                print("the store is not empty; demo not seeded")
        elif args.command in ("grant", "revoke", "erase"):
            from domain.kernel.errors import DomainError
            record = svc.app.accounts.login_record(args.phone)
            if record is None:
                print("no account with that phone number", file=sys.stderr)
                return 1
            try:
                if args.command == "grant":
                    svc.app.accounts.grant_role(record.account_id, args.role, UUID(args.scope_id))
                elif args.command == "revoke":
                    svc.app.accounts.revoke_role(record.account_id, args.role, UUID(args.scope_id))
                else:
                    if not args.yes:
                        print("erasing deletes the person's key for good; repeat with --yes", file=sys.stderr)
                        return 2
                    svc.app.accounts.erase_person(record.account_id)
                    request_sessions_end(svc, str(record.account_id))
                    svc.runner.catch_up()
                    svc.scrub()
            except DomainError as e:
                print(e.text(), file=sys.stderr)
                return 1
            svc.runner.catch_up()
            print({"grant": "granted", "revoke": "revoked", "erase": "erased"}[args.command])
        elif args.command == "backup":
            if settings.postgres:
                print("for PostgreSQL use pg_dump", file=sys.stderr)
                return 2
            backup_store(settings, Path(args.folder), Path(args.keys) if args.keys else None)
    finally:
        svc.close()
    return 0


if __name__ == "__main__":
    shutil.get_terminal_size()
    sys.exit(main())
