"""The columns of each report as its readers expect them: who or which LAO first (by name),
then what the report is about, codes with their labels, numbers as numbers; the LAO code and
the stream ID last, for reference.

Each layout is a title and a tuple of ``sheets.Column``; ``sheets.sheet_of`` fills it from the
report's typed rows. The leave report's columns depend on the leave types its rows hold
(``leave_layout``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from projections.personal import is_marker
from projections.reports.labels import CODES, Label
from projections.reports.names import full_name
from projections.reports.sheets import Column, Kind, Layout, Names, Wording
from projections.views.leave import SUMMARY_FIELDS, LeaveSummary
from projections.views.registry_rows import RegistryEntry


def lao_name(row: Any, names: Names) -> str | None:
    return names.lao(row.lao)


def person(row: Any, names: Names) -> str | None:
    return names.person(row.stream)


def entry_name(entry: RegistryEntry, names: Names) -> str | None:
    return full_name(entry.prefix, entry.first_name, entry.last_name)


NO_NAME: Label = ("(ยังไม่มีชื่อ)", "(no name yet)")
"""A record that has no name entry yet, as the pages name it."""


def holder_name(row: Any, names: Names) -> Any:
    """A position's holder by name: a withheld holder as the marker, a record without a name
    as ``NO_NAME`` (never its record id, which is the person's key elsewhere)."""
    holder = row.holder
    if holder is None or is_marker(holder):
        return holder
    return names.people.get(str(holder)) or Wording(NO_NAME)


def erased_code(row: Any, names: Names) -> str | None:
    """``erased`` beside the employment status of a record whose person was erased."""
    return "erased" if getattr(row, "erased", False) else None


LAO_NAME = Column("lao_name", source=lao_name)
PROVINCE = Column("province")
LAO = Column("lao")
STREAM = Column("stream")
CYCLE = Column("cycle")

REGISTRY = Layout(
    ("ทะเบียนประวัติบุคลากร", "Personnel registry"),
    (
        Column("name", source=entry_name),
        Column("cid"),
        Column("category", Kind.CODE, "category"),
        Column("birth_date", Kind.DATE),
        LAO_NAME,
        PROVINCE,
        Column("status", Kind.CODE, "employment"),
        Column("erased", Kind.CODE, "personal_data", source=erased_code),
        Column("position_no"),
        Column("position_title"),
        Column("line"),
        Column("level"),
        Column("salary", Kind.MONEY, total=True),
        Column("allowance", Kind.MONEY, total=True),
        LAO,
        STREAM,
    ),
)

RECORD = Layout(
    ("ทะเบียนประวัติ", "Personnel record"),
    (*REGISTRY.columns, Column("valid_on", Kind.DATE), Column("recorded_at", Kind.MOMENT)),
)
"""One record as of a date: a row of the registry, and the dates it was read as of."""

POSITIONS = Layout(
    ("ตำแหน่งตามกรอบอัตรากำลัง", "Positions of the frame"),
    (
        LAO_NAME,
        Column("number"),
        Column("title"),
        Column("line"),
        Column("position_type"),
        Column("level"),
        Column("category", Kind.CODE, "category"),
        Column("unit"),
        Column("status", Kind.CODE, "position"),
        Column("holder_name", source=holder_name),
        Column("holder_since", Kind.DATE),
        PROVINCE,
        LAO,
        STREAM,
    ),
)

OCCUPANCY = Layout(
    ("อัตรากำลังและตำแหน่งว่าง", "Frame and vacancies"),
    (
        LAO_NAME,
        PROVINCE,
        *(Column(key, Kind.COUNT, total=True) for key in ("frame", "occupied", "vacant")),
        *(Column(key, Kind.COUNT, total=True) for key in ("frozen", "abolished")),
        Column("vacancy_rate", Kind.RATIO),
        LAO,
    ),
)

ORGANIZATIONS = Layout(
    ("องค์กรปกครองส่วนท้องถิ่น", "Local administrative organizations"),
    (
        Column("org_name", source=lambda row, names: row.name),
        Column("type", Kind.CODE, "organization"),
        Column("district"),
        PROVINCE,
        Column("merged_into", source=lambda row, names: names.lao(row.merged_into)),
        Column("registered_on", Kind.DATE),
        Column("units_open", Kind.COUNT, total=True),
        Column("code"),
    ),
)

KPI = Layout(
    (
        "ตัวชี้วัดความครบถ้วนและการรับรองข้อมูลทะเบียนประวัติ",
        "Registry completeness and certification KPI",
    ),
    (
        LAO_NAME,
        PROVINCE,
        CYCLE,
        Column("cycle_state", Kind.CODE, "cycle"),
        *(Column(key, Kind.COUNT, total=True) for key in ("records", "complete", "certified")),
        Column("complete_and_certified", Kind.COUNT, total=True),
        Column("percent", Kind.RATIO, source=lambda row, names: row.percent / 100),
        Column("meets_target", Kind.FLAG),
        Column("lao_deadline", Kind.DATE),
        Column("certified_on", Kind.DATE),
        Column("certified_recorded_on", Kind.DATE),
        Column("lpa_2_9", Kind.COUNT),
        LAO,
    ),
)

OVERDUE = Layout(
    ("ขั้นตอนการรับรองที่เกินกำหนด", "Overdue certification stages"),
    (
        LAO_NAME,
        PROVINCE,
        CYCLE,
        Column("stage", Kind.CODE, "stage"),
        Column("deadline", Kind.DATE),
        Column("state", Kind.CODE, "cycle"),
        Column("days_overdue", Kind.COUNT),
        Column("marked", Kind.FLAG),
        Column("warnings", Kind.COUNT, total=True),
        LAO,
    ),
)

CERTIFICATION = Layout(
    ("การรับรองข้อมูลทะเบียนประวัติ", "Certification cycles"),
    (
        LAO_NAME,
        PROVINCE,
        CYCLE,
        Column("state", Kind.CODE, "cycle"),
        Column("opened_on", Kind.DATE),
        Column("lao_deadline", Kind.DATE),
        Column("province_deadline", Kind.DATE),
        Column("dla_deadline", Kind.DATE),
        Column("submitted_on", Kind.DATE),
        Column("record_count", Kind.COUNT, total=True),
        Column("lao_certified_on", Kind.DATE),
        Column("lao_certified_by", source=lambda row, names: names.signer(row.lao_certified_by)),
        Column("province_certified_on", Kind.DATE),
        Column(
            "province_certified_by",
            source=lambda row, names: names.signer(row.province_certified_by),
        ),
        Column("dla_accepted_on", Kind.DATE),
        Column("report_sent", Kind.FLAG),
        Column("stale_records", Kind.COUNT, total=True),
        Column("overdue", Kind.CODES, "stage"),
        Column("warnings", Kind.COUNT, total=True),
        Column("submitted_root"),
        Column("certified_root"),
        LAO,
        STREAM,
    ),
)

RECORD_CERTIFICATION = Layout(
    ("สถานะการรับรองรายทะเบียน", "Certification of each record"),
    (
        Column("name", source=person),
        LAO_NAME,
        PROVINCE,
        CYCLE,
        Column("state", Kind.CODE, "record"),
        LAO,
        STREAM,
    ),
)

RETIREMENTS = Layout(
    ("ผู้เกษียณอายุในแต่ละปีงบประมาณ", "Upcoming retirements"),
    (
        Column("fiscal_year", Kind.YEAR),
        PROVINCE,
        LAO_NAME,
        Column("line"),
        Column("people", Kind.COUNT, total=True),
        Column("scheduled", Kind.COUNT, total=True),
        LAO,
    ),
)

SECTION35 = Layout(
    (
        "สัดส่วนค่าใช้จ่ายด้านการบริหารงานบุคคล (มาตรา 35)",
        "Personnel cost ratio (Section 35)",
    ),
    (
        LAO_NAME,
        PROVINCE,
        Column("fiscal_year", Kind.YEAR),
        Column("staff", Kind.COUNT, total=True),
        Column("personnel_cost", Kind.MONEY, total=True),
        Column("budget", Kind.MONEY, total=True),
        Column("ratio", Kind.RATIO),
        Column("limit", Kind.RATIO, source=lambda row, names: row.as_json()["limit"]),
        Column("over_limit", Kind.FLAG),
        Column("formula"),
        LAO,
    ),
)

AUDIT = Layout(
    ("ร่องรอยการแก้ไขทะเบียน", "Audit trail"),
    (
        Column("notification_id", Kind.COUNT),
        Column("version", Kind.COUNT),
        Column("event_type", source=lambda row, names: row.type),
        Column("actor", source=lambda row, names: names.signer(row.actor)),
        Column("roles", Kind.CODES, "role"),
        Column("scope"),
        Column("effective", Kind.MOMENT),
        Column("recorded_at", Kind.MOMENT),
        Column("legal_ref"),
        Column("data"),
        Column("key_status", Kind.CODE, "key"),
        Column("key_revoked_at", Kind.MOMENT),
        Column("signature", Kind.CODE, "signature"),
        Column("hash"),
        Column("key_id"),
        STREAM,
    ),
)

LEAVE_TITLE: Label = ("สรุปการลา", "Leave summary")
ALWAYS_SHOWN = ("sick", "personal", "vacation")
"""The leave types with columns even when no row took them (what every office counts)."""

REPORTED: dict[str, Label] = {
    "sick_times": ("ก.พ.๗ ลาป่วย (ครั้ง)", "Reported sick leave (times)"),
    "sick_days": ("ก.พ.๗ ลาป่วย (วัน)", "Reported sick leave (days)"),
    "personal_vacation_times": ("ก.พ.๗ ลากิจและลาพักผ่อน (ครั้ง)", "Reported personal (times)"),
    "personal_vacation_days": ("ก.พ.๗ ลากิจและลาพักผ่อน (วัน)", "Reported personal (days)"),
    "late_times": ("ก.พ.๗ มาสาย (ครั้ง)", "Reported late (times)"),
    "absent_days": ("ก.พ.๗ ขาดราชการ (วัน)", "Reported absent (days)"),
    "study_days": ("ก.พ.๗ ลาศึกษาต่อ (วัน)", "Reported study leave (days)"),
}
"""The ก.พ.๗ yearly leave line's fields (``projections.views.leave.SUMMARY_FIELDS``)."""


def leave_layout(rows: Sequence[LeaveSummary]) -> Layout:
    """Name, LAO, year; times and days of each leave type taken (the usual three always, the
    rest when a row took them, in the types' order); total days; the ก.พ.๗ line; references."""
    taken = {kind for row in rows for kind in row.taken}
    kinds = [kind for kind in CODES["leave"] if kind in ALWAYS_SHOWN or kind in taken]
    kinds += sorted(taken - set(kinds))
    columns = (
        Column("name", source=person),
        LAO_NAME,
        PROVINCE,
        Column("year", Kind.YEAR),
        *(column for kind in kinds for column in _taken_columns(kind)),
        Column("total_days", Kind.DAYS, total=True),
        *(_reported_column(name) for name in SUMMARY_FIELDS),
        LAO,
        STREAM,
    )
    return Layout(LEAVE_TITLE, columns)


def _taken_columns(kind: str) -> tuple[Column, Column]:
    th, en = CODES["leave"].get(kind, (kind, kind))
    return (
        Column(
            f"{kind}_times",
            Kind.COUNT,
            total=True,
            source=lambda row, names: row.taken.get(kind, {}).get("times"),
            label=(f"{th} (ครั้ง)", f"{en} (times)"),
        ),
        Column(
            f"{kind}_days",
            Kind.DAYS,
            total=True,
            source=lambda row, names: row.taken.get(kind, {}).get("days"),
            label=(f"{th} (วัน)", f"{en} (days)"),
        ),
    )


def _reported_column(name: str) -> Column:
    return Column(
        f"reported_{name}",
        Kind.DAYS if name.endswith("_days") else Kind.COUNT,
        total=True,
        source=lambda row, names: (row.reported or {}).get(name),
        label=REPORTED.get(name, (name, name)),
    )
