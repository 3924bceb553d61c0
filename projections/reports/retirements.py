"""Upcoming retirements (เกษียณอายุราชการ) by fiscal year, LAO and position line.

Read from the registry: every record not separated from service or retired (a person retired
in a fiscal year is a retirement of that year: this is the report of retirements by fiscal
year, not of the people still in service), of a category that retires
(contract staff leave by ContractEnded), whose retirement fiscal year (from the birth date, by
``ledger.domain.rules.retirement_fiscal_year``) falls in the range asked; grouped by fiscal year,
LAO and position line (สายงาน: the current position-and-salary line's, else its title). Manpower
planning and the budget request read it; ``scheduled`` counts those the system key has already
noted (RetirementScheduled).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from projections.personal import WITHHOLDING, Revealer
from projections.store import Cursor
from projections.views.registry_queries import record_rows
from projections.views.registry_rows import NOT_SEPARATED, RecordRow

UNKNOWN_LINE = "(ไม่ระบุสายงาน)"
RETIRING_CATEGORIES = frozenset({"official", "teacher", "employee"})


@dataclass(frozen=True, slots=True)
class RetirementGroup:
    """How many people of one line in one LAO retire at the end of one fiscal year."""

    fiscal_year: int
    province: str
    lao: str
    line: str
    people: int
    scheduled: int

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def line_of(row: RecordRow) -> str:
    position = row.position
    return position.get("line") or position.get("position_title") or UNKNOWN_LINE


def retiring(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    *,
    first_year: int,
    last_year: int,
    lao: str | None = None,
    province: str | None = None,
    revealer: Revealer = WITHHOLDING,
) -> list[RecordRow]:
    """The records retiring at the end of fiscal years ``first_year``..``last_year`` (a v2
    record's retirement year computed from its birth date revealed by ``revealer``)."""
    return [
        row
        for row in record_rows(
            cursor,
            registry_tables,
            lao=lao,
            province=province,
            statuses=(*NOT_SEPARATED, "retired"),
            revealer=revealer,
            reveal=("birth_date",),  # the retirement year; nothing a group shows
        )
        if row.category in RETIRING_CATEGORIES and first_year <= row.retirement_year <= last_year
    ]


def upcoming_retirements(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    *,
    first_year: int,
    last_year: int,
    lao: str | None = None,
    province: str | None = None,
    revealer: Revealer = WITHHOLDING,
) -> list[RetirementGroup]:
    """Retirements grouped by fiscal year, LAO and position line, in that order."""
    rows = retiring(
        cursor,
        registry_tables,
        first_year=first_year,
        last_year=last_year,
        lao=lao,
        province=province,
        revealer=revealer,
    )
    people: Counter[tuple[int, str, str, str]] = Counter()
    scheduled: Counter[tuple[int, str, str, str]] = Counter()
    for row in rows:
        key = (row.retirement_year, row.province, row.lao, line_of(row))
        people[key] += 1
        scheduled[key] += row.scheduled_year == row.retirement_year
    groups = []
    for key in sorted(people):
        year, province_name, lao_code, line = key
        groups.append(
            RetirementGroup(year, province_name, lao_code, line, people[key], scheduled[key])
        )
    return groups
