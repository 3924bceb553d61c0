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
from typing import Any, Self
from uuid import UUID

from pydantic import model_validator

from ledger.domain.base import CheckContext, LedgerAggregate, invalid
from ledger.domain.permissions import DLA, FINANCE, HR, Scope, lao_scope
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
from ledger.statement import Statement


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

    class OrganizationRegistered(SignedAggregate.Created):
        Data = OrganizationRegisteredData
        roles = DLA

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.code = data.code
            aggregate.name = data.name
            aggregate.type = data.type
            aggregate.province = data.province
            aggregate.district = data.district
            aggregate.type_history.append((self.originator_version, data.type))

    class OrganizationTypeChanged(SignedAggregate.Event):
        Data = OrganizationTypeChangedData
        roles = DLA

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.type = data.to_type
            aggregate.type_history.append((self.originator_version, data.to_type))

    class OrganizationRenamed(SignedAggregate.Event):
        Data = OrganizationRenamedData
        roles = DLA

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.name = data.name

    class OrganizationMerged(SignedAggregate.Event):
        Data = OrganizationMergedData
        roles = DLA

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.merged_into = data.into

    class OrgUnitCreated(SignedAggregate.Event):
        Data = OrgUnitCreatedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.units[data.unit] = OrgUnit(data.kind, data.name, data.parent)

    class OrgUnitClosed(SignedAggregate.Event):
        Data = OrgUnitClosedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.units[data.unit].is_open = False

    class AnnualBudgetEnacted(SignedAggregate.Event):
        Data = AnnualBudgetEnactedData
        roles = FINANCE

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.budgets[data.fiscal_year] = data.amount

    # Queries.

    @property
    def is_active(self) -> bool:
        return self.merged_into is None

    def has_open_unit(self, unit: str) -> bool:
        found = self.units.get(unit)
        return found is not None and found.is_open

    # Rules.

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: Any, current: Self | None
    ) -> Collection[UUID]:
        if event_class is Organization.OrganizationMerged:
            return (organization_stream_id(data.into),)
        return ()

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        if context.stream != organization_stream_id(data.code):
            raise invalid(
                event_class,
                f"an organization's stream is {organization_stream_id(data.code)}, "
                f"derived from its DLA code {data.code}",
            )

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        if not self.is_active:
            raise invalid(event_class, f"the LAO was merged into {self.merged_into}")
        if event_class is Organization.OrganizationTypeChanged:
            if data.from_type != self.type:
                raise invalid(event_class, f"from_type: the LAO is a {self.type}")
            if data.to_type not in RETYPEABLE or self.type not in RETYPEABLE:
                raise invalid(event_class, "only municipalities and SAOs change type")
        elif event_class is Organization.OrganizationRenamed:
            if data.name == self.name:
                raise invalid(event_class, "name: the LAO already has this name")
        elif event_class is Organization.OrganizationMerged:
            target = context.find(organization_stream_id(data.into), Organization)
            if data.into == self.code:
                raise invalid(event_class, "into: an LAO does not merge into itself")
            if target is None or not target.is_active:
                raise invalid(event_class, f"into: {data.into} is not a registered, active LAO")
        elif event_class is Organization.OrgUnitCreated:
            if data.unit in self.units:
                raise invalid(event_class, f"unit: {data.unit} already exists")
            if data.parent is not None and not self.has_open_unit(data.parent):
                raise invalid(event_class, f"parent: {data.parent} is not an open unit")
        elif event_class is Organization.OrgUnitClosed:
            if not self.has_open_unit(data.unit):
                raise invalid(event_class, f"unit: {data.unit} is not an open unit")
            children = [k for k, u in self.units.items() if u.parent == data.unit and u.is_open]
            if children:
                raise invalid(event_class, f"unit: close its open units first ({children[0]})")

    def target_scope(self, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        return lao_scope(self.province, self.code)

    @classmethod
    def opening_scope(cls, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        return lao_scope(data.province, data.code)

    def read_scope(self) -> Scope:
        return lao_scope(self.province, self.code)


def registered_organization(
    event_class: type[SignedAggregate.Event],
    context: CheckContext,
    code: str,
    province: str,
) -> Organization:
    """The active organization ``code`` in ``province``, or the error saying why not.

    Positions, certification cycles, plans and subsidies belong to a registered LAO.
    """
    organization = context.find(organization_stream_id(code), Organization)
    if organization is None:
        raise invalid(event_class, f"lao: {code} is not a registered organization")
    if not organization.is_active:
        raise invalid(event_class, f"lao: {code} was merged into {organization.merged_into}")
    if organization.province != province:
        raise invalid(event_class, f"province: LAO {code} is in {organization.province}")
    return organization
