"""References exist (issue 12, item 2): LAOs, provinces, units and holders a statement names are
registered, real and open, one behaviour each, through the ledger on in-memory SQLite."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import NATIONAL, Role, Scope, province_scope
from ledger.domain.positions import position_stream_id
from ledger.domain.provinces import PROVINCES, is_province
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator, first_rule
from tests.people import made_up_cid

LAO, OTHER = NAKHON_PHANOM_LAO, TAK_LAO
ORG = organization_stream_id(str(LAO.lao))
UNREGISTERED = LAO.model_copy(update={"lao": "6480199"})


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="references"))
    yield app
    app.close()


def province_hr(kit: LedgerKit) -> Operator:
    """An HR officer of the province of นครพนม: the scope covers LAOs nobody registered."""
    return kit.operator([Role.LAO_HR_OFFICER], province_scope(str(LAO.province)))


def active_record(kit: LedgerKit, **fields: Any) -> uuid.UUID:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, **fields))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


# The 77 provinces.


def test_the_provinces_are_the_77_official_names() -> None:
    """76 provinces and กรุงเทพมหานคร, each once, written in NFC."""
    assert 77 == len(set(PROVINCES)) == len(PROVINCES)
    assert "กรุงเทพมหานคร" in PROVINCES
    assert all(unicodedata.is_normalized("NFC", name) for name in PROVINCES)


def test_a_misspelt_province_is_no_province() -> None:
    """นครพนน is a typo of นครพนม, not a province."""
    assert (True, False) == (is_province("นครพนม"), is_province("นครพนน"))


def test_an_organization_registers_in_one_of_the_77_provinces(kit: LedgerKit) -> None:
    """DLA cannot register an LAO in a province that does not exist."""
    data = d.organization("6480199", "นครพนน")

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.admin, organization_stream_id("6480199"), "OrganizationRegistered", data)

    assert ("reference.unknown_province", "data.province") == first_rule(refused)


# Records.


def test_a_record_opens_in_a_registered_lao(kit: LedgerKit) -> None:
    """An LAO code nobody registered opens no record."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(province_hr(kit), uuid.uuid4(), "RecordOpened", d.record(UNREGISTERED))

    assert ("reference.lao_not_registered", "data.lao") == first_rule(refused)


@pytest.mark.parametrize("province", ["ตาก", "นครพนน"])
def test_a_record_names_the_province_of_its_lao(kit: LedgerKit, province: str) -> None:
    """The record's province is the one its LAO is registered in: not another, not a typo."""
    data = {**d.record(LAO), "province": province}

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, uuid.uuid4(), "RecordOpened", data)

    assert ("reference.lao_province", "data.province") == first_rule(refused)


def test_a_record_opens_in_no_merged_lao(kit: LedgerKit) -> None:
    """An LAO merged into another opens no new record."""
    neighbour = LAO.model_copy(update={"lao": "6480102"})
    kit.emit(kit.admin, organization_stream_id("6480102"), "OrganizationRegistered",
             d.organization("6480102", str(LAO.province)))  # fmt: skip
    kit.emit(kit.admin, organization_stream_id("6480102"), "OrganizationMerged", {"into": LAO.lao})

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(province_hr(kit), uuid.uuid4(), "RecordOpened", d.record(neighbour))

    assert ("reference.lao_merged", "data.lao") == first_rule(refused)


# Transfers.


def test_a_transfer_goes_to_a_registered_lao(kit: LedgerKit) -> None:
    """TransferredOut names a destination LAO that is registered."""
    stream = active_record(kit)
    data = d.status_data("TransferredOut", to_lao="6630199")

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "TransferredOut", data)

    assert ("reference.lao_not_registered", "data.to_lao") == first_rule(refused)


def test_a_transfer_names_the_province_of_its_destination(kit: LedgerKit) -> None:
    """The destination's province is the one it is registered in (or custody would go astray)."""
    stream = active_record(kit)
    data = d.status_data("TransferredOut", to_province="นครพนม")

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "TransferredOut", data)

    assert ("reference.lao_province", "data.to_province") == first_rule(refused)


def test_a_transfer_to_a_registered_lao_arrives(kit: LedgerKit) -> None:
    """The destination signs TransferredIn after a TransferredOut to it."""
    stream = active_record(kit)
    kit.emit(kit.hr, stream, "TransferredOut", d.status_data("TransferredOut"))

    kit.emit(kit.other_hr, stream, "TransferredIn", d.status_data("TransferredIn"))

    record = kit.ledger.aggregate(stream)
    assert (OTHER.lao, "active") == (record.lao, record.status)


# Units and positions.


def test_a_unit_hangs_under_an_open_unit(kit: LedgerKit) -> None:
    """OrgUnitCreated names a parent unit that exists and is open."""
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-2", parent="div-1"))

    assert ("reference.unit_not_open", "data.parent") == first_rule(refused)


def test_a_position_names_a_unit_of_its_lao(kit: LedgerKit) -> None:
    """A position's unit is a unit created in its organization."""
    data = d.position(LAO, "P-1", unit="div-9")

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, position_stream_id(str(LAO.lao), "P-1"), "PositionCreated", data)

    assert ("reference.unit_not_open", "data.unit") == first_rule(refused)


def test_a_position_names_no_closed_unit(kit: LedgerKit) -> None:
    """A closed unit takes no new position, nor a position moved into it."""
    kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-1"))
    kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-2"))
    stream = position_stream_id(str(LAO.lao), "P-1")
    kit.emit(kit.hr, stream, "PositionCreated", d.position(LAO, "P-1", unit="div-1"))
    kit.emit(kit.hr, ORG, "OrgUnitClosed", {"unit": "div-2", "reason": "ยุบรวม"})

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "PositionReclassified", {"unit": "div-2"})

    assert ("reference.unit_not_open", "data.unit") == first_rule(refused)


def test_a_holder_is_in_service(kit: LedgerKit) -> None:
    """A person who resigned holds no position."""
    stream = position_stream_id(str(LAO.lao), "P-1")
    kit.emit(kit.hr, stream, "PositionCreated", d.position(LAO, "P-1"))
    record = active_record(kit)
    kit.emit(kit.hr, record, "Resigned", d.status_data("Resigned"))

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "PositionHolderAssigned", {"record": str(record),
                                                           "order": d.order()})  # fmt: skip

    assert ("position.holder_status", "data.record") == first_rule(refused)


def test_a_holder_is_of_the_positions_category(kit: LedgerKit) -> None:
    """A teacher's position is held by a teacher's record."""
    stream = position_stream_id(str(LAO.lao), "P-1")
    kit.emit(kit.hr, stream, "PositionCreated", d.position(LAO, "P-1", category="teacher"))
    record = active_record(kit)

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "PositionHolderAssigned", {"record": str(record),
                                                           "order": d.order()})  # fmt: skip

    assert ("position.holder_category", "data.record") == first_rule(refused)


def test_a_holder_is_a_record_of_the_same_lao(kit: LedgerKit) -> None:
    """A record held by another LAO holds no position here: to an officer whose scope covers
    it, the rule names the LAO holding it; to one whose scope does not, it is no record."""
    stream = position_stream_id(str(LAO.lao), "P-1")
    kit.emit(kit.hr, stream, "PositionCreated", d.position(LAO, "P-1"))
    elsewhere = uuid.uuid4()
    kit.emit(kit.other_hr, elsewhere, "RecordOpened", d.record(OTHER))
    national = kit.operator([Role.LAO_HR_OFFICER], NATIONAL)
    holder = {"record": str(elsewhere), "order": d.order()}

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(national, stream, "PositionHolderAssigned", holder)
    with pytest.raises(InvalidDataError) as hidden:
        kit.emit(kit.hr, stream, "PositionHolderAssigned", holder)

    assert ("reference.holder_elsewhere", "data.record") == first_rule(refused)
    assert ("reference.holder_not_a_record", "data.record") == first_rule(hidden)
    assert str(OTHER.lao) not in str(hidden.value)


# Operators' scopes.


def _enrol(kit: LedgerKit, scope: Scope) -> None:
    kit.operator([Role.LAO_HR_OFFICER], scope, cid=made_up_cid(4242))


def test_a_province_scope_names_one_of_the_77(kit: LedgerKit) -> None:
    """An operator is not enrolled for a province that does not exist."""
    with pytest.raises(InvalidDataError) as refused:
        _enrol(kit, province_scope("นครพนน"))

    assert ("reference.unknown_province", "data.scope.province") == first_rule(refused)


def test_an_lao_scope_names_a_registered_lao(kit: LedgerKit) -> None:
    """An operator is not enrolled for an LAO nobody registered (lao:นครพนม:9999999)."""
    with pytest.raises(InvalidDataError) as refused:
        _enrol(kit, LAO.model_copy(update={"lao": "9999999"}))

    assert ("reference.lao_not_registered", "data.scope.lao") == first_rule(refused)


def test_an_lao_scope_names_the_province_of_its_lao(kit: LedgerKit) -> None:
    """An LAO scope with another province would let the wrong province's staff in."""
    with pytest.raises(InvalidDataError) as refused:
        _enrol(kit, LAO.model_copy(update={"province": "ตาก"}))

    assert ("reference.lao_province", "data.scope.province") == first_rule(refused)


def test_real_scopes_are_enrolled(kit: LedgerKit) -> None:
    """A registered LAO in its province, a province of the 77, the whole country: all enrol."""
    scopes = (LAO, province_scope("กรุงเทพมหานคร"), Scope(level="national"))

    enrolled = [kit.operator([Role.AUDITOR], scope, cid=made_up_cid(4300 + n)) for n, scope in
                enumerate(scopes)]  # fmt: skip

    registry = kit.ledger.registry(refresh=True)
    assert registry is not None
    found = [registry.enrolment(operator.signer.key_id) for operator in enrolled]
    assert list(scopes) == [enrolment.scope for enrolment in found if enrolment is not None]
