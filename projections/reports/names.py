"""The names a report shows instead of codes: LAOs by their registered name, records by their
person's name, signers by their name when they have a record.

Read by the facade in the same transaction as the report's rows (``read_names``), so a report
names what its rows held then.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from ledger.statement import OWNER_SIGNER
from projections.personal import ERASED, WITHHOLDING, Revealer, is_marker
from projections.reports.sheets import Names
from projections.store import Cursor
from projections.views.organizations import organizations
from projections.views.registry_queries import citizen_rows, record_rows
from projections.views.registry_rows import RecordRow

OWNER_SHOWN = "เจ้าของประวัติ (record owner)"
"""How a report names a record owner who signed (the key id beside it says which key)."""

Tables = Mapping[str, Mapping[str, str]]


def full_name(prefix: str | None, first_name: str | None, last_name: str | None) -> str | None:
    """``นายหนึ่ง ทดสอบ``: the prefix written onto the first name, then the last name (None
    when the record has no name entry). A part shown as a marker (an erased or withheld
    value) makes the whole name that marker, once (erased first): never a marker per part."""
    markers = {part for part in (prefix, first_name, last_name) if is_marker(part)}
    if markers:
        return ERASED if ERASED in markers else markers.pop()
    first = f"{prefix or ''}{first_name or ''}"
    full = " ".join(part for part in (first, last_name or "") if part)
    return full or None


def person_name(row: RecordRow) -> str | None:
    """The name of a record's current name entry."""
    named = row.name
    return full_name(named.get("prefix"), named.get("first_name"), named.get("last_name"))


def read_names(
    cursor: Cursor,
    tables: Tables,
    *,
    revealer: Revealer = WITHHOLDING,
    province: str | None = None,
    streams: Collection[str] = (),
    cids: Collection[str] = (),
) -> Names:
    """Every LAO of the province (None: all) by code, the named streams' people, and the
    signers (citizen IDs) that have a record (a v2 record's found through the vault's search
    index: ``citizen_rows``)."""
    registered = organizations(cursor, tables["organizations"], province=province)
    laos = {row.code: row.name for row in registered}
    people: dict[str, str] = {}
    if streams:
        for row in record_rows(
            cursor,
            tables["registry"],
            streams=list(set(streams)),
            revealer=revealer,
            reveal=("name",),  # a vault read per field: only what a report shows
        ):
            if (name := person_name(row)) is not None:
                people[row.stream] = name
    signers: dict[str, str] = {}
    if OWNER_SIGNER in cids:  # a record owner signs with no citizen ID: shown by her role
        signers[OWNER_SIGNER] = OWNER_SHOWN
    for cid in set(cids) - {"system", OWNER_SIGNER}:
        for row in citizen_rows(cursor, tables["registry"], revealer, cid):
            if (name := person_name(row)) is not None:
                signers[cid] = name
    return Names(laos, people, signers)
