"""Leave (ระบบการลา): every leave taken and every yearly ก.พ.๗ leave line, per record.

``entries`` keeps one row per leave entry of a record: a ``LeaveTaken`` (type, days, the fiscal
year of its first day: local staff count leave per fiscal year) or a ``LeaveYearSummarised``
(the record's yearly leave line as the ก.พ.๗ prints it; blank is not zero). Corrections replace
an entry's values, voids mark it dead; ``leave_summary`` totals the live ones per record, year
and type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.domain.rules import fiscal_year
from projections.log import LogEvent
from projections.personal import (
    WITHHELD,
    WITHHOLDING,
    Revealer,
    commitments_in,
    committed,
    stored,
    without_health,
)
from projections.rows import dumps, loads
from projections.store import Cursor
from projections.views.registry_queries import record_rows
from projections.views.registry_rows import RecordRow
from projections.views.runner import View

LEAVE_TYPES = frozenset({"LeaveTaken", "LeaveYearSummarised"})
COLUMNS = (
    "stream",
    "entry",
    "version",
    "kind",
    "year",
    "leave_type",
    "days",
    "summary",
    "live",
)
SUMMARY_FIELDS = (
    "sick_times",
    "sick_days",
    "personal_vacation_times",
    "personal_vacation_days",
    "late_times",
    "absent_days",
    "study_days",
)


def _values(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "LeaveTaken":
        return {
            "kind": "taken",
            "year": fiscal_year(date.fromisoformat(data["start"])),
            "leave_type": stored(data["leave_type"]),  # v2: the commitment, never the value
            "days": str(data["days"]),
            "summary": None,
        }
    return {
        "kind": "summary",
        "year": int(data["year"]),
        "leave_type": None,
        "days": None,
        "summary": dumps({name: data.get(name) for name in SUMMARY_FIELDS}),
    }


class LeaveView(View):
    """การลา: leave entries of every record."""

    name = "leave"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "entries": (
                "stream TEXT NOT NULL, entry BIGINT NOT NULL, version BIGINT NOT NULL, "
                "kind TEXT NOT NULL, year INTEGER NOT NULL, leave_type TEXT, days TEXT, "
                "summary TEXT, live INTEGER NOT NULL, PRIMARY KEY (stream, entry)"
            )
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {"entries": ["stream, version", "year"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        touching = [
            event
            for event in events
            if event.type in LEAVE_TYPES or event.type in ("EntryCorrected", "EntryVoided")
        ]
        if not touching:
            return
        table = tables["entries"]
        # Corrections and voids of other sections are ignored: only streams with leave matter.
        streams = {str(event.stream) for event in touching}
        known: dict[tuple[str, int], dict[str, Any]] = {
            (row[0], row[1]): dict(zip(COLUMNS, row, strict=True))
            for row in cursor.select_in(table, COLUMNS, "stream", streams)
        }
        changed: set[tuple[str, int]] = set()
        for event in touching:
            stream, data = str(event.stream), event.data
            if event.type in LEAVE_TYPES:
                key = (stream, event.version)
                if key not in known:
                    known[key] = {
                        "stream": stream,
                        "entry": event.version,
                        "version": event.version,
                        "live": 1,
                    } | _values(event.type, data)
                    changed.add(key)
                continue
            if event.type == "EntryVoided":
                key = (stream, int(data["entry"]))
                if key in known and known[key]["live"]:
                    known[key]["live"] = 0
                    changed.add(key)
                continue
            target = next(
                (
                    row
                    for row in known.values()
                    if row["stream"] == stream and row["version"] == int(data["supersedes"])
                ),
                None,
            )
            if target is not None and event.version > int(target["version"]):
                kind = "LeaveTaken" if target["kind"] == "taken" else "LeaveYearSummarised"
                target.update(_values(kind, data["replacement"]), version=event.version)
                changed.add((stream, int(target["entry"])))
        cursor.upsert(
            table,
            COLUMNS,
            [tuple(known[key][c] for c in COLUMNS) for key in sorted(changed)],
            key=("stream", "entry"),
        )


def _leave_type(stream: str, text: str, revealer: Revealer, health: bool) -> str:
    """A leave entry's type as a reader is shown it (``leave_summary``)."""
    if not health:
        return WITHHELD
    return revealer.text(stream, "leave_type", text) if committed(text) else text


def _reported(
    stream: str, line: dict[str, Any], revealer: Revealer, health: bool
) -> dict[str, Any]:
    """A yearly leave line as a reader is shown it: its sick leave revealed, or withheld."""
    if not health:
        return without_health("LeaveYearSummarised", line)
    return revealer.data(stream, line)


def _add(
    summaries: dict[tuple[str, int], LeaveSummary],
    record: RecordRow,
    values: dict[str, Any],
    revealer: Revealer,
    health: bool,
) -> None:
    """Count a leave entry (a row of ``entries``) into its record's summary of its year."""
    key = (record.stream, int(values["year"]))
    summary = summaries.setdefault(
        key, LeaveSummary(record.stream, record.lao, record.province, key[1])
    )
    if values["kind"] == "taken":
        kind = _leave_type(record.stream, values["leave_type"], revealer, health)
        item = summary.taken.setdefault(kind, {"times": 0, "days": "0"})
        item["times"] += 1
        item["days"] = str(Decimal(item["days"]) + Decimal(values["days"]))
    else:
        summary.reported = _reported(record.stream, loads(values["summary"]), revealer, health)


@dataclass(slots=True)
class LeaveSummary:
    """One record's leave in one (fiscal) year: what was taken by type, and its ก.พ.๗ line."""

    stream: str
    lao: str
    province: str
    year: int
    taken: dict[str, dict[str, Any]] = field(default_factory=dict)  # type -> {times, days}
    reported: dict[str, Any] | None = None  # the LeaveYearSummarised line, blank kept None

    @property
    def total_days(self) -> Decimal:
        return sum((Decimal(item["days"]) for item in self.taken.values()), Decimal(0))

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "lao": self.lao,
            "province": self.province,
            "year": self.year,
            "taken": self.taken,
            "total_days": str(self.total_days),
            "reported": self.reported,
        }


def leave_summary(
    cursor: Cursor,
    leave_tables: Mapping[str, str],
    registry_tables: Mapping[str, str],
    *,
    year: int | None = None,
    lao: str | None = None,
    province: str | None = None,
    stream: str | None = None,
    revealer: Revealer = WITHHOLDING,
    health: bool = True,
) -> list[LeaveSummary]:
    """Per record and year: leave taken by type (times, days) and the reported yearly line.

    The leave types and the line's sick leave are health data: a v2 entry's are revealed by
    ``revealer`` (the view keeps their commitments); without ``health`` every entry's, v1 or
    v2, shows ``WITHHELD`` (the days and the other counts are not health data)."""
    records = {
        row.stream: row
        for row in record_rows(
            cursor,
            registry_tables,
            lao=lao,
            province=province,
            streams=None if stream is None else [stream],
            reveal=(),  # the places only
        )
    }
    summaries: dict[tuple[str, int], LeaveSummary] = {}
    rows = [
        values
        for row in cursor.select_in(leave_tables["entries"], COLUMNS, "stream", records)
        if (values := dict(zip(COLUMNS, row, strict=True)))["live"]
        and (year is None or values["year"] == year)
    ]
    asked = [
        (values["stream"], hexed)
        for values in (rows if health else [])
        for text in (values["leave_type"], values["summary"])
        for hexed in commitments_in(text)
    ]
    with revealer.preloaded(asked):  # one batch read of the vault for the rows
        for values in rows:
            _add(summaries, records[values["stream"]], values, revealer, health)
    return sorted(summaries.values(), key=lambda s: (s.province, s.lao, s.stream, s.year))
