"""The personnel registry view: each ก.พ.๗ record now, and every dated fact to read it as of any
date on either time axis (the queries: ``projections.views.registry_queries``).

Three tables:

* ``facts``: one row per fact a record event states, with both its times: the valid time (the
  statement's ``effective`` date, the order's date, often in the past) and the transaction time
  (when the ledger recorded it). Kinds: ``header`` (citizen ID, category, birth date),
  ``custody`` (the LAO holding the record, from RecordOpened and TransferredIn), ``status``
  (employment status), ``name``, ``position`` (the position-and-salary line), ``entry`` (any
  other section entry, kept for its type and section only), ``void``, ``erasure`` (the
  person's ``PersonErased``: its legal basis and reason, which name no one). A fact's payload is the
  entry's data exactly as signed. A correction (EntryCorrected) is a new revision of the entry
  it supersedes: same entry, same valid time, later transaction time.
* ``custody``: which LAOs ever held each record (to find an LAO's records as of a date).
* ``records``: the registry now, one row per record: the ledger's own order for custody and
  status (what the aggregate says), and for the name and the position-and-salary line the entry
  with the latest valid time (so a backdated order never displaces a later one); the live
  entries counted by type (for the completeness KPI; an erasure counted as ``PersonErased``:
  ``RecordRow.erased``), the retirement date and fiscal year, and
  the position of its latest operator event (``last_change_id``: what certification staleness
  compares; the system's notices change no data an LAO certifies).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ledger.domain.employment import TRANSITIONS, EmploymentStatus
from ledger.domain.personnel import EntryEvent, PersonnelRecord
from ledger.domain.rules import retirement_date, retirement_fiscal_year
from ledger.domain.signed import SignedAggregate
from ledger.statement import SYSTEM_CID
from projections.log import LogEvent
from projections.personal import committed, stored
from projections.rows import dumps, loads
from projections.store import Cursor
from projections.views.registry_rows import (
    ERASURE,
    FACT_COLUMNS,
    IN_SERVICE_STATUSES,
    RECORD_COLUMNS,
    Fact,
    RecordRow,
    fact_of,
    latest_fact,
    live_entries,
)
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

CUSTODY_COLUMNS = ("stream", "version", "lao", "province")
NO_PAYLOAD = "{}"
STATUS_TEXT = {str(status): dumps({"status": str(status)}) for status in EmploymentStatus}


def _by_stream(row: Sequence[Any]) -> tuple[str, int]:
    return row[1], row[2]


def _rank(effective: str, entry: int) -> str:
    return f"{effective}|{entry:012d}"


class RegistryView(View):
    """ทะเบียนบุคลากร: records now (``records``) and every dated fact (``facts``)."""

    name = "registry"
    version = 2  # 2: a PersonErased kept as an ``erasure`` fact and counted (RecordRow.erased)

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
                "last_notification_id BIGINT NOT NULL, last_recorded_at TEXT NOT NULL, "
                "last_change_id BIGINT NOT NULL"
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
            fact = fact_of(row)
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
            self.by_version[(stream, row[2])] = fact_of(row)

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
        """Apply one record event (in log order) to the record's row and the new facts."""
        row = self.records.get(event.stream_text)
        if row is not None and event.version <= row.version:
            return  # applied already
        kind = event.type
        if kind == "RecordOpened":
            row = self._open(event)
        elif row is None:
            return  # a stream opened before this view's first event: impossible in one log
        elif kind in SECTION_OF:
            self._enter(row, event)
        elif kind == "EntryCorrected":
            self._correct(row, event, event.data)
        elif kind == "EntryVoided":
            self._void(row, event, event.data)
        elif kind in TRANSITIONS:
            self._move(row, event)
        elif kind == "RetirementScheduled":
            row.scheduled_year = int(event.data["fiscal_year"])
        elif kind == ERASURE:  # its legal basis and reason, named in clear in the log
            self.fact(event, "erasure", event.version, event.data_text)
            self._count(row, ERASURE, +1)
        row.version = event.version
        row.last_notification_id = event.notification_id
        row.last_recorded_at = event.recorded_text
        if event.signer_cid != SYSTEM_CID:  # a change of the data, not the system's notice
            row.last_change_id = event.notification_id

    def _open(self, event: LogEvent) -> RecordRow:
        """RecordOpened: the record's row, its header and its first custody."""
        data = event.data
        row = RecordRow(
            stream=event.stream_text,
            version=0,
            cid="",
            category="",
            birth_date="",
            retirement_date="",
            retirement_year=0,
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
        _apply_header(row, data)
        self.records[row.stream] = row
        self._count(row, event.type, +1)
        self.fact(event, "header", event.version, event.data_text, section="general")
        self.fact(
            event, "custody", event.version, NO_PAYLOAD, lao=data["lao"], province=data["province"]
        )
        return row

    def _enter(self, row: RecordRow, event: LogEvent) -> None:
        """A section entry: counted; its data kept when the registry shows it (name, position)."""
        kind = event.type
        entry_kind = KIND_OF.get(kind, "entry")
        if entry_kind == "entry":  # the registry shows nothing of it but that it is there
            self.fact(event, entry_kind, event.version, NO_PAYLOAD, section=SECTION_OF[kind])
        else:
            text = event.data_text
            self.fact(event, entry_kind, event.version, text, section=SECTION_OF[kind])
            _choose(row, entry_kind, _rank(event.effective, event.version), text)
        self._count(row, kind, +1)

    def _void(self, row: RecordRow, event: LogEvent, data: dict[str, Any]) -> None:
        """EntryVoided: the entry stops counting; a voided name or position is chosen anew."""
        target = self.by_version.get((row.stream, int(data["entry"])))
        if target is None:
            return
        self.add(
            Fact(
                event.notification_id,
                row.stream,
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
            self.refold.add(row.stream)

    def _move(self, row: RecordRow, event: LogEvent) -> None:
        """An employment status event, as the domain's state machine applies it."""
        kind = event.type
        target = str(TRANSITIONS[kind][1] or row.status_before)
        if row.status in IN_SERVICE_STATUSES and target not in IN_SERVICE_STATUSES:
            row.status_before = row.status
        row.status = target
        self.fact(event, "status", event.version, STATUS_TEXT[target])
        if kind == "TransferredOut":
            data = event.data
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
            for fact in [fact_of(row) for row in (*stored, *self.new_facts)]:
                if fact.stream in self.refold:
                    by_stream[fact.stream].append(fact)
            for stream, facts in by_stream.items():
                row = self.records[stream]
                for kind in ("name", "position"):
                    setattr(row, f"{kind}_rank", None)
                    setattr(row, f"{kind}_text", None)
                    chosen = latest_fact(live_entries(facts, None), kind, None)
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


def _apply_header(row: RecordRow, payload: Mapping[str, Any]) -> None:
    """The header's columns; a v2 header's citizen ID and birth date are kept as their
    commitments, and the retirement date computed from the birth date is not kept at all
    (``projections.personal``: no personal value, nor anything computed from one, in a view)."""
    row.cid = stored(payload["cid"])
    row.category = payload["category"]
    row.birth_date = stored(payload["birth_date"])
    if committed(row.birth_date) is not None:
        row.retirement_date, row.retirement_year = "", 0
        return
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
