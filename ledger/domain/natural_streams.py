"""The opening events whose stream is named by their data: an organization by its DLA code, a
position by its LAO and number, a certification cycle, a plan, a subsidy by their natural keys
(``ledger.domain.*_stream_id``). The ledger refuses such an opening on any other stream, so a
draft of one leaves its stream to be derived from the data it is given (``ledger submit``),
and its schema names the fields that derive it (``x-stream.derived_from``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.certification import certification_stream_id
from ledger.domain.eplan_data import plan_stream_id, subsidy_stream_id
from ledger.domain.organizations import organization_stream_id
from ledger.domain.positions import position_stream_id


@dataclass(frozen=True, slots=True)
class NaturalStream:
    """The fields of the data that name the stream, and how they name it."""

    fields: tuple[str, ...]
    stream_id: Callable[..., UUID]


NATURAL_STREAMS: dict[str, NaturalStream] = {
    "OrganizationRegistered": NaturalStream(("code",), organization_stream_id),
    "PositionCreated": NaturalStream(("lao", "number"), position_stream_id),
    "CycleOpened": NaturalStream(("lao", "cycle"), certification_stream_id),
    "PlanDrafted": NaturalStream(("lao", "first_year", "last_year"), plan_stream_id),
    "SubsidyAllocated": NaturalStream(("lao", "fiscal_year", "kind", "item"), subsidy_stream_id),
}
"""Opening event type -> the natural key of its stream."""


def derived_stream(event_type: str, data: Any) -> UUID | None:
    """The stream the data of an opening event names, or None when the type's stream is not
    named by its data. Raises pydantic's ``ValidationError`` for data the model refuses."""
    natural = NATURAL_STREAMS.get(event_type)
    if natural is None:
        return None
    parsed = EVENT_TYPES[event_type].data_model.model_validate(data)
    return natural.stream_id(*(getattr(parsed, name) for name in natural.fields))


__all__ = ["NATURAL_STREAMS", "NaturalStream", "derived_stream"]
