"""GET /schemas and /schemas/{type}: the event types with their names, and each one's JSON
Schema; and GET /streams/{id}/head, what a new statement signs against, within scope."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.permissions import Role
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, education_data, record_data
from tests.people import PERSON_CID, made_up_cid
from tests.unit.api.http_kit import login, problem


def test_the_event_types_with_their_names(client: TestClient) -> None:
    """Every catalogued type, with Thai and English names, its stream kind and its signers;
    no session needed."""
    types = {item["type"]: item for item in client.get("/schemas").json()}

    assert set(EVENT_TYPES) == set(types)
    leave = types["LeaveTaken"]
    assert ("บันทึกการลา", "leave taken") == (leave["th"], leave["en"])
    assert "PersonnelRecord" == leave["stream"]["kind"]
    assert ["lao_hr_officer"] == [role["role"] for role in leave["roles"]]
    assert leave["roles"][0]["th"] == "นักทรัพยากรบุคคล"
    assert types["RecordOpened"]["opens_stream"] is True


def test_a_schema_is_json_schema_with_thai_titles_and_rules(client: TestClient) -> None:
    response = client.get("/schemas/LeaveTaken")

    schema = response.json()
    assert 200 == response.status_code
    assert response.headers["content-type"].startswith("application/schema+json")
    Draft202012Validator.check_schema(schema)
    assert "ประเภทการลา" == schema["properties"]["leave_type"]["title"]
    assert "record.leave_overlap" in schema["x-rules"]
    rules = {rule["id"] for rule in client.get("/rules").json()}
    assert set(schema["x-rules"]) <= rules


def test_an_unknown_type_is_404_naming_its_rule(client: TestClient) -> None:
    response = client.get("/schemas/NoSuchEvent")

    assert (404, "unknown-event-type") == problem(response)
    assert "schema.unknown_type" == response.json()["rule"]
    assert response.json()["title_th"]


def test_the_head_is_the_ledgers(client: TestClient, kit: LedgerKit) -> None:
    """The head's version and hash are ``Ledger.head``'s, and they move with each event."""
    stream = kit.open_record()
    headers = login(client, kit.hr)
    first = client.get(f"/streams/{stream}/head", headers=headers).json()

    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    second = client.get(f"/streams/{stream}/head", headers=headers).json()

    assert (1, "PersonnelRecord") == (first["version"], first["kind"])
    assert kit.ledger.head(stream) == (second["version"], second["hash"])
    assert (2, str(stream)) == (second["version"], second["stream"])
    assert first["hash"] != second["hash"]


def test_a_head_outside_the_scope_is_404(client: TestClient, kit: LedgerKit) -> None:
    """Another LAO's officer learns nothing of the stream: 404, as for no stream at all."""
    stream = kit.open_record()
    headers = login(client, kit.other_hr)

    outside = client.get(f"/streams/{stream}/head", headers=headers)
    missing = client.get(f"/streams/{uuid.uuid4()}/head", headers=headers)

    assert (404, "stream-not-found") == problem(outside)
    assert (404, "stream-not-found") == problem(missing)


def test_an_owner_reads_the_head_of_their_own_record_only(
    client: TestClient, kit: LedgerKit
) -> None:
    """A record owner signs change requests on their own record: they read its head, no other."""
    own, other = kit.open_record(cid=PERSON_CID), uuid.uuid4()
    colleague = record_data(cid=made_up_cid(77))
    kit.submit(kit.sign(kit.hr, stream=other, type="RecordOpened", data=colleague))
    owner = kit.operator([Role.RECORD_OWNER], NAKHON_PHANOM_LAO, cid=PERSON_CID)
    headers = login(client, owner)

    assert 200 == client.get(f"/streams/{own}/head", headers=headers).status_code
    assert (404, "stream-not-found") == problem(
        client.get(f"/streams/{other}/head", headers=headers)
    )


def test_the_head_needs_a_session(client: TestClient, kit: LedgerKit) -> None:
    response = client.get(f"/streams/{kit.open_record()}/head")

    assert (401, "missing-token") == problem(response)
