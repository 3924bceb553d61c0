"""The HR officer's erasure form (PersonErased): reached from the ก.พ.๗ page, warned that it
cannot be undone on the form and the review, signed through the agent like every entry, the
person's key destroyed by the ledger's own erasure path; afterwards the page shows the person
erased and any new entry (a second erasure too) is refused by the rule ``person.erased`` (410);
a record whose v1 statements hold personal values is refused by ``erasure.v1_values``."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.settings import LedgerSettings
from ledger.sign_requests import SignRequest
from ledger.vault import Vault
from ledger.vault_keys import ErasedError
from projections.personal import ERASED
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, v1_client
from tests.unit.web.html_check import page_problems
from tests.unit.web.test_web_documents import sign_form
from tests.unit.web.web_kit import ORIGIN, answer, log_in, page_request, server_request
from tests.vault_kit import kept_value

NAME = {"prefix": "นาง", "first_name": "ลบทดลอง", "last_name": "ตามคำขอ"}
ERASURE = {
    "effective": "15/01/2569",
    "legal_basis": d.ERASURE["legal_basis"],
    "reason": d.ERASURE["reason"],
}


@pytest.fixture
def settings(settings: LedgerSettings, tmp_path: Path) -> LedgerSettings:
    """The package's ledger settings, with a vault (development key files)."""
    return settings.model_copy(update={"vault_key_dir": tmp_path / "vault-keys"})


def test_the_officer_erases_a_v2_record_through_the_pages(
    client: TestClient, kit: LedgerKit
) -> None:
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit_v2(kit.hr, record, "PersonalDataRecorded", NAME)
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    log_in(client, kit.hr.signer)

    page = client.get(f"/app/records/{record}").text
    form = client.get(f"/app/records/{record}/new/PersonErased")
    receipt = sign_form(client, record, "PersonErased", ERASURE, kit.hr)
    after = client.get(f"/app/records/{record}")
    again = client.get(f"/app/records/{record}/new/PersonErased")
    other = client.get(f"/app/records/{record}/new")

    assert f'href="/app/records/{record}/new/PersonErased" id="erase-link"' in page
    assert 'id="erasure-warning"' in form.text
    assert "ย้อนกลับไม่ได้" in form.text
    assert 201 == receipt.status_code, receipt.text
    assert 'id="erasure-done"' in receipt.text
    assert "receipt-new-link" not in receipt.text
    assert "PersonErased" == kit.ledger.stream_events(record)[-1].type
    with pytest.raises(ErasedError):
        kept_value(vault, kit.ledger, record, "PersonalDataRecorded", "first_name")
    assert 200 == after.status_code
    assert ERASED.split(" / ")[0] in after.text
    assert 'id="erased-notice"' in after.text
    assert "ลบทดลอง" not in after.text
    assert "erase-link" not in after.text
    assert "new-entry-link" not in after.text
    for refused in (again, other):
        assert 410 == refused.status_code
        assert "person.erased" in refused.text


def test_the_review_warns_and_a_v1_record_is_refused_by_name(
    client: TestClient, kit: LedgerKit
) -> None:
    """The review repeats the warning; a record opened in v1 (its citizen ID signed in clear)
    is refused before anything is signed, naming erasure.v1_values, and nothing is appended."""
    with v1_client(kit) as old:  # v1 personal values on a vault ledger: a transition period
        v2, v1 = uuid.uuid4(), old.open_record()
    kit.emit_v2(kit.hr, v2, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    log_in(client, kit.hr.signer)

    review = client.post(f"/app/records/{v2}/new/PersonErased", data=ERASURE)
    refused = client.post(f"/app/records/{v1}/new/PersonErased", data=ERASURE)

    assert 200 == review.status_code
    assert 'id="erasure-warning"' in review.text
    assert 'id="sign-button"' in review.text
    assert 422 == refused.status_code
    assert "erasure.v1_values" in refused.text
    assert "v1" in refused.text
    assert 1 == kit.ledger.head(v1)[0]


def test_an_entry_signed_for_a_record_erased_meanwhile_is_refused_by_the_rule(
    client: TestClient, kit: LedgerKit
) -> None:
    """Reviews signed after the person was erased (another officer, another tab): the refusal
    names the rule person.erased (410) in Thai, in English on request; nothing is added."""
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit_v2(kit.hr, record, "PersonalDataRecorded", NAME)
    log_in(client, kit.hr.signer)
    wires = [
        page_request(client.post(f"/app/records/{record}/new/PersonErased", data=ERASURE).text)[0]
        for _ in range(2)
    ]
    assert 201 == sign_form(client, record, "PersonErased", ERASURE, kit.hr).status_code
    head = kit.ledger.head(record)[0]

    def late(wire: str, headers: dict[str, str]) -> str:
        signed = answer(server_request(client, wire), wire, kit.hr.signer)
        refused = client.post("/app/statements", data=signed, headers=headers)
        assert 410 == refused.status_code
        return refused.text

    thai = late(wires[0], {})  # the whole page, as without JavaScript
    client.cookies.set("lang", "en")
    english = late(wires[1], {"HX-Request": "true"})

    for page in (thai, english):
        assert 'id="refusal"' in page
        assert '<code id="refusal-rule">person.erased</code>' in page
    assert [] == page_problems(thai)
    assert "ถูกลบตามคำขอแล้ว" in thai
    assert "erased on request" in english
    assert head == kit.ledger.head(record)[0]


def test_a_record_erased_outside_the_signers_scope_is_answered_as_a_missing_one(
    client: TestClient, kit: LedgerKit
) -> None:
    """An officer of another LAO who signs an entry on an erased record through the pages is
    told what a stream that does not exist is told (404 stream.not_found), the same page but
    for the stream's id, as ``POST /statements`` answers her: not the record's erasure (410)."""
    erased, missing = uuid.uuid4(), uuid.uuid4()
    kit.emit_v2(kit.hr, erased, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit_v2(kit.hr, erased, "PersonErased", d.ERASURE)
    log_in(client, kit.other_hr.signer)
    web = client.app.state.web  # type: ignore[attr-defined]

    def submitted(stream: uuid.UUID) -> tuple[int, str]:
        """The page answering other_hr's signed entry on ``stream`` (a request the
        application issued, as its review page would)."""
        statement = kit.sign(
            kit.other_hr, stream=stream, type="AbilityRecorded", data={"ability": "ภาษาลาว"},
            expected_version=2, prev_hash="ab" * 32,
        ).statement  # fmt: skip
        request = SignRequest.new("statement", statement.canonical_bytes(), ORIGIN)
        web.nonces.issue(request)
        wire = web.request_key.wire(request)
        page = client.post("/app/statements", data=answer(request, wire, kit.other_hr.signer))
        return page.status_code, page.text.replace(str(stream), "STREAM")

    outside, nowhere = submitted(erased), submitted(missing)

    assert 404 == outside[0]
    assert outside == nowhere
    assert '<code id="refusal-rule">stream.not_found</code>' in outside[1]
    assert "person.erased" not in outside[1]
    assert 2 == kit.ledger.head(erased)[0]
