"""Photos and scans over HTTP with a vault: the upload names its record, the file is kept sealed
under that person's key (never in clear on disk), a v2 PhotoAttached (its hash committed) binds
it and the record reads it back; once the person is erased the document is gone (410
``person.erased``) and no file on disk shows it."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.unit.api.http_kit import login, problem
from tests.unit.api.test_api_documents import JPEG, stored_files


@pytest.fixture
def settings(settings: LedgerSettings, tmp_path: Path) -> LedgerSettings:
    """The package's ledger settings, with a vault (development key files)."""
    return settings.model_copy(update={"vault_key_dir": tmp_path / "vault-keys"})


def test_a_record_s_photo_is_sealed_bound_in_v2_read_back_then_erased(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Without the record the upload is refused by name and nothing is kept; with it the
    photo is kept sealed (no file holds its bytes), bound by a v2 PhotoAttached and read
    back; the person erased, the read is refused 410 ``person.erased``."""
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    headers = login(client, kit.hr)
    sha = hashlib.sha256(JPEG).hexdigest()

    unnamed = client.post("/documents", headers=headers, files={"file": ("x.jpg", JPEG)})
    files = {"file": ("x.jpg", JPEG)}
    kept = client.post("/documents", headers=headers, files=files, data={"stream": str(record)})
    photo = {"year": 2562, "sha256": sha, "media_type": "image/jpeg"}
    kit.emit_v2(kit.hr, record, "PhotoAttached", photo)
    read = client.get(f"/records/{record}/documents/{sha}", headers=headers)
    kit.emit(kit.hr, record, "PersonErased", d.ERASURE)
    after = client.get(f"/records/{record}/documents/{sha}", headers=headers)

    assert (400, "rejected") == problem(unnamed)
    assert ("document.record_required", "stream") == (
        unnamed.json()["rule"],
        unnamed.json()["errors"][0]["field"],
    )
    assert 201 == kept.status_code, kept.text
    assert sha == kept.json()["sha256"]
    assert (200, JPEG) == (read.status_code, read.content)
    assert (410, "person-erased") == problem(after)
    assert "person.erased" == after.json()["rule"]
    on_disk = stored_files(settings)
    assert 1 == len(on_disk)
    assert [] == [path for path in on_disk if b"made-up photo" in path.read_bytes()]


def test_the_upload_s_record_must_be_one_the_caller_reads(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Another LAO's HR officer cannot upload for this LAO's record (404, as if it did not
    exist), and nothing is kept."""
    record = kit.open_record()
    files = {"file": ("x.jpg", JPEG)}
    headers = login(client, kit.other_hr)

    answer = client.post("/documents", headers=headers, files=files, data={"stream": str(record)})

    assert 404 == answer.status_code
    assert [] == stored_files(settings)


def test_an_erased_person_s_record_takes_no_upload_and_gets_no_new_key(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """Erased: an upload for the record, of a file kept for her before or of a new one, is
    refused 410 ``person.erased`` (as a statement on it is); nothing is stored and no key file
    is made for her. Another LAO's HR officer is told 404, as for a record that does not
    exist, so the erasure is not told outside the record's share."""
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    headers = login(client, kit.hr)
    before = client.post(
        "/documents", headers=headers, files={"file": ("x.jpg", JPEG)}, data={"stream": str(record)}
    )
    kit.emit(kit.hr, record, "PersonErased", d.ERASURE)
    keys = sorted(path.name for path in Path(settings.vault_key_dir or "").rglob("*"))
    kept = stored_files(settings)
    fresh = b"\xff\xd8\xff\xe0" + b"a new made-up scan" * 8

    answers = [
        client.post(
            "/documents",
            headers=headers,
            files={"file": ("x.jpg", content)},
            data={"stream": str(record)},
        )
        for content in (JPEG, fresh)
    ]
    outside = client.post(
        "/documents",
        headers=login(client, kit.other_hr),
        files={"file": ("x.jpg", fresh)},
        data={"stream": str(record)},
    )

    assert 201 == before.status_code, before.text
    for answer in answers:
        assert (410, "person-erased") == problem(answer)
        assert ("person.erased", "stream") == (
            answer.json()["rule"],
            answer.json()["errors"][0]["field"],
        )
    assert (404, "stream-not-found") == problem(outside)
    assert "erase" not in outside.text
    assert kept == stored_files(settings)
    assert keys == sorted(path.name for path in Path(settings.vault_key_dir or "").rglob("*"))
