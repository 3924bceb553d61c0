"""Employment status (สถานภาพ) of a personnel record, as a pure state machine (DOMAIN.md 5.2).

``Pending -> Active (<-> Suspended) -> Retired | Resigned | Discharged | Dismissed |
RemovedFromService | Died | TransferredOut | ContractEnded``. A terminal state reverses only
through ``SeparationRevoked`` with a legal reference (back to the status before separation);
``TransferredOut`` at one LAO is followed by ``TransferredIn`` at the other (the same record
continues and custody moves); a new ``EmploymentStarted`` re-enters service after a resignation,
a discharge, a removal or the end of a contract. The events live on the personnel record's
stream (``ledger.domain.personnel``); this module holds the table, the base of their event
types (``StatusEvent``: each takes its row of the table) and their data models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, Literal, TypeVar, cast

from pydantic import BaseModel, Field

from ledger.domain.base import CheckContext, LedgerEvent, broken
from ledger.domain.life_dates import check_appointment_age, check_life_dates
from ledger.domain.permissions import HR
from ledger.domain.record_refusals import STATUS_TRANSITION
from ledger.domain.values import (
    BuddhistYear,
    Data,
    DlaCode,
    EventDate,
    Line,
    OrderRef,
    Province,
    Text,
)
from ledger.statement import Statement

if TYPE_CHECKING:
    from ledger.domain.personnel import PersonnelRecord

D = TypeVar("D")


class EmploymentStatus(StrEnum):
    PENDING = "pending"  # record opened, not yet in service
    ACTIVE = "active"  # รับราชการ / ปฏิบัติงาน
    SUSPENDED = "suspended"  # สั่งพัก / ให้ออกไว้ก่อน
    RETIRED = "retired"  # เกษียณอายุ
    RESIGNED = "resigned"  # ลาออก
    DISCHARGED = "discharged"  # ปลดออก
    DISMISSED = "dismissed"  # ไล่ออก
    REMOVED = "removed"  # ให้ออก (non-disciplinary)
    DIED = "died"  # ถึงแก่กรรม
    TRANSFERRED_OUT = "transferred_out"  # โอนออก (to another LAO)
    CONTRACT_ENDED = "contract_ended"  # สิ้นสุดสัญญาจ้าง


S = EmploymentStatus

IN_SERVICE = frozenset({S.ACTIVE, S.SUSPENDED})
TERMINAL = frozenset(
    {
        S.RETIRED,
        S.RESIGNED,
        S.DISCHARGED,
        S.DISMISSED,
        S.REMOVED,
        S.DIED,
        S.TRANSFERRED_OUT,
        S.CONTRACT_ENDED,
    }
)
REENTRY_FROM = frozenset({S.RESIGNED, S.DISCHARGED, S.REMOVED, S.CONTRACT_ENDED})
"""Terminal states a new ``EmploymentStarted`` may follow (re-entry into service) [GK]."""

TRANSITIONS: dict[str, tuple[frozenset[EmploymentStatus], EmploymentStatus | None]] = {
    "EmploymentStarted": (frozenset({S.PENDING}) | REENTRY_FROM, S.ACTIVE),
    "Suspended": (frozenset({S.ACTIVE}), S.SUSPENDED),
    "Reinstated": (frozenset({S.SUSPENDED}), S.ACTIVE),
    "TransferredOut": (frozenset({S.ACTIVE}), S.TRANSFERRED_OUT),
    "TransferredIn": (frozenset({S.TRANSFERRED_OUT}), S.ACTIVE),
    "Retired": (IN_SERVICE, S.RETIRED),
    "Resigned": (IN_SERVICE, S.RESIGNED),
    "Discharged": (IN_SERVICE, S.DISCHARGED),
    "Dismissed": (IN_SERVICE, S.DISMISSED),
    "RemovedFromService": (IN_SERVICE, S.REMOVED),
    "Died": (IN_SERVICE | {S.PENDING}, S.DIED),
    "ContractEnded": (IN_SERVICE, S.CONTRACT_ENDED),
    "SeparationRevoked": (TERMINAL, None),  # back to the status before the separation
}
"""Event type -> (the statuses it may follow, the status it leads to)."""


@dataclass
class Service:
    """A spell in service (รับราชการ): from the day employment started (or a transfer arrived)
    to the day a separation took effect, the first day out of service (None while it lasts).
    A revoked separation never happened: its spell goes on."""

    start: date
    end: date | None = None

    def covers(self, first: date, last: date) -> bool:
        """True when the days ``first`` to ``last`` all lie within this spell."""
        return self.start <= first and (self.end is None or last < self.end)


class StatusEvent(LedgerEvent["PersonnelRecord", D]):
    """An event of the employment state machine, moving the record along its row of
    ``TRANSITIONS`` (HR records them): none takes effect or names a date before the person's
    birth, and one that ``starts_service`` not before the category's minimum age
    (``ledger.domain.life_dates``)."""

    roles = HR
    sources: ClassVar[frozenset[EmploymentStatus]]
    target: ClassVar[EmploymentStatus | None]  # None: back to the status before separation
    starts_service: ClassVar[bool] = False  # True: at least the category's minimum age

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.sources, cls.target = TRANSITIONS[cls.__name__]  # every status event has its row

    @classmethod
    def check_with(cls, record: PersonnelRecord, data: D, context: CheckContext) -> None:
        if record.status not in cls.sources:
            status = record.status
            raise broken(cls, STATUS_TRANSITION, "stream", event=cls.__name__, status=status)
        born, category, effective = record.birth_date, record.category, context.effective
        check_life_dates(cls, born, category, cast(BaseModel, data), effective)
        if cls.starts_service:
            check_appointment_age(cls, born, category, "effective", effective)

    def evolve_with(self, record: PersonnelRecord, statement: Statement, data: D) -> None:
        # No validation here: the ledger checked the transition before recording it, and a
        # replay must reproduce what was recorded even if the rules change later.
        target = self.target if self.target is not None else record.status_before_separation
        if record.status in IN_SERVICE and target not in IN_SERVICE:
            record.status_before_separation = record.status
        self.track_service(record, target, statement.effective)
        record.status = target
        record.status_history.append((self.originator_version, target, statement.effective))

    def track_service(
        self, record: PersonnelRecord, target: EmploymentStatus, effective: date
    ) -> None:
        """Open, close or (on a revocation) reopen the record's spell of service."""
        if record.status not in IN_SERVICE and target in IN_SERVICE:
            if self.target is None and record.service and record.service[-1].end is not None:
                record.service[-1].end = None  # the separation is revoked: service went on
            else:
                record.service.append(Service(effective))
        elif record.status in IN_SERVICE and target not in IN_SERVICE and record.service:
            record.service[-1].end = effective


class EmploymentStartedData(Data):
    kind: Literal["appointed", "transferred_in", "contracted", "reentered"]
    order: OrderRef
    position_no: Line | None = Field(default=None, min_length=1, max_length=30)


class SuspendedData(Data):
    order: OrderRef
    reason: Text


class ReinstatedData(Data):
    order: OrderRef


class TransferredOutData(Data):
    """โอน to another LAO; the destination signs ``TransferredIn``."""

    to_lao: DlaCode
    to_province: Province
    order: OrderRef


class TransferredInData(Data):
    from_lao: DlaCode
    order: OrderRef


class RetirementScheduledData(Data):
    """Emitted by the ledger's system key for everyone due to retire in ``fiscal_year``."""

    fiscal_year: BuddhistYear
    last_day: EventDate


class RetiredData(Data):
    last_day: EventDate
    order: OrderRef


class SeparationData(Data):
    """Resigned, Discharged, Dismissed, RemovedFromService, ContractEnded."""

    order: OrderRef
    reason: Text | None = None


class DiedData(Data):
    died_on: EventDate
    reference: OrderRef | None = None  # มรณบัตร


class SeparationRevokedData(Data):
    """An appeal, a court or the authority reverses a separation (คำสั่งยกเลิก/เพิกถอน)."""

    legal_ref: OrderRef
    reason: Text
