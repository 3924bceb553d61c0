"""One field of a record proven to a third party: its disclosure file (docs/personal-data.md).

``GET /records/{id}/disclosure?event=N&path=cid`` answers the file ``ledger.disclosure_files``
describes: the signed v2 statement at version ``event`` of the record, and the value and salt
of its field ``path``, which anyone holding the signer's public key checks offline (``ledger
audit check-disclosure``). The caller must read the record (scope, as the ก.พ.๗: 404 outside
it) and the field's kind of data (``personal``, or ``health`` for leave and penalties: 403
otherwise); the export is logged in the record's access log. An erased person's values are
gone: 410.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import LedgerDep, ReaderDep
from api.errors import problem_responses
from api.queries import KNOWN_QUERY
from projections.disclosures import committed_field, export_disclosure

router = APIRouter(
    tags=["records"],
    responses=problem_responses(400, 401, 403, 404, 410),
    dependencies=[KNOWN_QUERY],
)


class DisclosureOut(BaseModel):
    """A disclosure file (``ledger.disclosure_files``): one field of one signed statement."""

    format: str = Field(description="thai-lgov-ledger disclosure")
    version: int = Field(description="The file format's version: 1")
    record: UUID = Field(description="The record (the commitment's subject)")
    event: int = Field(description="The event's version in the record")
    notification_id: int = Field(description="The event's position in the log")
    type: str = Field(description="The event's type")
    path: str = Field(description="The field's dotted path inside data")
    value: Any = Field(description="The field's value, as a v1 statement would sign it")
    salt: str = Field(description="The commitment's 32-byte salt, base64")
    statement: str = Field(description="The signed statement's canonical bytes, base64")
    signature: str = Field(description="The Ed25519 signature, base64")
    event_hash: str = Field(description="sha256(statement || signature), hex")


@router.get("/records/{stream_id}/disclosure")
def read_disclosure(
    stream_id: UUID,
    ledger: LedgerDep,
    reader: ReaderDep,
    event: Annotated[int, Query(ge=1, le=2**31, description="The event's version in the record")],
    path: Annotated[
        str, Query(max_length=100, description="The personal field's dotted path: cid, ...")
    ],
) -> DisclosureOut:
    """The disclosure file of one personal field of one v2 event of the record: the signed
    statement, the field's value and its salt. Logged in the record's access log."""
    reader.require_visible(ledger, stream_id, owner=True)
    found, hexed, kind = committed_field(ledger, stream_id, event, path)
    reader.require(kind)
    document = export_disclosure(ledger, found, path, hexed)
    reader.logged([stream_id], (kind,))
    return DisclosureOut.model_validate(document)
