"""Checking before signing: the ledger's dry run (``Ledger.check_draft``) refuses a draft that
the stored record makes wrong at the form, before any sign request, and appends nothing; the
transition forms prefilled from the record; an unknown or out-of-scope record is the same 403
page on every record page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.commitments import commit_statement_data
from ledger.errors import InvalidDataError
from ledger.statement import SignerRef, Statement, build_statement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator
from tests.unit.web.web_kit import answer, log_in, page_request, server_request

LEAVE_FORM = {
    "effective": "01/12/2564",
    "leave_type": "sick",
    "start": "01/12/2564",
    "end": "02/12/2564",
    "days": "2",
}


def _record(kit: LedgerKit, birth: str = "1970-10-01") -> uuid.UUID:
    """A record of the kit's LAO, in service since 1 April 2019."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, birth_date=birth))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


def _retired(kit: LedgerKit) -> uuid.UUID:
    """A record of someone born 10 May 1961, retired on 1 October 2021 (2564)."""
    stream = _record(kit, birth="1961-05-10")
    data = {"last_day": "2021-09-30", "order": d.order("99/2564", "2021-09-01")}
    kit.emit(kit.hr, stream, "Retired", data, effective=date(2021, 10, 1))
    return stream


def _sign(client: TestClient, review: Response, operator: Operator) -> Response:
    """Do what signing.js and the agent do with the review's sign button."""
    assert 200 == review.status_code, review.text
    wire, _nonce = page_request(review.text)
    request = server_request(client, wire)
    return client.post("/app/statements", data=answer(request, wire, operator.signer))


def _issued(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The sign requests the app issues from now on (kept, not stored)."""
    issued: list[object] = []
    nonces = client.app.state.web.nonces  # type: ignore[attr-defined]
    monkeypatch.setattr(nonces, "issue", issued.append)
    return issued


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def test_leave_after_retirement_is_refused_at_the_form(
    hr_client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leave after the person retired comes back as the form with the rule's Thai message
    beside the start date: no sign button, no sign request issued, nothing appended."""
    stream = _retired(kit)
    before, head = kit.event_count(), kit.ledger.head(stream)
    issued = _issued(hr_client, monkeypatch)

    typed = {**LEAVE_FORM, "effective": "01/09/2564"}  # approved before, taken after

    page = hr_client.post(f"/app/records/{stream}/new/LeaveTaken", data=typed)

    assert 422 == page.status_code, page.text
    assert 'id="sign-button"' not in page.text
    assert 'id="refusal"' in page.text
    assert "ยังไม่ขอให้ลงนาม" in page.text
    message = re.search(r'id="error-start">(.*?)</p>', page.text, re.S)
    assert message is not None
    assert "ไม่อยู่ในช่วงที่รับราชการ" in unescape(message.group(1))
    assert 'value="01/12/2564"' in page.text
    assert [] == issued
    assert (before, head) == (kit.event_count(), kit.ledger.head(stream))


def test_a_leave_in_service_goes_to_review(
    hr_client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same leave for someone in service passes the dry run: the review and its sign
    request, still nothing appended."""
    stream = _record(kit)
    before = kit.event_count()
    issued = _issued(hr_client, monkeypatch)

    review = hr_client.post(f"/app/records/{stream}/new/LeaveTaken", data=LEAVE_FORM)

    assert 200 == review.status_code, review.text
    assert page_request(review.text)
    assert 1 == len(issued)
    assert before == kit.event_count()


def test_submit_still_checks_what_the_dry_run_let_through(
    hr_client: TestClient, kit: LedgerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the dry run switched off, the same leave reaches the review and the card, and the
    ledger refuses it at submit beside the same field: the dry run is a courtesy, not the
    check."""
    stream = _retired(kit)
    monkeypatch.setattr(kit.ledger, "check_draft", lambda statement, disclosures=None: None)
    before = kit.event_count()
    review = hr_client.post(f"/app/records/{stream}/new/LeaveTaken", data=LEAVE_FORM)

    refused = _sign(hr_client, review, kit.hr)

    assert 422 == refused.status_code, refused.text
    assert 'id="error-effective"' in refused.text
    assert before == kit.event_count()


def test_dry_run_never_appends_nor_moves_a_stream(kit: LedgerKit) -> None:
    """``check_draft`` refuses what submit refuses, accepts the rest, and leaves the log's
    count and the stream's head as they were; the statement it accepted is then recorded at
    that head once signed."""
    stream = _retired(kit)
    live = _record(kit)
    before, heads = kit.event_count(), (kit.ledger.head(stream), kit.ledger.head(live))
    leave = {**d.ENTRY_DATA["LeaveTaken"], "start": "2021-12-01", "end": "2021-12-02"}

    def draft(target: uuid.UUID) -> tuple[Statement, dict[str, Any] | None]:
        """The leave as a client drafts it: v2 (with its disclosures) on a ledger with a vault."""
        version, prev = kit.ledger.head(target)
        data, disclosures, v = leave, None, 1
        if kit.v2:
            data, committed = commit_statement_data("LeaveTaken", target, leave)
            disclosures, v = {path: c.as_json() for path, c in committed.items()}, 2
        return build_statement(
            stream=target, expected_version=version, prev_hash=prev, type="LeaveTaken",
            data=data, effective=date(2021, 12, 1),
            signer=SignerRef(cid=kit.hr.cid, key=kit.hr.signer.key_id),
            signed_at=datetime.now(UTC), v=v,
        ), disclosures  # fmt: skip

    with pytest.raises(InvalidDataError) as refused:
        kit.ledger.check_draft(*draft(stream))
    kit.ledger.check_draft(*draft(live))
    kit.ledger.check_draft(*draft(live))

    assert "record.after_separation" == refused.value.violations[0].id
    assert before == kit.event_count()
    assert heads == (kit.ledger.head(stream), kit.ledger.head(live))
    receipt = kit.emit(kit.hr, live, "LeaveTaken", leave, effective=date(2021, 12, 1))
    assert heads[1][0] + 1 == receipt.version


def test_transfer_out_and_suspension_are_prefilled(hr_client: TestClient, kit: LedgerKit) -> None:
    """A transfer out offers the record's province and the latest order's issuer; a
    suspension the issuer; a death nothing the record cannot know."""
    stream = _record(kit)
    salary = {**d.salary_entry(), "order": d.order(issuer="นายก อบต.บ้านตัวอย่าง")}
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", salary)

    out = hr_client.get(f"/app/records/{stream}/new/TransferredOut").text
    suspended = hr_client.get(f"/app/records/{stream}/new/Suspended").text
    died = hr_client.get(f"/app/records/{stream}/new/Died").text

    assert re.search(r'id="field-order-issuer"[^>]*value="นายก อบต.บ้านตัวอย่าง"', out)
    assert re.search(r'<option value="นครพนม"[^>]*selected', out) or re.search(
        r'id="field-to-province"[^>]*value="นครพนม"', out
    )
    assert re.search(r'id="field-order-issuer"[^>]*value="นายก อบต.บ้านตัวอย่าง"', suspended)
    assert "บ้านตัวอย่าง" not in died


def test_unknown_and_out_of_scope_records_are_the_same_404(
    client: TestClient, kit: LedgerKit
) -> None:
    """The entry pages and the employment page answer an unknown record and a record of
    another LAO with the ก.พ.๗ page's 404, word for word."""
    stream = _record(kit)
    log_in(client, kit.other_hr.signer)
    paths = ["", "/new", "/new/LeaveTaken", "/employment", "/entries/2/correct"]

    answers = [
        client.get(f"/app/records/{target}{path}")
        for target in (stream, uuid.uuid4())
        for path in paths
    ]

    assert [404] * len(answers) == [a.status_code for a in answers]
    assert all("ไม่พบประวัตินี้ในส่วนที่ท่านมีสิทธิ์อ่าน" in a.text for a in answers)
