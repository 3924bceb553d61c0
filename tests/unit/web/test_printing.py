"""The printed ก.พ.๗ (``/app/records/{stream}/kp7.pdf``): printed by Chromium with the Thai font
embedded, its text read back with pdftotext exactly as written (names, amounts, Buddhist-era
dates, the form's section headings), the same read rules as the page; its first page rendered
to PNG into var/screenshots/ to be looked at."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.pdf_kit import pdf_text, person_record, screenshot
from tests.unit.web.web_kit import log_in


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def test_kp7_pdf_has_the_forms_sections_and_thai_intact(
    hr_client: TestClient, kit: LedgerKit, request: pytest.FixtureRequest
) -> None:
    """The printed ก.พ.๗ reads back with the person's Thai name, the salary with separators,
    Buddhist-era dates and every section heading of the form; the page links to it."""
    stream = person_record(kit)
    page = hr_client.get(f"/app/records/{stream}")
    response = hr_client.get(f"/app/records/{stream}/kp7.pdf")

    assert 200 == response.status_code, response.text
    assert "application/pdf" == response.headers["content-type"]
    assert f'href="/app/records/{stream}/kp7.pdf"' in page.text
    text = pdf_text(response.content)
    screenshot(response.content, request.node.name)
    assert "นางสาวน้ำฝน ผู้ใหญ่ดี" in text
    assert "21,010.50" in text
    assert "1 ต.ค. 2562" in text
    for heading in ("ทะเบียนประวัติ", "ตำแหน่งและอัตราเงินเดือน", "ประวัติการศึกษา"):
        assert heading in text, heading
    assert "2019" not in text.replace("2019-", "")


def test_kp7_pdf_as_of_a_day_and_a_bad_date(hr_client: TestClient, kit: LedgerKit) -> None:
    """As of a day before the salary line the PDF has no salary; a date that does not read is
    a 422 page naming the rule, not a PDF."""
    stream = person_record(kit)
    before = hr_client.get(
        f"/app/records/{stream}/kp7.pdf", params={"as_of": "๑/๕/๒๕๖๒", "view": "effective"}
    )
    bad = hr_client.get(f"/app/records/{stream}/kp7.pdf", params={"as_of": "32/13/2562"})

    assert 200 == before.status_code
    text = pdf_text(before.content)
    assert "ข้อมูล ณ วันที่ 1 พฤษภาคม 2562" in text
    assert "21,010.50" not in text
    assert 422 == bad.status_code
    assert "text/html" in bad.headers["content-type"]


def test_kp7_pdf_keeps_to_the_readers_share(client: TestClient, kit: LedgerKit) -> None:
    """An HR officer of another LAO gets the same 404 page as for the ก.พ.๗ page."""
    stream = person_record(kit)
    log_in(client, kit.other_hr.signer)
    response = client.get(f"/app/records/{stream}/kp7.pdf")
    assert 404 == response.status_code
    assert "ไม่พบประวัตินี้ในส่วนที่ท่านมีสิทธิ์อ่าน" in response.text
