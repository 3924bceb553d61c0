"""Photos and scanned documents on the ก.พ.๗ page: upload, then review and sign the binding.

* POST ``/app/documents`` (multipart: ``stream``, ``kind``, ``file``): the upload block of the
  ก.พ.๗ page (แนบรูปถ่าย / แนบเอกสารสแกน). The caller must read the record and may sign the
  event the kind leads to (``photo``: ``PhotoAttached``; a ``ScanKind``: ``DocumentScanned``).
  The file is checked by its first bytes and size (``ledger.documents``: JPEG, PNG or PDF, 10 MB;
  a photo JPEG or PNG only) before anything is kept; a refusal is a page naming the rule in
  Thai and English (413/415) and nothing is stored. The kept file's hash, media type (and the
  scan's kind, the photo's year) are put into the entry form of ``web.routes.entry_forms``,
  the hash and media type read-only, so the officer completes, reviews and signs it there (the
  same review, sign request and ``POST /app/statements`` as every entry).
* GET ``/app/records/{stream}/documents/{sha256}``: the bytes, exactly as the API's ``GET
  /records/{id}/documents/{sha256}`` serves them (``api.routes.documents.serve_document``: the
  read matrix and scope, a hash the record does not bind is 404, the read logged), for the
  page's ``<img>`` and links, with the session's cookie instead of a bearer token.

A record unknown or outside the caller's share is, for both, the ก.พ.๗ page's 404
(``web.errors.not_readable_page``), whatever the hash. An erased person's record takes no
upload: the 410 page naming ``person.erased``, nothing kept, no key made for her.

With a vault the file is kept sealed under the record's person's key (``ledger.documents``), so
the record's erasure makes it unreadable. A photo or scan is bound only once kept (for this
record): ``POST /app/statements`` refuses a ``PhotoAttached`` or
``DocumentScanned`` whose hash the store does not hold (``unkept_document``).

The upload's own file name is never kept, shown or logged (it may hold a name or a citizen ID).

Stable element ids for the browser tests (helper h4), on the ก.พ.๗ page: ``#documents-upload``
(the block, heading ``#documents-upload-heading`` "แนบรูปถ่าย / แนบเอกสารสแกน"), ``#upload-form``,
``#document-kind`` (label "ชนิดเอกสาร"; values ``photo``, ``kp7_original``, ``order``,
``certificate``, ``degree``, ``other``), ``#document-file`` (label "ไฟล์"), ``#upload-button``;
``#attachments`` (photos ``img.attached-photo`` with Thai ``alt``, documents
``a.attached-document``). After an upload: the entry form (``#entry-form``) with
``#uploaded-document`` (its hash in ``#uploaded-sha256``) and the read-only ``#field-sha256`` and
``#field-media-type``; a refusal: ``#upload-refusal`` with ``.refusal-rule`` (``data-rule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import Response

from api.deps import LedgerDep
from api.routes.documents import DOCUMENT_EVENTS, get_documents, read_upload, serve_document
from ledger.documents import (
    SHA256_HEX,
    DocumentRefusedError,
    DocumentStore,
    StoredDocument,
    check_photo,
)
from ledger.domain.event_labels import Label
from ledger.domain.field_labels import value_label
from ledger.domain.record_entries import ScanKind
from ledger.errors import ForbiddenError
from ledger.statement import Statement
from web.deps import WebReaderDep, WebSessionDep, render, require_same_origin
from web.drafts import may_sign
from web.errors import require_readable
from web.forms import build_form, form_values
from web.routes.entry_forms import show_form
from web.routes.home import TodayDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

UPLOAD_PATH = "/app/documents"
PHOTO = "photo"
SCAN_EN = {
    ScanKind.KP7_ORIGINAL: "the original paper KP7",
    ScanKind.ORDER: "an order",
    ScanKind.CERTIFICATE: "a certificate",
    ScanKind.DEGREE: "a degree",
    ScanKind.OTHER: "another document",
}
KINDS: tuple[tuple[str, Label], ...] = (
    (PHOTO, Label("รูปถ่าย", "a photo")),
    *(
        (kind.value, Label(value_label("ScanKind", kind.value) or kind.value, SCAN_EN[kind]))
        for kind in ScanKind
    ),
)
"""The document kinds the upload block offers, in Thai and English."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or scan a live entry of the record binds, as the page shows it."""

    entry: int
    photo: bool
    sha256: str
    media_type: str
    label: Label  # the scan's kind, or "photo"
    year: int | None
    title: str | None


def attachments(kp7: dict[str, Any]) -> list[Attachment]:
    """The record's photos and scans from its ก.พ.๗ read (voided entries left out)."""
    found = []
    for section in kp7.get("sections", []):
        for entry in section.get("entries", []):
            if entry.get("type") not in ("PhotoAttached", "DocumentScanned") or entry["voided"]:
                continue
            values = {item["code"]: item.get("value") for item in entry.get("fields", [])}
            if not SHA256_HEX.match(str(values.get("sha256"))):
                continue  # withheld, or the person erased: nothing to show or link
            photo = entry["type"] == "PhotoAttached"
            kind = PHOTO if photo else str(values.get("kind"))
            found.append(
                Attachment(
                    entry=int(entry["entry"]),
                    photo=photo,
                    sha256=str(values.get("sha256")),
                    media_type=str(values.get("media_type")),
                    label=dict(KINDS).get(kind, Label(kind, kind)),
                    year=values.get("year") if isinstance(values.get("year"), int) else None,
                    title=values.get("title") if isinstance(values.get("title"), str) else None,
                )
            )
    return found


@router.post(UPLOAD_PATH)
def upload_document(
    request: Request,
    session: WebSessionDep,
    reader: WebReaderDep,
    ledger: LedgerDep,
    day: TodayDep,
    stream: Annotated[UUID, Form()],
    kind: Annotated[str, Form(pattern="^(photo|" + "|".join(ScanKind) + ")$")],
    file: Annotated[UploadFile, File()],
) -> Response:
    event_type = "PhotoAttached" if kind == PHOTO else "DocumentScanned"
    require_readable(reader, ledger, stream, live=True)  # erased: 410, nothing kept
    if not may_sign(session.enrolment, event_type):
        raise ForbiddenError(event_type, "none of the caller's roles may sign it")
    store = get_documents(request)
    content = read_upload(file, store)
    try:
        media_type = store.check(content)
        if kind == PHOTO:
            check_photo(media_type)
    except DocumentRefusedError as refused:
        status = 413 if refused.violations[0].id == "document.too_large" else 415
        context = {"stream": str(stream), "violations": refused.violations}
        return render(
            request, "document_refused.html", context, status_code=status, session=session
        )
    stored = store.put(content, subject=str(stream))  # sealed under the person's key (vault)
    form = build_form(event_type)
    values = form_values(form, _data(stored, kind, day.year + 543))  # the scan's date: typed
    return show_form(
        request,
        session,
        stream=stream,
        form=form,
        action=f"/app/records/{stream}/new/{event_type}",
        values=values,
        extra={"uploaded": stored},
    )


def _data(stored: StoredDocument, kind: str, year: int) -> dict[str, Any]:
    data: dict[str, Any] = {"sha256": stored.sha256, "media_type": stored.media_type}
    return data | ({"year": year} if kind == PHOTO else {"kind": kind})


def unkept_document(statement: Statement, store: DocumentStore) -> str | None:
    """The hash a ``PhotoAttached`` or ``DocumentScanned`` binds when the store does not hold
    it (a hash typed past the read-only field): the page binds only what was uploaded."""
    if statement.type not in DOCUMENT_EVENTS:
        return None
    sha256 = statement.data.get("sha256")
    kept = isinstance(sha256, str) and store.holds(sha256, str(statement.stream))
    return None if kept else str(sha256)


@router.get("/app/records/{stream}/documents/{sha256}")
def read_document(
    request: Request,
    stream: UUID,
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    ledger: LedgerDep,
    reader: WebReaderDep,
) -> Response:
    require_readable(reader, ledger, stream)  # unknown or outside the share: the same 404 page
    return serve_document(ledger, get_documents(request), reader, stream, sha256)


__all__ = ["KINDS", "UPLOAD_PATH", "Attachment", "attachments", "unkept_document"]
