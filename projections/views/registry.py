"""The personnel registry: each ก.พ.๗ record now, and as of any date on either time axis.

Three tables:

* ``facts``: one row per fact a record event states, with both its times: the valid time (the
  statement's ``effective`` date, the order's date, often in the past) and the transaction time
  (when the ledger recorded it). Kinds: ``header`` (citizen ID, category, birth date),
  ``custody`` (the LAO holding the record, from RecordOpened and TransferredIn), ``status``
  (employment status), ``name``, ``position`` (the position-and-salary line), ``entry`` (any
  other section entry, kept for its type and section only), ``void``. A fact's payload is the
  entry's data exactly as signed. A correction (EntryCorrected) is a new revision of the entry
  it supersedes: same entry, same valid time, later transaction time.
* ``custody``: which LAOs ever held each record (to find an LAO's records as of a date).
* ``records``: the registry now, one row per record: the ledger's own order for custody and
  status (what the aggregate says), and for the name and the position-and-salary line the entry
  with the latest valid time (so a backdated order never displaces a later one); the live
  entries counted by type (for the completeness KPI), the retirement date and fiscal year.

``registry_as_of(valid=..., recorded=...)`` answers "who was where, in which position, at what
salary" as of a valid date (what the orders say was true then) and as of a transaction time
(what the ledger knew then): per record, the latest revision of each entry recorded by then,
minus voided entries, and for each kind the fact with the latest valid time not after the date.
A backdated order recorded today changes the answer for past valid dates, but not the answer
as of yesterday's transaction time: that is the point of the two axes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.domain.employment import TRANSITIONS, EmploymentStatus
from ledger.domain.personnel import EntryEvent, PersonnelRecord
from ledger.domain.rules import retirement_date, retirement_fiscal_year
from ledger.domain.signed import SignedAggregate
from projections.log import LogEvent
from projections.rows import dumps, loads, utc_text
from projections.store import Cursor
from projections.views.runner import View

RECORD_TYPES = frozenset(
    name
    for name, member in vars(PersonnelRecord).items()
    if isinstance(member, type)
    and issubclass(member, SignedAggregate.Event)
    and getattr(member, "Data", None) is not None
)
"""Every event type of the personnel record's stream."""

SECTION_OF: dict[str, str] = {
    name: member.section.value
    for name, member in vars(PersonnelRecord).items()
    if isinstance(member, type) and issubclass(member, EntryEvent)
} | {"RecordOpened": "general"}
"""Entry event type -> the ก.พ.๗ section it adds to."""

KIND_OF = {
    "RecordOpened": "header",
    "PersonalDataRecorded": "name",
    "NameChanged": "name",
    "PositionSalaryEntryAdded": "position",
}
"""Entry types whose data the registry shows; every other entry is kind ``entry``."""

NEEDS_DATA = frozenset(
    {"RecordOpened", "EntryCorrected", "EntryVoided", "RetirementScheduled", *TRANSITIONS}
)
"""Record events whose data the registry reads (entries of other sections it only counts)."""

NAME_FIELDS = ("prefix", "first_name", "last_name")
POSITION_FIELDS = (
    "position_no",
    "position_title",
    "line",
    "level",
    "position_type",
    "salary",
    "allowance",
)
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
CUSTODY_COLUMNS = ("stream", "version", "lao", "province")
NO_PAYLOAD = "{}"
STATUS_TEXT = {str(status): dumps({"status": str(status)}) for status in EmploymentStatus}


def _by_stream(row: Sequence[Any]) -> tuple[str, int]:
    return row[1], row[2]


def _fact(row: Sequence[Any]) -> Fact:
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

    @property
    def name(self) -> dict[str, Any]:
        found: dict[str, Any] = loads(self.name_text) or {}
        return found

    @property
    def position(self) -> dict[str, Any]:
        found: dict[str, Any] = loads(self.position_text) or {}
        return found


RECORD_COLUMNS = tuple(f.name for f in fields(RecordRow))


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """A person in the registry: who, where, status, name and position-and-salary line."""

    stream: str
    cid: str
    category: str
    birth_date: date
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

    def as_json(self) -> dict[str, Any]:
        return {
            f.name: (
                str(value) if isinstance(value := getattr(self, f.name), Decimal | date) else value
            )
            for f in fields(self)
        }


def _rank(effective: str, entry: int) -> str:
    return f"{effective}|{entry:012d}"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class RegistryView(View):
    """ทะเบียนบุคลากร: records now (``records``) and every dated fact (``facts``)."""

    name = "registry"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "facts": (
                "notification_id BIGINT NOT NULL, stream TEXT NOT NULL, version BIGINT NOT NULL, "
                "entry BIGINT NOT NULL, kind TEXT NOT NULL, type TEXT NOT NULL, section TEXT, "
                "effective TEXT NOT NULL, recorded_at TEXT NOT NULL, lao TEXT, province TEXT, "
                "payload TEXT NOT NULL, PRIMARY KEY (stream, version, kind)"
            ),
            "custody": (
                "stream TEXT NOT NULL, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, PRIMARY KEY (stream, version)"
            ),
            "records": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, cid TEXT NOT NULL, "
                "category TEXT NOT NULL, birth_date TEXT NOT NULL, retirement_date TEXT NOT NULL, "
                "retirement_year INTEGER NOT NULL, lao TEXT NOT NULL, province TEXT NOT NULL, "
                "status TEXT NOT NULL, status_before TEXT NOT NULL, transfer_lao TEXT, "
                "transfer_province TEXT, name_text TEXT, name_rank TEXT, position_text TEXT, "
                "position_rank TEXT, entries TEXT NOT NULL, scheduled_year INTEGER, "
                "opened_effective TEXT NOT NULL, "
                "last_notification_id BIGINT NOT NULL, last_recorded_at TEXT NOT NULL"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {
            "custody": ["lao", "province"],
            "records": ["lao", "province", "retirement_year"],
        }

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        mine = [event for event in events if event.type in RECORD_TYPES]
        if not mine:
            return
        batch = _Batch(cursor, tables, mine)
        for event in mine:
            batch.apply(event)
        batch.write()


class _Batch:
    """The rows one batch touches, loaded once, changed in log order, written once."""

    def __init__(self, cursor: Cursor, tables: Mapping[str, str], events: list[LogEvent]) -> None:
        self.cursor = cursor
        self.tables = tables
        streams = {event.stream_text for event in events}
        self.records: dict[str, RecordRow] = {
            row[0]: RecordRow(*row)
            for row in cursor.select_in(tables["records"], RECORD_COLUMNS, "stream", streams)
        }
        self.new_facts: list[tuple[Any, ...]] = []
        self.custody: list[tuple[Any, ...]] = []
        self.refold: set[str] = set()
        self.counts: dict[str, dict[str, int]] = {}
        # Corrections and voids name an entry by a version: find those streams' facts.
        self.naming = {
            event.stream_text for event in events if event.type in ("EntryCorrected", "EntryVoided")
        }
        self.by_version: dict[tuple[str, int], Fact] = {}
        for row in cursor.select_in(tables["facts"], FACT_COLUMNS, "stream", self.naming):
            fact = _fact(row)
            if fact.kind not in ("custody", "status", "void"):
                self.by_version[(fact.stream, fact.version)] = fact

    def add(self, fact: Fact) -> None:
        self.keep(fact.row())

    def keep(self, row: tuple[Any, ...]) -> None:
        """A new fact's row (in ``FACT_COLUMNS`` order)."""
        self.new_facts.append(row)
        kind, stream = row[4], row[1]
        if kind == "custody":
            self.custody.append((stream, row[2], row[9], row[10]))
        elif stream in self.naming and kind not in ("status", "void"):
            self.by_version[(stream, row[2])] = _fact(row)

    def fact(
        self,
        event: LogEvent,
        kind: str,
        entry: int,
        text: str,
        *,
        section: str | None = None,
        lao: str | None = None,
        province: str | None = None,
    ) -> None:
        self.keep(
            (
                event.notification_id,
                event.stream_text,
                event.version,
                entry,
                kind,
                event.type,
                section,
                event.effective,
                event.recorded_text,
                lao,
                province,
                text,
            )
        )

    def apply(self, event: LogEvent) -> None:
        stream = event.stream_text
        row = self.records.get(stream)
        if row is not None and event.version <= row.version:
            return  # applied already
        kind = event.type
        data = event.data if kind in NEEDS_DATA else {}
        if kind == "RecordOpened":
            born = date.fromisoformat(data["birth_date"])
            row = RecordRow(
                stream=stream,
                version=0,
                cid=data["cid"],
                category=data["category"],
                birth_date=data["birth_date"],
                retirement_date=retirement_date(born).isoformat(),
                retirement_year=retirement_fiscal_year(born),
                lao=data["lao"],
                province=data["province"],
                status="pending",
                status_before="active",
                transfer_lao=None,
                transfer_province=None,
                name_text=None,
                name_rank=None,
                position_text=None,
                position_rank=None,
                entries=NO_PAYLOAD,
                scheduled_year=None,
                opened_effective=event.effective,
                last_notification_id=0,
                last_recorded_at=event.recorded_text,
            )
            self.records[stream] = row
            self._count(row, kind, +1)
            self.fact(event, "header", event.version, event.data_text, section="general")
            self.fact(
                event,
                "custody",
                event.version,
                NO_PAYLOAD,
                lao=data["lao"],
                province=data["province"],
            )
        elif row is None:
            return  # a stream opened before this view's first event: impossible in one log
        elif kind in SECTION_OF:
            entry_kind = KIND_OF.get(kind, "entry")
            if entry_kind == "entry":  # the registry shows nothing of it but that it is there
                self.fact(event, entry_kind, event.version, NO_PAYLOAD, section=SECTION_OF[kind])
            else:
                text = event.data_text
                self.fact(event, entry_kind, event.version, text, section=SECTION_OF[kind])
                _choose(row, entry_kind, _rank(event.effective, event.version), text)
            self._count(row, kind, +1)
        elif kind == "EntryCorrected":
            self._correct(row, event, data)
        elif kind == "EntryVoided":
            target = self.by_version.get((stream, int(data["entry"])))
            if target is not None:
                self.add(
                    Fact(
                        event.notification_id,
                        stream,
                        event.version,
                        target.entry,
                        "void",
                        target.type,
                        target.section,
                        event.effective,
                        event.recorded_text,
                        None,
                        None,
                        NO_PAYLOAD,
                    )
                )
                self._count(row, target.type, -1)
                if target.kind in ("name", "position"):
                    self.refold.add(stream)
        elif kind in TRANSITIONS:
            self._move(row, event, data)
        elif kind == "RetirementScheduled":
            row.scheduled_year = int(data["fiscal_year"])
        row.version = event.version
        row.last_notification_id = event.notification_id
        row.last_recorded_at = event.recorded_text

    def _move(self, row: RecordRow, event: LogEvent, data: dict[str, Any]) -> None:
        """An employment status event, as the domain's state machine applies it."""
        kind = event.type
        target = str(TRANSITIONS[kind][1] or row.status_before)
        if row.status in IN_SERVICE_STATUSES and target not in IN_SERVICE_STATUSES:
            row.status_before = row.status
        row.status = target
        self.fact(event, "status", event.version, STATUS_TEXT[target])
        if kind == "TransferredOut":
            row.transfer_lao, row.transfer_province = data["to_lao"], data["to_province"]
        elif kind == "TransferredIn" and row.transfer_lao and row.transfer_province:
            row.lao, row.province = row.transfer_lao, row.transfer_province
            row.transfer_lao = row.transfer_province = None
            self.fact(
                event, "custody", event.version, NO_PAYLOAD, lao=row.lao, province=row.province
            )
        elif kind == "SeparationRevoked":
            row.transfer_lao = row.transfer_province = None

    def _count(self, row: RecordRow, entry_type: str, change: int) -> None:
        counts = self.counts.get(row.stream)
        if counts is None:
            counts = self.counts[row.stream] = loads(row.entries)
        counts[entry_type] = counts.get(entry_type, 0) + change

    def _correct(self, row: RecordRow, event: LogEvent, data: dict[str, Any]) -> None:
        stream = event.stream_text
        target = self.by_version.get((stream, int(data["supersedes"])))
        if target is None:
            return
        replacement = data["replacement"]
        self.add(
            Fact(
                event.notification_id,
                stream,
                event.version,
                target.entry,
                target.kind,
                target.type,
                target.section,
                target.effective,  # a correction keeps the entry's valid time
                event.recorded_text,
                None,
                None,
                dumps(replacement),
            )
        )
        if target.kind == "header":
            _apply_header(row, replacement)
        elif target.kind in ("name", "position"):
            rank = _rank(target.effective, target.entry)
            if getattr(row, f"{target.kind}_rank") == rank:
                _choose(row, target.kind, rank, dumps(replacement), force=True)

    def write(self) -> None:
        for stream, counts in self.counts.items():
            self.records[stream].entries = dumps(counts)
        if self.refold:
            stored = self.cursor.select_in(
                self.tables["facts"], FACT_COLUMNS, "stream", self.refold
            )
            by_stream: dict[str, list[Fact]] = defaultdict(list)
            for fact in [_fact(row) for row in (*stored, *self.new_facts)]:
                if fact.stream in self.refold:
                    by_stream[fact.stream].append(fact)
            for stream, facts in by_stream.items():
                row = self.records[stream]
                for kind in ("name", "position"):
                    setattr(row, f"{kind}_rank", None)
                    setattr(row, f"{kind}_text", None)
                    chosen = _latest(_live_entries(facts, None), kind, None)
                    if chosen is not None:
                        _choose(row, kind, _rank(chosen.effective, chosen.entry), chosen.text)
        self.cursor.append(
            self.tables["facts"],
            FACT_COLUMNS,
            sorted(self.new_facts, key=_by_stream),  # key order: the index grows in place
            key=("stream", "version", "kind"),
        )
        self.cursor.upsert(
            self.tables["custody"],
            CUSTODY_COLUMNS,
            self.custody,
            key=("stream", "version"),
            update=(),
        )
        self.cursor.upsert(
            self.tables["records"],
            RECORD_COLUMNS,
            [
                tuple(getattr(row, name) for name in RECORD_COLUMNS)
                for _, row in sorted(self.records.items())
            ],
            key=("stream",),
        )


def _header(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"cid": data["cid"], "category": data["category"], "birth_date": data["birth_date"]}


def _apply_header(row: RecordRow, payload: Mapping[str, Any]) -> None:
    row.cid = payload["cid"]
    row.category = payload["category"]
    row.birth_date = payload["birth_date"]
    born = date.fromisoformat(row.birth_date)
    row.retirement_date = retirement_date(born).isoformat()
    row.retirement_year = retirement_fiscal_year(born)


def _choose(row: RecordRow, kind: str, rank: str, text: str, *, force: bool = False) -> None:
    """Make the entry of ``rank`` the record's current name or position if it is the latest
    by valid time (then by entry)."""
    if kind == "name":
        if force or row.name_rank is None or rank >= row.name_rank:
            row.name_rank, row.name_text = rank, text
    elif kind == "position" and (force or row.position_rank is None or rank >= row.position_rank):
        row.position_rank, row.position_text = rank, text


# As of a date: the fold over facts.


def _live_entries(facts: Iterable[Fact], recorded: str | None) -> list[Fact]:
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


def _latest(facts: Iterable[Fact], kind: str, valid: str | None) -> Fact | None:
    """The fact of ``kind`` with the latest valid time not after ``valid`` (None: any)."""
    best: Fact | None = None
    for fact in facts:
        if fact.kind != kind or (valid is not None and fact.effective > valid):
            continue
        if best is None or (fact.effective, fact.entry) > (best.effective, best.entry):
            best = fact
    return best


def fold_record(
    facts: Sequence[Fact], valid: date | None, recorded: datetime | None
) -> RegistryEntry | None:
    """The record as of a valid date and a transaction time, or None when it was not in the
    registry then: nothing recorded by ``recorded``, or, as of ``valid``, neither its opening
    nor any employment status or position-and-salary line in force yet. A record whose service
    began before it was opened (a backfilled history) is held, before its opening, by the LAO
    that opened it."""
    when = None if recorded is None else utc_text(recorded)
    on = None if valid is None else valid.isoformat()
    known = [fact for fact in facts if when is None or fact.recorded_at <= when]
    entries = _live_entries(known, None)
    header = _latest(entries, "header", None)
    status = _latest(known, "status", on)
    position = _latest(entries, "position", on)
    custody = _latest(known, "custody", on)
    if custody is None and (status is not None or position is not None):
        # In service before the record was opened here (a backfill): the opening LAO.
        custody = min(
            (fact for fact in known if fact.kind == "custody"),
            key=lambda fact: (fact.effective, fact.entry),
            default=None,
        )
    if header is None or custody is None or custody.lao is None or custody.province is None:
        return None
    name = _latest(entries, "name", on)
    named = name.payload if name is not None else {}
    placed = position.payload if position is not None else {}
    return RegistryEntry(
        stream=custody.stream,
        cid=header.payload["cid"],
        category=header.payload["category"],
        birth_date=date.fromisoformat(header.payload["birth_date"]),
        lao=custody.lao,
        province=custody.province,
        status=status.payload["status"] if status is not None else "pending",
        prefix=named.get("prefix"),
        first_name=named.get("first_name"),
        last_name=named.get("last_name"),
        position_no=placed.get("position_no"),
        position_title=placed.get("position_title"),
        line=placed.get("line"),
        level=placed.get("level"),
        salary=_decimal(placed.get("salary")),
        allowance=_decimal(placed.get("allowance")),
    )


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def registry_as_of(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    valid: date | None = None,
    recorded: datetime | None = None,
    lao: str | None = None,
    province: str | None = None,
    streams: Collection[str] | None = None,
) -> list[RegistryEntry]:
    """The registry as of a valid date and a transaction time (None: no limit on that axis),
    of one LAO, one province, some records, or everyone; ordered by LAO and citizen ID."""
    facts_table = tables["facts"]
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
    for row in cursor.select_in(facts_table, FACT_COLUMNS, "stream", candidates):
        by_stream[row[1]].append(_fact(row))
    found = []
    for facts in by_stream.values():
        entry = fold_record(facts, valid, recorded)
        if entry is None:
            continue
        if (lao is None or entry.lao == lao) and (province is None or entry.province == province):
            found.append(entry)
    return sorted(found, key=lambda e: (e.province, e.lao, e.cid, e.stream))


def current_registry(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
    category: str | None = None,
    statuses: Collection[str] | None = None,
    streams: Collection[str] | None = None,
) -> list[RegistryEntry]:
    """The registry now, filtered; ordered by province, LAO and citizen ID."""
    return [
        _entry(row)
        for row in record_rows(
            cursor,
            tables,
            lao=lao,
            province=province,
            category=category,
            statuses=statuses,
            streams=streams,
        )
    ]


def record_rows(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
    category: str | None = None,
    statuses: Collection[str] | None = None,
    streams: Collection[str] | None = None,
) -> list[RecordRow]:
    """Rows of ``records`` (the registry now), filtered."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("lao", lao), ("province", province), ("category", category)):
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
        records = [r for r in records if _matches(r, lao, province, category, statuses)]
    else:
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        cursor.execute(f"SELECT {columns} FROM {table}{where}", params)
        records = [RecordRow(*row) for row in cursor.fetchall()]
    return sorted(records, key=lambda r: (r.province, r.lao, r.cid, r.stream))


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


def _entry(row: RecordRow) -> RegistryEntry:
    named, placed = row.name, row.position
    return RegistryEntry(
        stream=row.stream,
        cid=row.cid,
        category=row.category,
        birth_date=date.fromisoformat(row.birth_date),
        lao=row.lao,
        province=row.province,
        status=row.status,
        prefix=named.get("prefix"),
        first_name=named.get("first_name"),
        last_name=named.get("last_name"),
        position_no=placed.get("position_no"),
        position_title=placed.get("position_title"),
        line=placed.get("line"),
        level=placed.get("level"),
        salary=_decimal(placed.get("salary")),
        allowance=_decimal(placed.get("allowance")),
    )


def entry_counts(row: RecordRow) -> dict[str, int]:
    """Live entries of the record by event type (voided entries are not counted)."""
    counts: dict[str, int] = loads(row.entries)
    return {name: count for name, count in counts.items() if count > 0}


__all__ = [
    "Fact",
    "RecordRow",
    "RegistryEntry",
    "RegistryView",
    "current_registry",
    "entry_counts",
    "fold_record",
    "record_rows",
    "registry_as_of",
]
