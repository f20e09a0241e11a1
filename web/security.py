"""ASGI middleware for every response: security headers, a body-size limit and the CSRF cookie."""
from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "linli_csrf"

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


class SecurityMiddleware:
    """Adds the headers, refuses oversized bodies with 413, and gives each browser a CSRF token."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, secure_cookies: bool) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.secure = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await _plain(send, 413, "请求内容过大 (request too large)")
            return

        # Starlette's parser (what `request.cookies` uses): the standard library's SimpleCookie took a sixth of a
        # sign-up's server time under load.
        token = cookie_parser(headers.get(b"cookie", b"").decode("latin-1")).get(CSRF_COOKIE, "")
        new_token = not (16 <= len(token) <= 100 and token.replace("-", "").replace("_", "").isalnum())
        if new_token:
            token = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf"] = token

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                h = MutableHeaders(scope=message)
                h.setdefault("Content-Security-Policy", CSP)
                h.setdefault("X-Content-Type-Options", "nosniff")
                h.setdefault("X-Frame-Options", "DENY")
                h.setdefault("Referrer-Policy", "same-origin")
                h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if h.get("content-type", "").startswith("text/html"):
                    h.setdefault("Cache-Control", "no-store")
                if new_token:
                    secure = "; Secure" if self.secure or scope.get("scheme") == "https" else ""
                    h.append("Set-Cookie", f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            await _plain(send, 413, "请求内容过大 (request too large)")


class BodyTooLarge(Exception):
    """The body grew past the limit while streaming in."""


async def _plain(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                            (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body})
