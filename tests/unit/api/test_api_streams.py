"""GET /streams/{id}/events: the signed events, for callers whose scope covers the stream."""

from __future__ import annotations

import uuid
from base64 import b64decode

from fastapi.testclient import TestClient

from ledger.signing import verify_signature
from ledger.statement import GENESIS_PREV_HASH, event_hash
from tests.ledger_kit import LedgerKit, Operator, education_data
from tests.unit.api.http_kit import login, problem


def _record_with_education(kit: LedgerKit) -> uuid.UUID:
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    return stream


def test_events_come_as_signed(client: TestClient, kit: LedgerKit) -> None:
    """Each event carries the signed bytes and signature that verify, chained by hash."""
    stream = _record_with_education(kit)
    headers = login(client, kit.hr)

    response = client.get(f"/streams/{stream}/events", headers=headers)

    events = response.json()
    assert [(e["version"], e["type"]) for e in events] == [
        (1, "RecordOpened"),
        (2, "EducationAdded"),
    ]
    assert [GENESIS_PREV_HASH, events[0]["hash"]] == [e["prev_hash"] for e in events]
    for event in events:
        statement, signature = b64decode(event["statement"]), b64decode(event["signature"])
        assert verify_signature(kit.hr.signer.public_key, statement, signature)
        assert event_hash(statement, signature) == event["hash"]


def test_events_match_the_ledger(client: TestClient, kit: LedgerKit) -> None:
    """The API lists the same notification ids, stream and hashes as the ledger."""
    stream = _record_with_education(kit)
    headers = login(client, kit.hr)

    response = client.get(f"/streams/{stream}/events", headers=headers)

    expected = [
        (e.notification_id, str(e.stream), e.hash) for e in kit.ledger.stream_events(stream)
    ]
    assert expected == [(e["notification_id"], e["stream"], e["hash"]) for e in response.json()]


def test_other_lao_may_not_read_the_record(client: TestClient, kit: LedgerKit) -> None:
    """An HR officer of another LAO is out of scope: the record is not found, as if it did
    not exist (nothing tells them it does)."""
    stream = kit.open_record()
    headers = login(client, kit.other_hr)

    response = client.get(f"/streams/{stream}/events", headers=headers)

    assert problem(response) == (404, "stream-not-found")


def test_a_record_s_events_are_for_who_reads_all_it_holds(
    client: TestClient, kit: LedgerKit, provincial_officer: Operator, auditor: Operator
) -> None:
    """A record's signed statements hold its leave (health data) too: the LAO's HR officer
    and the auditor read them (the reads logged); the province's officer, whose scope covers
    the record but who reads no health data, is refused with the kind named (the ก.พ.๗ at
    GET /records/{id} shows them the rest)."""
    stream = kit.open_record()

    hr = client.get(f"/streams/{stream}/events", headers=login(client, kit.hr))
    audited = client.get(f"/streams/{stream}/events", headers=login(client, auditor))
    province = client.get(f"/streams/{stream}/events", headers=login(client, provincial_officer))

    assert (200, 200) == (hr.status_code, audited.status_code)
    assert problem(province) == (403, "forbidden")
    assert "health" in province.json()["detail"]
    logged = client.app.state.access_log.of_records([stream])  # type: ignore[attr-defined]
    assert {kit.hr.cid, auditor.cid} == {entry.reader_cid for entry in logged}


def test_national_auditor_reads_the_registry(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """The operator registry is readable with national scope."""
    headers = login(client, auditor)

    response = client.get(f"/streams/{kit.ledger.registry_id}/events", headers=headers)

    assert response.status_code == 200
    assert response.json()[0]["type"] == "LedgerInitialised"


def test_lao_officer_may_not_read_the_registry(client: TestClient, kit: LedgerKit) -> None:
    """An LAO scope does not cover the national operator registry: not found for them."""
    headers = login(client, kit.hr)

    response = client.get(f"/streams/{kit.ledger.registry_id}/events", headers=headers)

    assert problem(response) == (404, "stream-not-found")


def test_provincial_officer_may_not_read_the_registry(
    client: TestClient, kit: LedgerKit, provincial_officer: Operator
) -> None:
    """A province scope does not cover the national operator registry: not found for them."""
    headers = login(client, provincial_officer)

    response = client.get(f"/streams/{kit.ledger.registry_id}/events", headers=headers)

    assert problem(response) == (404, "stream-not-found")


def test_unknown_stream_is_404(client: TestClient, kit: LedgerKit) -> None:
    """A stream id that names no stream is not found."""
    headers = login(client, kit.admin)

    response = client.get(f"/streams/{uuid.uuid4()}/events", headers=headers)

    assert problem(response) == (404, "stream-not-found")


def test_stream_id_that_is_not_a_uuid_is_400(client: TestClient, kit: LedgerKit) -> None:
    """A path that cannot hold a stream id is a malformed request."""
    headers = login(client, kit.admin)

    response = client.get("/streams/not-a-uuid/events", headers=headers)

    assert problem(response) == (400, "malformed-request")
