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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="linli", description="邻里 Linli")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app (embedded SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("project", help="run the projection runner as its own process (PostgreSQL deployments)")
    sub.add_parser("rebuild", help="drop the views and replay every event, with a progress bar")
    sub.add_parser("demo", help="seed the demo community if the store is empty")
    grant = sub.add_parser("grant", help="grant a role: linli grant PHONE ROLE SCOPE_ID")
    grant.add_argument("phone")
    grant.add_argument("role")
    grant.add_argument("scope_id")
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
            seed_demo(svc)
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
            if not seed_demo(svc):
                print("the store is not empty; demo not seeded")
        elif args.command == "grant":
            from domain.account import Account
            from domain.text import normalise_phone
            account_id = Account.id_for(svc.app.phone_key(normalise_phone(args.phone)))
            svc.app.grant_role(account_id, args.role, UUID(args.scope_id))
            svc.runner.catch_up()
            print("granted")
        elif args.command == "backup":
            if settings.postgres:
                print("for PostgreSQL use pg_dump", file=sys.stderr)
                return 2
            folder = Path(args.folder)
            folder.mkdir(parents=True, exist_ok=True)
            for name in ("events", "views", "keys"):
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
