"""The `linli` command: serve, project, rebuild, demo, grant, backup."""
from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from uuid import UUID

from web.settings import Settings


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
    Sessions(svc.views, 1).end_all(account_id)


def main(argv: list[str] | None = None) -> int:
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
    backup = sub.add_parser("backup", help="online backup of the SQLite files into a folder")
    backup.add_argument("folder")
    args = parser.parse_args(argv)

    if args.command == "serve":
        import uvicorn
        settings = Settings.from_env()
        if settings.seed_demo:  # once, here, before any worker starts
            from web.demo import seed_demo
            from web.wiring import build
            svc = build(settings)
            seed_demo(svc, activity=settings.demo_activity)
            svc.close()
        uvicorn.run("web.app:app_factory", factory=True, host=args.host, port=args.port, workers=args.workers,
                    log_level="info")
        return 0

    from web.wiring import build
    settings = Settings.from_env()
    svc = build(settings)
    try:
        if args.command == "project":
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
            except DomainError as e:
                print(e.text(), file=sys.stderr)
                return 1
            svc.runner.catch_up()
            print({"grant": "granted", "revoke": "revoked", "erase": "erased"}[args.command])
        elif args.command == "backup":
            if settings.postgres:
                print("for PostgreSQL use pg_dump", file=sys.stderr)
                return 2
            folder = Path(args.folder)
            folder.mkdir(parents=True, exist_ok=True)
            # Views first, then events: a restored view is never ahead of its events (the runner catches up
            # the rest). Keys last: every event in the copy finds its person's key unless they were erased.
            for name in ("views", "events", "keys"):
                source = settings.data_dir / f"{name}.sqlite3"
                if not source.exists():
                    continue
                with sqlite3.connect(source) as src, sqlite3.connect(folder / f"{name}.sqlite3") as dst:
                    src.backup(dst)
            print(f"backed up to {folder} (keep keys.sqlite3 apart from events: erasure deletes keys)")
    finally:
        svc.close()
    return 0


if __name__ == "__main__":
    shutil.get_terminal_size()
    sys.exit(main())
