"""A statement whose rule reads another stream (a certificate's record, a position's holder, a
record owner's enrolment record) tells a signer whose scope does not cover that record no more
than it tells her of a record that does not exist: the same status, rule and words, and never
the LAO or province holding it, nor that it has an owner's key, nor that it was erased; nor is
an officer's key in another province named to the admin enrolling her again.

Before, the Tak HR officer naming a record of LAO 6480101 in a certificate or as a position's
holder was told ``the record is held by LAO 6480101`` (where the person works); a DLA admin of
one province enrolling an owner by a record of another was told the record's LAO and province,
or its owner's key id, or an officer's active key there; and a record erased in another LAO was
answered 404 ``stream-not-found`` naming the new certificate's stream (410 was meant, which
says the same: the record exists and was erased).
(docs/personal-data.md, "Rules that read another stream".)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.domain.positions import position_stream_id
from ledger.genesis import enrolment_data
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    SOFTWARE,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    enrol,
    record_data,
    vault_settings,
)
from tests.people import made_up_cid
from tests.unit.api.conftest import SESSION_SECRET
from tests.unit.api.http_kit import body, problem

ERASURE = {"legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33", "reason": "เจ้าของขอลบ"}
HIDDEN = ("6480101", "นครพนม")
"""What a refusal to a signer of ตาก must not name: the LAO and province holding the record."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[LedgerKit, TestClient]]:
    """A ledger with a vault (owners are enrolled by record there) and its API."""
    settings = vault_settings(f"sqlite:///{tmp_path}/v.sqlite", tmp_path).model_copy(
        update={"session_secret": SESSION_SECRET}
    )
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    with TestClient(create_app(settings, ledger)) as client:
        yield kit, client
    ledger.close()


def _record_in_service(kit: LedgerKit) -> uuid.UUID:
    """A named record of LAO 6480101 in service with a salary line: certifiable there."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(next(kit.seeds))))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.hr, stream, "PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"])
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry())
    return stream


def _erased(kit: LedgerKit) -> uuid.UUID:
    stream = _record_in_service(kit)
    kit.emit(kit.hr, stream, "PersonErased", ERASURE)
    return stream


def _answers(
    client: TestClient, sign: Any, named: uuid.UUID, missing: uuid.UUID
) -> tuple[Any, Any]:
    """The answers to the statement ``sign`` makes naming ``named`` and naming ``missing``."""
    outside = client.post("/statements", json=body(sign(named)))
    nowhere = client.post("/statements", json=body(sign(missing)))
    return outside, nowhere


def _alike(outside: Any, nowhere: Any, named: uuid.UUID, missing: uuid.UUID) -> None:
    """The two answers are the same but for the record id each named (the caller's own)."""
    assert problem(outside) == problem(nowhere)
    assert outside.text.replace(str(named), "<record>") == nowhere.text.replace(
        str(missing), "<record>"
    )
    for hidden in HIDDEN:
        assert hidden not in outside.text


def _certificate(
    kit: LedgerKit, record: uuid.UUID, operator: Operator | None = None, scope: Scope = TAK_LAO
) -> SignedStatement:
    """A salary certificate of ``record`` issued by the LAO of ``scope`` (by default the Tak
    HR officer's, for her own LAO)."""
    data = d.certificate(record) | {"lao": scope.lao, "province": scope.province}
    return kit.sign(
        operator or kit.other_hr,
        stream=uuid.uuid4(),
        type="CertificateIssued",
        data=data,
        effective=date(2019, 5, 1),
    )


@pytest.mark.parametrize("erased", [False, True])
def test_a_certificate_of_another_laos_record_is_answered_as_of_no_record(
    world: tuple[LedgerKit, TestClient], erased: bool
) -> None:
    """Live or erased (not 410 person-erased: the erasure is told only to whoever may see
    the record), another LAO's record is no record to certify."""
    kit, client = world
    record = _erased(kit) if erased else _record_in_service(kit)
    missing = uuid.uuid4()

    outside, nowhere = _answers(client, lambda r: _certificate(kit, r), record, missing)

    assert (422, "invalid-data") == problem(outside)
    assert "certificate.record_missing" == outside.json()["rule"]
    _alike(outside, nowhere, record, missing)


def test_another_laos_record_holds_no_position_and_is_not_located(
    world: tuple[LedgerKit, TestClient],
) -> None:
    kit, client = world
    record = _record_in_service(kit)
    position = position_stream_id(str(TAK_LAO.lao), "P-1")
    kit.emit(kit.other_hr, position, "PositionCreated", d.position(TAK_LAO, "P-1"))
    missing = uuid.uuid4()

    def assign(holder: uuid.UUID) -> SignedStatement:
        data = {"record": str(holder), "order": d.order()}
        return kit.sign(kit.other_hr, stream=position, type="PositionHolderAssigned", data=data)

    outside, nowhere = _answers(client, assign, record, missing)

    assert (422, "invalid-data") == problem(outside)
    assert "reference.holder_not_a_record" == outside.json()["rule"]
    _alike(outside, nowhere, record, missing)


def test_a_province_admin_enrolling_by_another_provinces_record_learns_nothing_of_it(
    world: tuple[LedgerKit, TestClient],
) -> None:
    """Neither the record's LAO and province (operator.owner_scope) nor its owner's active
    key (operator.record_active_key): the answer of a record that does not exist."""
    kit, client = world
    tak = Scope(level="province", province=TAK_LAO.province)
    admin = kit.operator([Role.DLA_ADMIN], tak)
    record = _record_in_service(kit)
    missing = uuid.uuid4()

    def enrolment(named: uuid.UUID) -> SignedStatement:
        data = enrolment_data(
            cid=None,
            public_key=Operator(cid=None).signer.public_key,
            roles=[Role.RECORD_OWNER],
            scope=tak,
            storage=SOFTWARE,
            record=named,
        )
        return kit.sign(admin, stream=kit.ledger.registry_id, type="OperatorEnrolled", data=data)

    for owned in (False, True):
        if owned:
            enrol(kit, Operator(cid=None), [Role.RECORD_OWNER], NAKHON_PHANOM_LAO, record=record)
        outside, nowhere = _answers(client, enrolment, record, missing)

        assert (422, "invalid-data") == problem(outside)
        assert "operator.owner_record" == outside.json()["rule"]
        _alike(outside, nowhere, record, missing)


def test_a_province_admin_is_not_told_an_officers_key_elsewhere(
    world: tuple[LedgerKit, TestClient],
) -> None:
    """One active key per officer: a DLA admin of ตาก enrolling an officer who holds a key in
    นครพนม is refused, told that there is a key outside her scope, neither which nor where."""
    kit, client = world
    admin = kit.operator([Role.DLA_ADMIN], Scope(level="province", province=TAK_LAO.province))
    cid = made_up_cid(next(kit.seeds))
    officer = kit.operator([Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO, cid=cid)
    data = enrolment_data(
        cid=cid,
        public_key=Operator(cid=cid).signer.public_key,
        roles=[Role.LAO_HR_OFFICER],
        scope=TAK_LAO,
        storage=SOFTWARE,
    )
    signed = kit.sign(admin, stream=kit.ledger.registry_id, type="OperatorEnrolled", data=data)

    response = client.post("/statements", json=body(signed))

    assert (422, "invalid-data") == problem(response)
    assert "operator.active_key_elsewhere" == response.json()["rule"]
    assert officer.signer.key_id not in response.text
    for hidden in HIDDEN:
        assert hidden not in response.text


def test_in_scope_the_refusals_still_say_where_and_why(
    world: tuple[LedgerKit, TestClient],
) -> None:
    """The record's own LAO is told its erasure (410); an HR officer whose scope covers both
    LAOs is told which LAO holds a holder's record."""
    kit, client = world
    erased = _erased(kit)
    own = _certificate(kit, erased, kit.hr, NAKHON_PHANOM_LAO)
    assert (410, "person-erased") == problem(client.post("/statements", json=body(own)))

    record = _record_in_service(kit)
    position = position_stream_id(str(TAK_LAO.lao), "P-9")
    kit.emit(kit.other_hr, position, "PositionCreated", d.position(TAK_LAO, "P-9"))
    national_hr = kit.operator([Role.LAO_HR_OFFICER], NATIONAL)
    data = {"record": str(record), "order": d.order()}
    signed = kit.sign(national_hr, stream=position, type="PositionHolderAssigned", data=data)

    response = client.post("/statements", json=body(signed))

    assert (422, "invalid-data") == problem(response)
    assert "reference.holder_elsewhere" == response.json()["rule"]
    assert "6480101" in response.text
