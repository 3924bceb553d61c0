"""Photos and scans over HTTP: uploaded by their hash, bound by a signed statement, read back
only through a record that binds them and only by those who may read that record."""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from fastapi.testclient import TestClient

from ledger.documents import default_documents_dir
from ledger.domain.permissions import Role
from ledger.settings import LedgerSettings
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit
from tests.unit.api.http_kit import login, problem

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"made-up photo" * 10
PDF = b"%PDF-1.7\n% a made-up scanned order\n%%EOF\n"


def stored_files(settings: LedgerSettings) -> list[Path]:
    """Every document file the store holds (its staging folder aside)."""
    root = settings.documents_dir or default_documents_dir(settings)
    return [path for path in root.rglob("*") if path.is_file() and path.parent.name != "tmp"]


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, name: str = "x.jpg"
) -> httpx.Response:
    """POST /documents with the file as a multipart upload."""
    return client.post("/documents", headers=headers, files={"file": (name, content)})


@pytest.fixture
def record(kit: LedgerKit) -> UUID:
    """A record of the kit's LAO (นครพนม 6480101)."""
    return kit.open_record()


def bind_photo(kit: LedgerKit, record: UUID, sha256: str) -> None:
    kit.emit(
        kit.hr,
        record,
        "PhotoAttached",
        {"year": 2562, "sha256": sha256, "media_type": "image/jpeg"},
    )


def test_upload_then_bind_then_read_back(client: TestClient, kit: LedgerKit, record: UUID) -> None:
    """The HR officer uploads a photo (hash, size, type answered), binds it by a signed
    PhotoAttached, and reads the very bytes back through the record, named by the hash."""
    headers = login(client, kit.hr)

    answer = upload(client, headers, JPEG, name="นาย ทดสอบ.jpg")
    assert 201 == answer.status_code, answer.text
    sha = hashlib.sha256(JPEG).hexdigest()
    assert {"sha256": sha, "size": len(JPEG), "media_type": "image/jpeg"} == answer.json()
    bind_photo(kit, record, sha)

    read = client.get(f"/records/{record}/documents/{sha}", headers=headers)

    assert 200 == read.status_code
    assert JPEG == read.content
    assert "image/jpeg" == read.headers["content-type"]
    assert f'inline; filename="{sha}.jpg"' == read.headers["content-disposition"]
    assert "ทดสอบ" not in read.headers["content-disposition"]


def test_the_same_bytes_twice_are_kept_once(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Uploading a scan again answers the same hash and leaves one file."""
    headers = login(client, kit.hr)

    first = upload(client, headers, PDF, "order.pdf").json()
    second = upload(client, headers, PDF, "copy.pdf").json()

    assert first == second
    assert "application/pdf" == first["media_type"]
    assert 1 == len(stored_files(settings))


def test_an_unbound_hash_is_not_found(client: TestClient, kit: LedgerKit, record: UUID) -> None:
    """A document in the store that the record does not bind is 404, like one never stored."""
    headers = login(client, kit.hr)
    stored = upload(client, headers, JPEG).json()["sha256"]

    assert (404, "document-not-found") == problem(
        client.get(f"/records/{record}/documents/{stored}", headers=headers)
    )
    assert (404, "document-not-found") == problem(
        client.get(f"/records/{record}/documents/{'0' * 64}", headers=headers)
    )


def test_a_bound_document_outside_the_callers_share_is_not_found(
    client: TestClient, kit: LedgerKit, record: UUID
) -> None:
    """Another LAO's HR officer cannot read the photo (404, as if the record did not exist);
    an e-Plan officer of the same LAO, who does not read personal data, is refused (403)."""
    sha = upload(client, login(client, kit.hr), JPEG).json()["sha256"]
    bind_photo(kit, record, sha)
    url = f"/records/{record}/documents/{sha}"

    assert 404 == client.get(url, headers=login(client, kit.other_hr)).status_code
    planner = kit.operator([Role.EPLAN_PLANNING], NAKHON_PHANOM_LAO)
    assert (403, "forbidden") == problem(client.get(url, headers=login(client, planner)))


def test_only_roles_that_sign_photos_or_scans_upload(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """An e-Plan officer may not upload (403); no session at all is 401; nothing is stored."""
    planner = kit.operator([Role.EPLAN_PLANNING], TAK_LAO)

    assert (403, "forbidden") == problem(upload(client, login(client, planner), JPEG))
    assert 401 == upload(client, {}, JPEG).status_code
    assert [] == stored_files(settings)


def test_a_file_of_another_type_is_refused_in_thai_and_english(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """A GIF named .jpg is judged by its bytes: 415 with the rule in both languages."""
    answer = upload(client, login(client, kit.hr), b"GIF89a" + b"\x00" * 40, "photo.jpg")

    assert (415, "unsupported-document-type") == problem(answer)
    (error,) = answer.json()["errors"]
    assert ("document.type", "file") == (error["rule"], error["field"])
    assert "JPEG, PNG หรือ PDF" in error["th"]
    assert "only JPEG, PNG or PDF" in error["en"]
    assert [] == stored_files(settings)


@pytest.mark.parametrize("extra", [1, 40_000, 200_000])
def test_an_oversized_file_is_refused_in_thai_and_english(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings, extra: int
) -> None:
    """Past 10 MB, whether the store or the body limit sees it first: 413 with a Thai and an
    English message, and nothing stored."""
    big = JPEG + b"\x00" * (settings.max_document_bytes - len(JPEG) + extra)

    answer = upload(client, login(client, kit.hr), big)

    assert 413 == answer.status_code
    (error,) = answer.json()["errors"]
    assert error["rule"] in {"document.too_large", "http.body_too_large"}
    assert "ไบต์" in error["th"]
    assert "bytes" in error["en"]
    assert [] == stored_files(settings)
