"""The ก.พ.๗ page's upload with a vault: the photo is kept sealed under the record's person's
key (no file on disk holds it), the entry form gets its hash, a v2 PhotoAttached binds it, the
page's image reads it back; the person erased, the image is refused by name (410)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.unit.web.test_web_documents import JPEG, stored, upload
from tests.unit.web.web_kit import log_in


@pytest.fixture
def settings(settings: LedgerSettings, tmp_path: Path) -> LedgerSettings:
    """The package's ledger settings, with a vault (development key files)."""
    return settings.model_copy(update={"vault_key_dir": tmp_path / "vault-keys"})


def test_a_photo_uploaded_on_the_page_is_sealed_and_gone_with_the_person(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    log_in(client, kit.hr.signer)
    sha = hashlib.sha256(JPEG).hexdigest()

    form = upload(client, record, "photo", JPEG)
    kit.emit_v2(
        kit.hr, record, "PhotoAttached", {"year": 2562, "sha256": sha, "media_type": "image/jpeg"}
    )
    shown = client.get(f"/app/records/{record}/documents/{sha}")
    kit.emit(kit.hr, record, "PersonErased", d.ERASURE)
    after = client.get(f"/app/records/{record}/documents/{sha}")

    assert 200 == form.status_code, form.text
    assert sha in form.text
    assert (200, JPEG) == (shown.status_code, shown.content)
    assert 410 == after.status_code
    assert "person.erased" in after.text
    on_disk = stored(settings)
    assert 1 == len(on_disk)
    assert [] == [path for path in on_disk if b"a made-up face" in path.read_bytes()]


def test_the_page_s_upload_for_an_erased_person_is_refused_and_keeps_nothing(
    client: TestClient, kit: LedgerKit, settings: LedgerSettings
) -> None:
    """The person erased, the ก.พ.๗ page's upload of a new scan is the 410 page naming
    ``person.erased``: no file kept, no key file made for her."""
    record = uuid.uuid4()
    kit.emit_v2(kit.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO))
    kit.emit(kit.hr, record, "PersonErased", d.ERASURE)
    log_in(client, kit.hr.signer)
    keys = sorted(path.name for path in Path(settings.vault_key_dir or "").rglob("*"))

    refused = upload(client, record, "order", b"\xff\xd8\xff\xe0" + b"a new made-up scan" * 8)

    assert 410 == refused.status_code
    assert "person.erased" in refused.text
    assert [] == stored(settings)
    assert keys == sorted(path.name for path in Path(settings.vault_key_dir or "").rglob("*"))
