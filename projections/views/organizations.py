"""Organizations (อปท.): each LAO's name, type, province and district now, and its units.

``organizations`` has one row per LAO stream (keyed by stream, with the DLA code); ``units``
one row per org unit (divisions, schools, child development centres) with whether it is open.
A merged LAO keeps its row, with ``merged_into`` set.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.folding import StreamRows, streams_of
from projections.views.runner import View

ORGANIZATION_TYPES = frozenset(
    {
        "OrganizationRegistered",
        "OrganizationTypeChanged",
        "OrganizationRenamed",
        "OrganizationMerged",
        "OrgUnitCreated",
        "OrgUnitClosed",
        "AnnualBudgetEnacted",
    }
)
COLUMNS = (
    "stream",
    "version",
    "code",
    "name",
    "type",
    "province",
    "district",
    "merged_into",
    "registered_on",
)
UNIT_COLUMNS = ("code", "unit", "kind", "name", "parent", "is_open")

TYPE_ORDER = {
    "pao": 0,
    "city_municipality": 1,
    "town_municipality": 2,
    "subdistrict_municipality": 3,
    "sao": 4,
    "pattaya": 5,
}
"""How Thai reports list LAOs: the PAO, city, town and subdistrict municipalities, SAOs."""


class OrganizationsView(View):
    """อปท.: organizations and their units."""

    name = "organizations"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "organizations": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, code TEXT NOT NULL, "
                "name TEXT NOT NULL, type TEXT NOT NULL, province TEXT NOT NULL, "
                "district TEXT NOT NULL, merged_into TEXT, registered_on TEXT NOT NULL"
            ),
            "units": (
                "code TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, "
                "parent TEXT, is_open INTEGER NOT NULL, PRIMARY KEY (code, unit)"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {"organizations": ["code", "province"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        streams = streams_of(events, ORGANIZATION_TYPES)
        if not streams:
            return
        rows = StreamRows(cursor, tables["organizations"], COLUMNS, streams)
        units: dict[tuple[str, str], tuple[Any, ...]] = {}
        for event in events:
            if event.type not in ORGANIZATION_TYPES or not rows.is_new(event):
                continue
            data = event.data
            if event.type == "OrganizationRegistered":
                rows.create(
                    event,
                    {name: data[name] for name in ("code", "name", "type", "province", "district")}
                    | {"registered_on": event.effective},
                )
                continue
            if rows.get(str(event.stream)) is None:
                continue
            row = rows.touch(event)
            if event.type == "OrganizationTypeChanged":
                row["type"] = data["to_type"]
            elif event.type == "OrganizationRenamed":
                row["name"] = data["name"]
            elif event.type == "OrganizationMerged":
                row["merged_into"] = data["into"]
            elif event.type == "OrgUnitCreated":
                key = (row["code"], data["unit"])
                units[key] = (*key, data["kind"], data["name"], data.get("parent"), 1)
            elif event.type == "OrgUnitClosed":
                key = (row["code"], data["unit"])
                known = units.get(key) or _unit(cursor, tables["units"], key)
                if known is not None:
                    units[key] = (*known[:5], 0)
        rows.write()
        cursor.upsert(tables["units"], UNIT_COLUMNS, list(units.values()), key=("code", "unit"))


def _unit(cursor: Cursor, table: str, key: tuple[str, str]) -> tuple[Any, ...] | None:
    cursor.execute(
        f"SELECT {', '.join(UNIT_COLUMNS)} FROM {table} WHERE code = ? AND unit = ?", list(key)
    )
    return cursor.fetchone()


@dataclass(frozen=True, slots=True)
class OrganizationRow:
    """An LAO now."""

    code: str
    name: str
    type: str
    province: str
    district: str
    merged_into: str | None
    registered_on: str
    units_open: int

    @property
    def is_active(self) -> bool:
        return self.merged_into is None

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def organizations(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    province: str | None = None,
    code: str | None = None,
    active_only: bool = False,
) -> list[OrganizationRow]:
    """LAOs, in the order Thai reports list them (type, then DLA code)."""
    clauses: list[str] = []
    params: list[Any] = []
    if province is not None:
        clauses.append("o.province = ?")
        params.append(province)
    if code is not None:
        clauses.append("o.code = ?")
        params.append(code)
    if active_only:
        clauses.append("o.merged_into IS NULL")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    cursor.execute(
        "SELECT o.code, o.name, o.type, o.province, o.district, o.merged_into, o.registered_on, "
        "(SELECT COUNT(*) FROM "
        f"{tables['units']} u WHERE u.code = o.code AND u.is_open = 1) "
        f"FROM {tables['organizations']} o{where}",
        params,
    )
    found = [
        OrganizationRow(
            code=row[0],
            name=row[1],
            type=row[2],
            province=row[3],
            district=row[4],
            merged_into=row[5],
            registered_on=row[6],
            units_open=int(row[7]),
        )
        for row in cursor.fetchall()
    ]
    return sorted(found, key=lambda o: (o.province, TYPE_ORDER.get(o.type, 9), o.code))


def organization_names(
    cursor: Cursor, tables: Mapping[str, str], codes: Collection[str]
) -> dict[str, str]:
    """The registered Thai name of each of ``codes`` the registry knows (others left out)."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    cursor.execute(
        f"SELECT code, name FROM {tables['organizations']} WHERE code IN ({marks})", wanted
    )
    return {str(code): str(name) for code, name in cursor.fetchall()}


@dataclass(frozen=True, slots=True)
class UnitRow:
    """An org unit of an LAO: a division, a school, a child development centre."""

    code: str
    unit: str
    kind: str
    name: str
    parent: str | None
    is_open: bool

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def units(cursor: Cursor, tables: Mapping[str, str], code: str) -> list[UnitRow]:
    """The units of the LAO ``code``, open ones first, each kind together, by unit code."""
    cursor.execute(
        f"SELECT {', '.join(UNIT_COLUMNS)} FROM {tables['units']} WHERE code = ?", [code]
    )
    found = [
        UnitRow(code, unit, kind, name, parent, bool(is_open))
        for code, unit, kind, name, parent, is_open in cursor.fetchall()
    ]
    return sorted(found, key=lambda u: (not u.is_open, u.kind, u.unit))
