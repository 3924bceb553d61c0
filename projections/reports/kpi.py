"""The completeness KPI, the LPA indicator 2.9 score and the overdue list (DOMAIN.md 1a, 5.4).

Read from the registry (each record's live entries) and the certification view (each LAO's
cycle), so it needs no tables of its own:

* a record counts when it is not separated from service (pending, active, suspended) and its
  person was not erased: an erased record can neither be read nor completed (no entry can be
  added to it), so it is not assessable, and counting it either way would misstate the LAO
  (complete: data no one can read; incomplete for good: a penalty for honouring a PDPA
  request). It is left out of the records, complete and certified alike (``assessable``);
* it is *complete* when every required ก.พ.๗ item has a live entry (``REQUIRED``: personal
  data, education, a position-and-salary line), and *certified* when its LAO's cycle certified
  a snapshot at or after its latest operator event (``projections.views.certification.
  record_state``: an operator's change after the snapshot makes it stale, "not current"; a
  system notice does not);
* an LAO's KPI is the share of its records both complete and certified; an LAO is *complete*
  when that share is 100%; the province's KPI is the share of its LAOs that are complete,
  against the 90% target (the project KPI counts LAOs);
* LPA indicator 2.9 (area 2, personnel): 5 points when the LAO has records, all of them complete
  and certified now, and the LAO head's certification was recorded on or before the cycle's
  LAO deadline (31 July, a day in Thailand); otherwise 0. The day is the transaction time (when
  the ledger recorded the certification), never the date the head signed for: a late
  certification dated back scores 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.store import Cursor
from projections.views.certification import CycleRow, current_cycles, record_state
from projections.views.organizations import organizations
from projections.views.registry_queries import record_rows
from projections.views.registry_rows import NOT_SEPARATED, RecordRow, entry_counts

REQUIRED: dict[str, tuple[str, ...]] = {
    "general": ("PersonalDataRecorded",),
    "education": ("EducationAdded",),
    "position_salary": ("PositionSalaryEntryAdded",),
}
"""Required ก.พ.๗ items: section -> entry types any one of which fills it."""

TARGET_PERCENT = 90.0
LPA_2_9_POINTS = 5


def assessable(row: RecordRow) -> bool:
    """Whether the KPI counts the record: not separated from service, its person not erased."""
    return row.status in NOT_SEPARATED and not row.erased


def missing_sections(row: RecordRow) -> list[str]:
    """The required sections of the record that have no live entry."""
    counts = entry_counts(row)
    return [section for section, types in REQUIRED.items() if not any(counts.get(t) for t in types)]


@dataclass(frozen=True, slots=True)
class LaoKpi:
    """One LAO's completeness KPI and LPA 2.9 score in a certification cycle."""

    lao: str
    province: str
    cycle: str | None
    cycle_state: str | None
    records: int
    complete: int
    certified: int
    complete_and_certified: int
    lao_deadline: date | None
    certified_on: date | None  # the date the LAO head signed for (valid time)
    certified_recorded_on: date | None  # the day it was recorded (what the deadline judges)
    lpa_2_9: int

    @property
    def percent(self) -> float:
        return (
            0.0 if self.records == 0 else round(100 * self.complete_and_certified / self.records, 2)
        )

    @property
    def is_complete(self) -> bool:
        return self.records > 0 and self.complete_and_certified == self.records

    @property
    def meets_target(self) -> bool:
        return self.records > 0 and self.percent >= TARGET_PERCENT

    def as_json(self) -> dict[str, Any]:
        return {
            "lao": self.lao,
            "province": self.province,
            "cycle": self.cycle,
            "cycle_state": self.cycle_state,
            "records": self.records,
            "complete": self.complete,
            "certified": self.certified,
            "complete_and_certified": self.complete_and_certified,
            "percent": self.percent,
            "target_percent": TARGET_PERCENT,
            "meets_target": self.meets_target,
            "lao_deadline": _iso(self.lao_deadline),
            "certified_on": _iso(self.certified_on),
            "certified_recorded_on": _iso(self.certified_recorded_on),
            "lpa_2_9": self.lpa_2_9,
        }


@dataclass(frozen=True, slots=True)
class ProvinceKpi:
    """A province's KPI: the share of its LAOs whose records are all complete and certified."""

    province: str
    laos: int
    laos_complete: int
    records: int
    complete_and_certified: int
    lpa_2_9_full_marks: int

    @property
    def percent(self) -> float:
        return 0.0 if self.laos == 0 else round(100 * self.laos_complete / self.laos, 2)

    @property
    def records_percent(self) -> float:
        return (
            0.0 if self.records == 0 else round(100 * self.complete_and_certified / self.records, 2)
        )

    @property
    def meets_target(self) -> bool:
        return self.laos > 0 and self.percent >= TARGET_PERCENT

    def as_json(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "laos": self.laos,
            "laos_complete": self.laos_complete,
            "percent": self.percent,
            "target_percent": TARGET_PERCENT,
            "meets_target": self.meets_target,
            "records": self.records,
            "complete_and_certified": self.complete_and_certified,
            "records_percent": self.records_percent,
            "lpa_2_9_full_marks": self.lpa_2_9_full_marks,
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def lao_kpis(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    certification_tables: Mapping[str, str],
    organization_tables: Mapping[str, str],
    *,
    cycle: str | None = None,
    lao: str | None = None,
    province: str | None = None,
) -> list[LaoKpi]:
    """Each LAO's KPI (every registered, unmerged LAO, and any LAO holding records)."""
    chosen = current_cycles(cursor, certification_tables, cycle=cycle, lao=lao, province=province)
    records: dict[str, list[RecordRow]] = defaultdict(list)
    for row in record_rows(  # counts and states only: nothing personal revealed
        cursor, registry_tables, lao=lao, province=province, statuses=NOT_SEPARATED, reveal=()
    ):
        if assessable(row):
            records[row.lao].append(row)
    provinces = {code: rows[0].province for code, rows in records.items()}
    for organization in organizations(
        cursor, organization_tables, province=province, code=lao, active_only=True
    ):
        provinces.setdefault(organization.code, organization.province)
    for code, found in chosen.items():
        provinces.setdefault(code, found.province)
    return [
        _lao_kpi(code, provinces[code], records.get(code, []), chosen.get(code))
        for code in sorted(provinces, key=lambda c: (provinces[c], c))
    ]


def _lao_kpi(lao: str, province: str, rows: list[RecordRow], cycle: CycleRow | None) -> LaoKpi:
    complete = {row.stream for row in rows if not missing_sections(row)}
    certified = {
        row.stream for row in rows if record_state(row.last_change_id, cycle) == "certified"
    }
    both = len(complete & certified)
    recorded_on = cycle.done_on("lao") if cycle is not None else None
    on_time = cycle is not None and recorded_on is not None and recorded_on <= cycle.lao_deadline
    full_marks = bool(rows) and both == len(rows) and on_time
    return LaoKpi(
        lao=lao,
        province=province,
        cycle=cycle.cycle if cycle else None,
        cycle_state=cycle.state if cycle else None,
        records=len(rows),
        complete=len(complete),
        certified=len(certified),
        complete_and_certified=both,
        lao_deadline=cycle.lao_deadline if cycle else None,
        certified_on=cycle.lao_certified_on if cycle else None,
        certified_recorded_on=recorded_on,
        lpa_2_9=LPA_2_9_POINTS if full_marks else 0,
    )


def province_kpis(laos: list[LaoKpi]) -> list[ProvinceKpi]:
    """The provinces' KPIs from their LAOs' KPIs."""
    by_province: dict[str, list[LaoKpi]] = defaultdict(list)
    for kpi in laos:
        by_province[kpi.province].append(kpi)
    return [
        ProvinceKpi(
            province=province,
            laos=len(items),
            laos_complete=sum(item.is_complete for item in items),
            records=sum(item.records for item in items),
            complete_and_certified=sum(item.complete_and_certified for item in items),
            lpa_2_9_full_marks=sum(item.lpa_2_9 == LPA_2_9_POINTS for item in items),
        )
        for province, items in sorted(by_province.items())
    ]


@dataclass(frozen=True, slots=True)
class Overdue:
    """A stage of a cycle whose deadline passed with its work undone (measure 2.2)."""

    lao: str
    province: str
    cycle: str
    stage: str
    deadline: date
    state: str
    days_overdue: int
    marked: bool  # the system noted it (CycleOverdue)
    warnings: int  # warning letters sent for the cycle (หนังสือแจ้งเตือน)

    def as_json(self) -> dict[str, Any]:
        return {
            name: (value.isoformat() if isinstance(value := getattr(self, name), date) else value)
            for name in self.__slots__
        }


def overdue(
    cursor: Cursor,
    certification_tables: Mapping[str, str],
    as_of: date,
    *,
    cycle: str | None = None,
    lao: str | None = None,
    province: str | None = None,
) -> list[Overdue]:
    """Every stage overdue on ``as_of`` in each LAO's current (or named) cycle."""
    found = current_cycles(cursor, certification_tables, cycle=cycle, lao=lao, province=province)
    return stages_overdue(found.values(), as_of)


def stages_overdue(rows: Iterable[CycleRow], as_of: date) -> list[Overdue]:
    """Every stage of the cycles ``rows`` overdue on ``as_of`` by its deadline, whether or not
    the system has marked it (``Overdue.marked``: ``ledger process overdue``, which marks only
    each LAO's current cycle) or a warning letter was sent."""
    found = []
    for row in rows:
        for stage, deadline in (("lao", row.lao_deadline), ("province", row.province_deadline)):
            if row.is_overdue(stage, as_of):
                found.append(
                    Overdue(
                        lao=row.lao,
                        province=row.province,
                        cycle=row.cycle,
                        stage=stage,
                        deadline=deadline,
                        state=row.state,
                        days_overdue=(as_of - deadline).days,
                        marked=stage in row.overdue,
                        warnings=row.warnings,
                    )
                )
    return sorted(found, key=lambda o: (o.province, o.lao, o.cycle, o.stage))
