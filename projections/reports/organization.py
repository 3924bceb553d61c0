"""One LAO by its DLA code, its units, and one position of its frame with its occupant: the
natural keys people use (รหัส อปท. ๗ หลัก, เลขที่ตำแหน่ง) instead of stream ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ledger.domain.field_labels import value_label
from ledger.errors import SnapshotNotFoundError
from projections.personal import WITHHELD, WITHHOLDING, Revealer
from projections.reports.kp7_labels import category_th
from projections.reports.results import Columns, JsonRows, Table, field_names
from projections.store import Cursor
from projections.views.organizations import OrganizationRow, UnitRow, organizations, units
from projections.views.positions import PositionRow, positions
from projections.views.registry_queries import current_registry
from projections.views.registry_rows import RegistryEntry


def unit_json(unit: UnitRow) -> dict[str, Any]:
    return unit.as_json() | {"kind_th": value_label("UnitKind", unit.kind) or unit.kind}


@dataclass(frozen=True, slots=True)
class OrganizationDetail:
    """An LAO now: its Thai name, province, district, type (with its Thai name) and units."""

    organization: OrganizationRow
    units: tuple[UnitRow, ...]

    @property
    def name(self) -> str:
        return f"organization-{self.organization.code}"

    def as_json(self) -> dict[str, Any]:
        kind = self.organization.type
        return self.organization.as_json() | {
            "type_th": value_label("OrganizationType", kind) or kind,
            "units": [unit_json(unit) for unit in self.units],
        }

    def tabulate(self) -> tuple[Columns, JsonRows]:
        return list(field_names(OrganizationRow)), [self.organization.as_json()]


def holder_withheld(position: PositionRow) -> PositionRow:
    """The position as a reader who may not read its holder's record sees it: its status
    (occupied or not) kept, who holds it and since when ``WITHHELD``. The holder's record id
    is the person's key everywhere else, and the day they took the post is a fact of their
    record, so neither is shown."""
    if position.holder is None:
        return position
    return replace(position, holder=WITHHELD, holder_since=WITHHELD)


def holders_withheld(table: Table[PositionRow]) -> Table[PositionRow]:
    """The positions report with every holder withheld (``holder_withheld``)."""
    return replace(table, rows=tuple(holder_withheld(row) for row in table.rows))


@dataclass(frozen=True, slots=True)
class PositionDetail:
    """A position of an LAO's frame, and who holds it now (``occupant``; None when it is
    vacant, or ``withheld`` from a reader who does not read personal data: then the holder
    and the day they took it are withheld too, ``holder_withheld``)."""

    position: PositionRow
    occupant: RegistryEntry | None
    withheld: bool = False

    @property
    def name(self) -> str:
        return f"position-{self.position.lao}-{self.position.number}"

    def as_json(self) -> dict[str, Any]:
        occupant = None
        if self.occupant is not None and not self.withheld:
            entry = self.occupant
            occupant = {
                "stream": entry.stream,
                "cid": entry.cid,
                "prefix": entry.prefix,
                "first_name": entry.first_name,
                "last_name": entry.last_name,
                "category": entry.category,
                "category_th": category_th(entry.category),
                "status": entry.status,
                "erased": entry.erased,  # beside the status: the person's data erased
            }
        position = holder_withheld(self.position) if self.withheld else self.position
        return position.as_json() | {
            "category_th": category_th(self.position.category),
            "occupant": occupant,
            "occupant_withheld": self.withheld,
        }

    def tabulate(self) -> tuple[Columns, JsonRows]:
        position = holder_withheld(self.position) if self.withheld else self.position
        return list(field_names(PositionRow)), [position.as_json()]


Tables = Mapping[str, Mapping[str, str]]


def organization_detail(cursor: Cursor, tables: Tables, code: str) -> OrganizationDetail:
    """An LAO by its DLA code, with its units (``SnapshotNotFoundError``: no such LAO)."""
    found = organizations(cursor, tables["organizations"], code=code)
    if not found:
        raise SnapshotNotFoundError(f"no LAO {code} is registered")
    return OrganizationDetail(found[0], tuple(units(cursor, tables["organizations"], code)))


def position_detail(
    cursor: Cursor,
    tables: Tables,
    code: str,
    number: str,
    occupant: bool,
    revealer: Revealer = WITHHOLDING,
) -> PositionDetail:
    """A position of an LAO's frame by its number, and its occupant now (looked up only when
    ``occupant``; a v2 record's revealed by ``revealer``); ``SnapshotNotFoundError`` when the
    frame has no such position."""
    frame = positions(cursor, tables["positions"], lao=code)
    found = [position for position in frame if position.number == number]
    if not found:
        raise SnapshotNotFoundError(f"no position {number} in the frame of LAO {code}")
    holder = found[0].holder
    if holder is None or not occupant:
        return PositionDetail(found[0], None, withheld=holder is not None)
    entries = current_registry(cursor, tables["registry"], streams=[holder], revealer=revealer)
    return PositionDetail(found[0], entries[0] if entries else None)
