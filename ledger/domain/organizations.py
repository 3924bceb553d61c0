"""Local administrative organizations (องค์กรปกครองส่วนท้องถิ่น, อปท.) and their units.

One stream per LAO, keyed by its 7-digit DLA code (``organization_stream_id``), so the LAO keeps
its identity when its type changes (an SAO upgraded to a subdistrict municipality, DOMAIN.md
section 3: counts change every year). Its org units (divisions, schools, child development
centres) live on the same stream: they are part of its structure (โครงสร้างส่วนราชการ).

DLA registers, renames, retypes and merges organizations (reference data); the LAO's HR officer
keeps its unit tree, as the seed's first data-entry step asks (S1: org structure for the LAO,
its schools and its CDCs). The LAO's finance staff record its annual expenditure budget
(``AnnualBudgetEnacted``), the denominator of the Section 35 ratio.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from pydantic import model_validator

from ledger.domain.base import (
    CheckContext,
    HeldByLao,
    LaoOpening,
    LedgerAggregate,
    LedgerCreated,
    LedgerEvent,
    broken,
    check_derived_stream,
)
from ledger.domain.permissions import DLA, FINANCE, HR, Scope, lao_scope
from ledger.domain.provinces import check_province
from ledger.domain.signed import SignedAggregate
from ledger.domain.values import (
    BuddhistYear,
    Code,
    Data,
    DlaCode,
    GazetteRef,
    Name,
    OrderRef,
    PositiveMoney,
    Province,
    Text,
    natural_id,
)
from ledger.violations import rule

D = TypeVar("D")
L = TypeVar("L", bound=LedgerAggregate)
H = TypeVar("H", bound=HeldByLao)


LAO_NOT_REGISTERED = rule(
    "reference.lao_not_registered",
    "อปท. รหัส {lao} ยังไม่ได้ขึ้นทะเบียน (กรมส่งเสริมการปกครองท้องถิ่นขึ้นทะเบียนก่อน)",
    "LAO {lao} is not a registered organization (DLA registers it first)",
)
LAO_MERGED = rule(
    "reference.lao_merged",
    "อปท. รหัส {lao} ถูกรวมเข้ากับ อปท. รหัส {into} แล้ว",
    "LAO {lao} was merged into {into}",
)
LAO_IN_OTHER_PROVINCE = rule(
    "reference.lao_province",
    "อปท. รหัส {lao} ขึ้นทะเบียนไว้ในจังหวัด{registered} ไม่ใช่ {province}",
    "LAO {lao} is registered in province {registered}, not {province}",
)
UNIT_NOT_OPEN = rule(
    "reference.unit_not_open",
    "หน่วยงาน {unit} ไม่ใช่หน่วยงานที่เปิดอยู่ของ อปท. รหัส {lao}",
    "unit {unit} is not an open unit of LAO {lao}",
)
MERGED = rule(
    "organization.merged",
    "อปท. รหัส {lao} ถูกรวมเข้ากับ อปท. รหัส {into} แล้ว จึงบันทึกรายการของ อปท. นี้เพิ่มไม่ได้",
    "LAO {lao} was merged into {into}: nothing more is recorded on it",
)
TYPE_DIFFERS = rule(
    "organization.type_differs",
    "อปท. รหัส {lao} เป็นประเภท {type} ไม่ใช่ {from_type}",
    "LAO {lao} is of type {type}, not {from_type}",
)
TYPE_NOT_CHANGEABLE = rule(
    "organization.type_not_changeable",
    "เปลี่ยนประเภทได้เฉพาะระหว่างเทศบาลกับองค์การบริหารส่วนตำบล (ได้รับ {from_type} เป็น {to_type})",
    "only municipalities and SAOs change type (got {from_type} to {to_type})",
)
SAME_NAME = rule(
    "organization.same_name",
    "อปท. รหัส {lao} ใช้ชื่อนี้อยู่แล้ว",
    "LAO {lao} already has this name",
)
MERGE_INTO_ITSELF = rule(
    "organization.merge_into_itself",
    "อปท. รหัส {lao} รวมเข้ากับตนเองไม่ได้",
    "LAO {lao} does not merge into itself",
)
UNIT_EXISTS = rule(
    "organization.unit_exists",
    "หน่วยงานรหัส {unit} มีอยู่แล้วในโครงสร้างของ อปท. รหัส {lao}",
    "unit {unit} already exists in the structure of LAO {lao}",
)
UNIT_HAS_OPEN_UNITS = rule(
    "organization.unit_has_open_units",
    "ต้องปิดหน่วยงานในสังกัดที่ยังเปิดอยู่ก่อน (หน่วยงาน {child})",
    "close the open units under it first ({child})",
)


def organization_stream_id(code: str) -> UUID:
    """The stream of the LAO with this DLA code (the same in every ledger)."""
    return natural_id("organization", code)


class OrganizationType(StrEnum):
    """ประเภท อปท. (DOMAIN.md section 3, LAO types and counts)."""

    PAO = "pao"  # องค์การบริหารส่วนจังหวัด (อบจ.)
    CITY_MUNICIPALITY = "city_municipality"  # เทศบาลนคร
    TOWN_MUNICIPALITY = "town_municipality"  # เทศบาลเมือง
    SUBDISTRICT_MUNICIPALITY = "subdistrict_municipality"  # เทศบาลตำบล
    SAO = "sao"  # องค์การบริหารส่วนตำบล (อบต.)
    PATTAYA = "pattaya"  # เมืองพัทยา (special form; BMA is outside LHR)


RETYPEABLE = frozenset(
    {
        OrganizationType.CITY_MUNICIPALITY,
        OrganizationType.TOWN_MUNICIPALITY,
        OrganizationType.SUBDISTRICT_MUNICIPALITY,
        OrganizationType.SAO,
    }
)
"""Types that change into one another (upgrades, and the rare reverse) [GK]: a PAO and
Pattaya are fixed by their own acts."""


class UnitKind(StrEnum):
    """Kinds of org unit (โครงสร้างส่วนราชการสามัญ / โรงเรียน / ศูนย์พัฒนาเด็กเล็ก)."""

    DIVISION = "division"  # สำนัก / กอง / ส่วน / ฝ่าย
    SCHOOL = "school"  # โรงเรียน
    CHILD_DEVELOPMENT_CENTRE = "child_development_centre"  # ศูนย์พัฒนาเด็กเล็ก (ศพด.)


class OrganizationRegisteredData(Data):
    code: DlaCode
    name: Name
    type: OrganizationType
    province: Province
    district: Name  # อำเภอ


class OrganizationTypeChangedData(Data):
    """The LAO's type changes (e.g. an SAO becomes a subdistrict municipality)."""

    from_type: OrganizationType
    to_type: OrganizationType
    order: OrderRef | None = None  # ประกาศกระทรวงมหาดไทย
    gazette: GazetteRef | None = None

    @model_validator(mode="after")
    def _a_change(self) -> OrganizationTypeChangedData:
        if self.from_type == self.to_type:
            raise ValueError("to_type must differ from from_type")
        return self


class OrganizationRenamedData(Data):
    name: Name
    order: OrderRef | None = None


class OrganizationMergedData(Data):
    into: DlaCode
    order: OrderRef | None = None


class OrgUnitCreatedData(Data):
    unit: Code
    kind: UnitKind
    name: Name
    parent: Code | None = None


class OrgUnitClosedData(Data):
    unit: Code
    reason: Text


class AnnualBudgetEnactedData(Data):
    """ข้อบัญญัติ / เทศบัญญัติงบประมาณรายจ่ายประจำปี: the LAO's annual expenditure budget.

    Section 35's denominator (DOMAIN.md section 3). A later enactment for the same fiscal year
    supersedes the earlier one (an amended ordinance).
    """

    fiscal_year: BuddhistYear
    amount: PositiveMoney
    ordinance: OrderRef | None = None


@dataclass
class OrgUnit:
    """One unit of an LAO's structure."""

    kind: UnitKind
    name: str
    parent: str | None
    is_open: bool = True


class OrganizationEvent(LedgerEvent["Organization", D]):
    """An event of an organization: none may follow its merger into another."""

    @classmethod
    def check_with(cls, organization: Organization, data: D, context: CheckContext) -> None:
        if not organization.is_active:
            into = str(organization.merged_into)
            raise broken(cls, MERGED, "stream", lao=organization.code, into=into)


class Organization(LedgerAggregate):
    """อปท.: one LAO, its type and name over time, and its unit tree."""

    def __init__(self) -> None:
        self.code = ""
        self.name = ""
        self.type = OrganizationType.SAO
        self.province = ""
        self.district = ""
        self.merged_into: str | None = None
        self.units: dict[str, OrgUnit] = {}
        self.type_history: list[tuple[int, OrganizationType]] = []
        self.budgets: dict[int, Decimal] = {}  # fiscal year -> annual expenditure budget

    class OrganizationRegistered(LedgerCreated["Organization", OrganizationRegisteredData]):
        roles = DLA

        @classmethod
        def opening_scope(cls, data: OrganizationRegisteredData) -> Scope:
            return lao_scope(data.province, data.code)

        @classmethod
        def check_opening_with(
            cls, data: OrganizationRegisteredData, context: CheckContext
        ) -> None:
            check_derived_stream(cls, context, organization_stream_id(data.code), "code")
            check_province(cls, data.province, "data.province")

        def evolve(self, organization: Organization, data: OrganizationRegisteredData) -> None:
            organization.code = data.code
            organization.name = data.name
            organization.type = data.type
            organization.province = data.province
            organization.district = data.district
            organization.type_history.append((self.originator_version, data.type))

    class OrganizationTypeChanged(OrganizationEvent[OrganizationTypeChangedData]):
        roles = DLA

        @classmethod
        def check_with(
            cls,
            organization: Organization,
            data: OrganizationTypeChangedData,
            context: CheckContext,
        ) -> None:
            super().check_with(organization, data, context)
            types = {"from_type": data.from_type, "to_type": data.to_type}
            if data.from_type != organization.type:
                lao, type_ = organization.code, organization.type
                raise broken(cls, TYPE_DIFFERS, "data.from_type", lao=lao, type=type_, **types)
            if data.to_type not in RETYPEABLE or data.from_type not in RETYPEABLE:
                field = "data.to_type" if data.from_type in RETYPEABLE else "data.from_type"
                raise broken(cls, TYPE_NOT_CHANGEABLE, field, **types)

        def evolve(self, organization: Organization, data: OrganizationTypeChangedData) -> None:
            organization.type = data.to_type
            organization.type_history.append((self.originator_version, data.to_type))

    class OrganizationRenamed(OrganizationEvent[OrganizationRenamedData]):
        roles = DLA

        @classmethod
        def check_with(
            cls, organization: Organization, data: OrganizationRenamedData, context: CheckContext
        ) -> None:
            super().check_with(organization, data, context)
            if data.name == organization.name:
                raise broken(cls, SAME_NAME, "data.name", lao=organization.code)

        def evolve(self, organization: Organization, data: OrganizationRenamedData) -> None:
            organization.name = data.name

    class OrganizationMerged(OrganizationEvent[OrganizationMergedData]):
        roles = DLA

        @classmethod
        def related_streams(
            cls, organization: Organization | None, data: OrganizationMergedData
        ) -> Collection[UUID]:
            return (organization_stream_id(data.into),)

        @classmethod
        def check_with(
            cls, organization: Organization, data: OrganizationMergedData, context: CheckContext
        ) -> None:
            super().check_with(organization, data, context)
            target = context.find(organization_stream_id(data.into), Organization)
            if data.into == organization.code:
                raise broken(cls, MERGE_INTO_ITSELF, "data.into", lao=data.into)
            if target is None:
                raise broken(cls, LAO_NOT_REGISTERED, "data.into", lao=data.into)
            if not target.is_active:
                into = str(target.merged_into)
                raise broken(cls, LAO_MERGED, "data.into", lao=data.into, into=into)

        def evolve(self, organization: Organization, data: OrganizationMergedData) -> None:
            organization.merged_into = data.into

    class OrgUnitCreated(OrganizationEvent[OrgUnitCreatedData]):
        roles = HR

        @classmethod
        def check_with(
            cls, organization: Organization, data: OrgUnitCreatedData, context: CheckContext
        ) -> None:
            super().check_with(organization, data, context)
            if data.unit in organization.units:
                raise broken(cls, UNIT_EXISTS, "data.unit", unit=data.unit, lao=organization.code)
            if data.parent is not None:
                organization.check_open_unit(cls, data.parent, "data.parent")

        def evolve(self, organization: Organization, data: OrgUnitCreatedData) -> None:
            organization.units[data.unit] = OrgUnit(data.kind, data.name, data.parent)

    class OrgUnitClosed(OrganizationEvent[OrgUnitClosedData]):
        roles = HR

        @classmethod
        def check_with(
            cls, organization: Organization, data: OrgUnitClosedData, context: CheckContext
        ) -> None:
            super().check_with(organization, data, context)
            organization.check_open_unit(cls, data.unit, "data.unit")
            children = [
                k for k, u in organization.units.items() if u.parent == data.unit and u.is_open
            ]
            if children:
                raise broken(cls, UNIT_HAS_OPEN_UNITS, "data.unit", child=children[0])

        def evolve(self, organization: Organization, data: OrgUnitClosedData) -> None:
            organization.units[data.unit].is_open = False

    class AnnualBudgetEnacted(OrganizationEvent[AnnualBudgetEnactedData]):
        roles = FINANCE

        def evolve(self, organization: Organization, data: AnnualBudgetEnactedData) -> None:
            organization.budgets[data.fiscal_year] = data.amount

    # Queries.

    @property
    def is_active(self) -> bool:
        return self.merged_into is None

    def has_open_unit(self, unit: str) -> bool:
        found = self.units.get(unit)
        return found is not None and found.is_open

    def check_open_unit(
        self, event_class: type[SignedAggregate.Event], unit: str, field: str
    ) -> None:
        """Raise the broken rule when ``unit`` (named at ``field``) is not an open unit here."""
        if not self.has_open_unit(unit):
            raise broken(event_class, UNIT_NOT_OPEN, field, unit=unit, lao=self.code)

    def read_scope(self) -> Scope:
        return lao_scope(self.province, self.code)


def registered_organization(
    event_class: type[SignedAggregate.Event],
    context: CheckContext,
    code: str,
    province: str,
    fields: tuple[str, str] = ("data.lao", "data.province"),
) -> Organization:
    """The active organization ``code`` in ``province``, or the broken rule saying why not
    (``fields`` name where the statement gives the code and the province).

    Records, positions, certification cycles, plans, subsidies, transfer destinations and
    operators' scopes name a registered LAO, in the province of its registration: a scope's
    reach is decided by the province a stream names, so a wrong one would hide the stream from
    its province and show it to another.
    """
    lao_field, province_field = fields
    organization = context.find(organization_stream_id(code), Organization)
    if organization is None:
        raise broken(event_class, LAO_NOT_REGISTERED, lao_field, lao=code)
    if not organization.is_active:
        into = str(organization.merged_into)
        raise broken(event_class, LAO_MERGED, lao_field, lao=code, into=into)
    if organization.province != province:
        raise broken(
            event_class,
            LAO_IN_OTHER_PROVINCE,
            province_field,
            lao=code,
            registered=organization.province,
            province=province,
        )
    return organization


class RegisteredLaoOpening(LaoOpening[L, H]):
    """The opening event of a stream held by a registered, active LAO (a position, a
    certification cycle, a plan, a subsidy): its rules read the LAO's own stream."""

    @classmethod
    def related_streams(cls, aggregate: L | None, data: H) -> Collection[UUID]:
        return (organization_stream_id(data.lao),)

    @classmethod
    def check_opening_with(cls, data: H, context: CheckContext) -> None:
        registered_organization(cls, context, data.lao, data.province)
