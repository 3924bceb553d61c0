"""Thai and English names of the event types and of the streams they apply to.

An HR officer picks an event type by what it means (``ลาป่วย``, ``เพิ่มประวัติการศึกษา``), not by
its code; ``GET /schemas`` and ``ledger draft`` show these names beside the codes. The table is
kept here, beside the catalogue (``ledger.domain.catalog``), and a test checks that every
catalogued type and every aggregate has its names.
"""

from __future__ import annotations

from typing import NamedTuple

from ledger.domain.permissions import ROLE_TH, Role


class Label(NamedTuple):
    """A name in Thai, and in English."""

    th: str
    en: str


STREAM_LABELS: dict[str, Label] = {
    "OperatorRegistry": Label("ทะเบียนผู้ปฏิบัติงานและกุญแจ", "operators and their keys"),
    "PersonnelRecord": Label("ทะเบียนประวัติ (ก.พ.๗)", "personnel history record (ก.พ.๗)"),
    "Organization": Label("องค์กรปกครองส่วนท้องถิ่น (อปท.)", "local administrative organization"),
    "Position": Label("ตำแหน่งในกรอบอัตรากำลัง", "position of the frame"),
    "CertificationCycle": Label("รอบการตรวจสอบและรับรองข้อมูล", "certification cycle"),
    "DevelopmentPlan": Label("แผนพัฒนาท้องถิ่น", "local development plan"),
    "PlanProject": Label("โครงการตามแผนพัฒนาท้องถิ่น", "development plan project"),
    "Subsidy": Label("เงินอุดหนุน", "subsidy"),
    "Certificate": Label("หนังสือรับรอง", "certificate"),
}
"""Aggregate (stream kind) -> its names."""

_EVENTS: dict[str, tuple[str, str]] = {
    # The operator registry.
    "LedgerInitialised": ("เริ่มต้นบันทึก (กุญแจของระบบ)", "ledger initialised"),
    "OperatorEnrolled": ("ขึ้นทะเบียนผู้ปฏิบัติงานและกุญแจ", "operator enrolled"),
    "OperatorKeyRevoked": ("เพิกถอนกุญแจของผู้ปฏิบัติงาน", "operator key revoked"),
    # The personnel record (ก.พ.๗).
    "RecordOpened": ("เปิดทะเบียนประวัติ", "record opened"),
    "PersonalDataRecorded": ("บันทึกข้อมูลทั่วไป", "personal data recorded"),
    "NameChanged": ("เปลี่ยนชื่อ-ชื่อสกุล", "name changed"),
    "AddressChanged": ("เปลี่ยนที่อยู่", "address changed"),
    "PhotoAttached": ("แนบรูปถ่าย", "photo attached"),
    "FamilyMemberRecorded": ("บันทึกข้อมูลครอบครัว", "family member recorded"),
    "EducationAdded": ("เพิ่มประวัติการศึกษา", "education added"),
    "LicenseRecorded": ("บันทึกใบอนุญาตประกอบวิชาชีพ", "licence recorded"),
    "TrainingRecorded": ("บันทึกการฝึกอบรม ดูงาน สัมมนา", "training recorded"),
    "PositionSalaryEntryAdded": ("เพิ่มรายการตำแหน่งและอัตราเงินเดือน", "position and salary entry"),
    "DecorationRecorded": ("บันทึกเครื่องราชอิสริยาภรณ์", "decoration recorded"),
    "DecorationReturned": ("ส่งคืนเครื่องราชอิสริยาภรณ์", "decoration returned"),
    "LeaveTaken": ("บันทึกการลา", "leave taken"),
    "LeaveYearSummarised": ("สรุปวันลาประจำปี", "yearly leave summary"),
    "PenaltyImposed": ("บันทึกการได้รับโทษทางวินัย", "disciplinary penalty imposed"),
    "AmnestyApplied": ("บันทึกการล้างมลทิน / นิรโทษกรรม", "amnesty applied"),
    "UnpaidPeriodRecorded": ("บันทึกวันที่ไม่ได้รับเงินเดือน", "unpaid period recorded"),
    "SpecialServiceRecorded": ("บันทึกการปฏิบัติราชการพิเศษ", "special service recorded"),
    "AbilityRecorded": ("บันทึกความรู้ความสามารถพิเศษ", "special ability recorded"),
    "MeritRecorded": ("บันทึกความดีความชอบ", "merit recorded"),
    "AcademicWorkRecorded": ("บันทึกผลงานทางวิชาการ", "academic work recorded"),
    "OtherItemRecorded": ("บันทึกรายการอื่น ๆ ที่จำเป็น", "other item recorded"),
    "DocumentScanned": ("แนบเอกสารสแกน", "document scanned"),
    "EntryCorrected": ("แก้ไขรายการ", "entry corrected"),
    "EntryVoided": ("ยกเลิกรายการ", "entry voided"),
    "PersonErased": ("ลบข้อมูลส่วนบุคคลตามคำขอ", "personal data erased on request"),
    "ChangeRequestedByOwner": ("เจ้าของประวัติขอแก้ไขข้อมูล", "change requested by the owner"),
    "ChangeRequestResolved": ("พิจารณาคำขอแก้ไขข้อมูล", "change request resolved"),
    "EmploymentStarted": ("เริ่มปฏิบัติราชการ / บรรจุ", "employment started"),
    "Suspended": ("สั่งพักราชการ / ให้ออกไว้ก่อน", "suspended"),
    "Reinstated": ("กลับเข้าปฏิบัติราชการ", "reinstated"),
    "TransferredOut": ("โอนออก", "transferred out"),
    "TransferredIn": ("รับโอน", "transferred in"),
    "RetirementScheduled": ("แจ้งกำหนดเกษียณอายุราชการ", "retirement scheduled"),
    "Retired": ("เกษียณอายุราชการ", "retired"),
    "Resigned": ("ลาออก", "resigned"),
    "Discharged": ("ปลดออก", "discharged"),
    "Dismissed": ("ไล่ออก", "dismissed"),
    "RemovedFromService": ("ให้ออกจากราชการ", "removed from service"),
    "Died": ("ถึงแก่กรรม", "died"),
    "ContractEnded": ("สิ้นสุดสัญญาจ้าง", "contract ended"),
    "SeparationRevoked": ("ยกเลิกคำสั่งให้พ้นจากราชการ", "separation revoked"),
    # Organizations.
    "OrganizationRegistered": ("ขึ้นทะเบียน อปท.", "organization registered"),
    "OrganizationTypeChanged": ("เปลี่ยนแปลงฐานะ อปท.", "organization type changed"),
    "OrganizationRenamed": ("เปลี่ยนชื่อ อปท.", "organization renamed"),
    "OrganizationMerged": ("รวม อปท.", "organization merged"),
    "OrgUnitCreated": ("จัดตั้งส่วนราชการ / หน่วยงาน", "unit created"),
    "OrgUnitClosed": ("ยุบส่วนราชการ / หน่วยงาน", "unit closed"),
    "AnnualBudgetEnacted": ("ข้อบัญญัติงบประมาณรายจ่ายประจำปี", "annual budget enacted"),
    # Positions.
    "PositionCreated": ("กำหนดตำแหน่ง", "position created"),
    "PositionReclassified": ("ปรับปรุงตำแหน่ง", "position reclassified"),
    "PositionHolderAssigned": ("แต่งตั้งผู้ครองตำแหน่ง", "position holder assigned"),
    "PositionVacated": ("ตำแหน่งว่าง", "position vacated"),
    "PositionFrozen": ("ระงับการใช้ตำแหน่งชั่วคราว", "position frozen"),
    "PositionUnfrozen": ("ยกเลิกการระงับตำแหน่ง", "position unfrozen"),
    "PositionAbolished": ("ยุบเลิกตำแหน่ง", "position abolished"),
    # Certification.
    "CycleOpened": ("เปิดรอบการตรวจสอบและรับรองข้อมูล", "certification cycle opened"),
    "LaoDataSubmitted": ("อปท. เสนอข้อมูลเพื่อรับรอง", "LAO data submitted"),
    "LaoDataReturned": ("ผู้บังคับบัญชาส่งข้อมูลกลับแก้ไข", "LAO data returned"),
    "LaoDataCertified": ("หัวหน้า อปท. รับรองข้อมูล", "LAO data certified"),
    "ProvinceVerificationReturned": ("จังหวัดส่งข้อมูลกลับแก้ไข", "province returned the data"),
    "ProvinceCertified": ("จังหวัดรับรองข้อมูล", "province certified"),
    "ProvinceReportSent": ("จังหวัดรายงานกรม", "province report sent"),
    "DlaReturned": ("กรมส่งข้อมูลกลับแก้ไข", "DLA returned"),
    "DlaAccepted": ("กรมรับรายงาน", "DLA accepted"),
    "WarningLetterSent": ("ส่งหนังสือแจ้งเตือน", "warning letter sent"),
    "CycleOverdue": ("เกินกำหนดเวลา", "cycle overdue"),
    "CertificationInvalidated": ("การรับรองไม่เป็นปัจจุบัน", "certification invalidated"),
    # e-Plan.
    "PlanDrafted": ("จัดทำร่างแผนพัฒนาท้องถิ่น", "plan drafted"),
    "VisionRecorded": ("บันทึกวิสัยทัศน์", "vision recorded"),
    "StrategyAdded": ("เพิ่มยุทธศาสตร์การพัฒนา", "strategy added"),
    "PlanApproved": ("อนุมัติและประกาศใช้แผน", "plan approved"),
    "PlanAmended": ("เพิ่มเติม / เปลี่ยนแปลงแผน", "plan amended"),
    "PlanProjectAdded": ("เพิ่มโครงการในแผน", "plan project added"),
    "PlanProjectChanged": ("เปลี่ยนแปลงโครงการ", "plan project changed"),
    "PlanProjectRemoved": ("ตัดโครงการออกจากแผน", "plan project removed"),
    "BudgetApproved": ("อนุมัติงบประมาณโครงการ", "budget approved"),
    "ContractSigned": ("ลงนามในสัญญา", "contract signed"),
    "DisbursementMade": ("เบิกจ่ายเงิน", "disbursement made"),
    "ProgressReported": ("รายงานความก้าวหน้า", "progress reported"),
    "ProjectCompleted": ("โครงการแล้วเสร็จ", "project completed"),
    "ProjectDeferred": ("เลื่อนโครงการ", "project deferred"),
    "ProjectCancelled": ("ยกเลิกโครงการ", "project cancelled"),
    "FundsCarriedOver": ("กันเงินไว้เบิกเหลื่อมปี", "funds carried over"),
    "ProjectGeoLocated": ("บันทึกพิกัดโครงการ", "project located"),
    "SubsidyAllocated": ("จัดสรรเงินอุดหนุน", "subsidy allocated"),
    "SubsidyDisbursed": ("เบิกจ่ายเงินอุดหนุน", "subsidy disbursed"),
    "SubsidyOutcomeReported": ("รายงานผลการใช้เงินอุดหนุน", "subsidy outcome reported"),
    # Certificates.
    "CertificateIssued": ("ออกหนังสือรับรอง", "certificate issued"),
}

EVENT_LABELS: dict[str, Label] = {name: Label(*names) for name, names in _EVENTS.items()}
"""Event type -> its names."""

_ROLES_EN: dict[Role, str] = {
    Role.SYSTEM: "the ledger's own key",
    Role.DLA_ADMIN: "DLA administrator",
    Role.LAO_HR_OFFICER: "LAO HR officer",
    Role.LAO_SUPERIOR: "LAO superior",
    Role.LAO_HEAD: "LAO head",
    Role.RECORD_OWNER: "record owner",
    Role.PROVINCIAL_OFFICER: "provincial officer",
    Role.COMMITTEE_SECRETARY: "committee secretary",
    Role.PLAN_ANALYST: "provincial plan analyst",
    Role.EPLAN_PLANNING: "planning staff",
    Role.EPLAN_FINANCE: "finance staff",
    Role.EPLAN_EDUCATION: "education staff",
    Role.EPLAN_ENGINEERING: "engineering staff",
    Role.AUDITOR: "auditor",
}

ROLE_LABELS: dict[str, Label] = {
    role.value: Label(ROLE_TH.get(role, role.value), _ROLES_EN.get(role, role.value))
    for role in Role
}
"""Role -> its names (the Thai one is ``ledger.domain.permissions.ROLE_TH``)."""

__all__ = ["EVENT_LABELS", "ROLE_LABELS", "STREAM_LABELS", "Label"]
