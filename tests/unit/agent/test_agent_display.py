"""What the agent shows of a statement (agent.display): Thai labels, coded values, BE dates."""

from __future__ import annotations

from datetime import date

import pytest

from agent.checks import Refusal
from agent.display import Row, buddhist_date, statement_view
from tests.unit.agent.agent_kit import statement_payload

KEY_ID = "0123456789abcdef"


def _rows(event_type: str, data: dict[str, object]) -> list[Row]:
    return statement_view(statement_payload(KEY_ID, data, event_type=event_type)).rows


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2026, 10, 1), "1 ต.ค. 2569"), (date(2019, 1, 31), "31 ม.ค. 2562")],
)
def test_dates_are_shown_in_the_buddhist_era(day: date, shown: str) -> None:
    """Day, abbreviated Thai month, Buddhist-era year."""
    assert shown == buddhist_date(day)


def test_coded_values_and_dates_of_a_leave_are_shown_by_their_thai_names() -> None:
    """A sick leave reads ลาป่วย, its days as written, its dates in BE."""
    data = {"leave_type": "sick", "start": "2026-10-01", "end": "2026-10-02", "days": 2}

    rows = _rows("LeaveTaken", data)

    assert [
        Row("ประเภทการลา", "leave_type", "ลาป่วย"),
        Row("ตั้งแต่วันที่", "start", "1 ต.ค. 2569"),
        Row("ถึงวันที่", "end", "2 ต.ค. 2569"),
        Row("จำนวนวัน", "days", "2"),
    ] == rows


def test_lists_and_nested_objects_are_shown_item_by_item() -> None:
    """An enrolment's roles are numbered with their Thai names; its scope's fields indented."""
    data = {
        "public_key": "ab" * 32,
        "key_id": KEY_ID,
        "key_storage": {"kind": "openpgp-card", "serial": "FFFF:00000001"},
        "cid": "1999900000111",
        "roles": ["lao_hr_officer"],
        "scope": {"level": "lao", "province": "นครพนม", "lao": "6480101"},
    }

    rows = _rows("OperatorEnrolled", data)

    assert Row("บทบาท", "roles", "1 รายการ") in rows
    assert Row("ลำดับที่ 1", "roles[0]", "นักทรัพยากรบุคคล", 1) in rows
    assert Row("ชนิดอุปกรณ์", "kind", "บัตร OpenPGP", 1) in rows
    assert Row("ระดับ", "level", "อปท.", 1) in rows


def test_a_yes_no_field_reads_in_thai() -> None:
    """Booleans read ใช่ / ไม่ใช่."""
    data = {"relation": "father", "first_name": "สมชาย", "last_name": "ใจดี", "is_alive": False}

    rows = _rows("FamilyMemberRecorded", data)

    values = {row.code: row.value for row in rows}
    assert ("บิดา", "ไม่ใช่") == (values["relation"], values["is_alive"])


def test_an_unknown_event_type_is_shown_by_its_codes_not_hidden() -> None:
    """A type this agent does not know still shows every field, by its code."""
    view = statement_view(statement_payload(KEY_ID, {"z": "ค่า", "a": 1}, event_type="SomethingNew"))

    assert "SomethingNew" == view.event.th
    assert [Row("a", "a", "1"), Row("z", "z", "ค่า")] == view.rows


def test_an_invisible_character_is_refused() -> None:
    """A zero-width space alone in a field: refused, since the page could not show it."""
    with pytest.raises(Refusal, match="cannot be shown"):
        _rows("LeaveTaken", {"leave_type": "sick", "approver": "\u200b"})


def test_a_corrections_replacement_reads_as_the_entry_it_replaces() -> None:
    """A corrected salary entry shows its fields by their Thai labels, the order's date in BE
    and the salary with separators, as a new salary entry would (not the fields' codes)."""
    replacement = {
        "movement_type": "เลื่อนขั้นเงินเดือน",
        "position_no": "01-0001-003",
        "position_title": "ครู",
        "level": "ครูชำนาญการพิเศษ",
        "salary": "41720.00",
        "allowance": "5600.00",
        "order": {"number": "103/2562", "date": "2019-03-25", "issuer": "นายก อบต.ตัวอย่าง"},
    }
    data = {"supersedes": 4, "reason": "พิมพ์อัตราเงินเดือนผิด", "replacement": replacement}

    rows = _rows("EntryCorrected", data)

    assert Row("อัตราเงินเดือน (บาท)", "salary", "41,720.00", 1) in rows
    assert Row("เงินประจำตำแหน่ง / ค่าตอบแทน (บาท)", "allowance", "5,600.00", 1) in rows
    assert Row("ลงวันที่", "date", "25 มี.ค. 2562", 2) in rows
    assert Row("ชื่อตำแหน่ง", "position_title", "ครู", 1) in rows


def test_a_replacement_no_entry_type_accepts_keeps_its_codes() -> None:
    """A replacement that fits no entry's data is shown field by field, nothing guessed."""
    data = {"supersedes": 4, "reason": "ทดสอบ", "replacement": {"no_such_field": "ค่า"}}

    assert Row("no_such_field", "no_such_field", "ค่า", 1) in _rows("EntryCorrected", data)
