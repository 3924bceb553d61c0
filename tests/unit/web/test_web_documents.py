"""Photos and scans on the ก.พ.๗ page: uploaded into the store, completed in the entry form with
the hash read-only, reviewed, signed (a software key in the agent's place) and shown on the
record; refused files in Thai and English leave nothing behind; reads stay within one's share."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.documents import default_documents_dir
from ledger.domain.permissions import Role
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator
from tests.unit.web.web_kit import (
    ORIGIN,
    SESSION_SECRET,
    answer,
    log_in,
    page_request,
    server_request,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a made-up face" * 20
PDF = b"%PDF-1.7\n% a made-up order scanned\n%%EOF\n"
LIMIT = 4096
"""The store's limit in these tests (the real one is 10 MB)."""


@pytest.fixture
def settings(tmp_path: Path) -> LedgerSettings:
    """A fresh ledger whose document store keeps at most 4 KiB."""
    return LedgerSettings(
        database_url=f"sqlite:///{tmp_path}/web.sqlite",
        session_secret=SESSION_SECRET,
        web_origin=ORIGIN,
        max_document_bytes=LIMIT,
    )


@pytest.fixture
def record(kit: LedgerKit) -> uuid.UUID:
    """A named record of the kit's LAO."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(
        kit.hr,
        stream,
        "PersonalDataRecorded",
        {"prefix": "นาง", "first_name": "ทดลอง", "last_name": "รูปถ่าย"},
    )
    return stream


def stored(settings: LedgerSettings) -> list[Path]:
    """The files the document store holds."""
    root = default_documents_dir(settings)
    return [p for p in root.rglob("*") if p.is_file() and p.parent.name != "tmp"]


def upload(
    client: TestClient, stream: uuid.UUID, kind: str, content: bytes, name: str = "x"
) -> Response:
    """The ก.พ.๗ page's upload form, posted."""
    return client.post(
        "/app/documents",
        data={"stream": str(stream), "kind": kind},
        files={"file": (name, content)},
    )


def field_value(html: str, name: str) -> str:
    found = re.search(
        rf'<input type="text" id="field-{name}" name="[^"]+"[^>]*value="([^"]*)"', html
    )
    assert found is not None, f"no input {name}"
    return found.group(1)


def sign_form(
    client: TestClient, stream: uuid.UUID, event: str, values: dict[str, str], operator: Operator
) -> Response:
    """Post the entry form, then do what signing.js and the agent do with its review."""
    review = client.post(f"/app/records/{stream}/new/{event}", data=values)
    assert 200 == review.status_code, review.text
    wire, _ = page_request(review.text)
    signed = answer(server_request(client, wire), wire, operator.signer)
    return client.post("/app/statements", data=signed, headers={"HX-Request": "true"})


def test_a_photo_uploaded_reviewed_signed_and_shown(
    client: TestClient, kit: LedgerKit, record: uuid.UUID
) -> None:
    """The upload answers the PhotoAttached form with the hash and type read-only; signed, the
    record's page shows the photo with Thai alt text, and the page serves its bytes."""
    log_in(client, kit.hr.signer)
    sha = hashlib.sha256(JPEG).hexdigest()

    form = upload(client, record, "photo", JPEG, name="นางทดลอง 3-1234.jpg")

    assert 200 == form.status_code, form.text
    assert 'id="entry-form"' in form.text
    assert sha == field_value(form.text, "sha256")
    assert re.search(r'id="field-sha256"[^>]*readonly', form.text)
    assert re.search(r'id="field-media-type"[^>]*readonly', form.text)
    assert "image/jpeg" == field_value(form.text, "media-type")
    assert "3-1234" not in form.text
    values = {
        "effective": "15/01/2563",
        "year": field_value(form.text, "year"),
        "sha256": sha,
        "media_type": "image/jpeg",
    }
    assert 201 == sign_form(client, record, "PhotoAttached", values, kit.hr).status_code
    assert "PhotoAttached" == kit.ledger.stream_events(record)[-1].type

    page = client.get(f"/app/records/{record}").text
    image = re.search(r'<img class="attached-photo" src="([^"]+)"[^>]*alt="([^"]+)"', page)
    assert image is not None
    assert f"/app/records/{record}/documents/{sha}" == image.group(1)
    assert "รูปถ่ายของ นางทดลอง รูปถ่าย" in image.group(2)
    served = client.get(image.group(1))
    assert (200, JPEG, "image/jpeg") == (
        served.status_code,
        served.content,
        served.headers["content-type"],
    )


def test_a_scanned_order_becomes_a_link(
    client: TestClient, kit: LedgerKit, record: uuid.UUID
) -> None:
    """A PDF uploaded as an order: the DocumentScanned form has the kind chosen; signed, the
    page links to it by its Thai kind."""
    log_in(client, kit.hr.signer)
    form = upload(client, record, "order", PDF, name="order.pdf")
    assert 'value="order" selected' in form.text
    sha = field_value(form.text, "sha256")
    values = {
        "effective": "15/01/2563",
        "kind": "order",
        "sha256": sha,
        "media_type": "application/pdf",
        "title": "คำสั่งแต่งตั้ง",
    }

    assert 201 == sign_form(client, record, "DocumentScanned", values, kit.hr).status_code

    page = client.get(f"/app/records/{record}").text
    link = re.search(r'<a class="attached-document" href="([^"]+)">([^<]+)</a>', page)
    assert link is not None
    assert "คำสั่ง: คำสั่งแต่งตั้ง" == link.group(2)
    assert PDF == client.get(link.group(1)).content


@pytest.mark.parametrize(
    ("kind", "content", "status", "rule"),
    [
        ("photo", b"GIF89a" + b"\x00" * 30, 415, "document.type"),
        ("order", b"<html>not a scan</html>", 415, "document.type"),
        ("photo", PDF, 415, "document.photo_type"),
        ("order", PDF + b"\x00" * LIMIT, 413, "document.too_large"),
    ],
)
def test_refused_files_are_named_in_thai_and_english_and_not_kept(
    client: TestClient,
    kit: LedgerKit,
    record: uuid.UUID,
    settings: LedgerSettings,
    kind: str,
    content: bytes,
    status: int,
    rule: str,
) -> None:
    """Wrong type by the bytes, a PDF as a photo, or over the limit: a Thai page naming the
    rule (English beside it), and nothing in the store."""
    log_in(client, kit.hr.signer)

    refused = upload(client, record, kind, content, name="photo.jpg")

    assert status == refused.status_code
    assert '<html lang="th">' in refused.text
    assert f'data-rule="{rule}"' in refused.text
    assert 'lang="en"' in refused.text
    assert [] == stored(settings)


def test_a_file_past_the_body_limit_is_a_thai_page_not_json(
    client: TestClient, kit: LedgerKit, record: uuid.UUID, settings: LedgerSettings
) -> None:
    """A file larger than the upload's body limit (refused before the route reads it): a Thai
    page naming the rule and the field, the document limit, a way back to the record's upload
    block; never the API's problem JSON; nothing kept. The API's own paths keep their JSON."""
    log_in(client, kit.hr.signer)
    record_page = f"{ORIGIN}/app/records/{record}"

    refused = client.post(
        "/app/documents",
        data={"stream": str(record), "kind": "order"},
        files={"file": ("scan.pdf", PDF + b"\x00" * (LIMIT + 128 * 1024))},
        headers={"Referer": record_page},
    )
    api = client.post("/documents", content=b"\x00" * (LIMIT + 128 * 1024))

    assert 413 == refused.status_code
    assert refused.headers["content-type"].startswith("text/html")
    assert '<html lang="th">' in refused.text
    assert 'data-rule="http.body_too_large" data-field="file"' in refused.text
    assert f"{LIMIT:,} ไบต์" in refused.text
    assert f'href="/app/records/{record}#documents-upload"' in refused.text
    assert "application/problem+json" not in refused.text
    assert 'id="who"' in refused.text  # the menu of the logged-in officer
    assert [] == stored(settings)
    assert api.headers["content-type"].startswith("application/problem+json")


def test_a_form_past_the_body_limit_is_a_thai_page_in_english_too(
    client: TestClient, kit: LedgerKit, record: uuid.UUID
) -> None:
    """Any page's POST over the body limit is the page too (English with the lang cookie); a
    Referer from another site gives no link back to it."""
    log_in(client, kit.hr.signer)
    client.cookies.set("lang", "en")

    refused = client.post(
        f"/app/records/{record}/new/EducationAdded",
        content=b"x" * (2 * 1024 * 1024),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "https://elsewhere.example/app/",
        },
    )

    assert 413 == refused.status_code
    assert '<html lang="en">' in refused.text
    assert 'data-field="body"' in refused.text
    assert "What was sent is too large" in refused.text
    assert 'id="too-large-back"' not in refused.text


def test_uploads_and_reads_stay_within_ones_share(
    client: TestClient, kit: LedgerKit, record: uuid.UUID, settings: LedgerSettings
) -> None:
    """A kept hash the record does not bind is not served; once bound, another LAO's HR
    officer can neither read it nor upload to the record; an e-Plan officer may not upload."""
    log_in(client, kit.hr.signer)
    sha = field_value(upload(client, record, "photo", JPEG).text, "sha256")
    url = f"/app/records/{record}/documents/{sha}"
    assert 404 == client.get(url).status_code  # kept, not yet bound
    data = {"year": 2563, "sha256": sha, "media_type": "image/jpeg"}
    kit.emit(kit.hr, record, "PhotoAttached", data)
    assert 200 == client.get(url).status_code

    log_in(client, kit.other_hr.signer)
    assert 404 == client.get(url).status_code
    assert 404 == upload(client, record, "photo", PDF).status_code
    log_in(client, kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO).signer)
    assert 403 == upload(client, record, "order", PDF).status_code
    assert 1 == len(stored(settings))


def test_the_record_page_offers_the_upload_to_the_hr_officer(
    client: TestClient, kit: LedgerKit, record: uuid.UUID
) -> None:
    """The upload block is labelled in Thai, its kinds in Thai, the file input labelled."""
    log_in(client, kit.hr.signer)

    page = client.get(f"/app/records/{record}").text

    assert "แนบรูปถ่าย / แนบเอกสารสแกน" in page
    assert '<label for="document-file">ไฟล์</label>' in page
    assert '<label for="document-kind">ชนิดเอกสาร</label>' in page
    assert '<option value="order">คำสั่ง</option>' in page
    assert 'enctype="multipart/form-data"' in page
    assert f'data-max-bytes="{LIMIT}"' in page
    assert 'src="/static/upload.js"' in page
    assert 200 == client.get("/static/upload.js").status_code


def test_a_hash_typed_past_the_read_only_field_is_not_bound(
    client: TestClient, kit: LedgerKit, record: uuid.UUID
) -> None:
    """A PhotoAttached naming a hash the store does not hold is refused before the ledger
    sees it (422, in Thai only on a Thai page), and nothing is appended."""
    log_in(client, kit.hr.signer)
    values = {"effective": "15/01/2563", "year": "2563", "sha256": "ab" * 32}
    values["media_type"] = "image/jpeg"
    before = len(kit.ledger.stream_events(record))

    refused = sign_form(client, record, "PhotoAttached", values, kit.hr)

    assert 422 == refused.status_code
    assert "ยังไม่ได้อัปโหลด" in refused.text
    assert "has not been uploaded" not in refused.text
    assert before == len(kit.ledger.stream_events(record))
