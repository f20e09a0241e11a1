"""Use cases of the volunteer context (to be built)."""
from __future__ import annotations

from domain.usecases.base import UseCases


class VolunteerUseCases(UseCases):
    """The volunteer use cases."""
