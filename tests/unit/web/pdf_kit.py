"""A person to print documents about, and reading the printed documents back: their text with
pdftotext, their first page as a PNG with pdftoppm (poppler-utils, installed by
scripts/ensure-browser.sh) into var/screenshots/<test>/, to be looked at."""

from __future__ import annotations

import subprocess
import tempfile
import uuid
from datetime import date
from pathlib import Path

from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"

PERSON = {
    "prefix": "นางสาว",
    "first_name": "น้ำฝน",
    "last_name": "ผู้ใหญ่ดี",
    "sex": "female",
    "appointed_on": "2010-05-01",
    "service_started": "2010-05-03",
    "gpf_member": True,
}


SALARY_ON = date(2019, 10, 1)


def person_record(kit: LedgerKit, salary: str = "21010.50") -> uuid.UUID:
    """A record of the kit's LAO: named, in service, one salary line effective 1 October 2562."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(kit.hr, stream, "PersonalDataRecorded", PERSON, effective=date(2010, 5, 1))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(
        kit.hr, stream, "PositionSalaryEntryAdded", d.salary_entry(salary), effective=SALARY_ON
    )
    return stream


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in content order (``-raw``: what a search or a copy sees)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", file.name, "-"],
            check=True,
            capture_output=True,
        )
    return done.stdout.decode("utf-8")


def screenshot(pdf: bytes, test: str, name: str = "page-1") -> Path:
    """The first page rendered to ``var/screenshots/<test>/<name>.png`` (its path)."""
    folder = SCREENSHOTS / test
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            source,
            folder / name,
        ],
        check=True,
        capture_output=True,
    )
    return folder / f"{name}.png"
