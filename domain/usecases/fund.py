"""Use cases of the fund context (to be built)."""
from __future__ import annotations

from domain.usecases.base import UseCases


class FundUseCases(UseCases):
    """The fund use cases."""
