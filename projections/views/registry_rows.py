"""The personnel registry's rows: dated facts, records now, and the entry people read.

``Fact`` is a row of the ``facts`` table (one fact of a record event, with its valid time and its
transaction time), ``RecordRow`` a row of ``records`` (the record now), ``RegistryEntry`` what a
reader gets: who, where, status, name and position-and-salary line. The writer
(``projections.views.registry``) and the queries (``projections.views.registry_queries``) share
them, and share the two folds over facts: the live revision of each entry
(``live_entries``) and the fact in force on a date (``latest_fact``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.commitments import COMMITMENT_KEY
from ledger.domain.rules import retirement_date, retirement_fiscal_year
from projections.personal import WITHHOLDING, Revealer, commitments_in, committed, is_marker
from projections.rows import dumps, loads

ERASURE = "PersonErased"
"""The event erasing a record's person: counted among its entries, kept as an ``erasure`` fact."""
IN_SERVICE_STATUSES = ("active", "suspended")
NOT_SEPARATED = ("pending", "active", "suspended")


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of a record, with its valid time (effective) and transaction time.

    ``text`` is the fact's data as JSON: for an entry, the statement's data exactly as signed.
    """

    notification_id: int
    stream: str
    version: int
    entry: int
    kind: str
    type: str
    section: str | None
    effective: str
    recorded_at: str
    lao: str | None
    province: str | None
    text: str

    @property
    def payload(self) -> dict[str, Any]:
        found: dict[str, Any] = loads(self.text)
        return found

    def row(self) -> tuple[Any, ...]:
        return (
            self.notification_id,
            self.stream,
            self.version,
            self.entry,
            self.kind,
            self.type,
            self.section,
            self.effective,
            self.recorded_at,
            self.lao,
            self.province,
            self.text,
        )


FACT_COLUMNS = (
    "notification_id",
    "stream",
    "version",
    "entry",
    "kind",
    "type",
    "section",
    "effective",
    "recorded_at",
    "lao",
    "province",
    "payload",
)


def fact_of(row: Sequence[Any]) -> Fact:
    """A fact from its row (in ``FACT_COLUMNS`` order)."""
    return Fact(*row)


@dataclass(slots=True)
class RecordRow:
    """A row of ``records``: the record now."""

    stream: str
    version: int
    cid: str
    category: str
    birth_date: str
    retirement_date: str
    retirement_year: int
    lao: str
    province: str
    status: str
    status_before: str
    transfer_lao: str | None
    transfer_province: str | None
    name_text: str | None  # the current name entry's data, as signed
    name_rank: str | None
    position_text: str | None  # the current position-and-salary entry's data, as signed
    position_rank: str | None
    entries: str
    scheduled_year: int | None
    opened_effective: str
    last_notification_id: int
    last_recorded_at: str
    last_change_id: int = 0  # the latest operator event (system notices left out)

    @property
    def name(self) -> dict[str, Any]:
        found: dict[str, Any] = loads(self.name_text) or {}
        return found

    @property
    def position(self) -> dict[str, Any]:
        found: dict[str, Any] = loads(self.position_text) or {}
        return found

    @property
    def erased(self) -> bool:
        """Whether the record's person was erased (a ``PersonErased`` among its events): her
        values unreadable, the record closed to new entries (docs/personal-data.md)."""
        return bool(loads(self.entries).get(ERASURE))


RECORD_COLUMNS = tuple(f.name for f in fields(RecordRow))

NAME_FIELDS = ("prefix", "first_name", "last_name")
"""What a read reveals of a name entry (a v2 ``PersonalDataRecorded`` commits more: sex,
religion, blood group, which the registry never shows)."""


def _named(stream: str, named: dict[str, Any], revealer: Revealer) -> dict[str, Any]:
    if not any(COMMITMENT_KEY in str(value) for value in named.values()):
        return named
    shown = {name: named[name] for name in NAME_FIELDS if name in named}
    return {**named, **revealer.data(stream, shown)}


REVEALABLE = ("cid", "birth_date", "name")
"""The personal columns of a ``records`` row a read may reveal (the name: ``NAME_FIELDS``)."""


def revealed_row(
    row: RecordRow, revealer: Revealer, columns: Collection[str] = REVEALABLE
) -> RecordRow:
    """The row with its personal ``columns`` revealed (a v2 record's citizen ID, birth date
    and name; ``projections.personal``): a read reveals only what it shows, each value is a
    vault read. A v1 row as it is; a column not asked for keeps the view's text."""
    name_committed = row.name_text is not None and COMMITMENT_KEY in row.name_text
    if not columns or (
        committed(row.cid) is None and committed(row.birth_date) is None and not name_committed
    ):
        return row
    cid, born, name_text = row.cid, row.birth_date, row.name_text
    retires, year = row.retirement_date, row.retirement_year
    if "cid" in columns:
        cid = revealer.text(row.stream, "cid", row.cid)
    if "birth_date" in columns:
        born = revealer.text(row.stream, "birth_date", row.birth_date)
        if committed(row.birth_date) is not None and not is_marker(born):
            # Computed when read, as the view does for a v1 record (it keeps it for v2 no
            # more than the birth date): the retirement reports count v2 records too.
            retires = retirement_date(date.fromisoformat(born)).isoformat()
            year = retirement_fiscal_year(date.fromisoformat(born))
    if "name" in columns and name_committed:
        name_text = dumps(_named(row.stream, loads(row.name_text), revealer))
    return replace(
        row,
        cid=cid,
        birth_date=born,
        retirement_date=retires,
        retirement_year=year,
        name_text=name_text,
    )


def row_commitments(row: RecordRow, columns: Collection[str]) -> Iterator[tuple[str, str]]:
    """The (subject, commitment) a read revealing ``columns`` of the row reads from the vault
    (``Revealer.preloaded``): none for a v1 row."""
    texts: list[Any] = [getattr(row, name) for name in ("cid", "birth_date") if name in columns]
    if "name" in columns and row.name_text is not None and COMMITMENT_KEY in row.name_text:
        named = loads(row.name_text)
        texts += [named.get(name) for name in NAME_FIELDS]
    for text in texts:
        for hexed in commitments_in(text):
            yield row.stream, hexed


def fact_commitments(fact: Fact) -> Iterator[tuple[str, str]]:
    """The (subject, commitment) a read of the registry as of a date may reveal of a fact: a
    header's citizen ID and birth date, a name entry's name (``Revealer.preloaded``)."""
    if COMMITMENT_KEY not in fact.text or fact.kind not in ("header", "name"):
        return
    payload = fact.payload
    shown = ("cid", "birth_date") if fact.kind == "header" else NAME_FIELDS
    for name in shown:
        for hexed in commitments_in(payload.get(name)):
            yield fact.stream, hexed


@dataclass(frozen=True, slots=True)
class Erasure:
    """A record's person erased (its ``PersonErased``, signed in clear: it names no one): the
    day it took effect, when the ledger recorded it, and its legal basis."""

    stream: str
    on: date
    recorded_at: str
    legal_basis: str

    @classmethod
    def of(cls, fact: Fact) -> Erasure:
        return cls(
            fact.stream,
            date.fromisoformat(fact.effective),
            fact.recorded_at,
            str(fact.payload.get("legal_basis", "")),
        )


def entry_counts(row: RecordRow) -> dict[str, int]:
    """Live entries of the record by event type (voided entries are not counted)."""
    counts: dict[str, int] = loads(row.entries)
    return {name: count for name, count in counts.items() if count > 0}


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """A person in the registry: who, where, status, name and position-and-salary line."""

    stream: str
    cid: str
    category: str
    birth_date: date | None  # None: not shown (the person erased, or no vault to read it)
    lao: str
    province: str
    status: str
    prefix: str | None
    first_name: str | None
    last_name: str | None
    position_no: str | None
    position_title: str | None
    line: str | None
    level: str | None
    salary: Decimal | None
    allowance: Decimal | None
    erased: bool = False  # the person erased: beside the employment status, which stays

    @classmethod
    def of(
        cls,
        *,
        stream: str,
        header: dict[str, Any],
        lao: str,
        province: str,
        status: str,
        named: dict[str, Any],
        placed: dict[str, Any],
        revealer: Revealer = WITHHOLDING,
        erased: bool = False,
    ) -> RegistryEntry:
        """The entry from the record's header, place, status, name and position line data
        (a v2 record's commitments revealed by ``revealer``)."""
        category = header["category"]
        header = revealer.data(stream, {name: header[name] for name in ("cid", "birth_date")})
        named = _named(stream, named, revealer)
        born = header["birth_date"]
        return cls(
            stream=stream,
            cid=str(header["cid"]),
            category=category,
            birth_date=None if is_marker(born) else date.fromisoformat(born),
            lao=lao,
            province=province,
            status=status,
            prefix=named.get("prefix"),
            first_name=named.get("first_name"),
            last_name=named.get("last_name"),
            position_no=placed.get("position_no"),
            position_title=placed.get("position_title"),
            line=placed.get("line"),
            level=placed.get("level"),
            salary=_decimal(placed.get("salary")),
            allowance=_decimal(placed.get("allowance")),
            erased=erased,
        )

    @classmethod
    def now(cls, row: RecordRow, revealer: Revealer = WITHHOLDING) -> RegistryEntry:
        """The entry of a record as it is now."""
        return cls.of(
            revealer=revealer,
            stream=row.stream,
            header={
                "cid": committed(row.cid) or row.cid,
                "category": row.category,
                "birth_date": committed(row.birth_date) or row.birth_date,
            },
            lao=row.lao,
            province=row.province,
            status=row.status,
            named=row.name,
            placed=row.position,
            erased=row.erased,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            f.name: (
                str(value) if isinstance(value := getattr(self, f.name), Decimal | date) else value
            )
            for f in fields(self)
        }


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def live_entries(facts: Iterable[Fact], recorded: str | None) -> list[Fact]:
    """The latest revision (by transaction time) of every entry not voided, as known at
    ``recorded`` (None: now)."""
    latest: dict[tuple[str, int], Fact] = {}
    voided: set[int] = set()
    for fact in facts:
        if recorded is not None and fact.recorded_at > recorded:
            continue
        if fact.kind == "void":
            voided.add(fact.entry)
        elif fact.kind not in ("custody", "status"):
            key = (fact.kind, fact.entry)
            if key not in latest or fact.notification_id > latest[key].notification_id:
                latest[key] = fact
    return [fact for (_, entry), fact in latest.items() if entry not in voided]


def latest_fact(facts: Iterable[Fact], kind: str, valid: str | None) -> Fact | None:
    """The fact of ``kind`` with the latest valid time not after ``valid`` (None: any)."""
    best: Fact | None = None
    for fact in facts:
        if fact.kind != kind or (valid is not None and fact.effective > valid):
            continue
        if best is None or (fact.effective, fact.entry) > (best.effective, best.entry):
            best = fact
    return best
