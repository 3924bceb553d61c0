"""What the Reports facade answers: typed rows, and what their JSON and downloads look like.

Every answer is a ``Report``: a ``name`` (its download's file name, without the extension), its
JSON body (``as_json``) and the columns and rows a CSV or XLSX download lays out
(``tabulate``). Most reports are a ``Table`` of typed rows; the KPIs, certification, Section 35
and one record carry a little more in their JSON. The e-Plan status table has a layout of its own
(``projections.reports.eplan_status``, ``projections.reports.eplan_layout``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, Generic, Protocol, TypeVar

from projections.reports.kpi import LaoKpi, ProvinceKpi
from projections.views.certification import CycleRow, StepRow
from projections.views.registry_rows import RegistryEntry
from projections.views.section35 import FORMULAS, Section35Row

Columns = list[str]
JsonRows = list[dict[str, Any]]


class Row(Protocol):
    """A typed row: a dataclass that says how it reads in JSON."""

    def as_json(self) -> dict[str, Any]: ...


class Report(Protocol):
    """Any answer of the facade, as ``projections.reports.render.render`` draws it."""

    @property
    def name(self) -> str: ...

    def as_json(self) -> Any: ...

    def tabulate(self) -> tuple[Columns, JsonRows]: ...


RowT = TypeVar("RowT", bound=Row)


@dataclass(frozen=True, slots=True)
class Table(Generic[RowT]):
    """Typed rows under a name. ``columns`` of a download: the given ones, or (None) the first
    row's keys, so an empty table downloads with no header."""

    name: str
    rows: tuple[RowT, ...]
    columns: tuple[str, ...] | None = None

    def as_json(self) -> JsonRows:
        return [row.as_json() for row in self.rows]

    def tabulate(self) -> tuple[Columns, JsonRows]:
        rows = self.as_json()
        if self.columns is not None:
            return list(self.columns), rows
        return (list(rows[0]) if rows else []), rows


def field_names(row_type: type[Any]) -> tuple[str, ...]:
    """A row dataclass's fields, in order: the columns of its download."""
    return tuple(f.name for f in fields(row_type))


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

    def tabulate(self) -> tuple[Columns, JsonRows]:
        row = self.as_json()
        return list(row), [row]


@dataclass(frozen=True, slots=True)
class KpiReport:
    """The completeness KPI of each LAO (the download) and of each province."""

    laos: tuple[LaoKpi, ...]
    provinces: tuple[ProvinceKpi, ...]
    name: str = "kpi"

    def as_json(self) -> dict[str, Any]:
        return {
            "laos": [kpi.as_json() for kpi in self.laos],
            "provinces": [kpi.as_json() for kpi in self.provinces],
        }

    def tabulate(self) -> tuple[Columns, JsonRows]:
        return Table(self.name, self.laos).tabulate()


@dataclass(frozen=True, slots=True)
class CertificationReport:
    """Each LAO's certification cycles (the download), with the signed steps of each (JSON)."""

    cycles: tuple[CycleRow, ...]
    steps: Mapping[str, tuple[StepRow, ...]] = field(default_factory=dict)  # by cycle stream
    name: str = "certification"

    def as_json(self) -> JsonRows:
        return [
            cycle.as_json()
            | {"steps": [step.as_json() for step in self.steps.get(cycle.stream, ())]}
            for cycle in self.cycles
        ]

    def tabulate(self) -> tuple[Columns, JsonRows]:
        return Table(self.name, self.cycles).tabulate()


SECTION35_COLUMNS = (*field_names(Section35Row), "ratio", "limit", "over_limit")


@dataclass(frozen=True, slots=True)
class Section35Report:
    """Each LAO's Section 35 ratio for a fiscal year, and the formulas that computed them."""

    fiscal_year: int
    laos: tuple[Section35Row, ...]

    @property
    def name(self) -> str:
        return f"section35-{self.fiscal_year}"

    def as_json(self) -> dict[str, Any]:
        return {
            "fiscal_year": self.fiscal_year,
            "formulas": FORMULAS,
            "laos": [row.as_json() for row in self.laos],
        }

    def tabulate(self) -> tuple[Columns, JsonRows]:
        return Table(self.name, self.laos, SECTION35_COLUMNS).tabulate()
