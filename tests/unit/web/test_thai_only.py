"""Thai pages speak Thai only: a field's error in Thai (its rule id in the title, not in
brackets), no Christian-era date form suggested, no internal code beside a value on the
review; the English switch shows the English."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.test_entry_pages import _record
from tests.unit.web.web_kit import log_in

BAD_LEAVE = {"leave_type": "sick", "start": "สิบสอง", "end": "14/01/2563", "days": "3"}
LEAVE = {"leave_type": "sick", "start": "12/01/2563", "end": "14/01/2563", "days": "3"}


def _error(page: str, name: str) -> str:
    return page.split(f'id="error-{name}"')[1].split("</p>")[0]


def test_field_errors_are_thai_only_on_thai_pages(client: TestClient, kit: LedgerKit) -> None:
    """An unreadable date is refused in Thai only, suggesting the Buddhist-era form alone; the
    rule id is in the title; with the English switch the message is English."""
    stream = _record(kit)
    log_in(client, kit.hr.signer)
    url = f"/app/records/{stream}/new/LeaveTaken"

    thai = _error(client.post(url, data=BAD_LEAVE).text, "start")
    client.cookies.set("lang", "en")
    english = _error(client.post(url, data=BAD_LEAVE).text, "start")

    assert "อ่านวันที่ไม่ได้" in thai
    assert "not a date" not in thai
    assert "2019" not in thai
    assert 'title="date.unreadable"' in thai
    assert "[date.unreadable]" not in thai
    assert "not a date" in english
    assert "อ่านวันที่ไม่ได้" not in english


def test_review_shows_thai_labels_without_codes(client: TestClient, kit: LedgerKit) -> None:
    """The review of a sick leave shows ลาป่วย, not ลาป่วย (sick)."""
    stream = _record(kit)
    log_in(client, kit.hr.signer)

    review = client.post(f"/app/records/{stream}/new/LeaveTaken", data=LEAVE)

    assert 200 == review.status_code, review.text
    assert "ลาป่วย" in review.text
    assert "(sick)" not in review.text
