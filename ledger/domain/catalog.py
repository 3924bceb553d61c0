"""The catalogue of event types: a statement's ``type`` -> its aggregate, event class and rules."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ledger.domain.operators import OperatorRegistry
from ledger.domain.permissions import Role
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.signed import SignedAggregate

AGGREGATES: tuple[type[SignedAggregate], ...] = (OperatorRegistry, PersonnelRecord)


@dataclass(frozen=True, slots=True)
class EventType:
    """What the ledger needs to know to accept a statement of one type."""

    name: str
    aggregate: type[SignedAggregate]
    event_class: type[SignedAggregate.Event]
    data_model: type[BaseModel]
    roles: frozenset[Role]

    @property
    def opens_stream(self) -> bool:
        return issubclass(self.event_class, SignedAggregate.Created)


def _collect() -> dict[str, EventType]:
    types: dict[str, EventType] = {}
    for aggregate in AGGREGATES:
        for name, member in vars(aggregate).items():
            if (
                isinstance(member, type)
                and issubclass(member, SignedAggregate.Event)
                and getattr(member, "Data", None) is not None
            ):
                if name in types:
                    raise RuntimeError(f"event type {name} is declared twice")
                types[name] = EventType(
                    name=name,
                    aggregate=aggregate,
                    event_class=member,
                    data_model=member.Data,
                    roles=member.roles,
                )
    return types


EVENT_TYPES: dict[str, EventType] = _collect()
"""Every event type a statement may name, by name."""
