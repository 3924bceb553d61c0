"""Whose record and which entry the entry pages are about: the person (prefix, Thai name,
position, LAO; never a citizen ID) on the form, the review, the employment page and the
correction and void forms, not for a transfer's destination that does not read the record yet;
a correction names its entry (Thai event name, BE effective date) and its review shows each
changed field's old value beside the new one; form hints in Arabic digits; an order's scan hash
is not asked for by hand."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.people import PERSON_CID
from tests.unit.web.html_check import page_problems
from tests.unit.web.test_entry_pages import SALARY_FORM, _form_values, _sign
from tests.unit.web.web_kit import log_in
from web.forms import build_correction_form, build_form

NAME = "นายทดลองใจ ตัวอย่างดี"
THAI_DIGITS = re.compile("[๐-๙]")


def _named_record(kit: LedgerKit) -> tuple[uuid.UUID, int]:
    """A record of the kit's LAO of a made-up person with a name and a salary entry (its
    version returned)."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, cid=PERSON_CID))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    personal = {**d.ENTRY_DATA["PersonalDataRecorded"], "first_name": "ทดลองใจ"}
    kit.emit(kit.hr, stream, "PersonalDataRecorded", personal | {"last_name": "ตัวอย่างดี"})
    added = kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry()).version
    return stream, added


def _person(html: str) -> str:
    """The text of the page's ``#record-person`` block ("" when there is none)."""
    found = re.search(r'id="record-person".*?</section>', html, re.S)
    return "" if found is None else unescape(re.sub(r"<[^>]+>", " ", found.group(0)))


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def test_form_and_review_name_the_person_and_the_record_id_the_agent_shows(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The new entry's form and its review say whose record it is (name, position, the LAO by
    its registered name with its code), never the citizen ID, and the review names the first
    characters of the record id the agent will show."""
    stream, _ = _named_record(kit)
    path = f"/app/records/{stream}/new/PositionSalaryEntryAdded"

    form = hr_client.get(path)
    review = hr_client.post(path, data=SALARY_FORM)

    assert 200 == review.status_code, review.text
    for page in (form.text, review.text):
        person = _person(page)
        assert NAME in person
        assert "นักทรัพยากรบุคคล ปฏิบัติการ" in person
        assert "องค์การบริหารส่วนตำบลตัวอย่าง รหัส 6480101" in " ".join(person.split())
        assert PERSON_CID not in page
    agent_note = re.search(r'id="agent-record-id">(.*?)</p>', review.text, re.S)
    assert agent_note is not None
    assert f"<strong>{str(stream)[:8]}</strong>" in agent_note.group(1)


def test_employment_correction_and_void_pages_name_the_person(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The status page and the correction and void forms (and their reviews) show the person,
    never the citizen ID."""
    stream, added = _named_record(kit)
    base = f"/app/records/{stream}/entries/{added}"
    correct = hr_client.get(f"{base}/correct")
    values = {**_form_values(correct.text), "reason": "พิมพ์ผิด", "replacement.salary": "21,500.00"}

    pages = {
        "employment": hr_client.get(f"/app/records/{stream}/employment"),
        "correct": correct,
        "correct-review": hr_client.post(f"{base}/correct", data=values),
        "void": hr_client.get(f"{base}/void"),
        "void-review": hr_client.post(f"{base}/void", data={"reason": "บันทึกซ้ำ"}),
    }

    for name, page in pages.items():
        assert 200 == page.status_code, (name, page.text)
        assert NAME in _person(page.text), name
        assert PERSON_CID not in page.text, name


def test_a_transfers_destination_sees_no_name_before_it_holds_the_record(
    client: TestClient, kit: LedgerKit
) -> None:
    """The destination's officer, who may open the status page and the arrival's form but
    does not read the record yet, is shown no person."""
    stream, _ = _named_record(kit)
    kit.emit(kit.hr, stream, "TransferredOut", d.status_data("TransferredOut"))
    log_in(client, kit.other_hr.signer)

    employment = client.get(f"/app/records/{stream}/employment")
    arrival = client.get(f"/app/records/{stream}/new/TransferredIn")

    assert 'id="transition-TransferredIn"' in employment.text
    assert 200 == arrival.status_code
    for page in (employment.text, arrival.text):
        assert 'id="record-person"' not in page
        assert "ทดลองใจ" not in page


def test_correction_names_its_entry_and_review_shows_old_beside_new(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The correction form names the entry by its Thai event name and BE effective date; the
    review lists the changed salary with its old and new values and folds the unchanged."""
    stream, added = _named_record(kit)
    base = f"/app/records/{stream}/entries/{added}"
    form = hr_client.get(f"{base}/correct")
    values = _form_values(form.text)
    values.update({"replacement.salary": "22,000.00", "reason": "พิมพ์เงินเดือนผิด"})

    review = hr_client.post(f"{base}/correct", data=values)

    notice = re.search(r'id="entry-notice">(.*?)</p>', form.text, re.S)
    assert notice is not None
    assert "เพิ่มรายการตำแหน่งและอัตราเงินเดือน" in notice.group(1)
    assert "มีผล" in notice.group(1)
    assert re.search(r"\d{1,2} \S+ 25\d\d", unescape(notice.group(1)))
    assert 200 == review.status_code, review.text
    changes = re.search(r'id="changes-table".*?</table>', review.text, re.S)
    assert changes is not None
    salary = re.search(r'data-field="replacement.salary">(.*?)</tr>', changes.group(0), re.S)
    assert salary is not None
    assert "<del>21,010.00</del>" in salary.group(1)
    assert "<ins>22,000.00</ins>" in salary.group(1)
    assert 'data-field="replacement.position_title"' not in changes.group(0)
    unchanged = re.search(r'id="unchanged-fields".*?</details>', review.text, re.S)
    assert unchanged is not None
    assert 'data-field="replacement.position_title"' in unchanged.group(0)
    assert "ของรายการ" in review.text
    assert [] == page_problems(review.text) + page_problems(form.text)


def test_a_stale_correction_is_reviewed_again_with_the_person_and_its_changes(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """Someone appends between the correction's review and its signature: the fresh review
    still names the person and the entry and shows the old salary beside the new."""
    stream, added = _named_record(kit)
    base = f"/app/records/{stream}/entries/{added}"
    values = _form_values(hr_client.get(f"{base}/correct").text)
    values.update({"replacement.salary": "22,000.00", "reason": "พิมพ์เงินเดือนผิด"})
    review = hr_client.post(f"{base}/correct", data=values)
    kit.emit(kit.hr, stream, "EducationAdded", d.education())

    stale = _sign(hr_client, review, kit.hr)

    assert 409 == stale.status_code, stale.text
    assert 'id="stale-notice"' in stale.text
    assert NAME in _person(stale.text)
    assert 'id="review-entry"' in stale.text
    assert "<del>21,010.00</del>" in stale.text
    assert "<ins>22,000.00</ins>" in stale.text


def test_hints_are_in_arabic_digits() -> None:
    """No hint of any entry form, or of a correction's, writes a number in Thai digits."""
    names = ["PositionSalaryEntryAdded", "TransferredIn", "TransferredOut", "DocumentScanned"]
    forms = [build_form(name) for name in names]
    forms.append(build_correction_form("PositionSalaryEntryAdded", 3))

    hints = [field.hint.th for form in forms for field in form.fields() if field.hint]

    assert hints
    assert [] == [hint for hint in hints if THAI_DIGITS.search(hint)]
    assert any("7 หลัก" in hint for hint in hints)


def test_order_scan_hash_is_not_asked_for_by_hand(hr_client: TestClient, kit: LedgerKit) -> None:
    """The salary form shows no input for the order's scan hash: a note that it is optional
    and a link to the upload block; an entry that holds one shows it to correct."""
    stream, _ = _named_record(kit)
    scanned = {**d.salary_entry(), "order": {**d.salary_entry()["order"], "scan_sha256": "a" * 64}}
    with_scan = kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", scanned).version

    form = hr_client.get(f"/app/records/{stream}/new/PositionSalaryEntryAdded")
    correct = hr_client.get(f"/app/records/{stream}/entries/{with_scan}/correct")

    assert 'id="field-order-scan-sha256"' not in form.text
    note = re.search(r'class="hint scan-note"[^>]*>(.*?)</p>', form.text, re.S)
    assert note is not None
    assert "ไม่บังคับ" in note.group(1)
    assert f'href="/app/records/{stream}#documents-upload"' in note.group(1)
    assert 'id="field-replacement-order-scan-sha256"' in correct.text
    assert 'value="' + "a" * 64 + '"' in correct.text
