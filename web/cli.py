"""The `linli` command: serve, project, rebuild, demo, grant, revoke, erase, backup, restore, export, verify."""
from __future__ import annotations

import argparse
import json
import logging
from contextlib import closing
import os
from dataclasses import replace
import shutil
import sqlite3
import sys
import time
from datetime import datetime, timezone
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
        count = svc.runner.rebuild(progress=lambda done, total: progress_bar(done, total, started), everything=True)
        sys.stderr.write("\n")
        print(f"restored {count} events into {data}; views rebuilt in {time.monotonic() - started:.2f}s")
    finally:
        svc.close()
    return 0


def open_as_is(settings: Settings):
    """The event store and the views as they are, with the chain caught up — never rebuilt: views ahead of the store
    (events removed from it) are evidence an export must show, not something to repair (`wiring.build` would
    rebuild them). No secret and no keys are needed: nothing is decrypted or signed."""
    from domain.kernel.application import Linli
    from projections import chain
    from projections.db import PostgresDatabase, SQLiteDatabase
    from projections.runner import TRACKING_DDL, Runner
    from web.contexts import domain_contexts

    app = Linli(env=settings.event_env, contexts=domain_contexts())
    if settings.postgres:
        prefix = settings.event_env.get("POSTGRES_SCHEMA") or "linli"
        views = PostgresDatabase(settings.postgres_conninfo, schema=f"{prefix}_views")
    else:
        views = SQLiteDatabase(str(settings.data_dir / "views.sqlite3"))
    projection = chain.projection_for(app)
    with views.transaction() as tx:
        tx.execute(TRACKING_DDL)
        projection.create(tx)
    Runner(app, views, [projection]).catch_up()
    return app, views


def export_place(settings: Settings, place_id: str, out: Path | None) -> int:
    """`linli export`: the place's public events and their digests as JSON Lines (docs/EXPORT.md), with a progress
    bar on stderr."""
    from projections import accounts as places
    from projections import chain
    from projections import fund as funds

    if not (settings.postgres or (settings.data_dir / "events.sqlite3").exists()):
        print(f"no event store in {settings.data_dir}", file=sys.stderr)
        return 2
    app, views = open_as_is(settings)
    try:
        place = places.place(views, place_id)
        if place is None:
            print("no community, street or district with that id", file=sys.stderr)
            return 2
        upto = chain.chained_to(views)
        ledgers = [funds.ledger(views, place.id, year) for year in funds.years(views, place.id)]
        published = [{"id": row["fund"]["id"], "year": row["fund"]["year"],
                      **{k: row["totals"][k] for k in funds.FIGURES}} for row in ledgers if row]
        header = {"format": "linli-export", "version": 1, "link": chain.LINK_FORMAT,
                  "place": {"id": place.id, "kind": place.kind, "name": place.name},
                  "generated_at": datetime.now(timezone.utc).isoformat(), "upto": upto,
                  "head": chain.heads(views, place.id, upto),
                  "store_last_event": app.recorder.max_notification_id() or 0,
                  "published": {"funds": published, "resolutions": [
                      {"id": r["id"], "authorised": r["authorised"], "allocated": r["allocated"]}
                      for r in funds.resolution_money(views, place.id)]}}
        started, count = time.monotonic(), 0
        stream = open(out, "w", encoding="utf-8") if out else sys.stdout
        try:
            stream.write(_json_line(header))
            for line in chain.export_lines(app, views, place.id, upto,
                                           progress=lambda done, total: progress_bar(done, total, started)):
                stream.write(_json_line(line))
                count += 1
        finally:
            if out:
                stream.close()
        sys.stderr.write("\n")
        print(f"exported {count} events of {place.name} up to position {upto} "
              f"(chain {header['head']['place']['digest'][:16]}…)", file=sys.stderr)
    finally:
        app.close()
        views.close()
    return 0


def _json_line(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def verify_file(path: Path, expected: list[str], figures: bool) -> int:
    """`linli verify FILE`: the standalone verifier's own rules (tools/verify_linli.py), run from this checkout."""
    import importlib.util

    source = Path(__file__).resolve().parents[1] / "tools" / "verify_linli.py"
    spec = importlib.util.spec_from_file_location("verify_linli", source)
    if spec is None or spec.loader is None or not source.exists():
        print(f"the verifier is missing: {source}", file=sys.stderr)
        return 2
    verifier = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(verifier)
    try:
        expect = [verifier.parse_expect(e) for e in expected]
    except Exception as e:  # argparse.ArgumentTypeError
        print(e, file=sys.stderr)
        return 2
    return verifier.verify(str(path), expect, figures=figures)


def verify_store(settings: Settings) -> int:
    """`linli verify --store`: the chain computed again from every stored event, against the chain's rows."""
    from projections import chain

    app, views = open_as_is(settings)
    try:
        upto = chain.chained_to(views)
        difference = chain.first_difference(app, views)
    finally:
        app.close()
        views.close()
    if difference is None:
        print(f"OK: the store's {upto} positions give the chain's digests")
        return 0
    print(f"FAIL at position {difference['position']}: the chain recorded {difference['chained'] or 'nothing'}, "
          f"the store now gives {difference['recomputed'] or 'nothing'}")
    return 1


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # every file Linli writes (stores, WAL, backups, the secret) is its user's alone
    parser = argparse.ArgumentParser(prog="linli", description="邻里 Linli")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app (embedded SQLite by default)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    sub.add_parser("project", help="run the projection runner as its own process (PostgreSQL deployments)")
    rebuild = sub.add_parser("rebuild", help="drop the views and replay every event, with a progress bar")
    rebuild.add_argument("--chain", action="store_true",
                         help="also recompute the hash chain from the store as it is now (it is kept otherwise)")
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
    export = sub.add_parser("export", help="write a community's public events and chain digests as JSON Lines")
    export.add_argument("--community", required=True, metavar="ID",
                        help="the community (or a street or district, for their own events)")
    export.add_argument("--out", metavar="FILE", help="the file to write (default: standard output)")
    verify = sub.add_parser("verify", help="check an export (as tools/verify_linli.py does), or the store's chain")
    verify.add_argument("file", nargs="?", help="the file `linli export` wrote")
    verify.add_argument("--expect", action="append", default=[], metavar="POSITION:DIGEST",
                        help="a digest a page published: it must be the record's at that position")
    verify.add_argument("--figures", action="store_true", help="also print each fund's figures as re-derived")
    verify.add_argument("--store", action="store_true",
                        help="recompute the store's chain from its events and compare it with the chain's rows")
    args = parser.parse_args(argv)

    if args.command == "restore":
        return restore_store(Settings.from_env(), Path(args.folder), Path(args.keys), args.force)
    if args.command == "export":
        return export_place(Settings.from_env(), args.community, Path(args.out) if args.out else None)
    if args.command == "verify":
        if args.store == bool(args.file):
            parser.error("verify takes a FILE, or --store")
        return verify_store(Settings.from_env()) if args.store else verify_file(Path(args.file), args.expect,
                                                                                 args.figures)
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
            count = svc.runner.rebuild(progress=lambda done, total: progress_bar(done, total, started),
                                       everything=args.chain)
            sys.stderr.write("\n")
            print(f"rebuilt views from {count} events in {time.monotonic() - started:.2f}s"
                  + ("" if args.chain else " (the hash chain kept as it was; --chain recomputes it)"))
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
