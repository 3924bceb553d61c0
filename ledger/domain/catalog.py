"""The catalogue of event types: a statement's ``type`` -> its aggregate, event class and rules.

``AGGREGATES`` lists every aggregate; event type names are unique across them.
``permission_matrix`` answers which role may emit which event type (DOMAIN.md section 5.3);
the README's table is ``permission_table()``. Beyond its roles, the ledger checks that the
signer's scope covers the aggregate's target and the aggregate's own permission rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from ledger.domain.certificates import Certificate
from ledger.domain.certification import CertificationCycle
from ledger.domain.eplan import DevelopmentPlan, PlanProject, Subsidy
from ledger.domain.operators import OperatorRegistry
from ledger.domain.organizations import Organization
from ledger.domain.permissions import Role
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.positions import Position
from ledger.domain.signed import SignedAggregate, SignedEvent

AGGREGATES: tuple[type[SignedAggregate], ...] = (
    OperatorRegistry,
    PersonnelRecord,
    Organization,
    Position,
    CertificationCycle,
    DevelopmentPlan,
    PlanProject,
    Subsidy,
    Certificate,
)


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
                and issubclass(member, SignedEvent)
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


def permission_matrix() -> dict[Role, list[str]]:
    """Role -> the event types it may emit (in catalogue order); roles emitting none map to []."""
    return {
        role: [name for name, spec in EVENT_TYPES.items() if role in spec.roles] for role in Role
    }


def permission_table() -> str:
    """The permission matrix as a Markdown table, one row per role (the README shows it)."""
    lines = ["| role | may emit |", "|---|---|"]
    for role, types in permission_matrix().items():
        lines.append(f"| `{role.value}` | {', '.join(types) if types else '(reads only)'} |")
    return "\n".join(lines) + "\n"
