"""Personal data through the browser on the demo, whose records are v2 (docs/personal-data.md):
a name change is drafted as a v2 statement, the agent shows the officer the values (not the
commitments) and signs; the stored event is v2 and the events table holds none of the values;
the ก.พ.๗ page reads them back through the vault; a correction of that entry starts from the
values and is v2 as well. Each page is axe-clean and photographed. (People no other browser
test looks for by name: the demo is shared by the package.)"""

from __future__ import annotations

import json
import uuid

from playwright.sync_api import Page

from ledger.application import Ledger
from ledger.commitments import is_commitment
from ledger.settings import LedgerSettings
from tests.browser_kit import HR_OFFICER, LedgerLog, Shots, WebDemo, check_axe, sign
from tests.demo_template import NAME
from tests.e2e.web.test_hr_day import find, open_form, review
from tests.raw_rows import rows_bytes, sqlite_rows

NEW_NAME = {"prefix": "นาง", "first-name": "วาสนาทดสอบ", "last-name": "ใจงามทดสอบ"}
FIXED_FIRST = "วาสนาแก้ไขทดสอบ"


def stored(demo: WebDemo, stream: str, at: int = -1) -> tuple[int, dict[str, object]]:
    """The version and the statement (as signed) of the stream's newest event (or ``at``)."""
    ledger = Ledger(LedgerSettings(database_url=demo.database_url, name=NAME))
    try:
        event = ledger.stream_events(uuid.UUID(stream))[at]
    finally:
        ledger.close()
    return event.version, json.loads(event.statement)


def events_table(demo: WebDemo) -> bytes:
    """Every byte of the events table, as a dump of the database would hold it."""
    return rows_bytes(sqlite_rows(demo.database_url.removeprefix("sqlite:///")))


def change_name(page: Page, demo: WebDemo, log: LedgerLog, person: str, shot: Shots) -> str:
    """Find ``person`` (a v2 record), sign a name change through the agent (which must show
    the new name); the record's id."""
    path = find(page, demo, person, shot)
    open_form(page, "NameChanged", shot)
    position = log.position()
    for field, value in NEW_NAME.items():
        page.locator(f"#field-{field}").fill(value)
    page.locator("#field-effective").fill("01/12/2568")
    page.locator("#field-reason").fill("สมรส")
    review(page, shot)
    sign(page, shot=shot, shows=(*NEW_NAME.values(), "สมรส", "ชื่อ"))
    [event] = log.expect_signed(position, ["NameChanged"], HR_OFFICER)
    assert path.endswith(event.stream)
    assert 2 == stored(demo, event.stream, at=0)[1]["v"]  # the record was opened v2
    return event.stream


def test_a_name_change_is_signed_v2_and_its_values_stay_out_of_the_log(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    stream = change_name(hr_page, web_demo, ledger_log, "สมมุติสุข", shot)

    _version, statement = stored(web_demo, stream)
    assert 2 == statement["v"]
    data = statement["data"]
    assert isinstance(data, dict)
    assert all(is_commitment(data[name]) for name in ("prefix", "first_name", "last_name"))
    raw = events_table(web_demo)
    names = (NEW_NAME["first-name"], NEW_NAME["last-name"])  # (a prefix is a common word)
    assert [] == [value for value in names if value.encode() in raw]
    hr_page.locator("#receipt-record-link").click()
    hr_page.locator("#kp7-heading").wait_for()
    shot(hr_page, "kp7-after")
    check_axe(hr_page)
    assert "วาสนาทดสอบ ใจงามทดสอบ" in hr_page.locator("#kp7-heading").inner_text()
    assert "commitment" not in hr_page.content()


def test_a_correction_of_a_v2_entry_starts_from_its_values_and_is_v2(
    hr_page: Page, web_demo: WebDemo, ledger_log: LedgerLog, shot: Shots
) -> None:
    stream = change_name(hr_page, web_demo, ledger_log, "ตัวอย่างดี", shot)
    version, _statement = stored(web_demo, stream)
    position = ledger_log.position()

    hr_page.goto(f"{web_demo.base_url}/app/records/{stream}/entries/{version}/correct")
    hr_page.locator("#entry-form").wait_for()
    assert NEW_NAME["first-name"] == hr_page.locator("#field-replacement-first-name").input_value()
    assert "commitment" not in hr_page.content()
    hr_page.locator("#field-replacement-first-name").fill(FIXED_FIRST)
    hr_page.locator("#field-reason").fill("พิมพ์ชื่อผิด")
    review(hr_page, shot)
    assert NEW_NAME["first-name"] in hr_page.locator("#changes-table").inner_text()  # before
    sign(hr_page, shot=shot, shows=(FIXED_FIRST, NEW_NAME["last-name"]))

    ledger_log.expect_signed(position, ["EntryCorrected"], HR_OFFICER)
    _version, statement = stored(web_demo, stream)
    replacement = statement["data"]["replacement"]  # type: ignore[index]
    assert (2, True) == (statement["v"], is_commitment(replacement["first_name"]))
    assert FIXED_FIRST.encode() not in events_table(web_demo)
    hr_page.locator("#receipt-record-link").click()
    hr_page.locator("#kp7-heading").wait_for()
    shot(hr_page, "kp7-after")
    assert FIXED_FIRST in hr_page.locator("#kp7-heading").inner_text()
