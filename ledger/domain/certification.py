"""The certification cycle of one LAO's data (ระบบตรวจสอบ และรับรองข้อมูล, DOMAIN.md 5.2).

One stream per LAO and cycle (``certification_stream_id``; a cycle is named like "2562"):

``Draft -> Submitted -> LaoCertified -> ProvinceVerified -> DlaAccepted``, with returns
``Submitted -> Draft`` (LAO superiors or head), ``LaoCertified -> Draft`` (the province, naming
sections and a reason) and ``ProvinceVerified -> LaoCertified`` (DLA). The LAO's HR officer
submits a *snapshot root*: the Merkle root (RFC 9162) over its records' latest event hashes
(``snapshot_root``), so what exactly was certified is provable from the log; the LAO head and
the province certify that same root. A change to any record after certification makes the
system key emit ``CertificationInvalidated`` naming the stale records (``Stale``, from which the
LAO submits again). A passed deadline makes the cycle overdue (``CycleOverdue``, system) and the
province records its warning letters (หนังสือแจ้งเตือน, measure 2.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import ClassVar, TypeVar
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from ledger.domain.base import CheckContext, LaoHeldAggregate, LedgerEvent, invalid
from ledger.domain.organizations import (
    RegisteredLaoOpening,
)
from ledger.domain.permissions import (
    DLA,
    HR,
    LAO_HEAD,
    LAO_REVIEWERS,
    PROVINCE,
    SYSTEM_ONLY,
)
from ledger.domain.record_entries import RecordSection
from ledger.domain.values import (
    Data,
    DeadlineDate,
    DlaCode,
    EventDate,
    OrderRef,
    Province,
    Sha256,
    Text,
    natural_id,
)
from ledger.merkle import root_hash

D = TypeVar("D")


def certification_stream_id(lao: str, cycle: str) -> UUID:
    """The stream of the certification cycle ``cycle`` (e.g. "2562") of the LAO ``lao``."""
    return natural_id("certification", lao, cycle)


def snapshot_root(heads: Mapping[UUID, str]) -> str:
    """The snapshot root of an LAO's records: record stream id -> hash of its latest event.

    An RFC 9162 Merkle tree hash (``ledger.merkle.root_hash``) whose leaves are the ASCII bytes
    ``"<stream uuid>:<head hash>"`` in ascending order of stream id; hex. No records: the
    empty tree's root.
    """
    leaves = [f"{stream}:{heads[stream]}".encode("ascii") for stream in sorted(heads, key=str)]
    return root_hash(leaves).hex()


class CertificationState(StrEnum):
    DRAFT = "draft"  # the LAO is entering data
    SUBMITTED = "submitted"  # เสนอผู้บังคับบัญชา
    LAO_CERTIFIED = "lao_certified"  # รับรองข้อมูลโดย อปท.
    PROVINCE_VERIFIED = "province_verified"  # สถ.จ. ตรวจสอบและรับรอง
    DLA_ACCEPTED = "dla_accepted"  # สถ. รับข้อมูล
    STALE = "stale"  # certified, then a record changed


class Stage(StrEnum):
    """Whose deadline: the LAO's (enter and certify) or the province's (verify)."""

    LAO = "lao"
    PROVINCE = "province"


C = CertificationState
CERTIFIED = frozenset({C.LAO_CERTIFIED, C.PROVINCE_VERIFIED, C.DLA_ACCEPTED})
STAGE_OPEN = {
    Stage.LAO: frozenset({C.DRAFT, C.SUBMITTED, C.STALE}),
    Stage.PROVINCE: frozenset({C.LAO_CERTIFIED}),
}
"""The states in which a stage's work is still to be done."""


class CycleOpenedData(Data):
    lao: DlaCode
    province: Province
    cycle: str = Field(pattern=r"^[0-9]{4}(-[0-9A-Za-z]{1,10})?$")  # e.g. "2562"
    lao_deadline: DeadlineDate  # e.g. 31 July
    province_deadline: DeadlineDate  # e.g. 15 August
    dla_deadline: DeadlineDate | None = None  # e.g. 31 August

    @model_validator(mode="after")
    def _deadlines_in_order(self) -> CycleOpenedData:
        if self.province_deadline < self.lao_deadline:
            raise ValueError("province_deadline must not be before lao_deadline")
        if self.dla_deadline is not None and self.dla_deadline < self.province_deadline:
            raise ValueError("dla_deadline must not be before province_deadline")
        return self


class LaoDataSubmittedData(Data):
    snapshot_root: Sha256
    record_count: int = Field(ge=0)


class ReturnData(Data):
    """LaoDataReturned and ProvinceVerificationReturned: which sections, and why."""

    sections: list[RecordSection] = Field(min_length=1)
    reason: Text
    records: list[UUID] = Field(default_factory=list)


class RootData(Data):
    """LaoDataCertified and ProvinceCertified: the snapshot root being certified."""

    snapshot_root: Sha256


class ProvinceReportSentData(Data):
    letter: OrderRef  # the province's letter to DLA (by 31 August)


class DlaReturnedData(Data):
    reason: Text


class DlaAcceptedData(Data):
    note: Text | None = None


class WarningLetterSentData(Data):
    stage: Stage
    letter: OrderRef


class CycleOverdueData(Data):
    stage: Stage
    as_of: EventDate


class CertificationInvalidatedData(Data):
    records: list[UUID] = Field(min_length=1)
    cause: Text

    @field_validator("records")
    @classmethod
    def _sorted_unique(cls, records: list[UUID]) -> list[UUID]:
        if records != sorted(set(records), key=str):
            raise ValueError("records must be unique and in ascending order")
        return records


class CycleEvent(LedgerEvent["CertificationCycle", D]):
    """An event of a certification cycle: a step of the cycle allowed only from the states it
    names (``allowed_from``; None: from any state, by its own rules)."""

    allowed_from: ClassVar[frozenset[CertificationState] | None] = None

    @classmethod
    def check_with(cls, cycle: CertificationCycle, data: D, context: CheckContext) -> None:
        if cls.allowed_from is not None and cycle.state not in cls.allowed_from:
            raise invalid(cls, f"not allowed while the cycle is {cycle.state}")


class CertificationCycle(LaoHeldAggregate):
    """รอบการตรวจสอบและรับรองข้อมูล of one LAO."""

    def __init__(self) -> None:
        self.lao = ""
        self.province = ""
        self.cycle = ""
        self.deadlines: dict[Stage, date] = {}
        self.dla_deadline: date | None = None
        self.state = CertificationState.DRAFT
        self.submitted_root: str | None = None
        self.record_count: int | None = None
        self.certified_root: str | None = None
        self.stale_records: set[UUID] = set()
        self.overdue: set[Stage] = set()
        self.warnings: list[tuple[Stage, str]] = []  # (stage, letter number)
        self.report_sent = False
        self.returns: list[tuple[int, list[RecordSection], str]] = []  # (version, sections, why)

    class CycleOpened(RegisteredLaoOpening["CertificationCycle", CycleOpenedData]):
        roles = DLA

        @classmethod
        def check_opening_with(cls, data: CycleOpenedData, context: CheckContext) -> None:
            expected = certification_stream_id(data.lao, data.cycle)
            if context.stream != expected:
                raise invalid(
                    cls, f"cycle {data.cycle} of LAO {data.lao} lives on stream {expected}"
                )
            super().check_opening_with(data, context)

        def evolve(self, cycle: CertificationCycle, data: CycleOpenedData) -> None:
            cycle.lao = data.lao
            cycle.province = data.province
            cycle.cycle = data.cycle
            cycle.deadlines = {
                Stage.LAO: data.lao_deadline,
                Stage.PROVINCE: data.province_deadline,
            }
            cycle.dla_deadline = data.dla_deadline

    class LaoDataSubmitted(CycleEvent[LaoDataSubmittedData]):
        roles = HR
        allowed_from = frozenset({C.DRAFT, C.STALE})

        def evolve(self, cycle: CertificationCycle, data: LaoDataSubmittedData) -> None:
            cycle.state = C.SUBMITTED
            cycle.submitted_root = data.snapshot_root
            cycle.record_count = data.record_count

    class LaoDataReturned(CycleEvent[ReturnData]):
        roles = LAO_REVIEWERS
        allowed_from = frozenset({C.SUBMITTED})

        def evolve(self, cycle: CertificationCycle, data: ReturnData) -> None:
            cycle.state = C.DRAFT
            cycle.returns.append((self.originator_version, data.sections, data.reason))

    class LaoDataCertified(CycleEvent[RootData]):
        roles = LAO_HEAD
        allowed_from = frozenset({C.SUBMITTED})

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: RootData, context: CheckContext
        ) -> None:
            super().check_with(cycle, data, context)
            if data.snapshot_root != cycle.submitted_root:
                raise invalid(cls, "snapshot_root: it is not the root that was submitted")

        def evolve(self, cycle: CertificationCycle, data: RootData) -> None:
            cycle.state = C.LAO_CERTIFIED
            cycle.certified_root = data.snapshot_root
            cycle.stale_records = set()

    class ProvinceVerificationReturned(CycleEvent[ReturnData]):
        roles = PROVINCE
        allowed_from = frozenset({C.LAO_CERTIFIED})

        def evolve(self, cycle: CertificationCycle, data: ReturnData) -> None:
            cycle.state = C.DRAFT
            cycle.certified_root = None
            cycle.returns.append((self.originator_version, data.sections, data.reason))

    class ProvinceCertified(CycleEvent[RootData]):
        roles = PROVINCE
        allowed_from = frozenset({C.LAO_CERTIFIED})

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: RootData, context: CheckContext
        ) -> None:
            super().check_with(cycle, data, context)
            if data.snapshot_root != cycle.certified_root:
                raise invalid(cls, "snapshot_root: it is not the root the LAO certified")

        def evolve(self, cycle: CertificationCycle, data: RootData) -> None:
            cycle.state = C.PROVINCE_VERIFIED

    class ProvinceReportSent(CycleEvent[ProvinceReportSentData]):
        roles = PROVINCE
        allowed_from = frozenset({C.PROVINCE_VERIFIED})

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: ProvinceReportSentData, context: CheckContext
        ) -> None:
            super().check_with(cycle, data, context)
            if cycle.report_sent:
                raise invalid(cls, "the report for this cycle was already sent")

        def evolve(self, cycle: CertificationCycle, data: ProvinceReportSentData) -> None:
            cycle.report_sent = True

    class DlaReturned(CycleEvent[DlaReturnedData]):
        roles = DLA
        allowed_from = frozenset({C.PROVINCE_VERIFIED})

        def evolve(self, cycle: CertificationCycle, data: DlaReturnedData) -> None:
            cycle.state = C.LAO_CERTIFIED
            cycle.report_sent = False

    class DlaAccepted(CycleEvent[DlaAcceptedData]):
        roles = DLA
        allowed_from = frozenset({C.PROVINCE_VERIFIED})

        def evolve(self, cycle: CertificationCycle, data: DlaAcceptedData) -> None:
            cycle.state = C.DLA_ACCEPTED

    class WarningLetterSent(CycleEvent[WarningLetterSentData]):
        roles = PROVINCE

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: WarningLetterSentData, context: CheckContext
        ) -> None:
            super().check_with(cycle, data, context)
            if not cycle.is_overdue(data.stage, data.letter.date):
                raise invalid(
                    cls,
                    f"stage {data.stage} was not overdue on the letter's date {data.letter.date}",
                )

        def evolve(self, cycle: CertificationCycle, data: WarningLetterSentData) -> None:
            cycle.warnings.append((data.stage, data.letter.number))

    class CycleOverdue(CycleEvent[CycleOverdueData]):
        """The system key's note that a stage's deadline passed with its work undone."""

        roles = SYSTEM_ONLY

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: CycleOverdueData, context: CheckContext
        ) -> None:
            super().check_with(cycle, data, context)
            if data.stage in cycle.overdue:
                raise invalid(cls, f"stage {data.stage} is already marked overdue")
            if not cycle.is_overdue(data.stage, data.as_of):
                raise invalid(cls, f"stage {data.stage} is not overdue on {data.as_of}")

        def evolve(self, cycle: CertificationCycle, data: CycleOverdueData) -> None:
            cycle.overdue.add(data.stage)

    class CertificationInvalidated(CycleEvent[CertificationInvalidatedData]):
        """The system key's note that records changed after certification."""

        roles = SYSTEM_ONLY
        allowed_from = CERTIFIED

        def evolve(self, cycle: CertificationCycle, data: CertificationInvalidatedData) -> None:
            cycle.state = C.STALE
            cycle.stale_records = set(data.records)

    # Queries.

    @property
    def is_certified(self) -> bool:
        """Certified by the LAO head (and maybe beyond) and not stale since."""
        return self.state in CERTIFIED

    def is_overdue(self, stage: Stage, as_of: date) -> bool:
        """True when ``stage``'s deadline has passed by ``as_of`` and its work is not done."""
        return self.state in STAGE_OPEN[stage] and as_of > self.deadlines[stage]
