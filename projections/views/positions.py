"""Positions of each LAO's frame (กรอบอัตรากำลัง), who holds them, and the vacancies.

One row per position stream: its number, title, line, type, level, category and unit as last
reclassified, its status (``vacant``, ``occupied``, ``frozen``, ``abolished``) and its holder
(a personnel record's stream). ``occupancy`` counts them per LAO: the frame (every position not
abolished) against the occupied ones, and the vacancies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.folding import StreamRows, streams_of
from projections.views.runner import View

POSITION_TYPES = frozenset(
    {
        "PositionCreated",
        "PositionReclassified",
        "PositionHolderAssigned",
        "PositionVacated",
        "PositionFrozen",
        "PositionUnfrozen",
        "PositionAbolished",
    }
)
COLUMNS = (
    "stream",
    "version",
    "lao",
    "province",
    "number",
    "title",
    "line",
    "position_type",
    "level",
    "category",
    "unit",
    "status",
    "holder",
    "holder_since",
)
STATUS_AFTER = {
    "PositionVacated": "vacant",
    "PositionFrozen": "frozen",
    "PositionUnfrozen": "vacant",
    "PositionAbolished": "abolished",
}


class PositionsView(View):
    """ตำแหน่ง: every position, its status and its holder."""

    name = "positions"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "positions": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, number TEXT NOT NULL, title TEXT NOT NULL, "
                "line TEXT NOT NULL, position_type TEXT NOT NULL, level TEXT NOT NULL, "
                "category TEXT NOT NULL, unit TEXT, status TEXT NOT NULL, holder TEXT, "
                "holder_since TEXT"
            )
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {"positions": ["lao", "province", "holder"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        streams = streams_of(events, POSITION_TYPES)
        if not streams:
            return
        rows = StreamRows(cursor, tables["positions"], COLUMNS, streams)
        for event in events:
            if event.type not in POSITION_TYPES or not rows.is_new(event):
                continue
            data = event.data
            if event.type == "PositionCreated":
                rows.create(
                    event,
                    {name: data.get(name) for name in COLUMNS[2:11]} | {"status": "vacant"},
                )
                continue
            if rows.get(str(event.stream)) is None:
                continue
            row = rows.touch(event)
            if event.type == "PositionReclassified":
                for name in ("title", "line", "position_type", "level", "unit"):
                    if data.get(name) is not None:
                        row[name] = data[name]
            elif event.type == "PositionHolderAssigned":
                row.update(status="occupied", holder=data["record"], holder_since=event.effective)
            else:
                row["status"] = STATUS_AFTER[event.type]
                if event.type == "PositionVacated":
                    row.update(holder=None, holder_since=None)
        rows.write()


@dataclass(frozen=True, slots=True)
class PositionRow:
    """One position of an LAO's frame."""

    stream: str
    lao: str
    province: str
    number: str
    title: str
    line: str
    position_type: str
    level: str
    category: str
    unit: str | None
    status: str
    holder: str | None
    holder_since: str | None

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class Occupancy:
    """An LAO's frame against its occupied positions (frozen ones are not vacancies to fill)."""

    lao: str
    province: str
    frame: int
    occupied: int
    vacant: int
    frozen: int
    abolished: int

    @property
    def vacancy_rate(self) -> float:
        return 0.0 if self.frame == 0 else self.vacant / self.frame

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "vacancy_rate": round(self.vacancy_rate, 4)
        }


def positions(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
) -> list[PositionRow]:
    """Positions of one LAO, of a province, or all; ordered by LAO and position number."""
    where, params = _where(lao, province)
    cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {tables['positions']}{where}", params)
    found = [
        PositionRow(*(value for name, value in zip(COLUMNS, row, strict=True) if name != "version"))
        for row in cursor.fetchall()
    ]
    return sorted(found, key=lambda p: (p.province, p.lao, p.number))


def occupancy(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
) -> list[Occupancy]:
    """Per LAO: frame (positions not abolished), occupied, vacant, frozen, abolished."""
    where, params = _where(lao, province)
    cursor.execute(
        f"SELECT lao, province, status, COUNT(*) FROM {tables['positions']}{where} "
        "GROUP BY lao, province, status",
        params,
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for lao_code, province_name, status, count in cursor.fetchall():
        counts.setdefault((lao_code, province_name), {})[status] = int(count)
    result = []
    for (lao_code, province_name), by_status in sorted(counts.items(), key=lambda i: i[0][::-1]):
        occupied, vacant, frozen = (by_status.get(s, 0) for s in ("occupied", "vacant", "frozen"))
        result.append(
            Occupancy(
                lao=lao_code,
                province=province_name,
                frame=occupied + vacant + frozen,
                occupied=occupied,
                vacant=vacant,
                frozen=frozen,
                abolished=by_status.get("abolished", 0),
            )
        )
    return result


def _where(lao: str | None, province: str | None) -> tuple[str, list[Any]]:
    clauses = [f"{column} = ?" for column, value in (("lao", lao), ("province", province)) if value]
    params = [value for value in (lao, province) if value]
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params
