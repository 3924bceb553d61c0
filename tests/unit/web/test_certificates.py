"""Certificates in the browser: issued from the ก.พ.๗ page (kind, as-of day in BE, purpose),
reviewed and signed as the agent would (a software key), printed as a Thai official letter whose
text reads back intact (name, salary in digits and words, BE dates, the code), verified by its
code without login (JSON and page, no name or citizen ID shown), then made stale by a later
salary line; refusals beside the fields; only the record's LAO issues and prints."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.domain.permissions import Role
from tests import domain_data as d
from tests.ledger_kit import LedgerKit
from tests.unit.web.html_check import page_problems
from tests.unit.web.pdf_kit import pdf_text, person_record, screenshot
from tests.unit.web.web_kit import answer, log_in, page_request, server_request
from web.certificates import baht_text

NAME = "นางสาวน้ำฝน ผู้ใหญ่ดี"
FORM = {"kind": "salary", "as_of": "๑/๑๐/๒๕๖๒", "purpose": "ประกอบการขอสินเชื่อ"}
HTMX = {"HX-Request": "true"}


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def _issue(client: TestClient, kit: LedgerKit, stream: object, form: dict[str, str]) -> str:
    """Fill the form, sign the review as the agent would: the receipt's verification code."""
    review = client.post(f"/app/records/{stream}/certificates/new", data=form)
    assert 200 == review.status_code, review.text
    wire, _nonce = page_request(review.text)
    request = server_request(client, wire)
    receipt = client.post(
        "/app/statements", data=answer(request, wire, kit.hr.signer), headers=HTMX
    )
    assert 201 == receipt.status_code, receipt.text
    found = re.search(r'id="certificate-code">([0-9a-f]{64})<', receipt.text)
    assert found is not None
    return found.group(1)


def _verify(client: TestClient, code: str, **params: str) -> Response:
    client.cookies.clear()  # the verifier has no login
    return client.get(f"/verify/{code}", params=params)


def test_issue_print_verify_then_stale(
    hr_client: TestClient, kit: LedgerKit, request: pytest.FixtureRequest
) -> None:
    """A salary certificate issued and signed reads back from its PDF with the Thai name and
    the salary; its code verifies as valid and current, showing no name or citizen ID, until a
    later salary line makes it stale, naming the salary."""
    stream = person_record(kit)
    page = hr_client.get(f"/app/records/{stream}")
    form = hr_client.get(f"/app/records/{stream}/certificates/new")
    review = hr_client.post(f"/app/records/{stream}/certificates/new", data=FORM)
    code = _issue(hr_client, kit, stream, FORM)
    pdf = hr_client.get(f"/app/certificates/{code}.pdf")

    assert f'href="/app/records/{stream}/certificates/new"' in page.text
    assert [] == page_problems(form.text)
    assert NAME in review.text
    assert "21,010.50" in review.text
    assert "1 ตุลาคม 2562" in review.text
    assert "application/pdf" == pdf.headers["content-type"]
    text = pdf_text(pdf.content)
    screenshot(pdf.content, request.node.name)
    assert NAME in text
    assert "21,010.50" in text
    assert "สองหมื่นหนึ่งพันสิบบาทห้าสิบสตางค์" in text.replace("\n", "")
    assert "ให้ไว้เพื่อใช้ประกอบการขอสินเชื่อ" in text
    assert "หนังสือรับรองเงินเดือน" in text
    assert "1 ตุลาคม 2562" in text
    assert code in text.replace("\n", "")
    assert "นักทรัพยากรบุคคล" in text

    current = _verify(hr_client, code)
    cid = kit.ledger.aggregate(stream).cid  # type: ignore[attr-defined]
    assert 200 == current.status_code
    body = current.json()
    assert (True, True, []) == (body["valid"], body["current"], body["changed"])
    assert ("21010.50", "2019-10-01") == (body["salary"], body["as_of"])
    assert "salary" == body["kind"]["code"]
    assert cid not in current.text
    assert "น้ำฝน" not in current.text
    assert str(stream) not in current.text
    assert _verify(hr_client, code, name=NAME).json()["name_matches"] is True
    assert _verify(hr_client, code, name="นายสมมติ ทดสอบ").json()["name_matches"] is False
    shown = hr_client.get(f"/app/verify/{code}")
    assert 'data-status="current"' in shown.text
    assert [] == page_problems(shown.text)
    assert "น้ำฝน" not in shown.text
    assert cid not in shown.text

    raise_ = d.salary_entry("22500.00") | {"position_title": "นักทรัพยากรบุคคล"}
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", raise_, effective=date(2020, 4, 1))
    stale = _verify(hr_client, code).json()
    page_stale = hr_client.get(f"/app/verify/{code}")
    assert (True, False) == (stale["valid"], stale["current"])
    assert ["salary"] == [item["code"] for item in stale["changed"]]
    assert 'data-status="stale"' in page_stale.text
    assert 'data-field="salary"' in page_stale.text


def test_employment_certificate_prints_no_salary(
    hr_client: TestClient, kit: LedgerKit, request: pytest.FixtureRequest
) -> None:
    """An employment certificate names the position and no salary, on paper and when verified."""
    stream = person_record(kit)
    code = _issue(hr_client, kit, stream, FORM | {"kind": "employment"})
    pdf = hr_client.get(f"/app/certificates/{code}.pdf")
    text = pdf_text(pdf.content)
    screenshot(pdf.content, request.node.name)

    assert "หนังสือรับรองการเป็นบุคลากร" in text
    assert NAME in text
    assert "21,010.50" not in text
    assert _verify(hr_client, code).json()["salary"] is None


def test_form_refusals_beside_the_fields(hr_client: TestClient, kit: LedgerKit) -> None:
    """A day before the salary line, an unreadable day and no purpose are named beside their
    fields in Thai and English; nothing is signed."""
    stream = person_record(kit)
    url = f"/app/records/{stream}/certificates/new"
    early = hr_client.post(url, data=FORM | {"as_of": "1/5/2562"})
    bad = hr_client.post(url, data=FORM | {"as_of": "32/13/2562", "purpose": " "})
    future = hr_client.post(url, data=FORM | {"as_of": "1/1/2600"})

    assert 422 == early.status_code
    assert 'data-rule="certificate.no_position"' in early.text
    assert 'id="certificate-as-of-error"' in early.text
    assert 'data-rule="text.empty"' in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert 'data-rule="certificate.as_of_future"' in future.text
    assert 'id="sign-button"' not in early.text + bad.text + future.text
    assert 1 == len(kit.ledger.stream_events(stream)) - 3


def test_unknown_codes_are_404_in_thai(client: TestClient, kit: LedgerKit) -> None:
    """An unknown code, or the hash of an event that is no certificate, is the same 404; a code
    that is not 64 hex digits is a 400 problem; the page is the code box again, a Thai 404."""
    stream = person_record(kit)
    not_certificate = kit.ledger.stream_events(stream)[-1].hash
    unknown = client.get("/verify/" + "0" * 64)
    other = client.get(f"/verify/{not_certificate}")
    malformed = client.get("/verify/abc")
    page = client.get("/app/verify/" + "0" * 64)

    assert (404, 404, 400) == (unknown.status_code, other.status_code, malformed.status_code)
    assert "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้" == unknown.json()["title_th"]
    assert unknown.json() == other.json() | {"detail": unknown.json()["detail"]}
    assert 404 == page.status_code
    assert "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้" in page.text
    assert 'data-rule="certificate.unknown"' in page.text
    assert 'value="' + "0" * 64 + '"' in page.text
    assert [] == page_problems(page.text)


def test_only_the_records_lao_issues_and_prints(client: TestClient, kit: LedgerKit) -> None:
    """Another LAO's HR officer gets the 404 of a record (the form) or a code (the PDF) that does
    not exist; a role that may not sign certificates, the 403 page."""
    stream = person_record(kit)
    log_in(client, kit.hr.signer)
    code = _issue(client, kit, stream, FORM)
    log_in(client, kit.other_hr.signer)
    elsewhere = client.get(f"/app/records/{stream}/certificates/new")
    pdf_elsewhere = client.get(f"/app/certificates/{code}.pdf")
    superior = kit.operator([Role.LAO_SUPERIOR], kit.ledger.aggregate(stream).read_scope())
    log_in(client, superior.signer)
    not_hr = client.get(f"/app/records/{stream}/certificates/new")

    assert (404, 404, 403) == (
        elsewhere.status_code,
        pdf_elsewhere.status_code,
        not_hr.status_code,
    )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("21010.50", "สองหมื่นหนึ่งพันสิบบาทห้าสิบสตางค์"),
        ("33000.00", "สามหมื่นสามพันบาทถ้วน"),
        ("121.00", "หนึ่งร้อยยี่สิบเอ็ดบาทถ้วน"),
        ("1000001.00", "หนึ่งล้านเอ็ดบาทถ้วน"),
        ("0.75", "เจ็ดสิบห้าสตางค์"),
    ],
)
def test_amounts_in_thai_words(amount: str, words: str) -> None:
    """Amounts are spelled as a Thai letter spells them (สิบ, ยี่สิบ, เอ็ด, บาทถ้วน)."""
    assert words == baht_text(Decimal(amount))


def test_the_form_in_english(hr_client: TestClient, kit: LedgerKit) -> None:
    """With the English switch the form's kinds and labels are in English."""
    stream = person_record(kit)
    hr_client.cookies.set("lang", "en")
    form = hr_client.get(f"/app/records/{stream}/certificates/new")
    assert "Salary certificate" in form.text
    assert "Employment certificate" in form.text
    assert "Certified as of" in form.text


def test_no_session_no_certificate_pdf(client: TestClient, kit: LedgerKit) -> None:
    """The PDF and the printed ก.พ.๗ need a session: without one the login redirect and no name
    anywhere in the answer; another LAO's HR officer a 404 without the name; the issuing LAO's
    HR officer the PDF."""
    stream = person_record(kit)
    log_in(client, kit.hr.signer)
    code = _issue(client, kit, stream, FORM)
    client.cookies.clear()
    anonymous = client.get(f"/app/certificates/{code}.pdf", follow_redirects=False)
    landed = client.get(f"/app/certificates/{code}.pdf")
    kp7 = client.get(f"/app/records/{stream}/kp7.pdf", follow_redirects=False)
    log_in(client, kit.other_hr.signer)
    elsewhere = client.get(f"/app/certificates/{code}.pdf")
    log_in(client, kit.hr.signer)
    issuer = client.get(f"/app/certificates/{code}.pdf")

    assert (303, f"/app/login?next=%2Fapp%2Fcertificates%2F{code}.pdf") == (
        anonymous.status_code,
        anonymous.headers["location"],
    )
    assert (303, f"/app/login?next=%2Fapp%2Frecords%2F{stream}%2Fkp7.pdf") == (
        kp7.status_code,
        kp7.headers["location"],
    )
    assert "application/pdf" not in landed.headers["content-type"]
    for refused in (anonymous, landed, kp7, elsewhere):
        assert "น้ำฝน" not in refused.text
        assert b"%PDF" not in refused.content
    assert 404 == elsewhere.status_code
    assert "application/pdf" == issuer.headers["content-type"]
    assert NAME in pdf_text(issuer.content)


def test_verify_box_goes_to_the_code(client: TestClient, kit: LedgerKit) -> None:
    """/app/verify is a labelled box (no login): a code typed with spaces, capitals or Thai
    digits goes to its page; a malformed one is named beside the box, as is a malformed code in
    the address."""
    stream = person_record(kit)
    log_in(client, kit.hr.signer)
    code = _issue(client, kit, stream, FORM)
    client.cookies.clear()
    box = client.get("/app/verify")
    typed = " ".join([code[:32].upper(), code[32:]]).replace("1", "๑")
    went = client.get("/app/verify", params={"code": typed}, follow_redirects=False)
    bad = client.get("/app/verify", params={"code": "abc123"})
    address = client.get("/app/verify/abc123")

    assert 200 == box.status_code
    assert '<label for="verify-code">รหัสตรวจสอบ</label>' in box.text
    assert 'id="verify-code-error"' not in box.text
    assert [] == page_problems(box.text)
    assert (303, f"/app/verify/{code}") == (went.status_code, went.headers["location"])
    for refused in (bad, address):
        assert 400 == refused.status_code
        assert 'data-rule="certificate.code_format"' in refused.text
        assert 'aria-invalid="true"' in refused.text
        assert 'value="abc123"' in refused.text
        assert [] == page_problems(refused.text)
    shown = client.get(went.headers["location"])
    assert 'data-status="current"' in shown.text
    assert 'href="/app/verify"' in shown.text
    assert 'href="/app/verify"' in client.get("/app/login").text
