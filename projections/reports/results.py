"""What the Reports facade answers: typed rows, and what their JSON and downloads look like.

Every answer is a ``Report``: a ``name`` (its download's file name, without the extension), its
JSON body (``as_json``) and the ``sheets.Sheet`` a CSV, XLSX or HTML drawing lays out
(``sheet``: Thai headings, names instead of codes, typed cells; ``projections.reports.layouts``
says which columns). Most reports are a ``Table`` of typed rows; the KPIs, certification,
Section 35 and one record carry a little more in their JSON. The e-Plan status table has a
layout of its own (``projections.reports.eplan_status``, ``projections.reports.eplan_layout``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from projections.reports import layouts
from projections.reports.kpi import LaoKpi, ProvinceKpi
from projections.reports.sheets import Layout, Names, Sheet, plain_sheet, sheet_of
from projections.views.certification import CycleRow, StepRow
from projections.views.registry_rows import RegistryEntry
from projections.views.section35 import FORMULAS, Section35Row

Columns = list[str]
JsonRows = list[dict[str, Any]]


class Row(Protocol):
    """A typed row: a dataclass that says how it reads in JSON."""

    def as_json(self) -> dict[str, Any]: ...


class Report(Protocol):
    """Any answer of the facade, as ``projections.reports.render.render`` draws it: a ``sheet``
    (``Drawn``) or, for an answer with no layout yet, its columns and JSON rows
    (``Tabulated``)."""

    @property
    def name(self) -> str: ...

    def as_json(self) -> Any: ...


@runtime_checkable
class Drawn(Protocol):
    def sheet(self) -> Sheet: ...


@runtime_checkable
class Tabulated(Protocol):
    def tabulate(self) -> tuple[Columns, JsonRows]: ...


def sheet_of_report(report: Report) -> Sheet:
    """The sheet a report is drawn as: its own, or one of its JSON columns and rows."""
    if isinstance(report, Drawn):
        return report.sheet()
    if isinstance(report, Tabulated):
        columns, rows = report.tabulate()
        return plain_sheet(report.name, rows, columns)
    return plain_sheet(report.name, [])


RowT = TypeVar("RowT", bound=Row)


def field_names(row_type: type[Any]) -> tuple[str, ...]:
    """A row dataclass's fields, in order: the columns of a report that only tabulates."""
    return tuple(f.name for f in fields(row_type))


@dataclass(frozen=True, slots=True)
class Table(Generic[RowT]):
    """Typed rows under a name, with the layout they are drawn in and the names of the people
    and LAOs they hold. Without a layout a drawing shows the rows' JSON keys (none when the
    table is empty); every report of the facade has one, so it has headings even when empty."""

    name: str
    rows: tuple[RowT, ...]
    layout: Layout | None = None
    names: Names = field(default_factory=Names)

    def as_json(self) -> JsonRows:
        return [row.as_json() for row in self.rows]

    def sheet(self) -> Sheet:
        if self.layout is None:
            return plain_sheet(self.name, self.as_json())
        return sheet_of(self.name, self.layout, self.rows, self.names)


@dataclass(frozen=True, slots=True)
class RecordAsOf:
    """One record now, or as of a valid date and/or a transaction time."""

    entry: RegistryEntry
    valid_on: date | None = None
    recorded_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"record-{self.entry.stream}"

    def as_json(self) -> dict[str, Any]:
        return self.entry.as_json() | {
            "valid_on": None if self.valid_on is None else self.valid_on.isoformat(),
            "recorded_at": None if self.recorded_at is None else self.recorded_at.isoformat(),
        }

    def sheet(self) -> Sheet:
        found = sheet_of(self.name, layouts.RECORD, [self.entry], Names())
        when = {"valid_on": self.valid_on, "recorded_at": self.recorded_at}
        return Sheet(found.name, found.title, found.columns, ({**found.rows[0], **when},))


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The completeness KPI of each LAO (the download) and of each province."""

    laos: tuple[LaoKpi, ...]
    provinces: tuple[ProvinceKpi, ...]
    name: str = "kpi"
    names: Names = field(default_factory=Names)

    def as_json(self) -> dict[str, Any]:
        return {
            "laos": [kpi.as_json() for kpi in self.laos],
            "provinces": [kpi.as_json() for kpi in self.provinces],
        }

    def sheet(self) -> Sheet:
        return sheet_of(self.name, layouts.KPI, self.laos, self.names)


@dataclass(frozen=True, slots=True)
class CertificationReport:
    """Each LAO's certification cycles (the download), with the signed steps of each (JSON)."""

    cycles: tuple[CycleRow, ...]
    steps: Mapping[str, tuple[StepRow, ...]] = field(default_factory=dict)  # by cycle stream
    name: str = "certification"
    names: Names = field(default_factory=Names)

    def as_json(self) -> JsonRows:
        return [
            cycle.as_json()
            | {"steps": [step.as_json() for step in self.steps.get(cycle.stream, ())]}
            for cycle in self.cycles
        ]

    def sheet(self) -> Sheet:
        return sheet_of(self.name, layouts.CERTIFICATION, self.cycles, self.names)


@dataclass(frozen=True, slots=True)
class Section35Report:
    """Each LAO's Section 35 ratio for a fiscal year, and the formulas that computed them."""

    fiscal_year: int
    laos: tuple[Section35Row, ...]
    names: Names = field(default_factory=Names)

    @property
    def name(self) -> str:
        return f"section35-{self.fiscal_year}"

    def as_json(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "formulas": FORMULAS,
            "laos": [row.as_json() for row in self.laos],
        }

    def sheet(self) -> Sheet:
        return sheet_of(self.name, layouts.SECTION35, self.laos, self.names)
