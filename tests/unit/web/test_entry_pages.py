"""The entry pages: form -> review -> the agent's signature -> receipt, with the event in the log
signed by the operator's key; errors beside the fields in Thai with nothing appended; a
correction, a void and a retirement through the same flow; forged and replayed requests, a stale
head, and a role that may not sign an event type."""

from __future__ import annotations

import re
import uuid
from html import unescape
from typing import Any

import nacl.signing
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.domain.permissions import Role
from ledger.sign_requests import SignRequest
from ledger.signing import verify_signature
from ledger.statement import Statement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.web.web_kit import ORIGIN, answer, log_in, page_request, server_request

SALARY_FORM = {
    "effective": "01/04/2562",
    "movement_type": "เลื่อนระดับ",
    "position_no": "00-0101-001",
    "position_title": "นักทรัพยากรบุคคล",
    "level": "ชำนาญการ",
    "salary": "๒๑,๐๑๐.๕๐",
    "order.number": "12/2562",
    "order.date": "๒๐/๐๓/๒๕๖๒",
    "order.issuer": "นายก อบต.ตัวอย่าง",
}
HTMX = {"HX-Request": "true"}


def _record(kit: LedgerKit, birth: str = "1970-10-01") -> uuid.UUID:
    """A record of the kit's LAO, in service since 1 April 2019."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, birth_date=birth))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


def _sign(client: TestClient, review: Response, operator: Operator) -> Response:
    """Do what signing.js and the agent do with the review's sign button."""
    assert 200 == review.status_code, review.text
    wire, _nonce = page_request(review.text)
    request = server_request(client, wire)
    return client.post("/app/statements", data=answer(request, wire, operator.signer), headers=HTMX)


def _last(kit: LedgerKit, stream: uuid.UUID) -> tuple[str, Statement, bytes, bytes]:
    event = kit.ledger.stream_events(stream)[-1]
    return (
        event.type,
        Statement.model_validate_json(event.statement),
        event.statement,
        event.signature,
    )


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def test_salary_entry_form_review_sign_receipt(hr_client: TestClient, kit: LedgerKit) -> None:
    """A salary entry typed in BE with Thai digits is reviewed in Thai, signed by the officer's
    key (as the agent would), recorded, and the receipt names its hash."""
    stream = _record(kit)
    choose = hr_client.get(f"/app/records/{stream}/new")
    form = hr_client.get(f"/app/records/{stream}/new/PositionSalaryEntryAdded")

    review = hr_client.post(f"/app/records/{stream}/new/PositionSalaryEntryAdded", data=SALARY_FORM)
    receipt = _sign(hr_client, review, kit.hr)

    assert 'id="new-PositionSalaryEntryAdded"' in choose.text
    assert 'id="field-order-date"' in form.text
    assert 'id="sign-button"' in review.text
    assert "ลงนามด้วยบัตร" in review.text
    assert "21,010.50" in review.text
    assert "1 เมษายน 2562" in review.text
    assert 201 == receipt.status_code, receipt.text
    assert "บันทึกแล้ว" in receipt.text
    event_type, statement, canonical, signature = _last(kit, stream)
    assert "PositionSalaryEntryAdded" == event_type
    assert statement.signer.key == kit.hr.signer.key_id
    assert verify_signature(kit.hr.signer.public_key, canonical, signature)
    assert statement.data["salary"] == "21010.50"
    assert statement.data["order"]["date"] == "2019-03-20"
    hashes = re.search(r'id="receipt-hash">([0-9a-f]{64})<', receipt.text)
    assert hashes is not None
    assert hashes.group(1) == kit.ledger.stream_events(stream)[-1].hash


def test_bad_date_and_salary_over_the_rules_show_thai_beside_fields(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """A two-digit year and a salary of too many digits come back beside their fields in Thai,
    what was typed is kept, the first error is focused, and nothing is appended."""
    stream = _record(kit)
    before = kit.event_count()
    typed = {**SALARY_FORM, "order.date": "20/3/62", "salary": "12,345,678,901.00"}

    page = hr_client.post(f"/app/records/{stream}/new/PositionSalaryEntryAdded", data=typed)

    assert 422 == page.status_code
    html = page.text
    assert 'id="error-summary"' in html
    assert 'href="#field-salary"' in html
    assert 'href="#field-order-date"' in html
    date_error = re.search(r'id="error-order-date">(.*?)</p>', html, re.S)
    salary_error = re.search(r'id="error-salary">(.*?)</p>', html, re.S)
    assert date_error is not None
    assert "สี่หลัก" in unescape(date_error.group(1))
    assert salary_error is not None
    assert "หลัก" in unescape(salary_error.group(1))
    assert 'value="20/3/62"' in html
    assert re.search(r'id="field-salary"[^>]*autofocus', html)
    assert 'aria-invalid="true"' in html
    assert before == kit.event_count()


def test_correction_and_void_start_from_the_entry(hr_client: TestClient, kit: LedgerKit) -> None:
    """A correction's form holds the entry's values; the corrected salary is recorded as an
    EntryCorrected superseding it; a void with a reason is recorded as EntryVoided."""
    stream = _record(kit)
    added = kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry()).version
    base = f"/app/records/{stream}/entries/{added}"

    form = hr_client.get(f"{base}/correct")
    values = _form_values(form.text)
    values.update({"replacement.salary": "22,000.00", "reason": "พิมพ์เงินเดือนผิด"})
    corrected = _sign(hr_client, hr_client.post(f"{base}/correct", data=values), kit.hr)
    correction_type, correction, _, _ = _last(kit, stream)
    void_form = hr_client.get(f"{base}/void")
    voided = _sign(hr_client, hr_client.post(f"{base}/void", data={"reason": "บันทึกซ้ำ"}), kit.hr)
    void_type, void, _, _ = _last(kit, stream)

    assert 'value="21,010.00"' in form.text
    assert 201 == corrected.status_code, corrected.text
    assert "EntryCorrected" == correction_type
    assert correction.data["supersedes"] == added
    assert correction.data["replacement"]["salary"] == "22000.00"
    assert correction.data["replacement"]["order"] == d.salary_entry()["order"]
    assert 'id="voided-entry"' in void_form.text
    assert 201 == voided.status_code, voided.text
    assert ("EntryVoided", added) == (void_type, void.data["entry"])


def _form_values(html: str) -> dict[str, str]:
    """What a browser would submit of a rendered form: inputs, selected options, textareas."""
    values: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="text" id="[^"]+" name="([^"]+)"[^>]*value="([^"]*)"', html
    ):
        values[name] = unescape(value)
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        values[name] = unescape(chosen.group(1)) if chosen else ""
    for name, text in re.findall(
        r'<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        values[name] = unescape(text)
    return values


def test_retirement_from_the_employment_page(hr_client: TestClient, kit: LedgerKit) -> None:
    """The status page offers retirement with its legal reference and this person's last day;
    a wrong last day is refused by the ledger's dry run beside the field, before signing;
    the right one is recorded."""
    stream = _record(kit, birth="1961-05-10")
    page = hr_client.get(f"/app/records/{stream}/employment")
    form_url = f"/app/records/{stream}/new/Retired"
    form = hr_client.get(form_url)
    typed = {
        "effective": "01/10/2564",
        "last_day": "29/09/2564",
        "order.number": "99/2564",
        "order.date": "01/09/2564",
        "order.issuer": "นายก อบต.ตัวอย่าง",
    }

    refused = hr_client.post(form_url, data=typed)
    retired = _sign(
        hr_client, hr_client.post(form_url, data={**typed, "last_day": "30/09/2564"}), kit.hr
    )

    assert re.search(r'id="field-last-day"[^>]*value="30/09/2564"', form.text)
    assert re.search(r'id="field-effective"[^>]*value="01/10/2564"', form.text)
    assert 'id="transition-Retired"' in page.text
    assert "30/09/2564" in page.text
    assert "คำสั่ง" in page.text or "เอกสารอ้างอิง" in page.text
    assert 'id="transition-Resigned"' in page.text
    assert 'id="transition-Reinstated"' not in page.text
    assert 422 == refused.status_code
    assert 'id="refusal"' in refused.text
    assert 'id="error-last-day"' in refused.text
    assert 201 == retired.status_code, retired.text
    assert "Retired" == _last(kit, stream)[0]


def test_forged_and_replayed_requests_are_refused(hr_client: TestClient, kit: LedgerKit) -> None:
    """A request signed by another key, a login request, and an answer sent twice are refused
    in Thai; only the first genuine answer is recorded."""
    stream = _record(kit)
    review = hr_client.post(f"/app/records/{stream}/new/PositionSalaryEntryAdded", data=SALARY_FORM)
    wire, _ = page_request(review.text)
    request = server_request(hr_client, wire)
    genuine = answer(request, wire, kit.hr.signer)
    forged_wire = request.to_wire(nacl.signing.SigningKey.generate())
    login = SignRequest.login(ORIGIN)
    login_wire = hr_client.app.state.web.request_key.wire(login)  # type: ignore[attr-defined]
    before = kit.event_count()

    forged = hr_client.post("/app/statements", data={**genuine, "request": forged_wire})
    wrong_kind = hr_client.post("/app/statements", data=answer(login, login_wire, kit.hr.signer))
    first = hr_client.post("/app/statements", data=genuine)
    replayed = hr_client.post("/app/statements", data=genuine)

    assert 403 == forged.status_code
    assert "ไม่ได้ลงนามโดยเซิร์ฟเวอร์" in forged.text
    assert 403 == wrong_kind.status_code
    assert 201 == first.status_code
    assert 403 == replayed.status_code
    assert "ใช้ไปแล้ว" in replayed.text
    assert before + 1 == kit.event_count()


def test_signature_of_another_card_is_refused(hr_client: TestClient, kit: LedgerKit) -> None:
    """Another officer's card answering is refused before the ledger (it is not the logged-in
    operator's); a signature by another key under the officer's key id is refused by the
    ledger (bad signature); nothing is appended."""
    stream = _record(kit)
    url = f"/app/records/{stream}/new/PositionSalaryEntryAdded"
    before = kit.event_count()

    other_card = _sign(hr_client, hr_client.post(url, data=SALARY_FORM), kit.other_hr)
    request, wire = _request_of(hr_client, hr_client.post(url, data=SALARY_FORM).text)
    forged = {**answer(request, wire, kit.other_hr.signer), "key_id": kit.hr.signer.key_id}
    bad_signature = hr_client.post("/app/statements", data=forged)

    assert 403 == other_card.status_code
    assert "ผู้ที่เข้าสู่ระบบ" in other_card.text
    assert 401 == bad_signature.status_code
    assert 'id="refusal"' in bad_signature.text
    assert before == kit.event_count()


def test_stale_head_gives_a_fresh_review(hr_client: TestClient, kit: LedgerKit) -> None:
    """Someone appends between review and signature: a Thai notice and a new review at the new
    head, which signs and records."""
    stream = _record(kit)
    review = hr_client.post(f"/app/records/{stream}/new/PositionSalaryEntryAdded", data=SALARY_FORM)
    kit.emit(kit.hr, stream, "EducationAdded", d.education())

    stale = _sign(hr_client, review, kit.hr)
    fresh = hr_client.post(
        "/app/statements",
        data=answer(*_request_of(hr_client, stale.text), kit.hr.signer),
        headers=HTMX,
    )

    assert 409 == stale.status_code
    assert 'id="stale-notice"' in stale.text
    assert 201 == fresh.status_code, fresh.text
    assert "PositionSalaryEntryAdded" == _last(kit, stream)[0]


def _request_of(client: TestClient, html: str) -> tuple[SignRequest, str]:
    wire, _ = page_request(html)
    return server_request(client, wire), wire


def test_a_role_that_may_not_sign_does_not_see_it_and_is_refused(
    client: TestClient, kit: LedgerKit
) -> None:
    """A superior of the LAO reads the record but signs none of its entries: the list offers no
    salary entry, its form and a POST of it anyway are 403 pages, and nothing is appended."""
    stream = _record(kit)
    superior = kit.operator([Role.LAO_SUPERIOR], NAKHON_PHANOM_LAO, cid=made_up_cid(77))
    log_in(client, superior.signer)
    before = kit.event_count()

    choose = client.get(f"/app/records/{stream}/new")
    form = client.get(f"/app/records/{stream}/new/PositionSalaryEntryAdded")
    posted = client.post(f"/app/records/{stream}/new/PositionSalaryEntryAdded", data=SALARY_FORM)

    assert 200 == choose.status_code
    assert "new-PositionSalaryEntryAdded" not in choose.text
    assert 403 == form.status_code
    assert 403 == posted.status_code
    assert "sign-button" not in posted.text
    assert before == kit.event_count()


def test_pages_need_a_session_and_the_apps_origin(client: TestClient, kit: LedgerKit) -> None:
    """No session: the form redirects to the login page; a POST from another origin is 403."""
    stream = _record(kit)
    anonymous = client.get(f"/app/records/{stream}/new", follow_redirects=False)
    log_in(client, kit.hr.signer)

    cross = client.post(
        f"/app/records/{stream}/new/PositionSalaryEntryAdded",
        data=SALARY_FORM,
        headers={"Origin": "http://evil.example"},
    )

    assert 303 == anonymous.status_code
    assert anonymous.headers["location"] == f"/app/login?next=%2Fapp%2Frecords%2F{stream}%2Fnew"
    assert 403 == cross.status_code


def test_unknown_type_and_entry_are_not_found(hr_client: TestClient, kit: LedgerKit) -> None:
    """An event type that does not exist, one opening a stream, and a version that is no
    entry are 404 pages, an unknown record the 404 of the ก.พ.๗ page, never a 5xx."""
    stream = _record(kit)
    answers: list[Any] = [
        hr_client.get(f"/app/records/{stream}/new/NoSuchType"),
        hr_client.get(f"/app/records/{stream}/new/RecordOpened"),
        hr_client.get(f"/app/records/{stream}/entries/99/correct"),
        hr_client.get(f"/app/records/{uuid.uuid4()}/new"),
    ]

    assert [404, 404, 404, 404] == [response.status_code for response in answers]


def test_transfer_out_then_in_at_the_destination(client: TestClient, kit: LedgerKit) -> None:
    """The holder transfers the record out; the destination's officer, who cannot read the
    record yet, opens its status page, is offered the arrival only, and signs it."""
    stream = _record(kit)
    kit.emit(kit.hr, stream, "TransferredOut", d.status_data("TransferredOut"))
    log_in(client, kit.hr.signer)
    holder = client.get(f"/app/records/{stream}/employment")
    log_in(client, kit.other_hr.signer)
    page = client.get(f"/app/records/{stream}/employment")
    typed = {
        "from_lao": "๖๔๘๐๑๐๑",
        "order.number": "24/2562",
        "order.date": "25/03/2562",
        "order.issuer": "นายก อบต.ปลายทาง",
        "effective": "01/04/2562",
    }

    review = client.post(f"/app/records/{stream}/new/TransferredIn", data=typed)
    arrived = _sign(client, review, kit.other_hr)
    salary_form = client.get(f"/app/records/{stream}/new/PositionSalaryEntryAdded")

    assert 'id="transition-TransferredIn"' not in holder.text
    assert 'id="transition-SeparationRevoked"' in holder.text
    assert 'id="transition-TransferredIn"' in page.text
    assert 'id="transition-SeparationRevoked"' not in page.text
    assert 201 == arrived.status_code, arrived.text
    assert "TransferredIn" == _last(kit, stream)[0]
    assert 200 == salary_form.status_code


def test_english_switch_shows_english_labels_and_messages(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """With the language cookie on English, labels and the messages beside fields are English;
    the page stays one form with the same ids."""
    stream = _record(kit)
    hr_client.cookies.set("lang", "en")

    page = hr_client.post(
        f"/app/records/{stream}/new/PositionSalaryEntryAdded",
        data={**SALARY_FORM, "effective": "31/02/2562"},
    )

    assert 422 == page.status_code
    assert '<html lang="en">' in page.text
    assert '<label for="field-salary">Salary in baht' in page.text
    labels = re.sub(r"<datalist.*?</datalist>", "", page.text, flags=re.S)  # Thai data values
    assert "อัตราเงินเดือน" not in labels
    assert 'id="error-effective"' in page.text
    assert "not a date" in page.text
