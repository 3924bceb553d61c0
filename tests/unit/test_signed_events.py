"""Signed events: typed data models, stored topics, and appending from the ledger's own parse."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from eventsourcing.domain import OriginatorVersionError
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from ledger.domain.base import LedgerEvent
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import EducationAddedData
from ledger.domain.signed import SignedCreated, SignedFields
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, offline_chain

MODULE_OF = {
    "OperatorRegistry": "ledger.domain.operators",
    "PersonnelRecord": "ledger.domain.personnel",
    "Organization": "ledger.domain.organizations",
    "Position": "ledger.domain.positions",
    "CertificationCycle": "ledger.domain.certification",
    "DevelopmentPlan": "ledger.domain.eplan",
    "PlanProject": "ledger.domain.eplan",
    "Subsidy": "ledger.domain.eplan",
    "Certificate": "ledger.domain.certificates",
}
"""Where each aggregate has always lived: its events' stored topics name this module."""

RECORD_EVENTS: list[tuple[str, dict[str, Any]]] = [
    ("RecordOpened", d.record(NAKHON_PHANOM_LAO)),
    ("EducationAdded", d.education()),
    ("EmploymentStarted", d.status_data("EmploymentStarted")),
    ("EducationAdded", d.education(1)),
    ("EntryCorrected", {"supersedes": 2, "reason": "สะกดผิด", "replacement": d.education(2)}),
    ("EntryVoided", {"entry": 4, "reason": "บันทึกซ้ำ"}),
    ("Suspended", d.status_data("Suspended")),
]


def _fields(signed: SignedStatement, *, with_parse: bool) -> SignedFields:
    parsed = None
    if with_parse:
        data = EVENT_TYPES[signed.statement.type].data_model.model_validate(signed.statement.data)
        parsed = (signed.statement, data)
    text = signed.canonical.decode("utf-8")
    return SignedFields(text, signed.signature.hex(), signed.hash, parsed)


def _appended(chain: list[SignedStatement], *, with_parse: bool) -> PersonnelRecord:
    first, *rest = chain
    record = PersonnelRecord.open(
        first.statement.stream,
        PersonnelRecord.RecordOpened,
        _fields(first, with_parse=with_parse),
    )
    for signed in rest:
        event_class = EVENT_TYPES[signed.statement.type].event_class
        record.record(event_class, _fields(signed, with_parse=with_parse))
    return record


def _replayed(events: list[Any]) -> Any:
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


@pytest.mark.parametrize("with_parse", [True, False], ids=["handed-over", "parsed"])
def test_an_appended_stream_equals_its_replay(with_parse: bool) -> None:
    """open/record build the same state the library's replay of the stored events builds."""
    record = _appended(offline_chain(RECORD_EVENTS), with_parse=with_parse)

    events = record.collect_events()

    assert _replayed(list(events)) == record
    assert 7 == record.version
    assert events[-1].hash == record.head_hash


def test_an_event_types_data_model_is_its_type_argument() -> None:
    """An event type's Data is the data model its base names, and its hooks see that type."""
    assert EducationAddedData is PersonnelRecord.EducationAdded.Data
    assert all(issubclass(spec.data_model, BaseModel) for spec in EVENT_TYPES.values())


def test_an_event_type_naming_two_data_models_is_refused() -> None:
    """A type argument list that names two data models is an error when the type is defined."""

    class First(BaseModel):
        pass

    class Second(BaseModel):
        pass

    with pytest.raises(TypeError, match="more than one data model"):

        class Confused(LedgerEvent[Any, First], SignedCreated[Any, Second]):
            pass


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_stored_topics_name_the_aggregates_modules(name: str) -> None:
    """Every event type's stored topic stays module:Aggregate.Event, and resolves back."""
    spec = EVENT_TYPES[name]
    aggregate = spec.aggregate.__name__
    expected = f"{MODULE_OF[aggregate]}:{aggregate}.{name}"

    topic = get_topic(spec.event_class)

    assert expected == topic
    assert spec.event_class is resolve_topic(topic)
    assert f"{MODULE_OF[aggregate]}:{aggregate}" == get_topic(spec.aggregate)


def test_an_event_out_of_sequence_is_refused() -> None:
    """mutate_parsed keeps the library's check that an event is the next in its stream."""
    chain = offline_chain(RECORD_EVENTS[:3])
    record = _appended(chain[:1], with_parse=True)
    third = PersonnelRecord.EmploymentStarted(
        **_fields(chain[2], with_parse=False).as_kwargs(),
        originator_id=record.id,
        originator_version=3,
        timestamp=datetime.now(UTC),
    )

    with pytest.raises(OriginatorVersionError):
        third.mutate_parsed(record, None)
