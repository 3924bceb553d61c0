"""A record owner whose own record was erased: told so, in Thai and English, and nothing else.

Once her record is erased (``PersonErased``, docs/personal-data.md) no one reads her values, and
no record owner reads an erased record (``api.access``): her ก.พ.๗ page and the change-request
form would answer the 404 of a record outside her share, as if it had never been. She may still
log in (her key is an operator's, not a vault key), so her own record's pages tell her what
happened instead: her personal data was erased on the day the erasure took effect, under the
legal basis it was signed with (both in clear in the signed log: they name no one), and that
nothing else is shown and no change can be asked for (410, ``owner_erased.html``, drawn by
``web.errors``). The home
page says the same in place of her shortcuts. Only the owner whose enrolment names the record
is told: anyone else outside its share still gets the 404 of a record that does not exist.
"""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from api.access import Reader
from ledger.application import Ledger
from ledger.errors import StreamNotFoundError
from projections.views.registry_rows import ERASURE, Erasure


class OwnRecordErasedError(Exception):
    """A record owner asked for a page of her own record, which was erased."""

    def __init__(self, erasure: Erasure) -> None:
        super().__init__("the record owner's own record was erased")
        self.erasure = erasure


def own_erasure(reader: Reader, ledger: Ledger, stream: UUID | None = None) -> Erasure | None:
    """The erasure of the record owner's own record (``stream``, or the one her enrolment
    names), read from its signed ``PersonErased``; None for anyone else, another record, or a
    record not erased."""
    record = reader.session.enrolment.record
    if not reader.owner_only or record is None or stream not in (None, record):
        return None
    try:
        last = ledger.stream_events(record)[-1]  # an erased record takes nothing after it
    except StreamNotFoundError:
        return None
    if last.type != ERASURE:
        return None
    statement = json.loads(last.statement)
    return Erasure(
        str(record),
        date.fromisoformat(str(statement["effective"])),
        last.recorded_at.isoformat(),
        str(statement["data"].get("legal_basis", "")),
    )


def refuse_own_erased(reader: Reader, ledger: Ledger, stream: UUID) -> None:
    """``OwnRecordErasedError`` when ``stream`` is the caller's own erased record."""
    erasure = own_erasure(reader, ledger, stream)
    if erasure is not None:
        raise OwnRecordErasedError(erasure)


__all__ = ["OwnRecordErasedError", "own_erasure", "refuse_own_erased"]
