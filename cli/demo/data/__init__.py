"""Data the demo loads: the Tak province e-Plan status table of fiscal year 2560.

``tak_eplan_2560.tsv`` is the table of the Tak letter ตก ๐๐๒๓.๓/ว ๑๖๖๘ (data as of 03/10/2559,
seeds/004_01b1c8ef72f9cb36.txt), transcribed with the OCR errors corrected (ดาก -> ตาก,
อัมผาง/อัมพาง -> อุ้มผาง, split words joined, the wrapped row 27 rejoined) and dates converted
from the Buddhist era. A blank cell stays blank (``None``): it means "never reported", which is
not the same as a reported 0.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from importlib import resources

LAO_TYPE_PREFIX = {
    "pao": "องค์การบริหารส่วนจังหวัด",  # อบจ.
    "city": "เทศบาลนคร",
    "town": "เทศบาลเมือง",
    "subdistrict": "เทศบาลตำบล",
    "sao": "องค์การบริหารส่วนตำบล",  # อบต.
}
LAO_TYPE_ABBREVIATION = {
    "pao": "อบจ.",
    "city": "เทศบาลนคร",
    "town": "เทศบาลเมือง",
    "subdistrict": "เทศบาลตำบล",
    "sao": "อบต.",
}


@dataclass(frozen=True, slots=True)
class TakEplanRow:
    """One LAO's line of the Tak e-Plan status table."""

    no: int
    lao_type: str
    name: str
    district: str
    vision_done: bool
    strategies: int | None
    plan_projects: dict[int, int | None]  # plan year (BE) -> project count
    plan_approved: bool
    plan_approved_on: date | None
    budget_approved: int | None
    contracts_signed: int | None
    disbursed: int | None
    completed: int | None

    @property
    def label(self) -> str:
        """The row label as the table prints it, e.g. ``เทศบาลเมืองตาก (อ.เมืองตาก)``."""
        return f"{LAO_TYPE_ABBREVIATION[self.lao_type]}{self.name} (อ.{self.district})"


def _count(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


def tak_eplan_rows() -> list[TakEplanRow]:
    """The 69 rows of the Tak table, in the table's order."""
    text = resources.files(__package__).joinpath("tak_eplan_2560.tsv").read_text("utf-8")
    rows = []
    for record in csv.DictReader(text.splitlines(), delimiter="\t"):
        rows.append(
            TakEplanRow(
                no=int(record["no"]),
                lao_type=record["lao_type"],
                name=record["name"],
                district=record["district"],
                vision_done=record["vision"] == "done",
                strategies=_count(record["strategies"]),
                plan_projects={year: _count(record[f"plan_{year}"]) for year in (2560, 2561, 2562)},
                plan_approved=record["plan_approved"] == "yes",
                plan_approved_on=(
                    date.fromisoformat(record["plan_approved_on"])
                    if record["plan_approved_on"]
                    else None
                ),
                budget_approved=_count(record["budget_approved"]),
                contracts_signed=_count(record["contracts_signed"]),
                disbursed=_count(record["disbursed"]),
                completed=_count(record["completed"]),
            )
        )
    return rows
