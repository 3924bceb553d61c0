"""The form engine (``web.forms``): a form for every event type an HR officer may sign, whose
filled values read back to data the event's model accepts; Buddhist-era dates, Thai digits and
grouped money read; errors per field in Thai and English with the rule's id."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES, permission_matrix
from ledger.domain.dates import thai_today
from ledger.domain.permissions import Role
from ledger.domain.value_checks import value_violations
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from ledger.violations import Violation
from tests.domain_world import build_world, samples
from tests.ledger_kit import build_kit
from web.forms import (
    EFFECTIVE,
    Form,
    build_correction_form,
    build_form,
    build_void_form,
    form_values,
    parse_form,
    place_violations,
)

HR_TYPES = permission_matrix()[Role.LAO_HR_OFFICER]
THAI = range(0x0E00, 0x0E80)


def _thai(text: str) -> bool:
    return any(ord(character) in THAI for character in text)


@pytest.fixture(scope="module")
def hr_samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Form, dict[str, Any]]]:
    """Each HR event type's form and a sample of its data the ledger accepts (the permission
    matrix's world); a correction's form is that of the entry it corrects."""
    path = tmp_path_factory.mktemp("forms") / "world.sqlite"
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{path}", name="forms"))
    world = build_world(build_kit(ledger))
    found: dict[str, tuple[Form, dict[str, Any]]] = {}
    for (name, _), (stream, data) in samples(world).items():
        if name not in HR_TYPES:
            continue
        if name == "EntryCorrected":
            corrected = next(
                event.type
                for event in ledger.stream_events(stream)
                if event.version == data["supersedes"]
            )
            found[name] = (build_correction_form(corrected, data["supersedes"]), data)
        elif name == "EntryVoided":
            found[name] = (build_void_form(data["entry"]), data)
        else:
            found[name] = (build_form(name), data)
    ledger.close()
    return found


def test_every_hr_type_has_a_sample() -> None:
    """The HR officer signs 49 event types; the world below has a sample of each."""
    assert len(HR_TYPES) == len(set(HR_TYPES)) >= 40


@pytest.mark.parametrize("name", HR_TYPES)
def test_form_round_trips_to_data_the_model_accepts(
    hr_samples: dict[str, tuple[Form, dict[str, Any]]], name: str
) -> None:
    """The form shows the sample as an officer types it (BE dates, grouped money); reading it
    back gives data the model and the gate's value checks accept, equal to the sample."""
    form, data = hr_samples[name]
    values = form_values(form, data, date(2020, 1, 1))

    parsed = parse_form(form, values)

    assert parsed.errors == {}
    model = EVENT_TYPES[name].data_model
    assert model.model_validate(parsed.data) == model.model_validate(data)
    assert value_violations(model, parsed.data) == []


@pytest.mark.parametrize("name", HR_TYPES)
def test_every_field_has_thai_and_english_labels_and_an_id(name: str) -> None:
    """Each input has a Thai label, an English one, and an element id without dots."""
    form = build_form(name) if name != "EntryCorrected" else build_correction_form("LeaveTaken", 3)

    for field in [form.effective, *form.fields()]:
        assert _thai(field.label.th), field.name
        assert field.label.en, field.name
        assert "." not in field.id
        assert field.id.startswith("field-")
    assert _thai(form.title.th)


def test_salary_form_kinds_and_nested_order() -> None:
    """A salary entry's form: money, a required order group with its dotted names, hints."""
    form = build_form("PositionSalaryEntryAdded")
    fields = {field.name: field for field in form.fields()}

    assert fields["salary"].kind == "money"
    assert fields["salary"].required
    assert fields["allowance"].kind == "money"
    assert not fields["allowance"].required
    assert fields["order.date"].kind == "date"
    assert fields["order.date"].required
    assert fields["order.kind"].kind == "choice"
    assert ("order", "คำสั่ง") in {(c.value, c.th) for c in fields["order.kind"].choices}
    assert fields["order.date"].hint is not None
    assert "พ.ศ." in fields["order.date"].hint.th
    assert fields["order.date"].id == "field-order-date"


def test_be_dates_thai_digits_and_grouped_money_are_read() -> None:
    """๐๑/๐๔/๒๕๖๒ and 1 เม.ย. 2562 are 2019-04-01; ๒๑,๐๑๐.๕๐ is "21010.50"; an optional
    order reference left empty is left out; the effective date is read in BE too."""
    form = build_form("PositionSalaryEntryAdded")
    values = {
        EFFECTIVE: "1 เม.ย. 2562",
        "movement_type": "เลื่อนระดับ",
        "position_no": "00-0101-001",
        "position_title": "นักทรัพยากรบุคคล",
        "level": "ชำนาญการ",
        "salary": "๒๑,๐๑๐.๕๐",
        "allowance": "",
        "order.number": "12/2562",
        "order.date": "๐๑/๐๔/๒๕๖๒",
        "order.issuer": "องค์การบริหารส่วนตำบลตัวอย่าง",
    }

    parsed = parse_form(form, values)

    assert parsed.errors == {}
    assert parsed.effective.isoformat() == "2019-04-01"
    assert parsed.data["salary"] == "21010.50"
    assert parsed.data["order"] == {
        "number": "12/2562",
        "date": "2019-04-01",
        "issuer": "องค์การบริหารส่วนตำบลตัวอย่าง",
    }
    assert "allowance" not in parsed.data


def test_names_typed_with_stray_spaces_are_signed_tidy() -> None:
    """A first name typed "  ทดสอบ  ชื่อ " is read as "ทดสอบ ชื่อ" (the gate would refuse the
    spaces, text.stray_space), and the form has no error; a free-text reason keeps them."""
    form = build_form("NameChanged")
    values = {
        EFFECTIVE: "1 เม.ย. 2562",
        "prefix": "นาง",
        "first_name": "  ทดสอบ  ชื่อ ",
        "last_name": "ใจ  ดี",
        "reason": "สมรส  แล้ว",
    }

    parsed = parse_form(form, values)

    assert parsed.errors == {}
    assert ("ทดสอบ ชื่อ", "ใจ ดี") == (parsed.data["first_name"], parsed.data["last_name"])
    assert "สมรส  แล้ว" == parsed.data["reason"]


def test_optional_group_left_empty_is_dropped_and_half_filled_is_checked() -> None:
    """Death with no certificate: no ``reference``; a certificate with a number only: its
    date and issuer are required."""
    form = build_form("Died")

    empty = parse_form(form, {"died_on": "10/05/2565"})
    half = parse_form(form, {"died_on": "10/05/2565", "reference.number": "ม.1/2565"})

    assert empty.errors == {}
    assert "reference" not in empty.data
    assert set(half.errors) == {"reference.date", "reference.issuer"}


def test_errors_beside_fields_in_thai_and_english() -> None:
    """A two-digit year, an unreadable amount and a salary of too many digits come back on
    their inputs with the rule's id and Thai and English messages; nothing else is blamed."""
    form = build_form("PositionSalaryEntryAdded")
    values = {
        "movement_type": "เลื่อนระดับ",
        "position_no": "1",
        "position_title": "นักทรัพยากรบุคคล",
        "level": "ชำนาญการ",
        "salary": "12,345,678,901.00",
        "allowance": "สองพัน",
        "order.number": "12/2562",
        "order.date": "1/4/62",
        "order.issuer": "อบต.",
        "effective": "01/04/2562",
    }

    parsed = parse_form(form, values)

    assert set(parsed.errors) == {"salary", "allowance", "order.date"}
    (date_error,) = parsed.errors["order.date"]
    assert date_error.rule == "date.two_digit_year"
    assert "สี่หลัก" in date_error.th
    (salary_error,) = parsed.errors["salary"]
    assert salary_error.rule == "data.invalid"
    assert "หลัก" in salary_error.th
    assert parsed.errors["allowance"][0].rule == "money.not_plain_decimal"
    assert all(_thai(e.th) and e.en for errors in parsed.errors.values() for e in errors)


def test_required_fields_and_cross_field_rules() -> None:
    """Missing required inputs are named; a leave ending before it starts is the model's rule,
    shown in Thai at the top of the form (it names no single field)."""
    form = build_form("LeaveTaken")

    missing = parse_form(form, {})
    backwards = parse_form(
        form, {"leave_type": "sick", "start": "05/01/2563", "end": "03/01/2563", "days": "1"}
    )

    assert {"leave_type", "start", "end", "days"} <= set(missing.errors)
    assert list(backwards.errors) == [""]
    assert "วันสิ้นสุด" in backwards.errors[""][0].th


def test_choice_outside_the_list_is_refused() -> None:
    """A code not among the choices (a forged select) is refused on its field."""
    parsed = parse_form(build_form("LeaveTaken"), {"leave_type": "holiday"})

    assert parsed.errors["leave_type"][0].th == "เลือกจากรายการที่กำหนด"


def test_lists_are_one_item_per_line() -> None:
    """A list of codes (the sections a province returns) is typed one per line."""
    form = build_form("LaoDataReturned")
    sections = form.field("sections")

    parsed = parse_form(
        form,
        {
            "sections": "education\n\nleave\n",
            "reason": "ข้อมูลไม่ครบ",
            "records": "",
            "effective": "01/04/2566",
        },
    )

    assert sections is not None
    assert sections.kind == "lines"
    assert sections.item_kind == "choice"
    assert parsed.errors == {}
    assert parsed.data["sections"] == ["education", "leave"]


def test_correction_form_prefills_and_reads_the_replacement() -> None:
    """A correction's inputs are the entry's own under ``replacement.``; the entry superseded
    is carried, not typed; the reason is required."""
    form = build_correction_form("EducationAdded", 4)
    data = {
        "supersedes": 4,
        "reason": "พิมพ์ผิด",
        "replacement": {
            "institution": "มหาวิทยาลัยขอนแก่น",
            "qualification": "ปริญญาตรี",
            "finished": "1992-03-31",
        },
    }
    values = form_values(form, data)

    parsed = parse_form(form, values, date(1992, 3, 31))
    no_reason = parse_form(form, {**values, "reason": ""}, date(1992, 3, 31))

    assert values["replacement.finished"] == "31/03/2535"
    assert parsed.errors == {}
    assert parsed.effective == date(1992, 3, 31)  # the entry's own, not today
    assert parsed.data == data
    assert "reason" in no_reason.errors


def test_ledger_violations_are_placed_beside_their_fields() -> None:
    """A refusal's ``data.order.date``, a bare ``last_day`` and the whole ``data`` each find
    their place; the Thai message is the rule's."""
    form = build_form("Retired")
    refusal = InvalidDataError(
        "Retired",
        ["last_day: by the birth date the last day in service is 2030-09-30", "no field here"],
    )
    names = [field.name for field in form.fields()]

    placed = place_violations(names, refusal.violations)
    nested = place_violations(
        names, [Violation(refusal.violations[0].rule, "data.order.date", {"problem": "x"})]
    )

    assert set(placed) == {"last_day", ""}
    assert _thai(placed["last_day"][0].th)
    assert placed["last_day"][0].rule == "data.invalid"
    assert set(nested) == {"order.date"}


def test_forms_live_in_small_modules() -> None:
    """Each module of the engine stays under 500 lines."""
    for module in (Path(__file__).parents[3] / "web" / "forms").glob("*.py"):
        assert len(module.read_text(encoding="utf-8").splitlines()) < 500, module.name


def test_planned_years_are_typed_one_year_a_line() -> None:
    """A plan project's years read from ``2566: 1,000,000.00`` lines (Thai digits, a blank or
    ``-`` amount not given), show back the same way, and a line without a year is refused in
    Thai beside the field."""
    form = build_form("PlanProjectAdded")
    field = form.field("years")
    assert field is not None
    typed = {
        "plan": "00000000-0000-0000-0000-000000000001", "lao": "6630101", "province": "ตาก",
        "strategy": "1", "title": "ถนน", "years": "๒๕๖๖: 1,000,000.00\n2567: -",
        "effective": "01/10/2565",
    }  # fmt: skip

    parsed = parse_form(form, typed)
    refused = parse_form(form, {**typed, "years": "หนึ่งล้าน"})

    assert "yearly" == field.kind
    assert parsed.ok, parsed.errors
    assert {"2566": "1000000.00", "2567": None} == parsed.data["years"]
    assert "2566: 1,000,000.00\n2567: -" == form_values(form, parsed.data)["years"]
    assert "บรรทัดละหนึ่งปี" in refused.errors["years"][0].th


def test_blank_effective_date_follows_the_leave_start() -> None:
    """A sick leave of 12-14/01/2563 with the effective date left blank takes effect on its
    start, never on today (the ก.พ.๗ as of 01/01/2564 lists it, the PDF dates it 2563)."""
    form = build_form("LeaveTaken")
    typed = {"leave_type": "sick", "start": "12/01/2563", "end": "14/01/2563", "days": "3"}

    parsed = parse_form(form, typed)

    assert parsed.errors == {}
    assert parsed.effective == date(2020, 1, 12)
    assert form.effective.hint is not None
    assert "ตั้งแต่วันที่" in form.effective.hint.th


def test_blank_effective_date_without_a_natural_date_is_refused() -> None:
    """An order's entry (its order has no effective date of its own) and a scan need the
    effective date typed: blank, it is refused beside the field in Thai."""
    for name, typed in (
        ("Resigned", {"order.number": "1/2563", "order.date": "1/1/2563", "order.issuer": "อบต."}),
        ("DocumentScanned", {"kind": "order", "sha256": "a" * 64, "media_type": "image/png"}),
    ):
        form = build_form(name)
        parsed = parse_form(form, typed)

        assert form.effective.required, name
        assert parsed.effective is None
        assert set(parsed.errors) == {"effective"}, (name, parsed.errors)
        assert "วันที่มีผล" in parsed.errors["effective"][0].th


def test_an_owners_request_is_made_today_about_her_own_sections() -> None:
    """The owner's request form offers the sections of her ก.พ.๗ (not the scans, her status,
    the LAO's structure nor its position frame), and a blank effective date is today in
    Thailand: she is not asked for it; a section not offered is refused beside its field."""
    form = build_form("ChangeRequestedByOwner")
    section = form.field("section")
    assert section is not None
    offered = {choice.value for choice in section.choices}
    assert {"general", "family", "education", "position_salary", "leave"} <= offered
    assert not {"structure", "frame", "documents", "employment"} & offered
    assert form.asked_today
    assert not form.effective.required

    asked = parse_form(form, {"section": "general", "proposal": "ขอแก้ไขที่อยู่"})
    assert asked.ok, asked.errors
    assert thai_today() == asked.effective
    refused = parse_form(form, {"section": "structure", "proposal": "ขอแก้ไขโครงสร้าง"})
    assert "section" in refused.errors
    assert not build_form("LeaveTaken").asked_today
