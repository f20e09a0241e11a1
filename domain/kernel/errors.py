"""Named domain errors. Each carries a Chinese message (also the gettext msgid) and its parameters."""
from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused a command; nothing was saved."""

    message = "操作未能完成"
    status = 400

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.message = message or type(self).message
        self.params = params
        super().__init__(self.text())

    def text(self) -> str:
        try:
            return self.message.format(**self.params)
        except (KeyError, IndexError, ValueError):
            return self.message


class InvalidInputError(DomainError):
    """A value given to a command is malformed or out of range."""

    message = "输入有误"
    status = 422


class NotFoundError(DomainError):
    """The thing a command names does not exist (or is not visible to the caller)."""

    message = "找不到该记录"
    status = 404


class NotAllowedError(DomainError):
    """The caller's role or the object's state does not permit this command."""

    message = "您没有权限进行此操作"
    status = 403


class ConflictError(DomainError):
    """The command clashes with the current state (duplicate, wrong phase, limit reached)."""

    message = "该操作与当前状态冲突"
    status = 409


class BusyError(DomainError):
    """Too many concurrent changes to the same record; the caller may retry."""

    message = "系统繁忙，请稍后重试"
    status = 503
