"""The personnel record (ทะเบียนประวัติ ก.พ.๗): one stream per person, in the custody of an LAO.

Every section of DOMAIN.md section 2 is an entry event (``record_entries`` holds their data);
the employment status machine (``employment``) runs on the same stream, so a record's history
and its status share one signed chain. Entries are never edited: ``EntryCorrected`` supersedes
an entry (naming the version it supersedes and a reason) and ``EntryVoided`` voids one; both
leave the earlier data in the history. Each entry keeps its valid time (the statement's
``effective`` date) and its transaction time (when the ledger recorded it).

Custody: the record is held by the LAO that opened it until a ``TransferredOut`` (signed by that
LAO) is followed by a ``TransferredIn`` signed by the destination LAO, whose scope the ledger
checks; custody then moves and the same stream continues.

The three event types of the foundation (RecordOpened, EducationAdded, PositionSalaryEntryAdded)
keep their names and fields; the salary entry gained optional fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ledger.domain.base import CheckContext, LedgerAggregate, forbidden, invalid
from ledger.domain.employment import (
    IN_SERVICE,
    TRANSITIONS,
    DiedData,
    EmploymentStartedData,
    EmploymentStatus,
    ReinstatedData,
    RetiredData,
    RetirementScheduledData,
    SeparationData,
    SeparationRevokedData,
    SuspendedData,
    TransferredInData,
    TransferredOutData,
    next_status,
)
from ledger.domain.permissions import HR, OWNER, SYSTEM_ONLY, Scope, lao_scope
from ledger.domain.record_entries import (
    AbilityRecordedData,
    AcademicWorkRecordedData,
    AddressChangedData,
    AmnestyAppliedData,
    ChangeRequestedByOwnerData,
    ChangeRequestResolvedData,
    DecorationRecordedData,
    DecorationReturnedData,
    DocumentScannedData,
    EntryCorrectedData,
    EntryVoidedData,
    FamilyMemberRecordedData,
    LeaveTakenData,
    LeaveYearSummarisedData,
    LicenseRecordedData,
    MeritRecordedData,
    NameChangedData,
    OtherItemRecordedData,
    PenaltyImposedData,
    PersonalDataRecordedData,
    PhotoAttachedData,
    RecordSection,
    SpecialServiceRecordedData,
    TrainingRecordedData,
    UnpaidPeriodRecordedData,
)
from ledger.domain.rules import (
    is_valid_cid,
    retirement_date,
    retirement_fiscal_year,
    salary_round_of,
)
from ledger.domain.signed import SignedAggregate
from ledger.domain.values import OrderRef
from ledger.errors import InvalidDataError
from ledger.statement import Statement

__all__ = ["OrderRef", "PersonnelRecord", "StaffCategory"]


class StaffCategory(StrEnum):
    """ประเภทบุคลากร."""

    OFFICIAL = "official"  # ข้าราชการส่วนท้องถิ่น
    TEACHER = "teacher"  # ข้าราชการครูและบุคลากรทางการศึกษา
    EMPLOYEE = "employee"  # ลูกจ้างประจำ
    CONTRACT = "contract"  # พนักงานจ้าง


class RecordOpenedData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cid: str
    category: StaffCategory
    lao: str = Field(pattern=r"^\d{7}$")  # DLA organization code
    province: str = Field(min_length=1, max_length=100)
    birth_date: date

    @field_validator("cid")
    @classmethod
    def _cid_checksum(cls, cid: str) -> str:
        if not is_valid_cid(cid):
            raise ValueError("citizen ID must be 13 digits with a valid check digit")
        return cid


class EducationAddedData(BaseModel):
    """ประวัติการศึกษา."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    institution: str = Field(min_length=1, max_length=300)
    qualification: str = Field(min_length=1, max_length=300)
    major: str | None = Field(default=None, max_length=300)
    started: date | None = None
    finished: date

    @model_validator(mode="after")
    def _order(self) -> EducationAddedData:
        if self.started is not None and self.started > self.finished:
            raise ValueError("started must not be after finished")
        return self


class PositionSalaryEntryAddedData(BaseModel):
    """ตำแหน่งและอัตราเงินเดือน: one line of the position-and-salary history.

    Its effective date is the statement's ``effective``; ``order`` is the เอกสารอ้างอิง
    (คำสั่งที่ .../... ลงวันที่ ...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    movement_type: str = Field(min_length=1, max_length=100)  # บรรจุ, เลื่อนขั้น, ย้าย, โอน ...
    position_no: str = Field(min_length=1, max_length=30)  # เลขที่ตำแหน่ง
    position_title: str = Field(min_length=1, max_length=200)
    level: str = Field(min_length=1, max_length=100)  # ระดับ / อันดับ คศ.
    salary: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    allowance: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    order: OrderRef
    line: str | None = Field(default=None, min_length=1, max_length=200)  # สายงาน
    position_type: str | None = Field(default=None, min_length=1, max_length=100)  # ประเภท
    management_position: str | None = Field(default=None, min_length=1, max_length=200)
    unit: str | None = Field(default=None, min_length=1, max_length=200)  # สังกัด / ส่วนราชการ


SALARY_ROUND_MOVEMENTS = frozenset({"เลื่อนขั้นเงินเดือน", "เลื่อนเงินเดือน", "salary_promotion"})
"""Movement types of the twice-yearly salary rounds: their effective date is 1 April or
1 October (DOMAIN.md section 2: salary entries snap to 1 Apr / 1 Oct)."""


@dataclass
class Revision:
    """An earlier state of an entry, superseded by the correction at ``superseded_by``."""

    version: int
    data: BaseModel
    superseded_by: int
    reason: str


@dataclass
class Entry:
    """One entry of a section: its current data and everything it was before."""

    id: int  # the version of the event that added it
    type: str
    section: RecordSection
    data: BaseModel
    effective: date  # valid time
    recorded_at: datetime  # transaction time
    version: int  # the version of its latest event (the addition or the latest correction)
    history: list[Revision] = field(default_factory=list)
    voided: str | None = None  # the reason, once voided

    @property
    def is_live(self) -> bool:
        return self.voided is None


@dataclass
class ChangeRequest:
    section: RecordSection
    proposal: str
    outcome: str | None = None


@dataclass(frozen=True)
class Custody:
    """From ``version`` on, the record is held by ``lao`` in ``province``."""

    version: int
    lao: str
    province: str


def _add_entry(
    aggregate: Any,
    event: SignedAggregate.Event,
    statement: Statement,
    data: BaseModel,
    section: RecordSection,
) -> None:
    version = event.originator_version
    aggregate.entries[version] = Entry(
        id=version,
        type=type(event).__name__,
        section=section,
        data=data,
        effective=statement.effective,
        recorded_at=event.timestamp,
        version=version,
    )
    aggregate.current_versions[version] = version


class EntryEvent(SignedAggregate.Event):
    """An event that adds an entry to a section of the record."""

    section: ClassVar[RecordSection]

    def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
        _add_entry(aggregate, self, statement, data, self.section)


class StatusEvent(SignedAggregate.Event):
    """An event of the employment state machine."""

    def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
        aggregate.move_status(type(self).__name__, self.originator_version, statement.effective)


class PersonnelRecord(LedgerAggregate):
    """ทะเบียนประวัติ ก.พ.๗ of one person."""

    def __init__(self) -> None:
        self.cid = ""
        self.category = StaffCategory.OFFICIAL
        self.lao = ""  # the LAO holding the record now
        self.province = ""
        self.birth_date = date.min
        self.custody: list[Custody] = []
        self.entries: dict[int, Entry] = {}
        self.current_versions: dict[int, int] = {}  # latest event version -> entry id
        self.status = EmploymentStatus.PENDING
        self.status_before_separation = EmploymentStatus.ACTIVE
        self.status_history: list[tuple[int, EmploymentStatus, date]] = []
        self.transfer: tuple[str, str] | None = None  # (to_lao, to_province) while in transit
        self.retirement_schedules: dict[int, date] = {}  # fiscal year -> last day
        self.change_requests: dict[int, ChangeRequest] = {}

    # The header (ข้อมูลทั่วไป).

    class RecordOpened(SignedAggregate.Created):
        Data = RecordOpenedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.apply_header(data)
            aggregate.custody.append(Custody(self.originator_version, data.lao, data.province))
            aggregate.status_history.append(
                (self.originator_version, EmploymentStatus.PENDING, statement.effective)
            )
            _add_entry(aggregate, self, statement, data, RecordSection.GENERAL)  # entry 1

    class PersonalDataRecorded(EntryEvent):
        Data = PersonalDataRecordedData
        roles = HR
        section = RecordSection.GENERAL

    class NameChanged(EntryEvent):
        Data = NameChangedData
        roles = HR
        section = RecordSection.GENERAL

    class AddressChanged(EntryEvent):
        Data = AddressChangedData
        roles = HR
        section = RecordSection.GENERAL

    class PhotoAttached(EntryEvent):
        Data = PhotoAttachedData
        roles = HR
        section = RecordSection.GENERAL

    class FamilyMemberRecorded(EntryEvent):
        Data = FamilyMemberRecordedData
        roles = HR
        section = RecordSection.FAMILY

    # Sections.

    class EducationAdded(EntryEvent):
        Data = EducationAddedData
        roles = HR
        section = RecordSection.EDUCATION

    class LicenseRecorded(EntryEvent):
        Data = LicenseRecordedData
        roles = HR
        section = RecordSection.LICENCE

    class TrainingRecorded(EntryEvent):
        Data = TrainingRecordedData
        roles = HR
        section = RecordSection.TRAINING

    class PositionSalaryEntryAdded(EntryEvent):
        Data = PositionSalaryEntryAddedData
        roles = HR
        section = RecordSection.POSITION_SALARY

    class DecorationRecorded(EntryEvent):
        Data = DecorationRecordedData
        roles = HR
        section = RecordSection.DECORATIONS

    class DecorationReturned(EntryEvent):
        Data = DecorationReturnedData
        roles = HR
        section = RecordSection.DECORATIONS

    class LeaveTaken(EntryEvent):
        Data = LeaveTakenData
        roles = HR
        section = RecordSection.LEAVE

    class LeaveYearSummarised(EntryEvent):
        Data = LeaveYearSummarisedData
        roles = HR
        section = RecordSection.LEAVE

    class PenaltyImposed(EntryEvent):
        Data = PenaltyImposedData
        roles = HR
        section = RecordSection.DISCIPLINE

    class AmnestyApplied(EntryEvent):
        Data = AmnestyAppliedData
        roles = HR
        section = RecordSection.DISCIPLINE

    class UnpaidPeriodRecorded(EntryEvent):
        Data = UnpaidPeriodRecordedData
        roles = HR
        section = RecordSection.UNPAID

    class SpecialServiceRecorded(EntryEvent):
        Data = SpecialServiceRecordedData
        roles = HR
        section = RecordSection.SPECIAL_SERVICE

    class AbilityRecorded(EntryEvent):
        Data = AbilityRecordedData
        roles = HR
        section = RecordSection.ABILITIES

    class MeritRecorded(EntryEvent):
        Data = MeritRecordedData
        roles = HR
        section = RecordSection.MERIT

    class AcademicWorkRecorded(EntryEvent):
        Data = AcademicWorkRecordedData
        roles = HR
        section = RecordSection.ACADEMIC_WORKS

    class OtherItemRecorded(EntryEvent):
        Data = OtherItemRecordedData
        roles = HR
        section = RecordSection.OTHER

    class DocumentScanned(EntryEvent):
        Data = DocumentScannedData
        roles = HR
        section = RecordSection.DOCUMENTS

    # Corrections: nothing is edited in place.

    class EntryCorrected(SignedAggregate.Event):
        Data = EntryCorrectedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            entry = aggregate.entries[aggregate.current_versions.pop(data.supersedes)]
            entry.history.append(
                Revision(entry.version, entry.data, self.originator_version, data.reason)
            )
            entry.data = type(entry.data).model_validate(data.replacement)
            entry.version = self.originator_version
            aggregate.current_versions[self.originator_version] = entry.id
            if entry.type == "RecordOpened":
                aggregate.apply_header(entry.data)

    class EntryVoided(SignedAggregate.Event):
        Data = EntryVoidedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.entries[data.entry].voided = data.reason

    class ChangeRequestedByOwner(SignedAggregate.Event):
        Data = ChangeRequestedByOwnerData
        roles = OWNER

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.change_requests[self.originator_version] = ChangeRequest(
                data.section, data.proposal
            )

    class ChangeRequestResolved(SignedAggregate.Event):
        Data = ChangeRequestResolvedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.change_requests[data.request].outcome = data.outcome

    # Employment status (สถานภาพ).

    class EmploymentStarted(StatusEvent):
        Data = EmploymentStartedData
        roles = HR

    class Suspended(StatusEvent):
        Data = SuspendedData
        roles = HR

    class Reinstated(StatusEvent):
        Data = ReinstatedData
        roles = HR

    class TransferredOut(StatusEvent):
        Data = TransferredOutData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            StatusEvent.evolve(self, aggregate, statement, data)
            aggregate.transfer = (data.to_lao, data.to_province)

    class TransferredIn(StatusEvent):
        """Signed by the destination LAO's HR officer: custody moves to it."""

        Data = TransferredInData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            to_lao, to_province = aggregate.transfer
            StatusEvent.evolve(self, aggregate, statement, data)
            aggregate.transfer = None
            aggregate.lao, aggregate.province = to_lao, to_province
            aggregate.custody.append(Custody(self.originator_version, to_lao, to_province))

    class RetirementScheduled(SignedAggregate.Event):
        """The system key's notice that the person retires at the end of ``fiscal_year``."""

        Data = RetirementScheduledData
        roles = SYSTEM_ONLY

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            aggregate.retirement_schedules[data.fiscal_year] = data.last_day

    class Retired(StatusEvent):
        Data = RetiredData
        roles = HR

    class Resigned(StatusEvent):
        Data = SeparationData
        roles = HR

    class Discharged(StatusEvent):
        Data = SeparationData
        roles = HR

    class Dismissed(StatusEvent):
        Data = SeparationData
        roles = HR

    class RemovedFromService(StatusEvent):
        Data = SeparationData
        roles = HR

    class Died(StatusEvent):
        Data = DiedData
        roles = HR

    class ContractEnded(StatusEvent):
        Data = SeparationData
        roles = HR

    class SeparationRevoked(StatusEvent):
        Data = SeparationRevokedData
        roles = HR

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            StatusEvent.evolve(self, aggregate, statement, data)
            aggregate.transfer = None

    # State changes (called by the events above; no validation here).

    def apply_header(self, data: Any) -> None:
        self.cid = data.cid
        self.category = data.category
        self.birth_date = data.birth_date
        if not self.custody:
            self.lao = data.lao
            self.province = data.province

    def move_status(self, event_type: str, version: int, effective: date) -> None:
        # No validation here: the ledger checked the transition before recording it, and a
        # replay must reproduce what was recorded even if the rules change later.
        target = TRANSITIONS[event_type][1] or self.status_before_separation
        if self.status in IN_SERVICE and target not in IN_SERVICE:
            self.status_before_separation = self.status
        self.status = target
        self.status_history.append((version, target, effective))

    # Queries.

    def custody_at(self, version: int) -> Custody:
        """Who held the record when its event ``version`` was recorded."""
        holder = self.custody[0]
        for custody in self.custody:
            if custody.version <= version:
                holder = custody
        return holder

    def live_entries(self, section: RecordSection | None = None) -> list[Entry]:
        """Entries not voided, in the order they were added (all sections, or one)."""
        return [
            entry
            for entry in self.entries.values()
            if entry.is_live and (section is None or entry.section is section)
        ]

    @property
    def retirement_date(self) -> date:
        """The last day in service by the retirement rule (วันครบเกษียณอายุ)."""
        return retirement_date(self.birth_date)

    # Rules.

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: Any, context: CheckContext
    ) -> None:
        name = event_class.__name__
        if event_class is PersonnelRecord.ChangeRequestedByOwner:
            if context.actor.cid != self.cid:
                raise forbidden(event_class, "a record owner may only ask about their own record")
            return
        if issubclass(event_class, EntryEvent):
            self._check_entry(name, data, context.effective, None)
        elif issubclass(event_class, StatusEvent):
            self._check_status(event_class, data)
        elif event_class is PersonnelRecord.EntryCorrected:
            self._check_correction(data)
        elif event_class is PersonnelRecord.EntryVoided:
            entry = self._live_entry(name, data.entry)
            if entry.type == "RecordOpened":
                raise invalid(event_class, "entry: the header is corrected, never voided")
        elif event_class is PersonnelRecord.ChangeRequestResolved:
            request = self.change_requests.get(data.request)
            if request is None:
                raise invalid(event_class, f"request: {data.request} is not a change request")
            if request.outcome is not None:
                raise invalid(event_class, f"request: already {request.outcome}")
        elif event_class is PersonnelRecord.RetirementScheduled:
            self._check_retirement_schedule(data)

    def _check_entry(
        self, name: str, data: Any, effective: date | None, corrected: int | None
    ) -> None:
        """The rules of one entry's data; for a correction's replacement ``effective`` is None
        and ``corrected`` is the id of the entry it corrects."""
        if name == "PositionSalaryEntryAdded":
            if data.order.date < self.birth_date:
                raise InvalidDataError(name, ["order.date is before the person's birth date"])
            if (
                effective is not None
                and data.movement_type in SALARY_ROUND_MOVEMENTS
                and salary_round_of(effective) is None
            ):
                raise InvalidDataError(
                    name, ["a salary-round promotion takes effect on 1 April or 1 October"]
                )
        elif name == "LeaveYearSummarised":
            for entry in self.live_entries(RecordSection.LEAVE):
                if (
                    entry.type == name
                    and entry.data.year == data.year  # type: ignore[attr-defined]
                    and entry.id != corrected
                ):
                    raise InvalidDataError(
                        name, [f"year: {data.year} is already summarised (entry {entry.id})"]
                    )
        elif name == "AmnestyApplied":
            penalty = self._live_entry(name, data.penalty, "PenaltyImposed")
            if any(
                e.type == name and e.data.penalty == penalty.id and e.id != corrected  # type: ignore[attr-defined]
                for e in self.live_entries(RecordSection.DISCIPLINE)
            ):
                raise InvalidDataError(name, [f"penalty: entry {penalty.id} already has amnesty"])
        elif name == "DecorationReturned":
            decoration = self._live_entry(name, data.decoration, "DecorationRecorded")
            if decoration.data.returned is not None or any(  # type: ignore[attr-defined]
                e.type == name and e.data.decoration == decoration.id and e.id != corrected  # type: ignore[attr-defined]
                for e in self.live_entries(RecordSection.DECORATIONS)
            ):
                raise InvalidDataError(name, [f"decoration: entry {decoration.id} was returned"])
        elif name == "RecordOpened":
            header = self.entries[1].data
            if (data.lao, data.province) != (header.lao, header.province):  # type: ignore[attr-defined]
                raise InvalidDataError(
                    name, ["the LAO holding a record changes by transfer, not by correction"]
                )

    def _live_entry(self, name: str, entry_id: int, of_type: str | None = None) -> Entry:
        entry = self.entries.get(entry_id)
        if entry is None or (of_type is not None and entry.type != of_type):
            kind = f"a {of_type} entry" if of_type else "an entry"
            raise InvalidDataError(name, [f"{entry_id} is not {kind} of this record"])
        if not entry.is_live:
            raise InvalidDataError(name, [f"entry {entry_id} is voided"])
        return entry

    def _check_correction(self, data: Any) -> None:
        name = "EntryCorrected"
        entry_id = self.current_versions.get(data.supersedes)
        if entry_id is None:
            entry = next(
                (
                    e
                    for e in self.entries.values()
                    if any(r.version == data.supersedes for r in e.history)
                ),
                None,
            )
            if entry is not None:
                raise InvalidDataError(
                    name,
                    [f"supersedes: version {data.supersedes} was superseded at {entry.version}"],
                )
            raise InvalidDataError(name, [f"supersedes: {data.supersedes} is not an entry"])
        entry = self._live_entry(name, entry_id)
        try:
            replacement = type(entry.data).model_validate(data.replacement)
        except ValidationError as error:
            problems = [
                f"replacement.{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
                for problem in error.errors()
            ]
            raise InvalidDataError(name, problems) from None
        if replacement == entry.data:
            raise InvalidDataError(name, ["replacement: it equals the entry's current data"])
        self._check_entry(entry.type, replacement, None, entry.id)

    def _check_status(self, event_class: type[SignedAggregate.Event], data: Any) -> None:
        name = event_class.__name__
        if next_status(name, self.status, self.status_before_separation) is None:
            raise invalid(event_class, f"not allowed while the employment status is {self.status}")
        contract = self.category is StaffCategory.CONTRACT
        if name == "ContractEnded" and not contract:
            raise invalid(event_class, f"only contract staff have contracts ({self.category})")
        if name == "Retired":
            if contract:
                raise invalid(event_class, "contract staff leave through ContractEnded")
            if data.last_day != self.retirement_date:
                raise invalid(
                    event_class,
                    f"last_day: by the birth date the last day in service is "
                    f"{self.retirement_date.isoformat()}",
                )
        elif name == "TransferredOut" and data.to_lao == self.lao:
            raise invalid(event_class, "to_lao: the record is already held by this LAO")
        elif name == "TransferredIn" and (self.transfer is None or data.from_lao != self.lao):
            raise invalid(event_class, f"from_lao: the record was transferred out of {self.lao}")
        elif name == "Died" and data.died_on < self.birth_date:
            raise invalid(event_class, "died_on is before the birth date")

    def _check_retirement_schedule(self, data: Any) -> None:
        name = "RetirementScheduled"
        if self.category is StaffCategory.CONTRACT:
            raise InvalidDataError(name, ["contract staff leave through ContractEnded"])
        if self.status not in IN_SERVICE:
            raise InvalidDataError(name, [f"the employment status is {self.status}"])
        if data.fiscal_year in self.retirement_schedules:
            raise InvalidDataError(name, [f"already scheduled for FY{data.fiscal_year}"])
        due = retirement_fiscal_year(self.birth_date)
        if data.fiscal_year != due or data.last_day != self.retirement_date:
            raise InvalidDataError(
                name,
                [f"the person retires at the end of FY{due} ({self.retirement_date.isoformat()})"],
            )

    def target_scope(self, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        if event_class is PersonnelRecord.TransferredIn and self.transfer is not None:
            to_lao, to_province = self.transfer
            return lao_scope(to_province, to_lao)  # the destination signs the arrival
        return lao_scope(self.province, self.lao)

    @classmethod
    def opening_scope(cls, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        return lao_scope(data.province, data.lao)

    def read_scope(self) -> Scope:
        # The record is in the custody of its LAO: that LAO, its province and DLA may read it.
        return lao_scope(self.province, self.lao)
