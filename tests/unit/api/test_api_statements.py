"""POST /statements and /statements/batch: receipts, safe retries, every rejection's status."""

from __future__ import annotations

import json
import logging
import uuid

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

from ledger.domain.permissions import NATIONAL
from ledger.genesis import now
from ledger.signing import sign_statement
from ledger.statement import SignerRef, build_statement
from tests.ledger_kit import (
    SOFTWARE,
    TAK_LAO,
    LedgerKit,
    Operator,
    education_data,
    record_data,
)
from tests.people import PERSON_CID, made_up_cid
from tests.unit.api.http_kit import b64, body, problem, receipt_json, revoke


def test_submit_answers_201_with_the_receipt(client: TestClient, kit: LedgerKit) -> None:
    """An accepted statement answers 201 with its log position, stream, version and hash."""
    stream = uuid.uuid4()
    signed = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())

    response = client.post("/statements", json=body(signed))

    assert response.status_code == 201
    assert response.json() == {
        "notification_id": kit.event_count(),
        "stream": str(stream),
        "version": 1,
        "hash": signed.hash,
    }


def test_resubmission_answers_the_first_receipt(client: TestClient, kit: LedgerKit) -> None:
    """Resubmitting a signed statement answers 201 and the first receipt, appending nothing."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    first = client.post("/statements", json=body(signed))
    count = kit.event_count()

    again = client.post("/statements", json=body(signed))

    assert (201, first.json()) == (again.status_code, again.json())
    assert count == kit.event_count()


def test_batch_answers_one_receipt_per_item(client: TestClient, kit: LedgerKit) -> None:
    """A batch that opens a record and adds to it answers both receipts, in order."""
    stream = uuid.uuid4()
    opened = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    education = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(),
        expected_version=1,
        prev_hash=opened.hash,
    )

    response = client.post("/statements/batch", json={"items": [body(opened), body(education)]})

    assert response.status_code == 201
    assert [(r["version"], r["hash"]) for r in response.json()] == [
        (1, opened.hash),
        (2, education.hash),
    ]


def test_rejected_batch_appends_nothing(client: TestClient, kit: LedgerKit) -> None:
    """One bad item rejects the whole batch with that item's problem."""
    stream = uuid.uuid4()
    opened = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    unchained = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(),
        expected_version=1,
        prev_hash="ab" * 32,
    )
    count = kit.event_count()

    response = client.post("/statements/batch", json={"items": [body(opened), body(unchained)]})

    assert problem(response) == (409, "broken-chain")
    assert count == kit.event_count()


def test_stale_version_is_409(client: TestClient, kit: LedgerKit) -> None:
    """Two edits signed against the same head: the second is stale."""
    stream = kit.open_record()
    first = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1))
    second = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(2))
    client.post("/statements", json=body(first))

    response = client.post("/statements", json=body(second))

    assert problem(response) == (409, "stale-version")
    assert "expects version 1, the stream is at version 2" in response.json()["detail"]


def test_broken_chain_is_409(client: TestClient, kit: LedgerKit) -> None:
    """A prev_hash that is not the stream's head hash breaks the chain."""
    stream = kit.open_record()
    signed = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(),
        expected_version=1,
        prev_hash="ab" * 32,
    )

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (409, "broken-chain")


def test_unknown_key_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A key nobody enrolled cannot sign."""
    stranger = Operator(cid=made_up_cid(21))
    signed = kit.sign(stranger, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (401, "unknown-key")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_bad_signature_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A signature by another key under the HR officer's key id does not verify."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    forged = Operator(cid=kit.hr.cid).signer.sign(b"\x00" * 32)

    response = client.post("/statements", json={**body(signed), "signature": b64(forged)})

    assert problem(response) == (401, "bad-signature")


def test_revoked_key_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A revoked key signs nothing new."""
    revoke(kit, kit.hr)
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (401, "revoked-key")


def test_role_that_may_not_emit_is_403(client: TestClient, kit: LedgerKit) -> None:
    """A DLA admin may not write personnel facts."""
    signed = kit.sign(
        kit.admin, stream=uuid.uuid4(), type="RecordOpened", data=record_data(NATIONAL)
    )

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (403, "forbidden")
    assert "may not emit it" in response.json()["detail"]


def test_out_of_scope_statement_is_403(client: TestClient, kit: LedgerKit) -> None:
    """An HR officer of one LAO may not open a record in another LAO."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(TAK_LAO))

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (403, "forbidden")
    assert "does not cover" in response.json()["detail"]


def test_invalid_data_is_422(client: TestClient, kit: LedgerKit) -> None:
    """A citizen ID with a wrong check digit fails the event's data model."""
    wrong_check_digit = PERSON_CID[:12] + str((int(PERSON_CID[12]) + 1) % 10)
    data = {**record_data(), "cid": wrong_check_digit}
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=data)

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (422, "invalid-data")
    assert "cid: Value error, citizen ID must be 13 digits" in response.json()["detail"]


def test_a_refusal_names_the_rule_and_field_in_thai_and_english(
    client: TestClient, kit: LedgerKit
) -> None:
    """The problem lists each broken rule with its field and a Thai and an English message."""
    wrong_check_digit = PERSON_CID[:12] + str((int(PERSON_CID[12]) + 1) % 10)
    data = {**record_data(), "cid": wrong_check_digit}
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=data)

    payload = client.post("/statements", json=body(signed)).json()

    assert "ข้อมูลไม่ผ่านการตรวจสอบ" == payload["title_th"]
    assert ("data.invalid", "data.cid") == (payload["rule"], payload["errors"][0]["field"])
    assert "citizen ID" in payload["errors"][0]["en"]
    assert payload["errors"][0]["th"].startswith("ข้อมูลไม่ถูกต้อง")


def test_problem_detail_never_echoes_the_citizen_id(client: TestClient, kit: LedgerKit) -> None:
    """PDPA: a rejected citizen ID is named as a field, never repeated back."""
    wrong_check_digit = PERSON_CID[:12] + str((int(PERSON_CID[12]) + 1) % 10)
    data = {**record_data(), "cid": wrong_check_digit}
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=data)

    response = client.post("/statements", json=body(signed))

    assert wrong_check_digit not in response.text


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"statement": "not base64!", "signature": b64(bytes(64))}, "body.statement"),
        ({"statement": "YWJj", "signature": "AAAA" * 21 + "AA"}, "body.signature"),
        ({"statement": 42, "signature": b64(bytes(64))}, "body.statement"),
        ({"statement": "YWJj"}, "body.signature"),
        ({"statement": "YWJj", "signature": b64(bytes(64)), "extra": 1}, "body.extra"),
    ],
    ids=["bad-alphabet", "missing-padding", "not-a-string", "missing-field", "unknown-field"],
)
def test_unreadable_body_is_400(
    client: TestClient, kit: LedgerKit, payload: dict[str, object], field: str
) -> None:
    """Bad base64 or a wrong body shape is a malformed request naming the field."""
    response = client.post("/statements", json=payload)

    assert problem(response) == (400, "malformed-request")
    assert field in response.json()["detail"]


def test_body_that_is_not_json_is_400(client: TestClient, kit: LedgerKit) -> None:
    """A body that is not JSON at all is a malformed request."""
    response = client.post(
        "/statements", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert problem(response) == (400, "malformed-request")


def test_non_canonical_statement_is_400(client: TestClient, kit: LedgerKit) -> None:
    """Statement bytes that are not RFC 8785 canonical JSON are a malformed statement."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    pretty = json.dumps(json.loads(signed.canonical), indent=2).encode()

    response = client.post("/statements", json={**body(signed), "statement": b64(pretty)})

    assert problem(response) == (400, "malformed-statement")


def test_short_signature_is_400(client: TestClient, kit: LedgerKit) -> None:
    """A signature that is not 64 bytes long is a malformed statement."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    response = client.post("/statements", json={**body(signed), "signature": b64(bytes(63))})

    assert problem(response) == (400, "malformed-statement")


def test_empty_batch_is_400(client: TestClient, kit: LedgerKit) -> None:
    """A batch holds at least one statement."""
    response = client.post("/statements/batch", json={"items": []})

    assert problem(response) == (400, "malformed-request")


def test_uninitialised_ledger_is_503(client: TestClient) -> None:
    """Before the genesis the ledger refuses statements until an operator runs `ledger init`."""
    operator = Operator(cid=made_up_cid(22))
    statement = build_statement(
        stream=uuid.uuid4(),
        expected_version=0,
        prev_hash="0" * 64,
        type="RecordOpened",
        data=record_data(),
        effective=now().date(),
        signer=SignerRef(cid=operator.cid, key=operator.signer.key_id),
        signed_at=now(),
    )

    response = client.post("/statements", json=body(sign_statement(statement, operator.signer)))

    assert problem(response) == (503, "not-initialised")


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("the connection is closed"),
        psycopg.OperationalError("connection failed: Connection refused"),
        PoolTimeout("couldn't get a connection after 30.00 sec"),
    ],
)
def test_database_unavailable_is_503_with_retry_after(
    client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    """The database gone (a restart, the pool unable to connect) is 503 with Retry-After, a
    fixed detail without the driver's message, and no rule: the client sends it again."""

    def unavailable(*args: object) -> None:
        raise error

    monkeypatch.setattr(kit.ledger, "submit", unavailable)
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    response = client.post("/statements", json=body(signed))

    assert (503, "database-unavailable") == problem(response)
    assert "2" == response.headers["Retry-After"]
    assert "ฐานข้อมูล" in response.json()["title_th"]
    assert "rule" not in response.json()
    assert str(error) not in response.json()["detail"]


def test_second_genesis_is_409(client: TestClient, kit: LedgerKit) -> None:
    """A ledger has one genesis: another LedgerInitialised is refused."""
    system = Operator(cid="system")
    data = {
        "ledger": kit.ledger.name,
        "public_key": system.signer.public_key.hex(),
        "key_id": system.signer.key_id,
        "key_storage": SOFTWARE.model_dump(mode="json", exclude_none=True),
    }
    signed = kit.sign(
        system,
        stream=kit.ledger.registry_id,
        type="LedgerInitialised",
        data=data,
        expected_version=0,
        prev_hash="0" * 64,
    )

    response = client.post("/statements", json=body(signed))

    assert problem(response) == (409, "already-initialised")


def test_citizen_ids_are_never_logged(
    client: TestClient, kit: LedgerKit, caplog: pytest.LogCaptureFixture
) -> None:
    """PDPA: neither an accepted nor a rejected statement puts a citizen ID in the logs."""
    header, elsewhere = record_data(cid=PERSON_CID), record_data(TAK_LAO, cid=PERSON_CID)
    accepted = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=header)
    rejected = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=elsewhere)
    caplog.set_level(logging.DEBUG)

    client.post("/statements", json=body(accepted))
    client.post("/statements", json=body(rejected))

    assert caplog.records
    assert PERSON_CID not in caplog.text
    assert kit.hr.cid not in caplog.text


def test_receipt_matches_the_ledger(client: TestClient, kit: LedgerKit) -> None:
    """The API's receipt is the ledger's receipt, field for field."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    response = client.post("/statements", json=body(signed))

    assert receipt_json(kit.submit(signed)) == response.json()


@pytest.mark.parametrize(
    ("statement", "rule_id"),
    [
        (b'{"a":' + b"9" * 5000 + b"}", "statement.number_too_long"),
        (b"[" * 100_000 + b"]" * 100_000, "statement.too_deep"),
    ],
)
def test_hostile_statements_are_400_naming_the_rule(
    client: TestClient, kit: LedgerKit, statement: bytes, rule_id: str
) -> None:
    """Unauthenticated, a 5,000-digit number or JSON nested 100,000 deep is a 400 naming the
    limit it breaks, never a 500, and nothing is appended."""
    count = kit.event_count()

    response = client.post(
        "/statements", json={"statement": b64(statement), "signature": b64(bytes(64))}
    )

    assert problem(response) == (400, "malformed-statement")
    assert rule_id == response.json()["rule"]
    assert count == kit.event_count()
