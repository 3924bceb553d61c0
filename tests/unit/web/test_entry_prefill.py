"""New entries start from what the record already says: a salary line takes the person's
position from the latest salary entry (as the ก.พ.๗ reads it) and offers the common movement
types; a leave summary starts at the next year; the review writes every date one way (the
long Buddhist-era form); an optional group's fields say they are required only if it is filled."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient

from ledger.domain.record_entries import COMMON_MOVEMENTS
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import log_in

NEW = "/app/records/{stream}/new/{type}"


def _record(kit: LedgerKit) -> uuid.UUID:
    """A record of the kit's LAO, in service since 1 April 2019."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


def _value(html: str, field_id: str) -> str | None:
    """The value an input of the page shows (None: no such input)."""
    found = re.search(rf'id="{field_id}"[^>]*value="([^"]*)"', html)
    return None if found is None else found.group(1)


@pytest.fixture
def hr_client(client: TestClient, kit: LedgerKit) -> TestClient:
    """The client logged in as the kit's HR officer."""
    log_in(client, kit.hr.signer)
    return client


def test_salary_form_takes_the_position_of_the_latest_entry(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The position number, title, level, line, allowance and issuer come from the entry with
    the latest effective date (not the one added last); salary, movement and order number stay
    empty, the old salary is named beside them."""
    stream = _record(kit)
    later = {**d.salary_entry("23000.00", "00-0101-009"), "level": "ชำนาญการ"}
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", later, effective=date(2020, 10, 1))
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry(), date(2019, 10, 1))

    page = hr_client.get(NEW.format(stream=stream, type="PositionSalaryEntryAdded"))

    assert 200 == page.status_code, page.text
    assert "00-0101-009" == _value(page.text, "field-position-no")
    assert "นักทรัพยากรบุคคล" == _value(page.text, "field-position-title")
    assert "ชำนาญการ" == _value(page.text, "field-level")
    assert "ทรัพยากรบุคคล" == _value(page.text, "field-line")
    assert "1,500.00" == _value(page.text, "field-allowance")
    assert "นายก อบต." == _value(page.text, "field-order-issuer")
    assert "" == _value(page.text, "field-salary")
    assert "" == _value(page.text, "field-movement-type")
    assert "" == _value(page.text, "field-order-number")
    assert 'id="prefill-notice"' in page.text
    assert re.search(r'id="prefill-effective">1 ตุลาคม 2563<', page.text)
    assert re.search(r'id="prefill-salary">23,000.00<', page.text)


def test_first_salary_entry_starts_empty(hr_client: TestClient, kit: LedgerKit) -> None:
    """A record with no salary line yet has nothing to take: no notice, empty position."""
    stream = _record(kit)

    page = hr_client.get(NEW.format(stream=stream, type="PositionSalaryEntryAdded"))

    assert 200 == page.status_code
    assert "" == _value(page.text, "field-position-no")
    assert 'id="prefill-notice"' not in page.text


def test_movement_type_offers_the_common_types_and_takes_any(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The movement type is a text input with a datalist of the common Thai movements; a
    movement not in the list is still reviewed as typed."""
    stream = _record(kit)
    path = NEW.format(stream=stream, type="PositionSalaryEntryAdded")

    page = hr_client.get(path)
    typed = {
        "effective": "01/04/2562", "movement_type": "ช่วยราชการ", "position_no": "00-0101-001",
        "position_title": "นักทรัพยากรบุคคล", "level": "ชำนาญการ", "salary": "21,010.00",
        "order.number": "12/2562", "order.date": "20/03/2562", "order.issuer": "นายก อบต.",
    }  # fmt: skip
    review = hr_client.post(path, data=typed)

    assert re.search(r'id="field-movement-type"[^>]*list="list-movement-type"', page.text)
    datalist = re.search(r'<datalist id="list-movement-type">(.*?)</datalist>', page.text, re.S)
    assert datalist is not None
    for movement in ("เลื่อนขั้นเงินเดือน", "ย้าย", "โอน", "บรรจุและแต่งตั้ง"):
        assert movement in COMMON_MOVEMENTS
        assert f'<option value="{movement}">' in datalist.group(1)
    assert 200 == review.status_code, review.text
    assert "ช่วยราชการ" in review.text
    assert [] == page_problems(page.text)


def test_leave_summary_starts_at_the_year_after_the_latest(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The yearly leave summary's year is the latest summarised year plus one; the counts
    of the earlier year are not carried."""
    stream = _record(kit)
    kit.emit(kit.hr, stream, "LeaveYearSummarised", {"year": 2563, "sick_times": 2})

    page = hr_client.get(NEW.format(stream=stream, type="LeaveYearSummarised"))

    assert "2564" == _value(page.text, "field-year")
    assert "" == (_value(page.text, "field-sick-times") or "")


def test_other_entries_are_not_prefilled(hr_client: TestClient, kit: LedgerKit) -> None:
    """A training repeats nothing of the previous one: its form starts empty."""
    stream = _record(kit)
    page = hr_client.get(NEW.format(stream=stream, type="TrainingRecorded"))

    assert 200 == page.status_code
    assert 'id="prefill-notice"' not in page.text


def test_review_writes_every_date_in_the_long_buddhist_form(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """The order's date typed 20/03/2562 is reviewed as 20 มีนาคม 2562, beside the
    effective date in the same form; no DD/MM/YYYY date is left on the review."""
    stream = _record(kit)
    typed = {
        "effective": "01/04/2562", "movement_type": "เลื่อนระดับ", "position_no": "00-0101-001",
        "position_title": "นักทรัพยากรบุคคล", "level": "ชำนาญการ", "salary": "21,010.00",
        "order.number": "12/2562", "order.date": "๒๐/๐๓/๒๕๖๒", "order.issuer": "นายก อบต.",
    }  # fmt: skip
    review = hr_client.post(NEW.format(stream=stream, type="PositionSalaryEntryAdded"), data=typed)
    table = re.search(r'id="review-table">(.*?)</table>', review.text, re.S)

    assert 200 == review.status_code, review.text
    assert table is not None
    assert "20 มีนาคม 2562" in table.group(1)
    assert "1 เมษายน 2562" in table.group(1)
    assert not re.search(r"\d{2}/\d{2}/\d{4}", table.group(1))


def test_correction_review_compares_dates_in_the_long_form(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """A corrected order date shows old and new in the long form in the changes table."""
    stream = _record(kit)
    added = kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry()).version
    base = f"/app/records/{stream}/entries/{added}/correct"
    typed = {
        "reason": "วันที่คำสั่งผิด", "replacement.movement_type": "เลื่อนขั้นเงินเดือน",
        "replacement.position_no": "00-0101-001", "replacement.position_title": "นักทรัพยากรบุคคล",
        "replacement.level": "ปฏิบัติการ", "replacement.salary": "21,010.00",
        "replacement.allowance": "1,500.00", "replacement.line": "ทรัพยากรบุคคล",
        "replacement.order.number": "12/2562", "replacement.order.date": "21/03/2562",
        "replacement.order.issuer": "นายก อบต.",
    }  # fmt: skip

    review = hr_client.post(base, data=typed)
    row = re.search(r'data-field="replacement.order.date">(.*?)</tr>', review.text, re.S)

    assert 200 == review.status_code, review.text
    assert row is not None
    assert "<del>20 มีนาคม 2562</del>" in row.group(1)
    assert "<ins>21 มีนาคม 2562</ins>" in row.group(1)


def test_optional_group_fields_are_required_only_if_filled(
    hr_client: TestClient, kit: LedgerKit
) -> None:
    """An optional reference's fieldset carries a note and its fields say "required if this
    part is filled" with no star or aria-required; a required order keeps its stars."""
    stream = _record(kit)
    merit = hr_client.get(NEW.format(stream=stream, type="SpecialServiceRecorded")).text
    salary = hr_client.get(NEW.format(stream=stream, type="PositionSalaryEntryAdded")).text
    group = re.search(r'<fieldset[^>]*id="group-reference"(.*?)</fieldset>', merit, re.S)
    order = re.search(r'<fieldset[^>]*id="group-order"(.*?)</fieldset>', salary, re.S)

    assert group is not None
    assert order is not None
    assert 'id="note-group-reference"' in group.group(1)
    assert "ต้องกรอกถ้ากรอกส่วนนี้" in group.group(1)
    assert 'class="required"' not in group.group(1)
    assert "aria-required" not in group.group(1)
    assert re.search(r'id="field-reference-number"', group.group(1))
    assert 'class="required"' in order.group(1)
    assert 'aria-required="true"' in order.group(1)
    assert "note-group-order" not in salary
    assert [] == page_problems(merit)
