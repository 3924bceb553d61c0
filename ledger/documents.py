"""The document store: photos and scanned documents kept by their SHA-256, outside the log.

The ledger never holds a photo or a scan: a ``PhotoAttached`` or ``DocumentScanned`` event (and
an order's ``scan_sha256``) binds one by its hash, and this store keeps the bytes under that
hash, so what is served can always be checked against what was signed. It is storage, not the
domain: a directory (``LedgerSettings.documents_dir``; by default ``documents/<ledger name>``
beside the SQLite file, or ``var/documents/<ledger name>`` for PostgreSQL) sharded by the
hash's first two and next two hex digits, ``ab/cd/abcd...``.

* A write is atomic (a temporary file in the store's own ``tmp/``, flushed to disk, then
  renamed into place) and idempotent (the same bytes are the same file; storing them again
  changes nothing), so two uploads of one scan at once cannot leave half a file behind.
* Only JPEG, PNG and PDF are kept, recognised by their first bytes (magic numbers), never by a
  name or a declared type a client chose; and nothing larger than ``max_bytes`` (10 MB by
  default). A refusal is ``DocumentRefusedError`` naming the rule, in Thai and English.
* PDPA: a document is a person's data, and a file name may hold a name or a citizen ID, so the
  store never takes a name and logs nothing: no content, no name, not even the hash.
* With a vault (``sealer``: ``ledger.vault.Vault``), a document uploaded for a personnel record
  (``subject``: the record's stream id) is kept sealed under that person's data key
  (XChaCha20-Poly1305, the subject and the hash as associated data), at
  ``sealed/ab/cd/<hash>.<subject>``, never in clear: erasing the person (the key destroyed)
  makes it unreadable, in every backup of the folder too. The hash stays the plain file's
  (what a statement binds and a disclosure proves). The same file uploaded for two records is
  sealed twice, each under its own person's key, so erasing one leaves the other's. Without a
  vault, or without a subject, the file is kept in clear as before, and a read falls back to a
  clear copy when there is no sealed one for the record (files kept before the vault).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from ledger.violations import Violation, rule

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""The largest photo or scan kept (10 MB: a many-page order scanned at 200 dpi fits)."""

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
"""The first bytes of each kind of file the store keeps, and its media type."""

MEDIA_TYPES = tuple(media_type for _, media_type in MAGIC)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}
"""The file extension a download is named with (the name is the hash, never the upload's)."""

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
SUBJECT = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
"""A record's id as the vault names its person: lowercase UUID text."""
BINDING_KEYS = frozenset({"sha256", "scan_sha256"})
"""The fields of event data that bind a stored document by its hash (``PhotoAttached``,
``DocumentScanned``, and an order's scan in ``OrderRef``), at any depth."""

TOO_LARGE = rule(
    "document.too_large",
    "ไฟล์มีขนาด {size} ไบต์ เกินขนาดสูงสุด {limit} ไบต์",
    "the file is {size} bytes, larger than the {limit} bytes allowed",
)
WRONG_TYPE = rule(
    "document.type",
    "รับเฉพาะไฟล์ JPEG, PNG หรือ PDF (ตรวจจากเนื้อไฟล์ ไม่ใช่ชื่อไฟล์)",
    "only JPEG, PNG or PDF files are accepted (judged by the content, not the name)",
)

PHOTO_TYPE = rule(
    "document.photo_type",
    "รูปถ่ายต้องเป็นไฟล์ JPEG หรือ PNG (ไฟล์ PDF ให้แนบเป็นเอกสารสแกน)",
    "a photo must be a JPEG or PNG file (attach a PDF as a scanned document)",
)
RECORD_REQUIRED = rule(
    "document.record_required",
    "ต้องระบุทะเบียนประวัติ (stream) ที่เอกสารนี้เป็นของ: ระบบเข้ารหัสรูปถ่ายและเอกสารสแกนด้วยกุญแจของ"
    "เจ้าของข้อมูล เพื่อให้ลบได้เมื่อมีคำขอ",
    "name the record (stream) the document belongs to: photos and scans are encrypted under the "
    "person's key, so that an erasure reaches them",
)
PHOTO_MEDIA_TYPES = frozenset({"image/jpeg", "image/png"})
"""What a ``PhotoAttached`` may bind (its data model's ``media_type``)."""


class DocumentRefusedError(LedgerError):
    """The store will not keep this file; ``violations`` say which rule, on which field."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(f"{violation.field}: {violation.en}")
        self.violations = [violation]


class DocumentTooLargeError(DocumentRefusedError):
    """Larger than the store's limit."""


class DocumentTypeError(DocumentRefusedError):
    """Not a JPEG, PNG or PDF by its first bytes."""


class DocumentNotFoundError(LedgerError):
    """No such document here, or not one the record binds (the two are not told apart)."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """What the store kept: the hash that names it, its size and its media type."""

    sha256: str
    size: int
    media_type: str

    @property
    def file_name(self) -> str:
        """A download's name: the hash and the type's extension (never the upload's name)."""
        return f"{self.sha256}.{EXTENSIONS[self.media_type]}"


def check_photo(media_type: str, field: str = "file") -> None:
    """A photo is a JPEG or a PNG (``DocumentTypeError`` naming ``document.photo_type``)."""
    if media_type not in PHOTO_MEDIA_TYPES:
        raise DocumentTypeError(Violation(PHOTO_TYPE, field))


def sniff(content: bytes) -> str | None:
    """The media type ``content`` starts like, if it is one the store keeps."""
    for magic, media_type in MAGIC:
        if content.startswith(magic):
            return media_type
    return None


def default_documents_dir(settings: LedgerSettings) -> Path:
    """Where a ledger's documents live unless the settings say: beside its SQLite file, or
    under ``var/`` for a ledger on PostgreSQL (or in memory)."""
    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///")).parent / "documents" / settings.name
    return Path("var") / "documents" / settings.name


class DocumentSealer(Protocol):
    """Seals a person's document under their data key (``ledger.vault.Vault``)."""

    def seal_document(self, subject: str, sha256: str, content: bytes) -> bytes: ...

    def open_document(self, subject: str, sha256: str, sealed: bytes) -> bytes:
        """The plain bytes; ``ErasedError`` when the person's key is gone."""
        ...


class DocumentStore:
    """Bytes by their SHA-256 in a sharded directory (see the module's docstring)."""

    def __init__(
        self,
        root: Path,
        max_bytes: int = MAX_DOCUMENT_BYTES,
        sealer: DocumentSealer | None = None,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.sealer = sealer

    @classmethod
    def for_settings(
        cls, settings: LedgerSettings, sealer: DocumentSealer | None = None
    ) -> DocumentStore:
        root = settings.documents_dir or default_documents_dir(settings)
        return cls(root, settings.max_document_bytes, sealer)

    def sealed_path(self, sha256: str, subject: str) -> Path:
        """Where the record's sealed copy of the document is (or would be) kept."""
        if not SUBJECT.match(subject):
            raise DocumentNotFoundError("a sealed document is named by its record's id")
        return (
            self.root / "sealed" / sha256[:2] / sha256[2:4] / f"{self.path(sha256).name}.{subject}"
        )

    def path(self, sha256: str) -> Path:
        """Where the document with this hash is (or would be) kept."""
        if not SHA256_HEX.match(sha256):
            raise DocumentNotFoundError("a document is named by 64 lowercase hex digits")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def check(self, content: bytes, field: str = "file") -> str:
        """The media type of ``content``, or ``DocumentRefusedError`` naming the rule."""
        if len(content) > self.max_bytes:
            details = {"size": f"{len(content):,}", "limit": f"{self.max_bytes:,}"}
            raise DocumentTooLargeError(Violation(TOO_LARGE, field, details))
        media_type = sniff(content)
        if media_type is None:
            raise DocumentTypeError(Violation(WRONG_TYPE, field))
        return media_type

    def put(
        self, content: bytes, field: str = "file", subject: str | None = None
    ) -> StoredDocument:
        """Keep ``content`` (checked first; nothing is written for a refused file); sealed
        under the person's key when the store has a sealer and ``subject`` names the record."""
        media_type = self.check(content, field)
        stored = StoredDocument(hashlib.sha256(content).hexdigest(), len(content), media_type)
        if self.sealer is not None and subject is not None:
            target = self.sealed_path(stored.sha256, subject)
            if not target.exists():
                self._write(target, self.sealer.seal_document(subject, stored.sha256, content))
            return stored
        target = self.path(stored.sha256)
        if not target.exists():
            self._write(target, content)
        return stored

    def _write(self, target: Path, content: bytes) -> None:
        """Write atomically: a flushed temporary file renamed into place."""
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=staging, prefix="upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, sha256: str, subject: str | None = None) -> tuple[StoredDocument, bytes]:
        """The document with this hash and its bytes: the record's sealed copy when there is
        one (``ErasedError`` once the person is erased), else the clear file
        (``DocumentNotFoundError`` if neither is kept, or if the bytes do not match the hash)."""
        sealed = self._sealed_copy(sha256, subject)
        try:
            if sealed is not None and self.sealer is not None and subject is not None:
                content = self.sealer.open_document(subject, sha256, sealed.read_bytes())
            else:
                content = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise DocumentNotFoundError("no such document") from None
        media_type = sniff(content)
        if media_type is None or hashlib.sha256(content).hexdigest() != sha256:
            raise DocumentNotFoundError("the stored file does not match its hash")
        return StoredDocument(sha256, len(content), media_type), content

    def _sealed_copy(self, sha256: str, subject: str | None) -> Path | None:
        if self.sealer is None or subject is None:
            return None
        path = self.sealed_path(sha256, subject)
        return path if path.is_file() else None

    def holds(self, sha256: str, subject: str | None = None) -> bool:
        """Whether a read of the document through the record would find it: its sealed copy
        for the record, or a clear file."""
        if not SHA256_HEX.match(sha256):
            return False
        return self._sealed_copy(sha256, subject) is not None or self.path(sha256).is_file()

    def __contains__(self, sha256: object) -> bool:
        return isinstance(sha256, str) and self.holds(sha256)


def bound_hashes(data: Any) -> set[str]:
    """The document hashes an event's data binds (``sha256`` and ``scan_sha256`` fields at
    any depth, so a correction's replacement and an order's scan count too)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in BINDING_KEYS and isinstance(value, str) and SHA256_HEX.match(value):
                found.add(value)
            else:
                found |= bound_hashes(value)
    elif isinstance(data, list):
        for item in data:
            found |= bound_hashes(item)
    return found


__all__ = [
    "BINDING_KEYS",
    "MAX_DOCUMENT_BYTES",
    "MEDIA_TYPES",
    "RECORD_REQUIRED",
    "DocumentNotFoundError",
    "DocumentRefusedError",
    "DocumentSealer",
    "DocumentStore",
    "DocumentTooLargeError",
    "DocumentTypeError",
    "StoredDocument",
    "bound_hashes",
    "check_photo",
    "default_documents_dir",
    "sniff",
]
