"""The personnel record (ทะเบียนประวัติ ก.พ.๗): one stream per person, in the custody of an LAO.

Every section of DOMAIN.md section 2 is an entry event (``record_entries`` holds their data,
``record_history`` what the record remembers of them); the employment status machine
(``employment``) runs on the same stream, so a record's history and its status share one signed
chain. Entries are never edited: ``EntryCorrected`` supersedes an entry (naming the version it
supersedes and a reason) and ``EntryVoided`` voids one; both leave the earlier data in the
history. Each entry keeps its valid time (the statement's ``effective`` date) and its
transaction time (when the ledger recorded it).

Custody: a record opens held by a registered LAO, naming the province of its registration, until
a ``TransferredOut`` (signed by that LAO, to a registered LAO) is followed by a ``TransferredIn``
signed by the destination LAO, whose scope the ledger checks; custody then moves with the stream.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from ledger.domain import organizations
from ledger.domain import record_refusals as refusal
from ledger.domain.base import CheckContext, LedgerAggregate, LedgerEvent, broken, forbidden
from ledger.domain.employment import (
    DiedData,
    EmploymentStartedData,
    EmploymentStatus,
    ReinstatedData,
    RetiredData,
    RetirementScheduledData,
    SeparationData,
    SeparationRevokedData,
    Service,
    StatusEvent,
    SuspendedData,
    TransferredInData,
    TransferredOutData,
)
from ledger.domain.erasable import ErasableRecord, ErasureCheck
from ledger.domain.life_dates import check_birth_date, check_death, check_life_dates
from ledger.domain.permissions import ERASERS, HR, OWNER, SYSTEM_ONLY, Scope, lao_scope
from ledger.domain.reading import is_own_record
from ledger.domain.record_entries import (
    SALARY_ROUND_MOVEMENTS,
    AbilityRecordedData,
    AcademicWorkRecordedData,
    AddressChangedData,
    AmnestyAppliedData,
    ChangeRequestedByOwnerData,
    ChangeRequestResolvedData,
    DecorationRecordedData,
    DecorationReturnedData,
    DocumentScannedData,
    EducationAddedData,
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
    PersonErasedData,
    PhotoAttachedData,
    PositionSalaryEntryAddedData,
    RecordOpenedData,
    RecordSection,
    SpecialServiceRecordedData,
    StaffCategory,
    TrainingRecordedData,
    UnpaidPeriodRecordedData,
)
from ledger.domain.record_history import (
    ChangeRequest,
    Custody,
    Entry,
    EntryEvent,
    EntryHistory,
    Revision,
    check_open_request,
    check_owner_section,
)
from ledger.domain.record_refusals import entry_field
from ledger.domain.record_rules import (
    check_leave,
    check_leave_year,
    check_retirement,
    check_retirement_schedule,
)
from ledger.domain.rules import retirement_date, salary_round_of
from ledger.statement import Statement

__all__ = ["Entry", "EntryEvent", "PersonnelRecord", "StaffCategory"]


class PersonnelRecord(ErasableRecord, EntryHistory, LedgerAggregate):
    """ทะเบียนประวัติ ก.พ.๗ of one person."""

    def __init__(self) -> None:
        super().__init__()  # the entries
        self.cid = ""
        self.category = StaffCategory.OFFICIAL
        self.lao = ""  # the LAO holding the record now
        self.province = ""
        self.birth_date = date.min
        self.custody: list[Custody] = []
        self.status = EmploymentStatus.PENDING
        self.status_before_separation = EmploymentStatus.ACTIVE
        self.status_history: list[tuple[int, EmploymentStatus, date]] = []
        self.service: list[Service] = []  # spells in service, oldest first
        self.transfer: tuple[str, str] | None = None  # (to_lao, to_province) while in transit
        self.retirement_schedules: dict[int, date] = {}  # fiscal year -> last day
        self.change_requests: dict[int, ChangeRequest] = {}

    # The header (ข้อมูลทั่วไป): entry 1, corrected like any entry but never voided.

    class RecordOpened(
        EntryEvent[RecordOpenedData],
        organizations.RegisteredLaoOpening["PersonnelRecord", RecordOpenedData],
    ):
        section = RecordSection.GENERAL
        is_voidable = False

        @classmethod
        def check_entry(
            cls, record: PersonnelRecord, data: RecordOpenedData, corrected: int | None
        ) -> None:
            (header,) = record.entries_of(cls)
            if (data.lao, data.province) != (header.data.lao, header.data.province):
                raise broken(cls, refusal.CUSTODY_BY_TRANSFER, "data.replacement.lao")
            check_birth_date(cls, data.birth_date, "data.replacement.birth_date", record)

        @classmethod
        def check_opening_with(cls, data: RecordOpenedData, context: CheckContext) -> None:
            super().check_opening_with(data, context)
            check_birth_date(cls, data.birth_date, "data.birth_date", None)
            check_life_dates(cls, data.birth_date, data.category, data, context.effective)

        @classmethod
        def corrected(cls, record: PersonnelRecord, data: RecordOpenedData) -> None:
            record.apply_header(data)

        def evolve_with(
            self, record: PersonnelRecord, statement: Statement, data: RecordOpenedData
        ) -> None:
            record.apply_header(data)
            record.custody.append(Custody(self.originator_version, data.lao, data.province))
            record.status_history.append(
                (self.originator_version, EmploymentStatus.PENDING, statement.effective)
            )
            super().evolve_with(record, statement, data)  # entry 1

    class PersonalDataRecorded(EntryEvent[PersonalDataRecordedData]):
        section = RecordSection.GENERAL

    class NameChanged(EntryEvent[NameChangedData]):
        section = RecordSection.GENERAL

    class AddressChanged(EntryEvent[AddressChangedData]):
        section = RecordSection.GENERAL

    class PhotoAttached(EntryEvent[PhotoAttachedData]):
        section = RecordSection.GENERAL

    class FamilyMemberRecorded(EntryEvent[FamilyMemberRecordedData]):
        section = RecordSection.FAMILY

    # Sections.

    class EducationAdded(EntryEvent[EducationAddedData]):
        section = RecordSection.EDUCATION

    class LicenseRecorded(EntryEvent[LicenseRecordedData]):
        section = RecordSection.LICENCE

    class TrainingRecorded(EntryEvent[TrainingRecordedData]):
        section = RecordSection.TRAINING

    class PositionSalaryEntryAdded(EntryEvent[PositionSalaryEntryAddedData]):
        section = RecordSection.POSITION_SALARY

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: PositionSalaryEntryAddedData, context: CheckContext
        ) -> None:
            super().check_with(record, data, context)  # its entry's rules, then its own
            is_round = data.movement_type in SALARY_ROUND_MOVEMENTS
            if is_round and salary_round_of(context.effective) is None:
                on = context.effective.isoformat()
                raise broken(cls, refusal.SALARY_ROUND_DATE, "effective", effective=on)

    class DecorationRecorded(EntryEvent[DecorationRecordedData]):
        section = RecordSection.DECORATIONS

    class DecorationReturned(EntryEvent[DecorationReturnedData]):
        section = RecordSection.DECORATIONS

        @classmethod
        def check_entry(
            cls, record: PersonnelRecord, data: DecorationReturnedData, corrected: int | None
        ) -> None:
            field = entry_field("decoration", corrected)
            decoration = record.live_entry_of(
                cls, data.decoration, PersonnelRecord.DecorationRecorded, field
            )
            if decoration.data.returned is not None or any(
                entry.data.decoration == decoration.id and entry.id != corrected
                for entry in record.entries_of(cls)
            ):
                raise broken(cls, refusal.DECORATION_RETURNED, field, entry=str(decoration.id))

    class LeaveTaken(EntryEvent[LeaveTakenData]):
        section = RecordSection.LEAVE

        @classmethod
        def check_entry(
            cls, record: PersonnelRecord, data: LeaveTakenData, corrected: int | None
        ) -> None:
            check_leave(cls, record, data, corrected)

    class LeaveYearSummarised(EntryEvent[LeaveYearSummarisedData]):
        section = RecordSection.LEAVE

        @classmethod
        def check_entry(
            cls, record: PersonnelRecord, data: LeaveYearSummarisedData, corrected: int | None
        ) -> None:
            check_leave_year(cls, record, data, corrected)

    class PenaltyImposed(EntryEvent[PenaltyImposedData]):
        section = RecordSection.DISCIPLINE

    class AmnestyApplied(EntryEvent[AmnestyAppliedData]):
        section = RecordSection.DISCIPLINE

        @classmethod
        def check_entry(
            cls, record: PersonnelRecord, data: AmnestyAppliedData, corrected: int | None
        ) -> None:
            field = entry_field("penalty", corrected)
            penalty = record.live_entry_of(cls, data.penalty, PersonnelRecord.PenaltyImposed, field)
            if any(
                entry.data.penalty == penalty.id and entry.id != corrected
                for entry in record.entries_of(cls)
            ):
                raise broken(cls, refusal.AMNESTY_APPLIED, field, entry=str(penalty.id))

    class UnpaidPeriodRecorded(EntryEvent[UnpaidPeriodRecordedData]):
        section = RecordSection.UNPAID

    class SpecialServiceRecorded(EntryEvent[SpecialServiceRecordedData]):
        section = RecordSection.SPECIAL_SERVICE

    class AbilityRecorded(EntryEvent[AbilityRecordedData]):
        section = RecordSection.ABILITIES

    class MeritRecorded(EntryEvent[MeritRecordedData]):
        section = RecordSection.MERIT

    class AcademicWorkRecorded(EntryEvent[AcademicWorkRecordedData]):
        section = RecordSection.ACADEMIC_WORKS

    class OtherItemRecorded(EntryEvent[OtherItemRecordedData]):
        section = RecordSection.OTHER

    class DocumentScanned(EntryEvent[DocumentScannedData]):
        section = RecordSection.DOCUMENTS

    class PersonErased(ErasureCheck, LedgerEvent["PersonnelRecord", PersonErasedData]):
        roles = ERASERS  # once it is appended, the ledger destroys the person's vault key

    # Corrections: nothing is edited in place.

    class EntryCorrected(LedgerEvent["PersonnelRecord", EntryCorrectedData]):
        roles = HR

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: EntryCorrectedData, context: CheckContext
        ) -> None:
            superseded = record.superseded_entry(cls, data.supersedes)
            entry = record.live_entry(cls, superseded, "data.supersedes")
            replacement = record.replacement(cls, entry, data.replacement)
            if replacement == entry.data:
                raise broken(cls, refusal.CORRECTION_UNCHANGED, "data.replacement")
            entry.event.check_replacement(record, replacement, entry.id)

        def evolve(self, record: PersonnelRecord, data: EntryCorrectedData) -> None:
            entry = record.entries[record.current_versions.pop(data.supersedes)]
            entry.history.append(
                Revision(entry.version, entry.data, self.originator_version, data.reason)
            )
            entry.data = entry.event.Data.model_validate(data.replacement)
            entry.version = self.originator_version
            record.current_versions[self.originator_version] = entry.id
            entry.event.corrected(record, entry.data)

    class EntryVoided(LedgerEvent["PersonnelRecord", EntryVoidedData]):
        roles = HR

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: EntryVoidedData, context: CheckContext
        ) -> None:
            if not record.live_entry(cls, data.entry, "data.entry").event.is_voidable:
                raise broken(cls, refusal.HEADER_NOT_VOIDABLE, "data.entry")

        def evolve(self, record: PersonnelRecord, data: EntryVoidedData) -> None:
            record.entries[data.entry].voided = data.reason

    class ChangeRequestedByOwner(LedgerEvent["PersonnelRecord", ChangeRequestedByOwnerData]):
        roles = OWNER

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: ChangeRequestedByOwnerData, context: CheckContext
        ) -> None:
            actor = context.actor
            if not is_own_record(actor.record, actor.cid, record.id, record.cid):
                raise forbidden(cls, "a record owner may only ask about their own record")
            check_owner_section(cls, data.section)

        def evolve(self, record: PersonnelRecord, data: ChangeRequestedByOwnerData) -> None:
            record.change_requests[self.originator_version] = ChangeRequest(
                data.section, data.proposal
            )

    class ChangeRequestResolved(LedgerEvent["PersonnelRecord", ChangeRequestResolvedData]):
        roles = HR

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: ChangeRequestResolvedData, context: CheckContext
        ) -> None:
            check_open_request(cls, record.change_requests, data.request)

        def evolve(self, record: PersonnelRecord, data: ChangeRequestResolvedData) -> None:
            record.change_requests[data.request].outcome = data.outcome

    # Employment status (สถานภาพ): each event's row of the state machine, and its own rules.

    class EmploymentStarted(StatusEvent[EmploymentStartedData]):
        starts_service = True

    class Suspended(StatusEvent[SuspendedData]):
        pass

    class Reinstated(StatusEvent[ReinstatedData]):
        pass

    class TransferredOut(StatusEvent[TransferredOutData]):
        @classmethod
        def related_streams(
            cls, record: PersonnelRecord | None, data: TransferredOutData
        ) -> Collection[UUID]:
            return (organizations.organization_stream_id(data.to_lao),)

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: TransferredOutData, context: CheckContext
        ) -> None:
            super().check_with(record, data, context)
            if data.to_lao == record.lao:
                raise broken(cls, refusal.TRANSFER_TO_SAME_LAO, "data.to_lao", lao=record.lao)
            organizations.registered_organization(
                cls, context, data.to_lao, data.to_province, ("data.to_lao", "data.to_province")
            )

        def evolve_with(
            self, record: PersonnelRecord, statement: Statement, data: TransferredOutData
        ) -> None:
            super().evolve_with(record, statement, data)
            record.transfer = (data.to_lao, data.to_province)

    class TransferredIn(StatusEvent[TransferredInData]):
        """Signed by the destination LAO's HR officer: custody moves to it."""

        @classmethod
        def target_scope(cls, record: PersonnelRecord, data: TransferredInData) -> Scope:
            if record.transfer is not None:
                to_lao, to_province = record.transfer
                return lao_scope(to_province, to_lao)  # the destination signs the arrival
            return record.read_scope()

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: TransferredInData, context: CheckContext
        ) -> None:
            super().check_with(record, data, context)
            if record.transfer is None or data.from_lao != record.lao:
                lao, from_lao = record.lao, data.from_lao
                raise broken(
                    cls, refusal.TRANSFER_FROM, "data.from_lao", lao=lao, from_lao=from_lao
                )

        def evolve_with(
            self, record: PersonnelRecord, statement: Statement, data: TransferredInData
        ) -> None:
            if record.transfer is None:  # the ledger admits it only after a TransferredOut
                raise RuntimeError(f"record {record.id}: TransferredIn without TransferredOut")
            to_lao, to_province = record.transfer
            super().evolve_with(record, statement, data)
            record.transfer = None
            record.lao, record.province = to_lao, to_province
            record.custody.append(Custody(self.originator_version, to_lao, to_province))

    class RetirementScheduled(LedgerEvent["PersonnelRecord", RetirementScheduledData]):
        """The system key's notice that the person retires at the end of ``fiscal_year``."""

        roles = SYSTEM_ONLY

        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: RetirementScheduledData, context: CheckContext
        ) -> None:
            check_retirement_schedule(cls, record, data)

        def evolve(self, record: PersonnelRecord, data: RetirementScheduledData) -> None:
            record.retirement_schedules[data.fiscal_year] = data.last_day

    class Retired(StatusEvent[RetiredData]):
        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: RetiredData, context: CheckContext
        ) -> None:
            super().check_with(record, data, context)
            check_retirement(cls, record, data.last_day, context.effective)

    class Resigned(StatusEvent[SeparationData]):
        pass

    class Discharged(StatusEvent[SeparationData]):
        pass

    class Dismissed(StatusEvent[SeparationData]):
        pass

    class RemovedFromService(StatusEvent[SeparationData]):
        pass

    class Died(StatusEvent[DiedData]):
        @classmethod
        def check_with(cls, record: PersonnelRecord, data: DiedData, context: CheckContext) -> None:
            super().check_with(record, data, context)  # the transition, nothing before birth
            check_death(cls, data.died_on, context.effective)

    class ContractEnded(StatusEvent[SeparationData]):
        @classmethod
        def check_with(
            cls, record: PersonnelRecord, data: SeparationData, context: CheckContext
        ) -> None:
            super().check_with(record, data, context)
            if record.category is not StaffCategory.CONTRACT:
                raise broken(cls, refusal.NOT_CONTRACT_STAFF, "type", category=record.category)

    class SeparationRevoked(StatusEvent[SeparationRevokedData]):
        def evolve_with(
            self, record: PersonnelRecord, statement: Statement, data: SeparationRevokedData
        ) -> None:
            super().evolve_with(record, statement, data)
            record.transfer = None

    # State changes (called by the header's events; no validation here).

    def apply_header(self, data: RecordOpenedData) -> None:
        self.cid = data.cid
        self.category = data.category
        self.birth_date = data.birth_date
        if not self.custody:
            self.lao = data.lao
            self.province = data.province

    # Queries.

    def custody_at(self, version: int) -> Custody:
        """Who held the record when its event ``version`` was recorded."""
        holder = self.custody[0]
        for custody in self.custody:
            if custody.version <= version:
                holder = custody
        return holder

    @property
    def retirement_date(self) -> date:
        """The last day in service by the retirement rule (วันครบเกษียณอายุ)."""
        return retirement_date(self.birth_date)

    def read_scope(self) -> Scope:
        # The record is in the custody of its LAO: that LAO, its province and DLA may read it.
        return lao_scope(self.province, self.lao)
