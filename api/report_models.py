"""The JSON shapes of the reads drawn by ``api.downloads.respond``, for the OpenAPI document.

Those routes answer a ``Response`` (JSON, or the same report as CSV, XLSX or an HTML page), so
FastAPI cannot read their shape off a return type; these models describe it, nothing more. The
bytes are still the report's own ``as_json()`` (``projections.reports.render``), never
re-encoded through these models: describing must not change what is sent.

Each model names the fields every answer has, typed as they come out (codes and ISO dates as
strings, money as a decimal string of baht such as "50000.00", in the registry and e-Plan
alike), and allows more (``extra="allow"``): the rows carry Thai labels beside codes and
nested sections (a ก.พ.๗'s entries, a cycle's steps, a plan's years) whose keys differ by
section or event type, described only as objects.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Json = dict[str, Any]


class _Open(BaseModel):
    """A JSON object with these fields at least."""

    model_config = ConfigDict(extra="allow")


class FoundRecordOut(_Open):
    """A person found: their record, where and what they are now."""

    stream: str
    cid: str
    category: str
    lao: str
    province: str
    status: str
    erased: bool = False  # the person's data erased (beside the employment status)


class RegistryRowOut(FoundRecordOut):
    """A personnel record's line in the registry (money as decimal strings)."""

    birth_date: str | None = None
    prefix: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    position_no: str | None = None
    position_title: str | None = None
    salary: str | None = None


class RecordAsOfOut(RegistryRowOut):
    """One record now, or as of a valid date and/or a transaction time."""

    valid_on: str | None
    recorded_at: str | None


class AuditTrailRowOut(_Open):
    """One event of a record's audit trail, its signature checked."""

    notification_id: int
    stream: str
    version: int
    type: str
    key_id: str
    roles: list[str]
    recorded_at: str
    data: Json
    hash: str
    signature: str


class PositionRowOut(_Open):
    """A position of the frame, its status and holder (a record id, or none)."""

    stream: str
    lao: str
    province: str
    number: str
    status: str
    holder: str | None = None


class OccupancyRowOut(_Open):
    lao: str
    province: str
    frame: int
    occupied: int
    vacant: int
    frozen: int
    abolished: int


class OrganizationRowOut(_Open):
    code: str
    name: str
    type: str
    province: str
    units_open: int


class UnitOut(_Open):
    code: str
    unit: str
    kind: str
    name: str
    is_open: bool


class OrganizationOut(OrganizationRowOut):
    """One LAO with its type's Thai name and its units."""

    units: list[UnitOut]


class PositionOut(PositionRowOut):
    """One position and its occupant now (withheld from roles that do not read personal
    data: ``occupant`` null and ``occupant_withheld`` true)."""

    occupant: Json | None = None
    occupant_withheld: bool


class RecordSearchOut(_Open):
    """A page of the people found."""

    page: int
    size: int
    total: int
    pages: int
    results: list[FoundRecordOut]


class Kp7Out(_Open):
    """A ก.พ.๗: the registry's line, then each section with its entries (their keys differ by
    section), and the sections withheld from the caller."""

    record: Json
    valid_on: str | None
    as_of: str | None
    sections: list[Json]
    withheld: list[Json]


class KpiOut(_Open):
    """Completeness per LAO and per province."""

    laos: list[Json]
    provinces: list[Json]


class OverdueRowOut(_Open):
    lao: str
    province: str
    cycle: str
    stage: str
    days_overdue: int


class CertificationRowOut(_Open):
    """A certification cycle's state, deadlines, roots and signed steps."""

    stream: str
    lao: str
    province: str
    cycle: str
    state: str


class RecordCertificationRowOut(_Open):
    stream: str
    lao: str
    province: str
    cycle: str | None
    state: str


class RetirementRowOut(_Open):
    fiscal_year: int
    province: str
    lao: str
    people: int


class Section35Out(_Open):
    """Personnel cost over budget per LAO, and the formulas that computed it."""

    fiscal_year: int
    formulas: dict[str, str]
    laos: list[Json]


class LeaveRowOut(_Open):
    """One record's leave in a fiscal year: taken by type (times, days), its ก.พ.๗ line."""

    stream: str
    lao: str
    province: str
    year: int
    taken: dict[str, Json]
    total_days: str
    reported: Json | None


class EplanStatusOut(_Open):
    """The e-Plan status table of a province and fiscal year."""

    province: str
    fiscal_year: int
    plan_years: list[int]
    as_of: str | None
    rows: list[Json]
    totals: Json


class PlanRowOut(_Open):
    id: str
    lao: str
    province: str
    first_year: int
    last_year: int
    status: str


class PlanOut(PlanRowOut):
    """One plan: its strategies, the projects planned each year, approvals, amendments."""

    strategies: list[Json]
    years: list[Json]
    approvals: list[Json]
    amendments: list[Json]


class ProjectRowOut(_Open):
    id: str
    plan: str
    lao: str
    province: str
    title: str
    status: str
    budget: str = Field(description='baht, a decimal string such as "50000.00"')
    contracted: str = Field(description='baht, a decimal string such as "50000.00"')
    disbursed: str = Field(description='baht, a decimal string such as "50000.00"')


class ProjectPageOut(_Open):
    fiscal_year: int | None
    page: int
    size: int
    total: int
    items: list[ProjectRowOut]


class ProjectOut(ProjectRowOut):
    """One project with every budget, contract, payment and carry-over (``money``)."""

    money: list[Json]


class SubsidiesOut(_Open):
    fiscal_year: int | None
    amount: str = Field(description='baht, a decimal string such as "50000.00"')
    disbursed: str = Field(description='baht, a decimal string such as "50000.00"')
    items: list[Json]


class FeatureCollectionOut(_Open):
    """RFC 7946 GeoJSON: the located projects, longitude then latitude."""

    type: str
    features: list[Json]


class WorklistOut(_Open):
    """The steps waiting for the caller's roles (``items``), as of a day."""

    as_of: str
    as_of_th: str
    roles: list[str]
    items: list[Json]
