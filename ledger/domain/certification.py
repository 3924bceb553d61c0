"""The certification cycle of one LAO's data (ระบบตรวจสอบ และรับรองข้อมูล, DOMAIN.md 5.2).

One stream per LAO and cycle (``certification_stream_id``; a cycle is named like "2562"):

``Draft -> Submitted -> LaoCertified -> ProvinceVerified -> DlaAccepted``, with returns
``Submitted -> Draft`` (LAO superiors or head), ``LaoCertified -> Draft`` (the province, naming
sections and a reason) and ``ProvinceVerified -> LaoCertified`` (DLA). The LAO's HR officer
submits a *snapshot*: a log position and the Merkle root (RFC 9162) over the records the LAO
held there, each record's latest event at that position (``ledger.domain.snapshot`` defines it);
the ledger computes the snapshot itself and refuses any other root or record count, so what
exactly was certified is provable from the log. The LAO head, the province and DLA name that
same root. An operator's change to a covered record after the snapshot's position makes the
system key emit ``CertificationInvalidated`` naming the stale records (``Stale``, from which
the LAO submits again); the system's own notices (``RetirementScheduled``) do not. A passed
deadline makes the cycle overdue (``CycleOverdue``, system) and the province records its warning
letters (หนังสือแจ้งเตือน, measure 2.2).

``snapshot_root`` is the root of the first submissions (stream and head hash, no position): kept
to read them, no longer what a submission is checked against.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import ClassVar, Protocol, TypeVar
from uuid import UUID

from pydantic import Field, field_validator, model_validator

from ledger.domain.base import (
    CheckContext,
    LaoHeldAggregate,
    LedgerEvent,
    broken,
    check_derived_stream,
)
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
from ledger.errors import InvalidDataError
from ledger.merkle import root_hash
from ledger.violations import Violation, rule

D = TypeVar("D")

CYCLE_STATE = rule(
    "certification.cycle_state",
    "บันทึก {event} ไม่ได้ขณะรอบการรับรองข้อมูลอยู่ในขั้น {state}",
    "{event} is not allowed while the cycle is {state}",
)
REPORT_SENT = rule(
    "certification.report_sent",
    "ส่งรายงานของรอบการรับรองข้อมูลนี้แล้ว",
    "the report for this cycle was already sent",
)
NOT_OVERDUE = rule(
    "certification.not_overdue",
    "ขั้น {stage} ยังไม่เกินกำหนด ณ วันที่ {on}",
    "stage {stage} was not overdue on {on}",
)
ALREADY_OVERDUE = rule(
    "certification.already_overdue",
    "บันทึกแล้วว่าขั้น {stage} เกินกำหนด",
    "stage {stage} is already marked overdue",
)
POSITION_MISSING = rule(
    "certification.position_missing",
    "การเสนอข้อมูลต้องระบุตำแหน่งในบันทึก (position) ที่ใช้คำนวณรากของข้อมูล",
    "a submission names the log position its snapshot root was computed at",
)
POSITION_BEYOND_LOG = rule(
    "certification.position_beyond_log",
    "ตำแหน่ง {position} ยังไม่มีในบันทึก",
    "position {position} is beyond the end of the log",
)
SNAPSHOT_MISMATCH = rule(
    "certification.snapshot_mismatch",
    "รากของข้อมูลไม่ตรงกับที่บันทึกคำนวณได้สำหรับ อปท. {lao} ณ ตำแหน่ง {position} ({expected})",
    "the snapshot root is not the one the ledger computes for LAO {lao} at position "
    "{position} ({expected})",
)
RECORD_COUNT_MISMATCH = rule(
    "certification.record_count_mismatch",
    "จำนวนทะเบียนประวัติไม่ตรงกับที่บันทึกคำนวณได้สำหรับ อปท. {lao} ณ ตำแหน่ง {position} ({expected})",
    "the record count is not the one the ledger computes for LAO {lao} at position "
    "{position} ({expected})",
)
SNAPSHOT_UNAVAILABLE = rule(
    "certification.snapshot_unavailable",
    "ไม่สามารถคำนวณรากของข้อมูลเพื่อตรวจสอบการเสนอข้อมูลได้",
    "the ledger offers no snapshot to check the submission against",
)
ROOT_DIFFERS = rule(
    "certification.root_differs",
    "รากของข้อมูลไม่ตรงกับรากที่เสนอและรับรองมาในขั้นก่อน ({expected})",
    "the snapshot root is not the root {step} ({expected})",
)
ROOT_MISSING = rule(
    "certification.root_missing",
    "ต้องระบุรากของข้อมูลที่รับ",
    "name the snapshot root being accepted",
)


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


CYCLE_PATTERN = r"^[0-9]{4}(-[0-9A-Za-z]{1,10})?$"
"""A certification cycle's name: its Buddhist-era year, maybe a suffix ("2562", "2562-2")."""


class CycleOpenedData(Data):
    lao: DlaCode
    province: Province
    cycle: str = Field(pattern=CYCLE_PATTERN)  # e.g. "2562"
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
    position: int | None = Field(default=None, ge=1)  # the log position of the snapshot


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
    snapshot_root: Sha256 | None = None  # the root accepted (required of new statements)


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
            raise broken(cls, CYCLE_STATE, "stream", event=cls.__name__, state=cycle.state)


class NamesRoot(Protocol):
    """Data naming a snapshot root (None: left out, in statements from before it was asked)."""

    @property
    def snapshot_root(self) -> str | None: ...


R = TypeVar("R", bound=NamesRoot)


class RootStep(CycleEvent[R]):
    """A step that names the root an earlier step named (``expected_root``, the one ``step``
    names): the LAO head certifies the submitted root, the province and DLA the certified one."""

    step: ClassVar[str] = ""

    @classmethod
    def expected_root(cls, cycle: CertificationCycle) -> str | None:
        return cycle.certified_root

    @classmethod
    def check_with(cls, cycle: CertificationCycle, data: R, context: CheckContext) -> None:
        super().check_with(cycle, data, context)
        expected = cls.expected_root(cycle)
        if data.snapshot_root is None:
            raise broken(cls, ROOT_MISSING, "data.snapshot_root")
        if data.snapshot_root != expected:
            details = {"step": cls.step, "expected": str(expected)}
            raise broken(cls, ROOT_DIFFERS, "data.snapshot_root", **details)


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
        self.submitted_position: int | None = None  # None: submitted before positions existed
        self.submissions: dict[str, int] = {}  # every root submitted -> its log position
        self.certified_root: str | None = None
        self.certified_position: int | None = None
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
            check_derived_stream(cls, context, expected, "lao, cycle")
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

        @classmethod
        def check_with(
            cls, cycle: CertificationCycle, data: LaoDataSubmittedData, context: CheckContext
        ) -> None:
            """The root and count are the ones the ledger computes at the named position."""
            super().check_with(cycle, data, context)
            if data.position is None:
                raise broken(cls, POSITION_MISSING, "data.position")
            if context.snapshot_at is None:
                raise broken(cls, SNAPSHOT_UNAVAILABLE, "data.position")
            snapshot = context.snapshot_at(cycle.lao, data.position)
            if snapshot is None:
                raise broken(cls, POSITION_BEYOND_LOG, "data.position", position=str(data.position))
            where = {"lao": cycle.lao, "position": str(data.position)}
            problems = []
            if data.snapshot_root != snapshot.root:
                details = where | {"expected": snapshot.root}
                problems.append(Violation(SNAPSHOT_MISMATCH, "data.snapshot_root", details))
            if data.record_count != snapshot.record_count:
                details = where | {"expected": str(snapshot.record_count)}
                problems.append(Violation(RECORD_COUNT_MISMATCH, "data.record_count", details))
            if problems:
                raise InvalidDataError(cls.__name__, violations=problems)

        def evolve(self, cycle: CertificationCycle, data: LaoDataSubmittedData) -> None:
            cycle.state = C.SUBMITTED
            cycle.submitted_root = data.snapshot_root
            cycle.record_count = data.record_count
            cycle.submitted_position = data.position
            if data.position is not None:
                cycle.submissions[data.snapshot_root] = data.position

    class LaoDataReturned(CycleEvent[ReturnData]):
        roles = LAO_REVIEWERS
        allowed_from = frozenset({C.SUBMITTED})

        def evolve(self, cycle: CertificationCycle, data: ReturnData) -> None:
            cycle.state = C.DRAFT
            cycle.returns.append((self.originator_version, data.sections, data.reason))

    class LaoDataCertified(RootStep[RootData]):
        roles = LAO_HEAD
        allowed_from = frozenset({C.SUBMITTED})
        step = "that was submitted"

        @classmethod
        def expected_root(cls, cycle: CertificationCycle) -> str | None:
            return cycle.submitted_root

        def evolve(self, cycle: CertificationCycle, data: RootData) -> None:
            cycle.state = C.LAO_CERTIFIED
            cycle.certified_root = data.snapshot_root
            cycle.certified_position = cycle.submitted_position
            cycle.stale_records = set()

    class ProvinceVerificationReturned(CycleEvent[ReturnData]):
        roles = PROVINCE
        allowed_from = frozenset({C.LAO_CERTIFIED})

        def evolve(self, cycle: CertificationCycle, data: ReturnData) -> None:
            cycle.state = C.DRAFT
            cycle.certified_root = None
            cycle.certified_position = None
            cycle.returns.append((self.originator_version, data.sections, data.reason))

    class ProvinceCertified(RootStep[RootData]):
        roles = PROVINCE
        allowed_from = frozenset({C.LAO_CERTIFIED})
        step = "the LAO certified"

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
                raise broken(cls, REPORT_SENT, "stream")

        def evolve(self, cycle: CertificationCycle, data: ProvinceReportSentData) -> None:
            cycle.report_sent = True

    class DlaReturned(CycleEvent[DlaReturnedData]):
        roles = DLA
        allowed_from = frozenset({C.PROVINCE_VERIFIED})

        def evolve(self, cycle: CertificationCycle, data: DlaReturnedData) -> None:
            cycle.state = C.LAO_CERTIFIED
            cycle.report_sent = False

    class DlaAccepted(RootStep[DlaAcceptedData]):
        roles = DLA
        allowed_from = frozenset({C.PROVINCE_VERIFIED})
        step = "the province certified"

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
                on = data.letter.date.isoformat()
                raise broken(cls, NOT_OVERDUE, "data.letter.date", stage=data.stage, on=on)

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
                raise broken(cls, ALREADY_OVERDUE, "data.stage", stage=data.stage)
            if not cycle.is_overdue(data.stage, data.as_of):
                on = data.as_of.isoformat()
                raise broken(cls, NOT_OVERDUE, "data.as_of", stage=data.stage, on=on)

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
