"""English pages speak one era: every year is Buddhist-era, labelled B.E. (docs/language.md), as
Thai government English keeps it; and a ก.พ.๗ section is named in English, never in Thai.

Each role's pages on the demo are read in English and their visible text scanned: a date
written with an English month must carry ``B.E.`` and a Buddhist-era year, no ISO
(common-era) date may show, a fiscal year is labelled B.E., and no section's Thai name
appears (the people's names, their LAO and what they typed stay Thai)."""

from __future__ import annotations

import html as markup
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.demo import day as demo_day
from ledger.application import Ledger
from ledger.domain.field_labels import value_label
from ledger.domain.record_entries import RecordSection
from tests.unit.web.demo_world import LAO, DemoFiles, demo_client, demo_settings, operator_key
from tests.unit.web.web_kit import log_in

MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
MIXED = {
    "a date not in the labelled Buddhist era": re.compile(
        rf"\b\d{{1,2}} {MONTH} (?!B\.E\. 2[4-6]\d\d\b)\S+"
    ),
    "a common-era ISO date": re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b"),
    "a fiscal year not labelled B.E.": re.compile(
        r"(?i)\b(?:fiscal years?|FY)\s*(?!B\.E\.|\(B\.E\.\))\d{4}"
    ),
    "a Thai month on an English page": re.compile(
        r"\d{1,2} (?:ม\.ค|ก\.พ|มี\.ค|เม\.ย|พ\.ค|มิ\.ย|ก\.ค|ส\.ค|ก\.ย|ต\.ค|พ\.ย|ธ\.ค)\."
    ),
}
SECTIONS_TH = tuple(
    label for section in RecordSection if (label := value_label("RecordSection", section.value))
)
RECORD = re.compile(r'href="/app/records/([0-9a-f-]{36})(/employment)?"')


@pytest.fixture
def english(tmp_path: Path, demo: DemoFiles) -> Iterator[TestClient]:
    """A client of the web app over a copy of the demo (its day pinned to 15 January 2563)
    that reads the pages in English."""
    settings = demo_settings(demo, tmp_path)
    ledger = Ledger(settings)
    try:
        with demo_client(settings, ledger) as client:
            client.cookies.set("lang", "en")
            yield client
    finally:
        ledger.close()


def visible(page: str) -> list[str]:
    """The page's visible text, a line per text node."""
    page = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", "", page)
    lines = (markup.unescape(text).strip() for text in re.split(r"<[^>]+>", page))
    return [line for line in lines if line]


def mixed(path: str, page: str) -> list[str]:
    """What of the page's text breaks the English pages' rule, each with its page."""
    found = []
    for line in visible(page):
        found += [f"{path}: {what}: {line!r}" for what, rx in MIXED.items() if rx.search(line)]
        found += [
            f"{path}: Thai section name {name}: {line!r}" for name in SECTIONS_TH if name in line
        ]
    return found


def scan(client: TestClient, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        response = client.get(path)
        assert 200 == response.status_code, path
        found += mixed(path, response.text)
    return found


def test_the_hr_officers_english_pages_keep_one_era_and_english_section_names(
    english: TestClient, demo: DemoFiles
) -> None:
    """Home (the returned round's sections, the owners' requests, retirements with their fiscal
    years), a ก.พ.๗ with its entries, an employment page, certification, the dashboards."""
    log_in(english, operator_key(demo, "hr-nakhonphanom"))
    home = english.get("/app/")
    links = {f"/app/records/{stream}{tail}" for stream, tail in RECORD.findall(home.text)}
    assert any(link.endswith("/employment") for link in links)
    assert any(not link.endswith("/employment") for link in links)
    pages = [
        "/app/",
        *sorted(links)[:6],
        "/app/certification",
        "/app/dashboards/retirements",
        "/app/dashboards/certification",
        "/app/dashboards/kpi",
        "/app/dashboards/section35",
    ]

    assert [] == scan(english, pages)
    assert "Leave, absence, lateness" in home.text  # the returned round's section, in English
    assert f"cycle {demo_day.RETURNED_ROUND}" in home.text.lower()


def test_the_certifiers_english_pages_keep_one_era(english: TestClient, demo: DemoFiles) -> None:
    """The head's and the province's worklists and a cycle's page; the province's ก.พ.๗ of a
    teacher names the sections withheld from it in English."""
    log_in(english, operator_key(demo, "head-nakhonphanom"))
    head = scan(english, ["/app/certify", f"/app/certify/{LAO}/{demo_day.HEAD_ROUND}"])
    log_in(english, operator_key(demo, "province-nakhonphanom"))
    cycle = english.get(f"/app/certify/{LAO}/{demo_day.HEAD_ROUND}").text
    records = [f"/app/records/{s}" for s in sorted({s for s, _ in RECORD.findall(cycle)})]
    province = scan(english, ["/app/certify", *records[:3]])
    withheld = next(page for path in records if 'id="withheld"' in (page := english.get(path).text))

    assert [] == head
    assert [] == province
    assert [] == mixed("a ก.พ.๗ with sections withheld", withheld)
    assert "Leave, absence, lateness" in withheld
