"""The web application writes v2 on a ledger with a vault (docs/personal-data.md): an entry
whose type declares personal fields is drafted with salted commitments, its disclosures ride
in the signed sign request and are submitted with the signature; the events table keeps no
value in clear; a correction of a v2 entry starts from its revealed values and is v2 too; a
type with no personal field stays v1."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.commitments import Disclosure, commit_statement_data, is_commitment
from ledger.settings import LedgerSettings
from ledger.sign_requests import SignRequest
from ledger.signing import sign_statement
from ledger.statement import SignerRef, Statement, build_statement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.people import PERSON_CID
from tests.raw_rows import events_bytes
from tests.unit.web.web_kit import ORIGIN, answer, log_in, page_request
from tests.unit.web.web_kit import server_request as read_wire
from web.drafts import commits

NEW_NAME = {"prefix": "นางสาว", "first_name": "วาสนาทดสอบ", "last_name": "ใจงามทดสอบ"}
FIXED_NAME = "วาสนาแก้ไขทดสอบ"


@pytest.fixture
def settings(settings: LedgerSettings, tmp_path: Path) -> LedgerSettings:
    """The web tests' ledger with a vault whose per-person keys are development key files."""
    return settings.model_copy(update={"vault_key_dir": tmp_path / "vault-keys"})


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    log_in(client, kit.hr.signer)
    return client


def _emit_v2(kit: LedgerKit, stream: uuid.UUID, type_: str, draft: dict[str, Any]) -> None:
    """The kit's HR officer signs ``draft`` as a v2 statement at the head and submits it."""
    data, disclosures = commit_statement_data(type_, stream, draft)
    version, head = kit.ledger.head(stream)
    statement = build_statement(
        stream=stream, expected_version=version, prev_hash=head, type=type_, data=data,
        effective=date(2019, 4, 1), signer=SignerRef(cid=kit.hr.cid, key=kit.hr.signer.key_id),
        signed_at=datetime.now(UTC), v=2,
    )  # fmt: skip
    signed = sign_statement(statement, kit.hr.signer)
    sent = {path: item.as_json() for path, item in disclosures.items()}
    kit.ledger.submit(signed.canonical, signed.signature, sent)


def _v2_record(kit: LedgerKit) -> uuid.UUID:
    """A record opened v2 (citizen ID and birth date committed), its name recorded v2."""
    stream = uuid.uuid4()
    _emit_v2(kit, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, cid=PERSON_CID))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    _emit_v2(kit, stream, "PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"])
    return stream


def _sign(client: TestClient, review: Response, kit: LedgerKit) -> tuple[SignRequest, Response]:
    """What signing.js and the agent do with the review's sign button (the kit's HR key)."""
    assert 200 == review.status_code, review.text
    wire, _nonce = page_request(review.text)
    request = read_wire(client, wire)
    return request, client.post("/app/statements", data=answer(request, wire, kit.hr.signer))


def _name_change(hr_client: TestClient, kit: LedgerKit, stream: uuid.UUID) -> SignRequest:
    form = {"effective": "01/12/2564", **NEW_NAME, "reason": "สมรส"}
    review = hr_client.post(f"/app/records/{stream}/new/NameChanged", data=form)
    assert NEW_NAME["first_name"] in review.text  # the review shows the values typed
    assert '"commitment"' not in review.text
    request, receipt = _sign(hr_client, review, kit)
    assert 201 == receipt.status_code, receipt.text
    return request


def test_a_name_change_on_a_v2_record_is_signed_v2_with_its_disclosures(
    hr_client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    stream = _v2_record(kit)
    request = _name_change(hr_client, kit, stream)

    statement = Statement.model_validate_json(request.payload)
    assert 2 == statement.v
    assert all(is_commitment(statement.data[f]) for f in ("prefix", "first_name", "last_name"))
    assert request.disclosures is not None
    assert NEW_NAME["first_name"] == request.disclosures["first_name"].value
    stored = kit.ledger.stream_events(stream)[-1]
    assert ("NameChanged", request.payload) == (stored.type, stored.statement)
    raw = events_bytes(settings)
    for value in (*NEW_NAME.values(), PERSON_CID, "สมมติ"):
        assert value.encode() not in raw
    page = hr_client.get(f"/app/records/{stream}")
    assert NEW_NAME["first_name"] in page.text


def test_a_correction_of_a_v2_entry_starts_from_its_values_and_is_v2(
    hr_client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    stream = _v2_record(kit)
    _name_change(hr_client, kit, stream)
    version = kit.ledger.head(stream)[0]
    path = f"/app/records/{stream}/entries/{version}/correct"

    shown = hr_client.get(path)

    assert 200 == shown.status_code, shown.text
    assert f'value="{NEW_NAME["first_name"]}"' in shown.text
    assert "commitment" not in shown.text
    form = {
        "effective": "01/12/2564", "reason": "พิมพ์ชื่อผิด",
        "replacement.prefix": NEW_NAME["prefix"], "replacement.first_name": FIXED_NAME,
        "replacement.last_name": NEW_NAME["last_name"], "replacement.reason": "สมรส",
    }  # fmt: skip
    review = hr_client.post(path, data=form)
    assert NEW_NAME["first_name"] in review.text
    assert FIXED_NAME in review.text
    request, receipt = _sign(hr_client, review, kit)
    assert 201 == receipt.status_code, receipt.text
    statement = Statement.model_validate_json(request.payload)
    assert (2, "EntryCorrected") == (statement.v, statement.type)
    assert is_commitment(statement.data["replacement"]["first_name"])
    assert FIXED_NAME.encode() not in events_bytes(settings)
    assert FIXED_NAME in hr_client.get(f"/app/records/{stream}").text


def test_a_leave_is_v2_and_a_type_without_personal_fields_stays_v1(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    stream = _v2_record(kit)
    form = {"effective": "01/12/2564", "leave_type": "personal", "start": "01/12/2564",
            "end": "02/12/2564", "days": "2"}  # fmt: skip
    review = hr_client.post(f"/app/records/{stream}/new/LeaveTaken", data=form)
    request, receipt = _sign(hr_client, review, kit)
    assert 201 == receipt.status_code, receipt.text
    assert 2 == Statement.model_validate_json(request.payload).v  # a leave's type is health
    assert request.disclosures is not None
    assert {"leave_type"} == set(request.disclosures)
    assert not commits(kit.ledger, "EducationAdded")
    assert not commits(kit.ledger, "PositionSalaryEntryAdded")
    assert commits(kit.ledger, "EntryCorrected")


def test_disclosures_that_do_not_match_are_refused_and_nothing_is_appended(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """A request the app's own key signed with a wrong disclosure (a bug, never a page's
    doing: the page cannot change a signed request) is refused naming the rule."""
    stream = _v2_record(kit)
    form = {"effective": "01/12/2564", **NEW_NAME, "reason": "สมรส"}
    review = hr_client.post(f"/app/records/{stream}/new/NameChanged", data=form)
    wire, _nonce = page_request(review.text)
    request = read_wire(hr_client, wire)
    assert request.disclosures is not None
    salt = request.disclosures["first_name"].salt
    wrong = {**request.disclosures, "first_name": Disclosure("ปลอมทดสอบ", salt)}
    forged = SignRequest(request.kind, request.payload, request.origin, request.nonce,
                         request.expires_at, wrong)  # fmt: skip
    forged_wire = hr_client.app.state.web.request_key.wire(forged)  # type: ignore[attr-defined]
    before = kit.ledger.head(stream)

    refused = hr_client.post("/app/statements", data=answer(forged, forged_wire, kit.hr.signer))

    assert 422 == refused.status_code, refused.text
    assert "personal.disclosure_wrong" in refused.text
    assert "ปลอมทดสอบ" not in refused.text
    assert before == kit.ledger.head(stream)


def test_the_request_body_of_a_v2_draft_is_v2_and_of_a_v1_draft_unchanged() -> None:
    key = nacl.signing.SigningKey.generate()
    plain = SignRequest.new("statement", b"{}", ORIGIN)
    assert 1 == json.loads(plain.body())["v"]
    salt = base64.b64decode(base64.b64encode(bytes(32)))
    carried = SignRequest.new(
        "statement", b"{}", ORIGIN, disclosures={"cid": Disclosure("x", salt)}
    )
    assert {"v": 2, "cid": {"salt": base64.b64encode(salt).decode(), "value": "x"}} == {
        "v": json.loads(carried.body())["v"],
        "cid": json.loads(carried.body())["disclosures"]["cid"],
    }
    assert carried.to_wire(key) != plain.to_wire(key)


def test_the_void_page_of_a_v2_entry_shows_its_values(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    stream = _v2_record(kit)
    _name_change(hr_client, kit, stream)
    version = kit.ledger.head(stream)[0]

    shown = hr_client.get(f"/app/records/{stream}/entries/{version}/void")

    assert 200 == shown.status_code, shown.text
    assert NEW_NAME["last_name"] in shown.text
    assert "commitment" not in shown.text
