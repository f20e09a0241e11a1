"""Request logs without personal data: method, route path (never the query string, where searches live), status,
duration and a request id (also sent as `X-Request-Id`). Newlines in anything logged are escaped, so input can
never forge a log line. One JSON object per line with `LINLI_LOG_JSON=1`."""
from __future__ import annotations

import json
import logging
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("linli.access")


def clean(text: str, limit: int = 200) -> str:
    """Text safe for one log line: control characters escaped, bounded."""
    return text[:limit].encode("unicode_escape").decode("ascii")


class AccessLogMiddleware:
    """One line per request, after the response."""

    def __init__(self, app: ASGIApp, as_json: bool = False) -> None:
        self.app = app
        self.as_json = as_json

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or clean(scope.get("path", ""))
            seconds = time.perf_counter() - started
            fields = {"request_id": request_id, "method": scope.get("method", ""), "path": path, "status": status,
                      "ms": round(seconds * 1000, 1)}
            metrics = getattr(getattr(scope.get("app"), "state", None), "metrics", None)
            if metrics is not None:
                metrics.observe(getattr(route, "path", None) or "(no route)", status, seconds)
            log.info(json.dumps(fields) if self.as_json else "{request_id} {method} {path} {status} {ms}ms".format(
                **fields))
