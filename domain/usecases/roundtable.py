"""Use cases of the roundtable context (to be built)."""
from __future__ import annotations

from domain.usecases.base import UseCases


class RoundtableUseCases(UseCases):
    """The roundtable use cases."""
