"""Password hashing with argon2id; a dummy verify for unknown phones keeps timing even."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.kernel.errors import InvalidInputError

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("linli-dummy-password")


def hash_password(password: str) -> str:
    if not 8 <= len(password) <= 128:
        raise InvalidInputError("密码长度应为 8 到 128 个字符")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY, password[:128]) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
