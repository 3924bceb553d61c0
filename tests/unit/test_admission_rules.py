"""Where a statement goes: a new stream opens with an opening event type (else it is not
found), an opening event type opens nothing that exists, and an event type applies to its own
kind of stream. Each refusal names its rule and the field ``stream``, in Thai and English."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ledger.application import Ledger
from ledger.domain.organizations import organization_stream_id
from ledger.errors import InvalidDataError, UnseenStreamError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, first_rule

LAO = NAKHON_PHANOM_LAO
ORG = organization_stream_id(str(LAO.lao))
ABILITY = {"ability": "ภาษาลาว"}


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    with Ledger(LedgerSettings(database_url="sqlite:///:memory:")) as fresh:
        yield fresh


def test_a_new_stream_opens_with_an_opening_event(kit: LedgerKit) -> None:
    """A stream not opened is not found (as one outside the signer's scope would be), and the
    refusal names what opens a stream of the event's kind."""
    with pytest.raises(UnseenStreamError) as refused:
        kit.emit(kit.hr, uuid.uuid4(), "AbilityRecorded", ABILITY)

    violation = refused.value.violations[0]
    assert ("stream.not_found", "stream") == (violation.id, violation.field)
    assert "RecordOpened" in violation.th


def test_an_opening_event_opens_no_stream_that_exists(kit: LedgerKit) -> None:
    data = d.organization(str(LAO.lao), str(LAO.province))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.admin, ORG, "OrganizationRegistered", data)

    assert ("stream.already_open", "stream") == first_rule(refused)


def test_an_event_applies_to_its_own_kind_of_stream(kit: LedgerKit) -> None:
    """A ก.พ.๗ entry sent to an LAO's stream is refused, naming both kinds in Thai."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, ORG, "AbilityRecorded", ABILITY)

    assert ("stream.wrong_kind", "stream") == first_rule(refused)
    thai = refused.value.violations[0].th
    assert "ทะเบียนประวัติ" in thai
    assert "องค์กรปกครองส่วนท้องถิ่น" in thai


def test_an_unknown_event_type_is_named(kit: LedgerKit) -> None:
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, uuid.uuid4(), "NoSuchEvent", {})

    assert ("schema.unknown_type", "type") == first_rule(refused)
