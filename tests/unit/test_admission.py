"""Admission checks a batch on the streams it is handed; it asks storage through callables only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ledger.admission import Accepted, Admission, FindReceipt, LoadStreams, Receipt, Streams
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.organizations import organization_stream_id
from ledger.domain.personnel import PersonnelRecord
from ledger.errors import StaleVersionError
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, education_data

LAO = NAKHON_PHANOM_LAO


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="admission"))
    yield app
    app.close()


def _no_streams(streams: set[uuid.UUID]) -> Streams:
    raise AssertionError(f"storage asked for {streams}")


def _no_receipt(item: SignedStatement) -> Receipt | None:
    raise AssertionError(f"storage asked for the receipt of {item.hash}")


def _admission(
    kit: LedgerKit,
    working: Streams,
    *,
    load_streams: LoadStreams = _no_streams,
    find_receipt: FindReceipt = _no_receipt,
) -> Admission:
    ledger = kit.ledger
    return Admission(
        ledger.settings,
        ledger.registry_id,
        ledger.registry(),
        working,
        load_streams=load_streams,
        find_receipt=find_receipt,
    )


def test_a_statement_on_a_loaded_stream_needs_no_storage(kit: LedgerKit) -> None:
    """A statement on a loaded stream is admitted without a read and recorded on that stream."""
    stream = kit.open_record()
    working = kit.ledger.load([stream])
    signed = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data())
    admission = _admission(kit, working)

    accepted = admission.admit([signed], admission.preload_related([signed]))

    assert [Accepted(signed)] == accepted
    record = working[stream]
    assert isinstance(record, PersonnelRecord)
    assert 1 == len(record.pending_events)


def test_a_resubmitted_statement_gets_the_receipt_storage_finds(kit: LedgerKit) -> None:
    """A statement behind its stream's head is admitted with the receipt storage finds for it."""
    stream = kit.open_record()
    signed = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data())
    receipt = kit.submit(signed)
    working = kit.ledger.load([stream])
    admission = _admission(kit, working, find_receipt=lambda item: receipt)

    accepted = admission.admit([signed], [None])

    assert [Accepted(signed, receipt)] == accepted


def test_a_statement_behind_the_head_storage_does_not_hold_is_stale(kit: LedgerKit) -> None:
    """A statement behind its stream's head that storage does not hold is a stale version."""
    stream = kit.open_record()
    signed = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data())
    kit.emit(kit.hr, stream, "EducationAdded", education_data(1))
    working = kit.ledger.load([stream])
    admission = _admission(kit, working, find_receipt=lambda item: None)

    with pytest.raises(StaleVersionError):
        admission.admit([signed], [None])


def test_the_streams_a_rule_reads_are_loaded_through_the_callable(kit: LedgerKit) -> None:
    """The streams the domain's rules read are asked of storage in one call, then checked."""
    organization = organization_stream_id(str(LAO.lao))  # registered by the kit
    stream = certification_stream_id(str(LAO.lao), "2562")
    signed = kit.sign(kit.admin, stream=stream, type="CycleOpened", data=d.cycle(LAO, "2562"))
    asked: list[set[uuid.UUID]] = []

    def load_streams(streams: set[uuid.UUID]) -> Streams:
        asked.append(streams)
        return kit.ledger.load(streams)

    admission = _admission(kit, {stream: None}, load_streams=load_streams)

    accepted = admission.admit([signed], admission.preload_related([signed]))

    assert [{organization}] == asked
    assert [Accepted(signed)] == accepted
