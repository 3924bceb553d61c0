"""The sections of a ก.พ.๗ record (DOMAIN.md section 2): what each entry holds.

These are the ``Data`` models of the personnel record's entry events (the header that opens the
record included); the aggregate is ``ledger.domain.personnel.PersonnelRecord``. An entry's valid
time is its statement's ``effective`` date (the order's effective date, often in the past) and
its transaction time is when the ledger recorded it. Entries are never edited: ``EntryCorrected``
supersedes one with a reason, ``EntryVoided`` voids one with a reason.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ledger.domain.rules import is_valid_cid
from ledger.domain.values import (
    Amount,
    BirthDate,
    BuddhistYear,
    CitizenId,
    Data,
    EntryId,
    EventDate,
    GazetteRef,
    Line,
    Name,
    OrderRef,
    PersonName,
    Province,
    SchoolingDate,
    Sha256,
    Text,
)


class RecordSection(StrEnum):
    """The sections of an LAO's data set that certification can name (the 13 of the
    Sapphire e-ก.พ.๗, DOMAIN.md section 2, plus family, structure and the position frame)."""

    GENERAL = "general"  # ข้อมูลทั่วไป (personal data, names, addresses, photos)
    FAMILY = "family"  # ครอบครัว
    EDUCATION = "education"  # ประวัติการศึกษา
    LICENCE = "licence"  # ใบอนุญาตประกอบวิชาชีพ
    TRAINING = "training"  # ฝึกอบรม ดูงาน สัมมนา
    POSITION_SALARY = "position_salary"  # ตำแหน่งและอัตราเงินเดือน
    DECORATIONS = "decorations"  # เครื่องราชอิสริยาภรณ์
    LEAVE = "leave"  # วันลา ขาดราชการ มาสาย
    DISCIPLINE = "discipline"  # การได้รับโทษทางวินัย และการนิรโทษกรรม
    UNPAID = "unpaid"  # วันที่ไม่ได้รับเงินเดือน / ได้รับไม่เต็ม / กฎอัยการศึก
    SPECIAL_SERVICE = "special_service"  # การปฏิบัติราชการพิเศษ
    ABILITIES = "abilities"  # ความรู้ความสามารถพิเศษ
    MERIT = "merit"  # ความดีความชอบ
    ACADEMIC_WORKS = "academic_works"  # ผลงานทางวิชาการ (teachers)
    OTHER = "other"  # รายการอื่น ๆ ที่จำเป็น
    DOCUMENTS = "documents"  # เอกสารสแกน
    EMPLOYMENT = "employment"  # สถานภาพการรับราชการ
    STRUCTURE = "structure"  # โครงสร้างส่วนราชการ (of the LAO, for certification returns)
    FRAME = "frame"  # กรอบอัตรากำลัง / ตำแหน่ง (for certification returns)


OWNER_SECTIONS: tuple[RecordSection, ...] = tuple(
    section
    for section in RecordSection
    if section
    not in {
        RecordSection.DOCUMENTS,
        RecordSection.EMPLOYMENT,
        RecordSection.STRUCTURE,
        RecordSection.FRAME,
    }
)
"""The sections a record owner may ask HR to change (``ChangeRequestedByOwner``): those of her
own ก.พ.๗ that she reads and HR changes by an entry; not the scans, her employment status
(changed by orders), nor the LAO's structure and position frame. The owner's form offers these
(``web.forms.describe``) and the gate refuses any other (``record.change_request_section``)."""


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
    province: Province
    birth_date: BirthDate

    @field_validator("cid")
    @classmethod
    def _cid_checksum(cls, cid: str) -> str:
        if not is_valid_cid(cid):
            raise ValueError("citizen ID must be 13 digits with a valid check digit")
        return cid


class EducationAddedData(BaseModel):
    """ประวัติการศึกษา."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    institution: Line = Field(min_length=1, max_length=300)
    qualification: Line = Field(min_length=1, max_length=300)
    major: Line | None = Field(default=None, max_length=300)
    started: SchoolingDate | None = None
    finished: SchoolingDate

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

    movement_type: Line = Field(min_length=1, max_length=100)  # บรรจุ, เลื่อนขั้น, ย้าย, โอน ...
    position_no: Line = Field(min_length=1, max_length=30)  # เลขที่ตำแหน่ง
    position_title: Line = Field(min_length=1, max_length=200)
    level: Line = Field(min_length=1, max_length=100)  # ระดับ / อันดับ คศ.
    salary: Amount = Field(ge=0, max_digits=12, decimal_places=2)
    allowance: Amount | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    order: OrderRef
    line: Line | None = Field(default=None, min_length=1, max_length=200)  # สายงาน
    position_type: Line | None = Field(default=None, min_length=1, max_length=100)  # ประเภท
    management_position: Line | None = Field(default=None, min_length=1, max_length=200)
    unit: Line | None = Field(default=None, min_length=1, max_length=200)  # สังกัด / ส่วนราชการ


COMMON_MOVEMENTS = (
    "บรรจุและแต่งตั้ง",
    "เลื่อนขั้นเงินเดือน",
    "เลื่อนเงินเดือน",
    "เลื่อนระดับ",
    "เลื่อนตำแหน่ง",
    "แต่งตั้ง",
    "ย้าย",
    "โอน",
    "รับโอน",
    "ปรับปรุงตำแหน่ง",
    "ปรับอัตราเงินเดือน",
    "ปรับเงินเดือนตามคุณวุฒิ",
)
"""The movement types (ประเภทความเคลื่อนไหว) a ก.พ.๗ salary line most often names, offered as
suggestions: the field stays free text (a local order may word it otherwise, and older
records hold what was written then), so this is a vocabulary to pick from, not a rule."""

SALARY_ROUND_MOVEMENTS = frozenset({"เลื่อนขั้นเงินเดือน", "เลื่อนเงินเดือน", "salary_promotion"})
"""Movement types of the twice-yearly salary rounds: their effective date is 1 April or
1 October (DOMAIN.md section 2: salary entries snap to 1 Apr / 1 Oct)."""


Days = Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=1)]
"""A number of days; half days occur (ลาครึ่งวัน)."""

Count = Annotated[int, Field(ge=0, le=10_000)]


class PersonalDataRecordedData(Data):
    """ข้อมูลทั่วไป: the header of the record beyond what opened it."""

    prefix: PersonName  # คำนำหน้านาม
    first_name: PersonName
    last_name: PersonName
    sex: Literal["male", "female"] | None = None
    religion: Name | None = None
    blood_group: Literal["A", "B", "AB", "O"] | None = None
    appointed_on: EventDate | None = None  # วันสั่งบรรจุ
    service_started: EventDate | None = None  # วันเริ่มปฏิบัติราชการ
    gpf_member: bool | None = None  # สมาชิก กบข.


class NameChangedData(Data):
    """ประวัติการเปลี่ยนชื่อ: the earlier name stays in the history."""

    prefix: PersonName
    first_name: PersonName
    last_name: PersonName
    reason: Text | None = None


class AddressChangedData(Data):
    """ประวัติที่อยู่."""

    address: Text
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 -]{6,20}$")


class Relation(StrEnum):
    FATHER = "father"  # บิดา
    MOTHER = "mother"  # มารดา
    SPOUSE = "spouse"  # คู่สมรส
    CHILD = "child"  # บุตร
    HEIR = "heir"  # ทายาท (for pension)


class FamilyMemberRecordedData(Data):
    """A family member, with the "show on ก.พ.๗" flag (kp7_active)."""

    relation: Relation
    prefix: PersonName | None = None
    first_name: PersonName
    last_name: PersonName
    occupation: Name | None = None
    is_alive: bool | None = None
    cid: CitizenId | None = None
    shown_on_kp7: bool = True


class LicenseRecordedData(Data):
    """ใบอนุญาตประกอบวิชาชีพ (for teachers, ใบอนุญาตประกอบวิชาชีพครู)."""

    name: Name
    issuer: Name
    number: Line = Field(min_length=1, max_length=50)
    valid_from: EventDate
    valid_until: EventDate | None = None

    @model_validator(mode="after")
    def _order(self) -> LicenseRecordedData:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until must not be before valid_from")
        return self


class TrainingRecordedData(Data):
    """ฝึกอบรม ดูงาน สัมมนา."""

    kind: Literal["training", "study_tour", "seminar"] = "training"
    course: Name
    batch: Line | None = Field(default=None, min_length=1, max_length=30)  # รุ่น
    organiser: Name
    started: EventDate
    finished: EventDate

    @model_validator(mode="after")
    def _order(self) -> TrainingRecordedData:
        if self.finished < self.started:
            raise ValueError("finished must not be before started")
        return self


class DecorationRecordedData(Data):
    """เครื่องราชอิสริยาภรณ์, with its Royal Gazette reference."""

    decoration: Name  # e.g. "ทวีติยาภรณ์ช้างเผือก (ท.ช.)"
    gazette: GazetteRef
    received: EventDate | None = None
    returned: EventDate | None = None  # ส่งคืน


class DecorationReturnedData(Data):
    """The decoration recorded as entry ``decoration`` was returned (ส่งคืน)."""

    decoration: EntryId
    returned_on: EventDate


class LeaveType(StrEnum):
    """The 11 leave types for local staff (DOMAIN.md section 3; types 3 and 11 [GK])."""

    SICK = "sick"  # ลาป่วย
    MATERNITY = "maternity"  # ลาคลอดบุตร
    PATERNITY = "paternity"  # ลาไปช่วยเหลือภริยาที่คลอดบุตร
    PERSONAL = "personal"  # ลากิจส่วนตัว
    VACATION = "vacation"  # ลาพักผ่อน
    ORDINATION_HAJJ = "ordination_hajj"  # ลาอุปสมบท / ลาไปประกอบพิธีฮัจย์
    MILITARY = "military"  # ลาเข้ารับการตรวจเลือก / เตรียมพล
    STUDY = "study"  # ลาไปศึกษา ฝึกอบรม ดูงาน วิจัย
    INTERNATIONAL = "international"  # ลาไปปฏิบัติงานในองค์การระหว่างประเทศ
    FOLLOW_SPOUSE = "follow_spouse"  # ลาติดตามคู่สมรส
    REHABILITATION = "rehabilitation"  # ลาไปฟื้นฟูสมรรถภาพด้านอาชีพ


class LeaveTakenData(Data):
    """One leave, as approved."""

    leave_type: LeaveType
    start: EventDate
    end: EventDate
    days: Annotated[Decimal, Field(gt=0, max_digits=5, decimal_places=1)]
    approver: Name | None = None

    @model_validator(mode="after")
    def _fits(self) -> LeaveTakenData:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        if self.days > (self.end - self.start).days + 1:
            raise ValueError("days exceed the days from start to end")
        return self


class LeaveYearSummarisedData(Data):
    """The yearly leave line of the ก.พ.๗ (one per Buddhist-era year). Blank is not zero."""

    year: BuddhistYear
    sick_times: Count | None = None
    sick_days: Days | None = None
    personal_vacation_times: Count | None = None  # ลากิจและลาพักผ่อน
    personal_vacation_days: Days | None = None
    late_times: Count | None = None  # มาสาย
    absent_days: Days | None = None  # ขาดราชการ
    study_days: Days | None = None  # ลาศึกษาต่อ


class Penalty(StrEnum):
    """Disciplinary penalties (โทษทางวินัย) [GK]."""

    REPRIMAND = "reprimand"  # ภาคทัณฑ์
    SALARY_CUT = "salary_cut"  # ตัดเงินเดือน
    STEP_REDUCTION = "step_reduction"  # ลดขั้นเงินเดือน / ลดเงินเดือน
    DISCHARGE = "discharge"  # ปลดออก
    DISMISSAL = "dismissal"  # ไล่ออก


class PenaltyImposedData(Data):
    penalty: Penalty
    detail: Text
    order: OrderRef


class AmnestyAppliedData(Data):
    """ล้างมลทิน / นิรโทษกรรม for the penalty entry ``penalty``."""

    penalty: EntryId
    law: Text  # e.g. พ.ร.บ.ล้างมลทิน ...
    reference: OrderRef | None = None


class UnpaidPeriodRecordedData(Data):
    """Days without pay, with reduced pay, or not serving in a martial-law area."""

    kind: Literal["no_pay", "reduced_pay", "martial_law_area"]
    start: EventDate
    end: EventDate
    detail: Text
    reference: OrderRef | None = None

    @model_validator(mode="after")
    def _order(self) -> UnpaidPeriodRecordedData:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self


class SpecialServiceRecordedData(Data):
    item: Text
    reference: OrderRef | None = None


class AbilityRecordedData(Data):
    ability: Text


class MeritRecordedData(Data):
    item: Text
    year: BuddhistYear


class AcademicWorkRecordedData(Data):
    title: Text
    year: BuddhistYear


class OtherItemRecordedData(Data):
    item: Text
    reference: OrderRef | None = None


class PhotoAttachedData(Data):
    """A photo of the given year, stored elsewhere by its content hash."""

    year: BuddhistYear
    sha256: Sha256
    media_type: Literal["image/jpeg", "image/png"]


class ScanKind(StrEnum):
    """Kinds of scanned document."""

    KP7_ORIGINAL = "kp7_original"  # the scanned paper ก.พ.๗
    ORDER = "order"
    CERTIFICATE = "certificate"
    DEGREE = "degree"
    OTHER = "other"


class DocumentScannedData(Data):
    """A scan, stored elsewhere by its content hash."""

    kind: ScanKind
    sha256: Sha256
    media_type: Literal["application/pdf", "image/jpeg", "image/png", "image/tiff"]
    pages: int | None = Field(default=None, ge=1, le=10_000)
    title: Name | None = None


class EntryCorrectedData(Data):
    """Supersede an entry: ``supersedes`` is the version of the entry's latest event (the event
    that added it, or its latest correction); ``replacement`` is the entry's full corrected data,
    valid for the entry's own type."""

    supersedes: EntryId
    reason: Text
    replacement: dict[str, Any]


class EntryVoidedData(Data):
    """Void entry ``entry`` (the version of the event that added it); it stays in history."""

    entry: EntryId
    reason: Text


class PersonErasedData(Data):
    """Erase the person's personal data on their request (PDPA): once the event is appended,
    the ledger destroys the person's vault key (docs/personal-data.md); ``legal_basis`` names
    the law, its section and the request."""

    legal_basis: Text
    reason: Text


class ChangeRequestedByOwnerData(Data):
    """The record's owner asks HR to change a section (name, marriage, education, address):
    one of ``OWNER_SECTIONS``, which the event's rule checks."""

    section: RecordSection
    proposal: Text


class ChangeRequestResolvedData(Data):
    request: EntryId
    outcome: Literal["accepted", "rejected"]
    note: Text | None = None
