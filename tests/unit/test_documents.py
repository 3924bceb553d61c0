"""The document store (ledger.documents): bytes by their hash, checked by their first bytes,
written atomically, once; and the hashes an event's data binds."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ledger.documents import (
    DocumentNotFoundError,
    DocumentStore,
    DocumentTooLargeError,
    DocumentTypeError,
    bound_hashes,
    default_documents_dir,
    sniff,
)
from ledger.settings import LedgerSettings

PNG = b"\x89PNG\r\n\x1a\n" + b"made-up pixels" * 4


def test_kept_under_its_hash_in_a_sharded_folder(tmp_path: Path) -> None:
    """The file sits at ab/cd/<hash> and reads back with its media type."""
    store = DocumentStore(tmp_path)

    stored = store.put(PNG)

    sha = hashlib.sha256(PNG).hexdigest()
    assert (sha, len(PNG), "image/png") == (stored.sha256, stored.size, stored.media_type)
    assert (tmp_path / sha[:2] / sha[2:4] / sha).read_bytes() == PNG
    assert (stored, PNG) == store.get(sha)
    assert sha in store
    assert [] == list((tmp_path / "tmp").iterdir())


def test_storing_again_changes_nothing(tmp_path: Path) -> None:
    """The same bytes twice: the same answer, the file untouched."""
    store = DocumentStore(tmp_path)
    first = store.put(PNG)
    path = store.path(first.sha256)
    before = path.stat().st_mtime_ns

    assert first == store.put(PNG)
    assert before == path.stat().st_mtime_ns


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"\xff\xd8\xff\xdb...", "image/jpeg"),
        (PNG, "image/png"),
        (b"%PDF-1.4 ...", "application/pdf"),
        (b"GIF89a...", None),
        (b"<html>%PDF-", None),
        (b"", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(content: bytes, media_type: str | None) -> None:
    """JPEG, PNG and PDF by their magic numbers; anything else is no type the store keeps."""
    assert media_type == sniff(content)


def test_refused_files_leave_nothing(tmp_path: Path) -> None:
    """Too large or of another type: refused with the rule in Thai and English, nothing kept."""
    store = DocumentStore(tmp_path, max_bytes=1024)

    with pytest.raises(DocumentTooLargeError) as large:
        store.put(PNG + b"\x00" * 1024)
    with pytest.raises(DocumentTypeError) as wrong:
        store.put(b"MZ\x90\x00 a program")

    assert "document.too_large" == large.value.violations[0].id
    assert "1,024" in large.value.violations[0].th
    assert ("document.type", "file") == (wrong.value.violations[0].id, "file")
    assert [] == [path for path in tmp_path.rglob("*") if path.is_file()]


def test_a_tampered_or_missing_file_is_not_served(tmp_path: Path) -> None:
    """A file changed on disk no longer matches its hash: not found, never served."""
    store = DocumentStore(tmp_path)
    stored = store.put(PNG)
    store.path(stored.sha256).write_bytes(PNG + b"tampered")

    with pytest.raises(DocumentNotFoundError):
        store.get(stored.sha256)
    with pytest.raises(DocumentNotFoundError):
        store.get("f" * 64)
    with pytest.raises(DocumentNotFoundError):
        store.get("../../etc/passwd")


def test_the_hashes_an_events_data_binds() -> None:
    """A photo's sha256, an order's scan and a correction's replacement all bind."""
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    data = {
        "sha256": a,
        "order": {"number": "1/2562", "scan_sha256": b},
        "replacement": {"items": [{"sha256": c}]},
        "title": "sha256",
        "other": {"sha256": "not a hash"},
    }

    assert {a, b, c} == bound_hashes(data)


def test_documents_live_beside_the_sqlite_file_by_default() -> None:
    """SQLite: documents/<name> beside the file; PostgreSQL: var/documents/<name>."""
    sqlite = LedgerSettings(database_url="sqlite:///srv/l/ledger.sqlite", name="demo")
    postgres = LedgerSettings(database_url="postgresql://u@h/db", name="demo")

    assert Path("srv/l/documents/demo") == default_documents_dir(sqlite)
    assert Path("var/documents/demo") == default_documents_dir(postgres)
