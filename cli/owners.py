"""A record owner's enrolment by her personnel record (``ledger operator enrol --record``).

A record owner is a citizen reading and asking about her own record, not an officer in office:
she is enrolled by her record's stream id, so neither the enrolment nor the statements she
signs name her citizen ID (docs/personal-data.md). The admin still checks, face to face, that
the ID card (or ``--cid``) is the record's person, reading the record through the vault.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from cli.runtime import fail
from ledger.application import Ledger
from ledger.errors import LedgerError

RecordOpt = Annotated[
    UUID | None,
    typer.Option(
        help="เจ้าของประวัติ: ลงทะเบียนตามทะเบียนประวัติของตน (stream id) แทนเลขประจำตัวประชาชน "
        "/ a record owner: enrol her by her personnel record (its stream id), not her citizen ID "
        "(roles: record_owner)"
    ),
]


def check_owner(ledger: Ledger, record: UUID, cid: str | None) -> None:
    """The record exists and, given the owner's citizen ID (her card's or ``--cid``), is hers
    (read through the vault for a v2 record); the messages name no citizen ID."""
    try:
        found = ledger.aggregate(record)
    except LedgerError:
        fail(f"ไม่พบทะเบียนประวัติ {record} / there is no readable personnel record {record}")
    if cid is not None and getattr(found, "cid", None) != cid:
        fail(
            "เลขประจำตัวประชาชนของผู้ขอไม่ใช่ของเจ้าของทะเบียนประวัตินี้ / the citizen ID given is "
            f"not that of record {record}'s owner"
        )
