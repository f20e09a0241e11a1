"""The HTTP reference: a bare Starlette POST that reads the form and makes one durable SQLite insert (WAL,
synchronous=FULL) in the threadpool, as Linli's actions run, answering with a small HTML fragment.
Served by bench/load.py: python -m uvicorn bench.bare:app (BARE_DB names the SQLite file)."""
from __future__ import annotations

import json
import os
import sqlite3
import threading

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

DB = os.environ.get("BARE_DB", "bare.sqlite3")
_local = threading.local()


def _connection() -> sqlite3.Connection:
    """One connection per threadpool thread, in WAL with synchronous=FULL (durable on COMMIT)."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DB, isolation_level=None, timeout=10, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("CREATE TABLE IF NOT EXISTS sign_ups (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        _local.conn = conn
    return conn


def _insert(body: str) -> None:
    conn = _connection()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO sign_ups (body) VALUES (?)", (body,))
    conn.execute("COMMIT")


async def sign_up(request: Request) -> HTMLResponse:
    form = await request.form()
    await run_in_threadpool(_insert, json.dumps(dict(form), ensure_ascii=False))
    return HTMLResponse('<p class="flash" role="status">报名成功，感谢您的参与！</p>')


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/signup", sign_up, methods=["POST"]), Route("/healthz", health)])
