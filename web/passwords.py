"""Password hashing with argon2id; a dummy verify for unknown phones keeps timing even.

Each hash takes 64 MiB and tens of milliseconds on purpose, so at most `MAX_CONCURRENT` run at once and at most
`MAX_WAITING` more wait (a few seconds) for a turn: a flood of sign-ups or logins gets "busy, try again" (503 with
Retry-After) instead of taking the server's memory and every page with it."""
from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.kernel.errors import BusyError, InvalidInputError

MAX_CONCURRENT = 2
MAX_WAITING = 16
WAIT_SECONDS = 10.0
_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("linli-dummy-password")
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_queue = threading.BoundedSemaphore(MAX_CONCURRENT + MAX_WAITING)


def check_password(password: str) -> str:
    """A password people may choose: 8 to 128 characters (checked before any hashing)."""
    if not 8 <= len(password) <= 128:
        raise InvalidInputError("密码长度应为 8 到 128 个字符")
    return password


def hash_password(password: str) -> str:
    check_password(password)
    with _slot():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    with _slot():
        try:
            return _hasher.verify(password_hash or _DUMMY, password[:128]) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


class _slot:
    """One of the few hashing slots: BusyError at once when too many already wait, or after a wait too long."""

    def __enter__(self) -> None:
        if not _queue.acquire(blocking=False):
            raise BusyError()
        if not _slots.acquire(timeout=WAIT_SECONDS):
            _queue.release()
            raise BusyError()

    def __exit__(self, *exc: object) -> None:
        _slots.release()
        _queue.release()
