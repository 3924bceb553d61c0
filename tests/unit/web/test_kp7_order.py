"""The ก.พ.๗ page's fields in the order of the event's data model, not the alphabet's."""

from __future__ import annotations

from web.kp7_view import _data_model, _item, in_model_order

SALARY_ENTRY = {
    "level": "ชำนาญการ",
    "line": "ทรัพยากรบุคคล",
    "movement_type": "เลื่อนขั้นเงินเดือน",
    "order": {"date": "2019-03-25", "issuer": "นายก อบต.ตัวอย่าง", "number": "12/2562"},
    "position_no": "00-0302-001",
    "position_title": "นักทรัพยากรบุคคล",
    "salary": "21010.00",
    "unknown_field": "x",
}


def test_a_salary_entry_reads_as_it_is_filled_in() -> None:
    """Movement, position, level, salary, then the order's number, date and issuer; a field
    the model does not name comes last."""
    items = [_item(code, value) for code, value in sorted(SALARY_ENTRY.items())]

    ordered = in_model_order(items, _data_model("PositionSalaryEntryAdded"))

    assert ["movement_type", "position_no", "position_title", "level", "salary", "order",
            "line", "unknown_field"] == [item.code for item in ordered]  # fmt: skip
    assert ["number", "date", "issuer"] == [child.code for child in ordered[5].children]


def test_an_unknown_event_type_keeps_the_reads_order() -> None:
    """No model, no reordering."""
    items = [_item(code, value) for code, value in sorted(SALARY_ENTRY.items())]

    assert items == in_model_order(items, _data_model("NoSuchEvent"))
