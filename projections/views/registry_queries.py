"""Reading the personnel registry: now (the ``records`` table) and as of a date (the ``facts``).

``current_registry`` and ``record_rows`` read the registry now. ``registry_as_of(valid=...,
recorded=...)`` answers "who was where, in which position, at what salary" as of a valid date
(what the orders say was true then) and as of a transaction time (what the ledger knew then):
per record, the latest revision of each entry recorded by then, minus voided entries, and for
each kind the fact with the latest valid time not after the date. A record opened (in valid
time) after the date is not in the registry on that date. A backdated order recorded
today changes the answer for past valid dates, but not the answer as of yesterday's
transaction time: that is the point of the two axes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from ledger.domain.search import SearchVaultNeededError
from projections.personal import WITHHELD, WITHHOLDING, Revealer
from projections.rows import utc_text
from projections.store import Cursor
from projections.views.registry_rows import (
    FACT_COLUMNS,
    RECORD_COLUMNS,
    REVEALABLE,
    Erasure,
    Fact,
    RecordRow,
    RegistryEntry,
    fact_commitments,
    fact_of,
    latest_fact,
    live_entries,
    revealed_row,
    row_commitments,
)

# Now.


def record_rows(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
    category: str | None = None,
    statuses: Collection[str] | None = None,
    streams: Collection[str] | None = None,
    cid: str | None = None,
    revealer: Revealer = WITHHOLDING,
    reveal: Collection[str] = REVEALABLE,
) -> list[RecordRow]:
    """Rows of ``records`` (the registry now), filtered; a v2 record's personal columns
    (those in ``reveal``) revealed by ``revealer`` (by default withheld:
    ``projections.personal``)."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("lao", lao),
        ("province", province),
        ("category", category),
        ("cid", cid),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if statuses is not None:
        wanted = sorted(statuses)
        clauses.append(f"status IN ({', '.join('?' * len(wanted))})")
        params.extend(wanted)
    table = tables["records"]
    columns = ", ".join(RECORD_COLUMNS)
    if streams is not None:
        rows = cursor.select_in(table, RECORD_COLUMNS, "stream", streams)
        records = [RecordRow(*row) for row in rows]
        records = [
            r
            for r in records
            if _matches(r, lao, province, category, statuses) and cid in (None, r.cid)
        ]
    else:
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor.execute(f"SELECT {columns} FROM {table}{where}", params)
        records = [RecordRow(*row) for row in cursor.fetchall()]
    asked = [pair for record in records for pair in row_commitments(record, reveal)]
    with revealer.preloaded(asked):  # one batch read of the vault for the rows
        records = [revealed_row(record, revealer, reveal) for record in records]
    return sorted(records, key=lambda r: (r.province, r.lao, r.cid, r.stream))


def citizen_rows(
    cursor: Cursor,
    tables: Mapping[str, str],
    revealer: Revealer,
    cid: str,
    *,
    lao: str | None = None,
    province: str | None = None,
) -> list[RecordRow]:
    """The records of a citizen ID within an LAO or province (None: anywhere), revealed: v1
    by the column, v2 through the vault's search index, each kept only if its revealed
    citizen ID is ``cid`` (the index is a filter: a corrected ID's old row finds nothing)."""
    found = record_rows(cursor, tables, lao=lao, province=province, cid=cid, revealer=revealer)
    indexed = revealer.subjects_of(cid)
    if indexed:
        v2 = record_rows(
            cursor, tables, lao=lao, province=province, streams=indexed, revealer=revealer
        )
        found += [row for row in v2 if row.cid == cid]
    return found


def require_searchable(
    cursor: Cursor,
    tables: Mapping[str, str],
    revealer: Revealer,
    *,
    lao: str | None = None,
    province: str | None = None,
) -> None:
    """``SearchVaultNeededError`` when the scope holds v2 records and there is no vault to
    reveal their citizen IDs and names: a search would answer "nobody" for people who are
    there (PostgreSQL has no vault beside it by default)."""
    if revealer.reveals:
        return
    rows = record_rows(cursor, tables, lao=lao, province=province, reveal=("cid",))
    if any(row.cid == WITHHELD for row in rows):
        raise SearchVaultNeededError


def _matches(
    row: RecordRow,
    lao: str | None,
    province: str | None,
    category: str | None,
    statuses: Collection[str] | None,
) -> bool:
    return (
        (lao is None or row.lao == lao)
        and (province is None or row.province == province)
        and (category is None or row.category == category)
        and (statuses is None or row.status in statuses)
    )


def current_registry(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
    category: str | None = None,
    statuses: Collection[str] | None = None,
    streams: Collection[str] | None = None,
    revealer: Revealer = WITHHOLDING,
) -> list[RegistryEntry]:
    """The registry now, filtered; ordered by province, LAO and citizen ID."""
    return [
        RegistryEntry.now(row)
        for row in record_rows(
            cursor,
            tables,
            lao=lao,
            province=province,
            category=category,
            statuses=statuses,
            streams=streams,
            revealer=revealer,
        )
    ]


def erasure_of(cursor: Cursor, tables: Mapping[str, str], stream: str) -> Erasure | None:
    """The record's erasure (``Erasure``: day, legal basis), or None if its person was not
    erased; read from its ``erasure`` fact, never from the vault."""
    facts = [
        fact_of(row) for row in cursor.select_in(tables["facts"], FACT_COLUMNS, "stream", [stream])
    ]
    found = [fact for fact in facts if fact.kind == "erasure"]
    return Erasure.of(found[0]) if found else None


# As of a date: the fold over facts.


def fold_record(
    facts: Sequence[Fact],
    valid: date | None,
    recorded: datetime | None,
    revealer: Revealer = WITHHOLDING,
) -> RegistryEntry | None:
    """The record as of a valid date and a transaction time, or None when it was not in the
    registry then: nothing recorded by ``recorded``, or opened after ``valid`` (a stream whose
    first event takes effect after a date did not exist on that date, whatever its entries say
    of earlier days: a history that began before the opening is the opening's to backdate)."""
    when = None if recorded is None else utc_text(recorded)
    on = None if valid is None else valid.isoformat()
    known = [fact for fact in facts if when is None or fact.recorded_at <= when]
    entries = live_entries(known, None)
    header = latest_fact(entries, "header", None)
    if header is None or (on is not None and header.effective > on):
        return None
    custody = latest_fact(known, "custody", on)
    if custody is None or custody.lao is None or custody.province is None:
        return None
    status = latest_fact(known, "status", on)
    position = latest_fact(entries, "position", on)
    name = latest_fact(entries, "name", on)
    return RegistryEntry.of(
        revealer=revealer,
        stream=custody.stream,
        header=header.payload,
        lao=custody.lao,
        province=custody.province,
        status=status.payload["status"] if status is not None else "pending",
        named=name.payload if name is not None else {},
        placed=position.payload if position is not None else {},
        erased=any(fact.kind == "erasure" for fact in known),  # known by then, whatever the day
    )


def registry_as_of(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    valid: date | None = None,
    recorded: datetime | None = None,
    lao: str | None = None,
    province: str | None = None,
    streams: Collection[str] | None = None,
    revealer: Revealer = WITHHOLDING,
) -> list[RegistryEntry]:
    """The registry as of a valid date and a transaction time (None: no limit on that axis),
    of one LAO, one province, some records, or everyone; ordered by LAO and citizen ID."""
    if streams is not None:
        candidates = set(streams)
    else:
        where, params = "", []
        if lao is not None:
            where, params = " WHERE lao = ?", [lao]
        elif province is not None:
            where, params = " WHERE province = ?", [province]
        cursor.execute(f"SELECT DISTINCT stream FROM {tables['custody']}{where}", params)
        candidates = {row[0] for row in cursor.fetchall()}
    by_stream: dict[str, list[Fact]] = defaultdict(list)
    for row in cursor.select_in(tables["facts"], FACT_COLUMNS, "stream", candidates):
        by_stream[row[1]].append(fact_of(row))
    found = []
    asked = [
        pair for facts in by_stream.values() for fact in facts for pair in fact_commitments(fact)
    ]
    with revealer.preloaded(asked):  # one batch read of the vault for the records
        for facts in by_stream.values():
            entry = fold_record(facts, valid, recorded, revealer)
            if entry is None:
                continue
            if (lao is None or entry.lao == lao) and (
                province is None or entry.province == province
            ):
                found.append(entry)
    return sorted(found, key=lambda e: (e.province, e.lao, e.cid, e.stream))


def registry_entries(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    valid: date | None = None,
    recorded: datetime | None = None,
    lao: str | None = None,
    province: str | None = None,
    category: str | None = None,
    streams: Collection[str] | None = None,
    revealer: Revealer = WITHHOLDING,
) -> list[RegistryEntry]:
    """The registry now (no date given: ``current_registry``) or as of the dates
    (``registry_as_of``; there ``category`` is the caller's to filter)."""
    if valid is None and recorded is None:
        return current_registry(
            cursor,
            tables,
            lao=lao,
            province=province,
            category=category,
            streams=streams,
            revealer=revealer,
        )
    return registry_as_of(
        cursor,
        tables,
        valid=valid,
        recorded=recorded,
        lao=lao,
        province=province,
        streams=streams,
        revealer=revealer,
    )
