"""A person erased in Chromium: the demo served with a vault (development key files) and one v2
record written into it (its citizen ID, birth date and name committed, the values in the vault);
the HR officer opens the erasure form from the record's ก.พ.๗ page, reads the warning, fills
the legal basis and the reason, reviews, signs on the card through the agent, gets the receipt;
the ledger destroyed the person's key (the vault no longer opens their values), the ก.พ.๗ page
shows ข้อมูลถูกลบตามคำขอ, and a second erasure or any new entry is refused by the rule
``person.erased`` (410). axe-core on every page; screenshots in var/screenshots/<test>/."""

from __future__ import annotations

import struct
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.vault import open_vault
from ledger.vault_keys import ErasedError
from tests import domain_data as d
from tests.browser_kit import (
    HR_OFFICER,
    LedgerLog,
    Shots,
    WebDemo,
    check_axe,
    login,
    serve_demo,
    sign,
)
from tests.demo_template import NAME, DemoFolder
from tests.e2e.web.conftest import CONTEXT
from tests.ledger_kit import LedgerKit, Operator
from tests.people import made_up_cid
from tests.vault_kit import kept_value

PERSON = {"prefix": "นางสาว", "first_name": "ลบได้", "last_name": "ทดลองลบ"}
RECORD = uuid.UUID("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5")


def _settings(demo: DemoFolder) -> LedgerSettings:
    """The copy's settings: its vault is the key files beside its SQLite file (the demo's)."""
    return LedgerSettings(database_url=demo.database_url, name=NAME)


def _add_v2_record(demo: DemoFolder) -> None:
    """The demo HR officer's v2 record (RecordOpened and the name, committed), signed with the
    officer's key file, its values kept in the vault."""
    ledger = Ledger(_settings(demo))
    try:
        signer = SoftwareSigner.from_file(demo.keys / f"{HR_OFFICER}.key")
        enrolment = ledger.enrolment_for(signer.key_id)
        assert enrolment is not None
        hr = Operator(enrolment.cid, signer)
        kit = LedgerKit(ledger, system=hr, admin=hr, hr=hr, other_hr=hr)
        kit.emit_v2(hr, RECORD, "RecordOpened", d.record(enrolment.scope, cid=made_up_cid(801)))
        kit.emit_v2(hr, RECORD, "PersonalDataRecorded", PERSON)
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def vault_demo(
    tmp_path_factory: pytest.TempPathFactory, demo_template: DemoFolder
) -> Iterator[WebDemo]:
    """The demo, with a vault and the v2 record, served with its agent."""
    where = tmp_path_factory.mktemp("erasure-demo")
    with serve_demo(demo_template, where, prepare=_add_v2_record) as demo:
        yield demo


@pytest.fixture
def officer(browser: Browser, vault_demo: WebDemo) -> Iterator[Page]:
    context = browser.new_context(**CONTEXT)  # type: ignore[arg-type]
    page = context.new_page()
    login(page, vault_demo)
    yield page
    context.close()


def _png(width: int = 24, height: int = 32, rgb: bytes = b"\x80\xa0\xc0") -> bytes:
    """A small plain PNG standing in for a photo (made up: no one in it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + rgb * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


def _attach_photo(page: Page, demo: WebDemo, photo: Path, shot: Shots) -> str:
    """Upload the photo on the record's page, sign its PhotoAttached (v2: the hash committed);
    the photo's URL on the page."""
    page.goto(f"{demo.base_url}/app/records/{RECORD}")
    page.locator("#document-kind").select_option("photo")
    page.locator("#document-file").set_input_files(photo)
    page.locator("#upload-button").click()
    page.locator("#entry-form").wait_for()
    page.locator("#field-effective").fill("15/01/2569")
    page.locator("#review-button").click()
    sign(page)
    page.goto(f"{demo.base_url}/app/records/{RECORD}")
    source = page.locator("#attachments img.attached-photo").first.get_attribute("src")
    assert source is not None
    return source


def test_the_hr_officer_erases_a_person_and_the_record_closes(
    officer: Page, vault_demo: WebDemo, shot: Shots, tmp_path: Path
) -> None:
    base, page = vault_demo.base_url, officer
    log = LedgerLog(vault_demo)
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png())
    position = log.position()
    source = _attach_photo(page, vault_demo, photo, shot)
    log.expect_signed(position, ["PhotoAttached"], HR_OFFICER)
    documents = Path(vault_demo.database_url.removeprefix("sqlite:///")).parent / "documents"
    kept = [p.relative_to(documents) for p in documents.rglob("*") if p.is_file()]
    kept = [documents / path for path in kept if path.parts[1] != "tmp"]  # <ledger>/tmp: staging
    assert [] == [path for path in kept if path.read_bytes() == photo.read_bytes()]
    assert 1 == len([path for path in kept if "sealed" in path.parts])
    assert photo.read_bytes() == page.request.get(f"{base}{source}").body()
    position = log.position()

    page.goto(f"{base}/app/records/{RECORD}")
    assert "ลบได้" in page.locator("#kp7-heading").inner_text()
    shot(page, "record")
    check_axe(page)
    page.locator("#erase-link").click()
    page.locator("#entry-form").wait_for()
    assert "ย้อนกลับไม่ได้" in page.locator("#erasure-warning").inner_text()
    page.locator("#field-effective").fill("15/01/2569")
    page.locator("#field-legal-basis").fill(d.ERASURE["legal_basis"])
    page.locator("#field-reason").fill(d.ERASURE["reason"])
    shot(page, "erasure-form")
    check_axe(page)
    page.locator("#review-button").click()
    page.locator("#review #erasure-warning").wait_for()
    sign(page, shot=shot, shows=(d.ERASURE["reason"],))
    assert "ทำลายกุญแจ" in page.locator("#erasure-done").inner_text()

    log.expect_signed(position, ["PersonErased"], HR_OFFICER)
    settings = _settings(
        DemoFolder(Path(vault_demo.database_url.removeprefix("sqlite:///")).parent)
    )
    vault, ledger = open_vault(settings), Ledger(settings)
    assert vault is not None
    try:
        with pytest.raises(ErasedError):
            kept_value(vault, ledger, RECORD, "PersonalDataRecorded", "first_name")
    finally:
        vault.close()
        ledger.close()

    page.goto(f"{base}/app/records/{RECORD}")
    assert "ข้อมูลถูกลบตามคำขอ" in page.locator("main").inner_text()
    assert "ลบได้" not in page.locator("main").inner_text()
    page.locator("#erased-notice").wait_for()
    assert 0 == page.locator("#erase-link, #new-entry-link, #attachments").count()
    assert 410 == page.request.get(f"{base}{source}").status
    shot(page, "record-erased")
    check_axe(page)
    for path in ("new/PersonErased", "new"):
        answer = page.goto(f"{base}/app/records/{RECORD}/{path}")
        assert answer is not None
        assert 410 == answer.status
        assert "person.erased" == page.locator("#error-rule").inner_text()
        check_axe(page)
    shot(page, "new-entry-refused")
