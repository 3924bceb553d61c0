"""Issue 12's "Why" cases for dates, text and money, through the HTTP API on SQLite.

Each wrong statement is refused with a 4xx naming its rule and field, the log does not grow,
and the same statement with the wrong part put right is accepted.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
import uuid
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ledger.domain.organizations import organization_stream_id
from tests import domain_data as d
from tests.gate_kit import accepted, refusal, resigned, rules_of
from tests.ledger_kit import LedgerKit, Operator, record_data
from tests.unit.api.http_kit import body, login


def test_effective_year_0062_is_out_of_range(client: TestClient, kit: LedgerKit) -> None:
    """``1/4/62`` read as the year 0062 is refused with both readings; 2019 is accepted."""
    stream = uuid.uuid4()
    wrong = kit.sign(
        kit.hr, stream=stream, type="RecordOpened", data=record_data(), effective=date(62, 4, 1)
    )

    payload = refusal(client, kit, body(wrong))

    assert [("date.out_of_range", "effective")] == rules_of(payload)
    assert "0062 CE, which is 605 BE" in payload["errors"][0]["en"]
    assert "พ.ศ. 605" in payload["errors"][0]["th"]
    accepted(client, body(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())))


def test_a_buddhist_birth_year_written_as_iso_is_out_of_range(
    client: TestClient, kit: LedgerKit
) -> None:
    """birth_date 2518-01-15 is refused showing 2518 CE and 3061 BE; 1975-01-15 is accepted."""
    stream = uuid.uuid4()
    wrong = {**record_data(), "birth_date": "2518-01-15"}

    payload = refusal(
        client, kit, body(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=wrong))
    )

    assert [("date.out_of_range", "data.birth_date")] == rules_of(payload)
    assert "2518 CE, which is 3061 BE" in payload["errors"][0]["en"]
    right = {**record_data(), "birth_date": "1975-01-15"}
    accepted(client, body(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=right)))


def test_effective_as_the_number_0_is_not_iso(client: TestClient, kit: LedgerKit) -> None:
    """``effective: 0`` (read as 1970-01-01 by a lax parser) is refused; a date string is not."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    payload = refusal(client, kit, resigned(kit, signed, effective=0))

    assert [("date.not_iso", "effective")] == rules_of(payload)
    assert "got a number" in payload["errors"][0]["en"]
    accepted(client, resigned(kit, signed, effective="2019-04-01"))


def test_a_date_in_the_data_as_a_number_is_not_iso(client: TestClient, kit: LedgerKit) -> None:
    """A data date written as a JSON number is refused too, naming its field."""
    stream = uuid.uuid4()
    wrong = {**record_data(), "birth_date": 0}

    payload = refusal(
        client, kit, body(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=wrong))
    )

    assert [("date.not_iso", "data.birth_date")] == rules_of(payload)
    accepted(client, body(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())))


def test_signed_at_as_a_number_is_not_iso(client: TestClient, kit: LedgerKit) -> None:
    """``signed_at`` as seconds since 1970 is refused; its ISO form is accepted."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    written = json.loads(signed.canonical)["signed_at"]

    payload = refusal(client, kit, resigned(kit, signed, signed_at=1_700_000_000))

    assert [("time.not_iso", "signed_at")] == rules_of(payload)
    accepted(client, resigned(kit, signed, signed_at=written))


NAMES = {
    "a control character": ("สม\x01ชาย", "text.control_character"),
    "only a zero-width space": ("\u200b", "text.empty"),
    "only combining marks": ("\u0e48\u0e49", "text.dangling_mark"),
    "a right-to-left override": ("สมชาย\u202eยาชมส", "text.bidi_control"),
    "not NFC": (unicodedata.normalize("NFD", "Café"), "text.not_nfc"),
    "spaces after it": ("ทดสอบ  ", "text.stray_space"),
    "two spaces inside": ("ทด  สอบ", "text.stray_space"),
    "a formula": ("=cmd|1", "text.name_character"),
    "a digit": ("สมชาย2", "text.name_character"),
}


@pytest.mark.parametrize("case", sorted(NAMES))
def test_a_name_nobody_can_read_is_refused(client: TestClient, kit: LedgerKit, case: str) -> None:
    """A first name that is a control character, invisible, marks alone, a bidi override or
    not NFC is refused with its rule on the field; ``สมชาย`` is accepted."""
    name, rule_id = NAMES[case]
    stream = kit.open_record()
    wrong = {**d.ENTRY_DATA["PersonalDataRecorded"], "first_name": name}

    payload = refusal(
        client, kit, body(kit.sign(kit.hr, stream=stream, type="PersonalDataRecorded", data=wrong))
    )

    assert [(rule_id, "data.first_name")] == rules_of(payload)
    right = {**d.ENTRY_DATA["PersonalDataRecorded"], "first_name": "สมชาย"}
    accepted(client, body(kit.sign(kit.hr, stream=stream, type="PersonalDataRecorded", data=right)))


def test_a_control_character_in_an_order_issuer_is_refused(
    client: TestClient, kit: LedgerKit
) -> None:
    """Free text nested in a legal reference is checked like a name."""
    stream = kit.open_record()
    wrong = {**d.salary_entry(), "order": d.order(issuer="นายก\x07อบต.")}

    payload = refusal(
        client,
        kit,
        body(kit.sign(kit.hr, stream=stream, type="PositionSalaryEntryAdded", data=wrong)),
    )

    assert [("text.control_character", "data.order.issuer")] == rules_of(payload)
    accepted(
        client,
        body(
            kit.sign(kit.hr, stream=stream, type="PositionSalaryEntryAdded", data=d.salary_entry())
        ),
    )


def test_a_salary_written_1e5_is_not_a_plain_decimal(client: TestClient, kit: LedgerKit) -> None:
    """salary "1e5" is refused with money.not_plain_decimal; "100000.00" is accepted."""
    stream = kit.open_record()

    payload = refusal(
        client,
        kit,
        body(
            kit.sign(
                kit.hr, stream=stream, type="PositionSalaryEntryAdded", data=d.salary_entry("1e5")
            )
        ),
    )

    assert [("money.not_plain_decimal", "data.salary")] == rules_of(payload)
    right = d.salary_entry("100000.00")
    accepted(
        client, body(kit.sign(kit.hr, stream=stream, type="PositionSalaryEntryAdded", data=right))
    )


FORMULA = '=HYPERLINK("http://example.invalid/","ดูประวัติ")'


def test_a_formula_name_downloads_as_text(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """An organization named as a spreadsheet formula is text in the CSV and XLSX downloads
    (a leading apostrophe, a string cell), never a live formula."""
    data = d.organization("6480199", "นครพนม", name=FORMULA)
    kit.emit(kit.admin, organization_stream_id("6480199"), "OrganizationRegistered", data)
    headers = login(client, auditor)

    text = client.get("/organizations", params={"format": "csv"}, headers=headers)
    workbook = client.get("/organizations", params={"format": "xlsx"}, headers=headers)

    rows = list(csv.DictReader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert ["'" + FORMULA] == [row["ชื่อ อปท."] for row in rows if row["รหัส อปท."] == "6480199"]
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = [
        cell for line in sheet.iter_rows(min_row=2) for cell in line if cell.value == "'" + FORMULA
    ]
    assert ["s"] == [cell.data_type for cell in cells]


def test_a_correction_is_checked_like_the_entry_it_replaces(
    client: TestClient, kit: LedgerKit
) -> None:
    """A correction whose replacement holds a Buddhist year written as ISO is refused on
    data.replacement's field; with the year put right it is accepted."""
    stream = kit.open_record()
    added = kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=d.education()))

    def correction(finished: str) -> dict[str, str]:
        data = {
            "supersedes": added.version,
            "reason": "แก้ปีที่จบการศึกษา",
            "replacement": {**d.education(), "finished": finished},
        }
        return body(kit.sign(kit.hr, stream=stream, type="EntryCorrected", data=data))

    payload = refusal(client, kit, correction("2535-03-31"))

    assert [("date.out_of_range", "data.replacement.finished")] == rules_of(payload)
    accepted(client, correction("1992-04-30"))


@pytest.mark.parametrize("written", ["yes", 1, "0"])
def test_a_boolean_written_otherwise_is_refused(
    client: TestClient, kit: LedgerKit, written: object
) -> None:
    """gpf_member "yes", 1 or "0" is refused 422 with data.json_type on the field, in Thai
    and English, as the schema publishes it (``boolean``); true is accepted and read so."""
    stream = kit.open_record()
    schema = client.get("/schemas/PersonalDataRecorded").json()
    published = {item.get("type") for item in schema["properties"]["gpf_member"]["anyOf"]}
    wrong = {**d.ENTRY_DATA["PersonalDataRecorded"], "gpf_member": written}

    payload = refusal(
        client, kit, body(kit.sign(kit.hr, stream=stream, type="PersonalDataRecorded", data=wrong))
    )

    assert {"boolean", "null"} == published
    assert [("data.json_type", "data.gpf_member")] == rules_of(payload)
    assert "JSON boolean" in payload["errors"][0]["en"]
    assert "ค่าจริงหรือเท็จ" in payload["errors"][0]["th"]
    right = {**d.ENTRY_DATA["PersonalDataRecorded"], "gpf_member": True}
    accepted(client, body(kit.sign(kit.hr, stream=stream, type="PersonalDataRecorded", data=right)))
