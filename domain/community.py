"""The administrative hierarchy: district (区) → street (街道) → community (社区)."""
from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import stable_id


class District(Aggregate):
    """A district (区), identified by its code."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("district", code)

    @classmethod
    def create_id(cls, code: str, name: str) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str) -> None:
        self.code = code
        self.name = name


class Street(Aggregate):
    """A street office's area (街道) within a district."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("street", code)

    @classmethod
    def create_id(cls, code: str, name: str, district_id: UUID) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str, district_id: UUID) -> None:
        self.code = code
        self.name = name
        self.district_id = district_id


class Community(Aggregate):
    """A residents' community (社区) within a street."""

    @staticmethod
    def id_for(code: str) -> UUID:
        return stable_id("community", code)

    @classmethod
    def create_id(cls, code: str, name: str, street_id: UUID, district_id: UUID) -> UUID:
        return cls.id_for(code)

    @event("Founded")
    def __init__(self, code: str, name: str, street_id: UUID, district_id: UUID) -> None:
        self.code = code
        self.name = name
        self.street_id = street_id
        self.district_id = district_id
