"""``POST /statements``: a second active record of a citizen ID in a staff category is refused
(422 ``invalid-data``, rule ``record.person_already_active`` on ``data.cid``, in Thai and
English) to the Tak HR officer whose scope does not cover the record that holds the place,
telling her neither that record's id, its LAO or province, nor the person's name; nothing is
appended. On a ledger without a vault (v1: the citizen ID in clear) and with one (v2: behind a
commitment, found through the vault's keyed index). (docs/personal-data.md, "Rules that read
another stream".)"""

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
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.conftest import NO_VAULT
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, build_kit, vault_settings
from tests.people import fresh_cid
from tests.unit.api.conftest import SESSION_SECRET
from tests.unit.api.http_kit import body, problem

NAME = {"prefix": "นาง", "first_name": "สมศรี", "last_name": "ทดสอบยาว"}
HIDDEN = ("6480101", "นครพนม", *NAME.values())


@pytest.fixture(params=["v1", "v2"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LedgerKit, TestClient]]:
    url = f"sqlite:///{tmp_path}/l.sqlite"
    settings: LedgerSettings
    if request.param == "v1":
        settings = LedgerSettings.model_validate({"database_url": url} | NO_VAULT)
    else:
        settings = vault_settings(url, tmp_path)
    settings = settings.model_copy(update={"session_secret": SESSION_SECRET})
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    with TestClient(create_app(settings, ledger)) as client:
        yield kit, client
    ledger.close()


def _sent(kit: LedgerKit, cid: str, category: str = "official") -> tuple[uuid.UUID, dict[str, Any]]:
    """The body of the Tak HR officer's ``RecordOpened`` of ``cid`` (with its disclosures on a
    v2 kit)."""
    stream = uuid.uuid4()
    data = d.record(TAK_LAO, cid=cid, category=category)
    signed = kit.sign(kit.other_hr, stream=stream, type="RecordOpened", data=data)
    disclosures = kit.disclosed.pop(signed.hash, None)
    sent = body(signed) | ({"disclosures": disclosures} if disclosures else {})
    return stream, sent


@pytest.fixture
def held(world: tuple[LedgerKit, TestClient]) -> tuple[str, uuid.UUID]:
    """A citizen ID and its record in service at Nakhon Phanom, named: it holds the place."""
    kit, _ = world
    cid, stream = fresh_cid(), uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, cid=cid))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.hr, stream, "PersonalDataRecorded", NAME)
    return cid, stream


def test_a_second_active_record_is_refused_naming_only_the_rule_and_field(
    world: tuple[LedgerKit, TestClient], held: tuple[str, uuid.UUID]
) -> None:
    (kit, client), (cid, record) = world, held
    before = kit.event_count()

    stream, sent = _sent(kit, cid)
    answer = client.post("/statements", json=sent)

    assert (422, "invalid-data") == problem(answer)
    payload = answer.json()
    assert "record.person_already_active" == payload["rule"]
    (error,) = payload["errors"]
    assert ("record.person_already_active", "data.cid") == (error["rule"], error["field"])
    assert "เลขประจำตัวประชาชนนี้มีทะเบียนประวัติ" in error["th"]
    assert "the citizen ID already has a personnel record" in error["en"]
    for hidden in (*HIDDEN, str(record), cid):
        assert hidden not in answer.text
    assert before == kit.event_count()
    assert 0 == kit.ledger.head(stream)[0]


def test_another_category_and_a_separated_record_are_accepted(
    world: tuple[LedgerKit, TestClient], held: tuple[str, uuid.UUID]
) -> None:
    (kit, client), (cid, record) = world, held

    assert 201 == client.post("/statements", json=_sent(kit, cid, "contract")[1]).status_code
    kit.emit(kit.hr, record, "Resigned", d.status_data("Resigned"), effective=date(2020, 1, 1))
    assert 201 == client.post("/statements", json=_sent(kit, cid)[1]).status_code
