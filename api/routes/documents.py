"""Photos and scanned documents: uploaded into the content-addressed store, read back through
the record that binds them.

``POST /documents`` keeps a JPEG, PNG or PDF (by its first bytes; 10 MB at most) under its
SHA-256 and answers the hash, size and media type, which the officer then puts in a signed
``PhotoAttached`` or ``DocumentScanned`` statement (or an order's ``scan_sha256``). Only a
caller whose roles may sign one of those uploads: the store is no file share. A refusal names
its rule (``document.type``, ``document.too_large``) in Thai and English, and nothing is kept.

The upload names the record the document is for (``stream``, a form field, which the caller
must read): with a vault the file is kept sealed under that person's key (``ledger.documents``),
so the record's erasure makes it unreadable, and without the record the upload is refused
(``document.record_required``); without a vault the field may be left out (kept in clear).
An erased person's record takes no document (410 ``person.erased``, as a statement on it):
nothing is stored and no key is made for her (the vault makes none for an erased person).

``GET /records/{stream_id}/documents/{sha256}`` serves a document only through a record whose
events bind that hash, to a caller who may read that record (``api.access.Reader``, like the
ก.พ.๗: outside the caller's share it is 404): a hash the record does not bind is 404 as well,
whether or not the store holds it, so the hash of someone else's scan opens nothing. The read is
logged in the record's access log. The media type is the one the bytes show, the download is
named by the hash, never by anything the uploader called it.
"""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Request, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.access import Reader
from api.deps import LedgerDep, ReaderDep, SessionDep
from api.errors import problem_responses
from api.queries import KNOWN_QUERY
from api.routes.registry import RECORD_KINDS, require_live_record, require_record
from ledger.application import Ledger
from ledger.documents import (
    BINDING_KEYS,
    MEDIA_TYPES,
    RECORD_REQUIRED,
    DocumentNotFoundError,
    DocumentRefusedError,
    DocumentStore,
    bound_hashes,
)
from ledger.domain.catalog import EVENT_TYPES
from ledger.errors import ForbiddenError
from ledger.violations import Violation

router = APIRouter(tags=["documents"], dependencies=[KNOWN_QUERY])

DOCUMENT_EVENTS = ("PhotoAttached", "DocumentScanned")
"""The event types that bind an uploaded document; who may sign one may upload."""
UPLOADERS = frozenset().union(*(EVENT_TYPES[name].roles for name in DOCUMENT_EVENTS))


class DocumentOut(BaseModel):
    """A document kept in the store, to be bound by a signed statement."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the bytes, hex")
    size: int = Field(ge=1, description="Bytes")
    media_type: str = Field(description="image/jpeg, image/png or application/pdf")


def get_documents(request: Request) -> DocumentStore:
    """The app's document store (``api.app`` builds it from the settings)."""
    store: DocumentStore = request.app.state.documents
    return store


def read_upload(upload: UploadFile, store: DocumentStore) -> bytes:
    """The uploaded bytes, reading no more than one byte past the store's limit (so an
    oversized file is refused without reading it all)."""
    return upload.file.read(store.max_bytes + 1)


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 410, 413, 415),
)
def upload_document(
    request: Request,
    session: SessionDep,
    ledger: LedgerDep,
    reader: ReaderDep,
    file: Annotated[UploadFile, File(description="The photo or scan: JPEG, PNG or PDF")],
    stream: Annotated[
        UUID | None, Form(description="The record the document is for (required with a vault)")
    ] = None,
) -> DocumentOut:
    """Keep a photo or scan under its SHA-256 (the same bytes twice are kept once; with a
    vault, sealed under the record's person's key); its hash, size and media type go into the
    ``PhotoAttached`` or ``DocumentScanned`` statement that binds it to the record."""
    if not UPLOADERS & session.enrolment.roles:
        raise ForbiddenError(
            "upload", "only roles that sign PhotoAttached or DocumentScanned upload documents"
        )
    store = get_documents(request)
    if stream is not None:
        require_live_record(reader, ledger, stream)  # an erased person's: 410, nothing kept
    elif store.sealer is not None:
        raise DocumentRefusedError(Violation(RECORD_REQUIRED, "stream"))
    stored = store.put(read_upload(file, store), subject=None if stream is None else str(stream))
    return DocumentOut(sha256=stored.sha256, size=stored.size, media_type=stored.media_type)


DOCUMENT_CONTENT = {media_type: {"schema": {"type": "string"}} for media_type in MEDIA_TYPES}

Sha256Path = Annotated[
    str, Path(pattern=r"^[0-9a-f]{64}$", description="The document's SHA-256, lowercase hex")
]


@router.get(
    "/records/{stream_id}/documents/{sha256}",
    response_class=Response,
    responses={
        200: {"description": "The document's bytes", "content": DOCUMENT_CONTENT},
        **problem_responses(400, 401, 403, 404),
    },
)
def read_document(
    request: Request,
    stream_id: UUID,
    sha256: Sha256Path,
    ledger: LedgerDep,
    reader: ReaderDep,
) -> Response:
    """A photo or scan the record binds by its hash, to a caller who may read the record
    (logged in its access log); a hash the record does not bind is not found (404)."""
    return serve_document(ledger, get_documents(request), reader, stream_id, sha256)


def serve_document(
    ledger: Ledger, store: DocumentStore, reader: Reader, stream: UUID, sha256: str
) -> Response:
    """The document's bytes if the reader may read the record and the record binds the hash
    (else ``StreamNotFoundError`` or ``DocumentNotFoundError``); the read is logged. The pages
    serve photos and scans through this too (``web.routes.documents``)."""
    require_record(reader, ledger, stream)
    if sha256 not in record_documents(ledger, stream):
        raise DocumentNotFoundError("the record binds no document with this hash")
    stored, content = store.get(sha256, str(stream))
    reader.logged([stream], RECORD_KINDS)
    return Response(
        content,
        media_type=stored.media_type,
        headers={
            "Content-Disposition": f'inline; filename="{stored.file_name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def record_documents(ledger: Ledger, stream: UUID) -> set[str]:
    """Every document hash the stream's events bind (voided entries too: they stay in the
    record's history, and so does what they showed)."""
    found: set[str] = set()
    for event in ledger.stream_events(stream):
        statement = json.loads(event.statement)
        data = statement.get("data")
        if statement.get("v") == 2 and ledger.vault is not None and _commits_a_document(data):
            model = EVENT_TYPES[event.type].data_model  # the hash is committed: read the vault
            data = ledger.vault.revealed_data(model, str(stream), data)
        found |= bound_hashes(data)
    return found


def _commits_a_document(data: object) -> bool:
    """Whether a v2 statement's data holds a document's hash as a commitment (a photo's, a
    scan's, or a correction's replacement of one)."""
    if not isinstance(data, dict):
        return False
    return any(
        isinstance(node.get(key), dict)
        for node in (data, data.get("replacement"))
        if isinstance(node, dict)
        for key in BINDING_KEYS
    )
