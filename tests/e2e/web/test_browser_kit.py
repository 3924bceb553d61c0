"""The browser tests' own ground: Chromium draws Thai, a missing browser fails clearly, and the
served demo's log reads and audits as the steps' checks expect."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from playwright.sync_api import Page, Playwright

from tests.browser_kit import HR_OFFICER, LedgerLog, Shots, WebDemo, check_axe, launch_chromium

THAI_PAGE = """<!doctype html><html lang="th"><head><meta charset="utf-8"><title>ทดสอบ</title>
</head><body><main><h1>ทะเบียนประวัติ ก.พ.๗</h1>
<p><span id="base">ก</span> <span id="marked">กิ</span></p></main></body></html>"""


def test_chromium_draws_thai_with_a_thai_font(page: Page, shot: Shots) -> None:
    """A vowel above a consonant takes no width of its own: a Thai font is there, not boxes."""
    page.set_content(THAI_PAGE)
    shot(page, "thai")

    def width(selector: str) -> float:
        box = page.locator(selector).bounding_box()
        assert box is not None
        return box["width"]

    assert width("#base") > 0
    assert width("#base") == width("#marked")
    check_axe(page)


def test_a_missing_chromium_fails_saying_how_to_install_it(tmp_path: Path) -> None:
    """No browser at the path: the test fails (not skips) naming the script and the packages."""
    with pytest.raises(pytest.fail.Exception, match=r"ensure-browser\.sh") as failure:
        launch_chromium(cast(Playwright, None), tmp_path / "chromium")

    assert "fonts-thai-tlwg" in str(failure.value)


def test_the_served_demo_reads_and_audits(web_demo: WebDemo, ledger_log: LedgerLog) -> None:
    """The demo's last events read with their signer, and ``ledger audit verify`` passes."""
    newest = ledger_log.position()
    events = ledger_log.since(newest - 3)

    assert [newest - 2, newest - 1, newest] == [event.position for event in events]
    assert all(len(event.key_id) == 16 for event in events)
    assert 16 == len(web_demo.key_id(HR_OFFICER))
    assert "verified" in ledger_log.verify()
