"""What waits for an LAO's HR officer in its records: the ones incomplete for the KPI (and which
required sections they lack), and the people retiring in a span of fiscal years.

One read of the registry serves both, with the rules the reports already apply: completeness is
``projections.reports.kpi.missing_sections`` (the KPI's own ``REQUIRED``), retirement is
``projections.reports.retirements.retiring`` (not separated, of a category that retires). The
rows are about people, so they carry the record's stream; the edge names them only for callers
who read personal data (``Table.names``), and logs the records it shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.personal import WITHHOLDING, Revealer
from projections.reports.kpi import assessable, missing_sections
from projections.reports.retirements import RETIRING_CATEGORIES
from projections.store import Cursor
from projections.views.registry_queries import record_rows
from projections.views.registry_rows import NOT_SEPARATED, RecordRow


@dataclass(frozen=True, slots=True)
class RecordNote:
    """One record an HR officer has something to do about."""

    stream: str
    lao: str
    category: str
    position_title: str | None
    missing: tuple[str, ...]  # required sections without a live entry (RecordSection codes)
    retirement_date: date | None  # None: a v2 record's, not kept in the view (its birth date)
    retirement_year: int

    @classmethod
    def of(cls, row: RecordRow) -> RecordNote:
        return cls(
            stream=row.stream,
            lao=row.lao,
            category=row.category,
            position_title=row.position.get("position_title"),
            missing=tuple(missing_sections(row)),
            retirement_date=date.fromisoformat(row.retirement_date)
            if row.retirement_date
            else None,
            retirement_year=row.retirement_year,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "lao": self.lao,
            "category": self.category,
            "position_title": self.position_title,
            "missing": list(self.missing),
            "retirement_date": self.retirement_date and self.retirement_date.isoformat(),
            "retirement_year": self.retirement_year,
        }


@dataclass(frozen=True, slots=True)
class RecordsToDo:
    """The records incomplete for the KPI, and those retiring in ``years`` (soonest first)."""

    incomplete: tuple[RecordNote, ...]
    retiring: tuple[RecordNote, ...]
    years: tuple[int, int]

    @property
    def streams(self) -> list[str]:
        return sorted({note.stream for note in (*self.incomplete, *self.retiring)})


def records_to_do(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    *,
    first_year: int,
    last_year: int,
    lao: str | None = None,
    province: str | None = None,
    revealer: Revealer = WITHHOLDING,
) -> RecordsToDo:
    """The in-service records of the scope that lack a required section, and those whose
    retirement fiscal year is ``first_year``..``last_year``."""
    rows = record_rows(
        cursor,
        registry_tables,
        lao=lao,
        province=province,
        statuses=NOT_SEPARATED,
        revealer=revealer,
        reveal=("cid", "birth_date"),  # the retirement year, and the registry's order
    )
    notes = [RecordNote.of(row) for row in rows if assessable(row)]  # an erased one: nothing to do
    incomplete = [note for note in notes if note.missing]
    retiring = [
        note
        for note in notes
        if note.category in RETIRING_CATEGORIES and first_year <= note.retirement_year <= last_year
    ]
    retiring.sort(key=lambda note: (note.retirement_date or date.max, note.stream))
    return RecordsToDo(tuple(incomplete), tuple(retiring), (first_year, last_year))
