"""The words of the reports in Thai (the default) and English: column headings, report titles,
and the labels of the codes the ledger stores (``official`` reads ``ข้าราชการส่วนท้องถิ่น``).

A reader of a download or a report page is an HR officer or a provincial officer, not the
ledger: they read Thai words, never ``snake_case``. English is there on request (``lang=en``)
for the readers who want it; a code with no label here shows as it is stored.
"""

from __future__ import annotations

from enum import StrEnum

Label = tuple[str, str]
"""A word in Thai and in English."""


class Lang(StrEnum):
    """The language a report is drawn in."""

    TH = "th"
    EN = "en"


def word(label: Label, lang: Lang) -> str:
    return label[0] if lang is Lang.TH else label[1]


HEADINGS: dict[str, Label] = {
    "name": ("ชื่อ-สกุล", "Name"),
    "cid": ("เลขประจำตัวประชาชน", "Citizen ID"),
    "category": ("ประเภทบุคลากร", "Staff category"),
    "birth_date": ("วันเกิด", "Birth date"),
    "lao": ("รหัส อปท.", "LAO code"),
    "lao_name": ("อปท.", "LAO"),
    "province": ("จังหวัด", "Province"),
    "district": ("อำเภอ", "District"),
    "status": ("สถานะ", "Status"),
    "erased": ("ข้อมูลส่วนบุคคล", "Personal data"),
    "position_no": ("เลขที่ตำแหน่ง", "Position no."),
    "position_title": ("ตำแหน่ง", "Position"),
    "line": ("สายงาน", "Line"),
    "level": ("ระดับ", "Level"),
    "salary": ("เงินเดือน (บาท)", "Salary (THB)"),
    "allowance": ("เงินประจำตำแหน่ง (บาท)", "Position allowance (THB)"),
    "stream": ("เลขอ้างอิงระบบ", "Reference (stream)"),
    "valid_on": ("ข้อมูล ณ วันที่", "Valid on"),
    "recorded_at": ("วันเวลาที่บันทึก", "Recorded at"),
    "number": ("เลขที่ตำแหน่ง", "Position no."),
    "title": ("ชื่อตำแหน่ง", "Position title"),
    "position_type": ("ประเภทตำแหน่ง", "Position type"),
    "unit": ("ส่วนราชการ", "Unit"),
    "holder_name": ("ผู้ครองตำแหน่ง", "Holder"),
    "holder_since": ("ครองตั้งแต่", "Held since"),
    "frame": ("กรอบอัตรากำลัง", "Frame"),
    "occupied": ("มีผู้ครอง", "Occupied"),
    "vacant": ("ว่าง", "Vacant"),
    "frozen": ("ตรึง", "Frozen"),
    "abolished": ("ยุบเลิก", "Abolished"),
    "vacancy_rate": ("อัตราว่าง", "Vacancy rate"),
    "org_name": ("ชื่อ อปท.", "LAO name"),
    "type": ("ประเภท", "Type"),
    "merged_into": ("ควบรวมเข้ากับ", "Merged into"),
    "registered_on": ("วันที่ขึ้นทะเบียน", "Registered on"),
    "units_open": ("ส่วนราชการ (หน่วย)", "Open units"),
    "code": ("รหัส อปท.", "LAO code"),
    "cycle": ("รอบการรับรอง", "Cycle"),
    "cycle_state": ("สถานะการรับรอง", "Certification state"),
    "records": ("จำนวนทะเบียนประวัติ", "Records"),
    "complete": ("ข้อมูลครบถ้วน", "Complete"),
    "certified": ("รับรองแล้ว", "Certified"),
    "complete_and_certified": ("ครบถ้วนและรับรองแล้ว", "Complete and certified"),
    "percent": ("ร้อยละ", "Percent"),
    "target": ("เป้าหมาย", "Target"),
    "meets_target": ("ผ่านเป้าหมาย", "Meets target"),
    "lao_deadline": ("กำหนด อปท. รับรอง", "LAO deadline"),
    "province_deadline": ("กำหนด สถ.จ. รับรอง", "Province deadline"),
    "dla_deadline": ("กำหนด สถ. รับข้อมูล", "DLA deadline"),
    "certified_on": ("วันที่รับรอง", "Certified on"),
    "certified_recorded_on": ("วันที่บันทึกการรับรอง", "Certification recorded on"),
    "lpa_2_9": ("คะแนน LPA 2.9", "LPA 2.9 score"),
    "stage": ("ขั้นตอน", "Stage"),
    "deadline": ("กำหนดเวลา", "Deadline"),
    "state": ("สถานะ", "State"),
    "days_overdue": ("เกินกำหนด (วัน)", "Days overdue"),
    "marked": ("ระบบบันทึกว่าเกินกำหนด", "Marked overdue"),
    "warnings": ("หนังสือแจ้งเตือน (ฉบับ)", "Warning letters"),
    "submitted_on": ("วันที่เสนอ", "Submitted on"),
    "record_count": ("จำนวนทะเบียนที่เสนอ", "Records submitted"),
    "lao_certified_on": ("วันที่ อปท. รับรอง", "LAO certified on"),
    "lao_certified_by": ("ผู้รับรอง (อปท.)", "Certified by (LAO)"),
    "province_certified_on": ("วันที่ สถ.จ. รับรอง", "Province certified on"),
    "province_certified_by": ("ผู้รับรอง (สถ.จ.)", "Certified by (province)"),
    "dla_accepted_on": ("วันที่ สถ. รับข้อมูล", "DLA accepted on"),
    "report_sent": ("ส่งรายงานแล้ว", "Report sent"),
    "stale_records": ("ทะเบียนที่แก้ไขหลังรับรอง", "Records changed since"),
    "overdue": ("ขั้นตอนที่เกินกำหนด", "Overdue stages"),
    "opened_on": ("วันที่เปิดรอบ", "Opened on"),
    "submitted_root": ("รากเมอร์เคิลที่เสนอ", "Submitted root"),
    "certified_root": ("รากเมอร์เคิลที่รับรอง", "Certified root"),
    "fiscal_year": ("ปีงบประมาณ", "Fiscal year"),
    "people": ("จำนวนผู้เกษียณ (คน)", "Retiring"),
    "scheduled": ("บันทึกกำหนดเกษียณแล้ว", "Retirement scheduled"),
    "staff": ("จำนวนบุคลากร (คน)", "Staff"),
    "personnel_cost": ("ค่าใช้จ่ายด้านบุคคล (บาท)", "Personnel cost (THB)"),
    "budget": ("งบประมาณรายจ่ายประจำปี (บาท)", "Annual expenditure budget (THB)"),
    "ratio": ("สัดส่วนค่าใช้จ่ายด้านบุคคล", "Personnel cost ratio"),
    "limit": ("เพดานตามมาตรา 35", "Section 35 limit"),
    "over_limit": ("เกินเพดาน", "Over the limit"),
    "formula": ("สูตรคำนวณ", "Formula"),
    "year": ("ปีงบประมาณ", "Fiscal year"),
    "total_days": ("รวมวันลา", "Total days of leave"),
    "notification_id": ("ลำดับในบันทึก", "Log position"),
    "version": ("ลำดับในทะเบียน", "Version"),
    "event_type": ("รายการ", "Event"),
    "actor": ("ผู้บันทึก", "Signed by"),
    "roles": ("บทบาท", "Roles"),
    "scope": ("ขอบเขตสิทธิ์", "Scope"),
    "effective": ("วันที่มีผล", "Effective"),
    "legal_ref": ("อ้างอิงคำสั่ง/กฎหมาย", "Legal reference"),
    "data": ("ข้อมูลที่ลงนาม", "Signed data"),
    "key_status": ("สถานะกุญแจ", "Key status"),
    "key_revoked_at": ("วันที่เพิกถอนกุญแจ", "Key revoked at"),
    "signature": ("ลายมือชื่อดิจิทัล", "Signature"),
    "hash": ("ค่าแฮช", "Hash"),
    "key_id": ("รหัสกุญแจ", "Key ID"),
}
"""Column key -> its heading; a report's columns are named by these keys."""

TOTAL: Label = ("รวม", "Total")

CODES: dict[str, dict[str, Label]] = {
    "category": {
        "official": ("ข้าราชการส่วนท้องถิ่น", "Local official"),
        "teacher": ("ข้าราชการครูและบุคลากรทางการศึกษา", "Teacher"),
        "employee": ("ลูกจ้างประจำ", "Permanent employee"),
        "contract": ("พนักงานจ้าง", "Contract employee"),
    },
    "employment": {
        "pending": ("รอเริ่มปฏิบัติงาน", "Pending"),
        "active": ("ปฏิบัติงาน", "Active"),
        "suspended": ("สั่งพัก/ให้ออกไว้ก่อน", "Suspended"),
        "retired": ("เกษียณอายุ", "Retired"),
        "resigned": ("ลาออก", "Resigned"),
        "discharged": ("ปลดออก", "Discharged"),
        "dismissed": ("ไล่ออก", "Dismissed"),
        "removed": ("ให้ออก", "Removed"),
        "died": ("ถึงแก่กรรม", "Died"),
        "transferred_out": ("โอนออก", "Transferred out"),
        "contract_ended": ("สิ้นสุดสัญญาจ้าง", "Contract ended"),
    },
    "personal_data": {"erased": ("ลบข้อมูลส่วนบุคคลแล้ว", "Personal data erased")},
    "position": {
        "vacant": ("ว่าง", "Vacant"),
        "occupied": ("มีผู้ครอง", "Occupied"),
        "frozen": ("ตรึง/ยังไม่สรรหา", "Frozen"),
        "abolished": ("ยุบเลิก", "Abolished"),
    },
    "organization": {
        "pao": ("องค์การบริหารส่วนจังหวัด", "Provincial administrative organization"),
        "city_municipality": ("เทศบาลนคร", "City municipality"),
        "town_municipality": ("เทศบาลเมือง", "Town municipality"),
        "subdistrict_municipality": ("เทศบาลตำบล", "Subdistrict municipality"),
        "sao": ("องค์การบริหารส่วนตำบล", "Subdistrict administrative organization"),
        "pattaya": ("เมืองพัทยา", "Pattaya City"),
    },
    "cycle": {
        "draft": ("อยู่ระหว่างบันทึกข้อมูล", "Draft"),
        "submitted": ("เสนอผู้บังคับบัญชาแล้ว", "Submitted"),
        "lao_certified": ("อปท. รับรองแล้ว", "Certified by the LAO"),
        "province_verified": ("สถ.จ. ตรวจสอบและรับรองแล้ว", "Verified by the province"),
        "dla_accepted": ("สถ. รับข้อมูลแล้ว", "Accepted by the DLA"),
        "stale": ("แก้ไขหลังรับรอง", "Changed since certified"),
    },
    "record": {
        "draft": ("ยังไม่รับรอง", "Draft"),
        "submitted": ("เสนอแล้ว", "Submitted"),
        "certified": ("รับรองแล้ว", "Certified"),
        "stale": ("แก้ไขหลังรับรอง", "Changed since certified"),
    },
    "stage": {
        "lao": ("อปท. รับรอง", "LAO certification"),
        "province": ("สถ.จ. รับรอง", "Province verification"),
    },
    "key": {
        "enrolled": ("ลงทะเบียนแล้ว", "Enrolled"),
        "genesis": ("กุญแจตั้งต้นของระบบ", "Genesis"),
        "revoked": ("ถูกเพิกถอน", "Revoked"),
        "unknown": ("ไม่รู้จัก", "Unknown"),
    },
    "signature": {
        "verified": ("ถูกต้อง", "Verified"),
        "bad signature": ("ลายมือชื่อไม่ถูกต้อง", "Bad signature"),
        "hash mismatch": ("ค่าแฮชไม่ตรง", "Hash mismatch"),
        "broken chain": ("ลำดับเหตุการณ์ขาดตอน", "Broken chain"),
    },
    "leave": {
        "sick": ("ลาป่วย", "Sick leave"),
        "maternity": ("ลาคลอดบุตร", "Maternity leave"),
        "paternity": ("ลาไปช่วยเหลือภริยาที่คลอดบุตร", "Paternity leave"),
        "personal": ("ลากิจส่วนตัว", "Personal leave"),
        "vacation": ("ลาพักผ่อน", "Vacation leave"),
        "ordination_hajj": ("ลาอุปสมบท/ลาไปประกอบพิธีฮัจย์", "Ordination or Hajj leave"),
        "military": ("ลาเข้ารับการตรวจเลือก/เตรียมพล", "Military leave"),
        "study": ("ลาไปศึกษา ฝึกอบรม ดูงาน วิจัย", "Study leave"),
        "international": ("ลาไปปฏิบัติงานในองค์การระหว่างประเทศ", "International organization"),
        "follow_spouse": ("ลาติดตามคู่สมรส", "Leave to follow a spouse"),
        "rehabilitation": ("ลาไปฟื้นฟูสมรรถภาพด้านอาชีพ", "Vocational rehabilitation"),
    },
    "role": {
        "system": ("ระบบ", "System"),
        "dla_admin": ("ผู้ดูแลระบบ สถ.", "DLA administrator"),
        "lao_hr_officer": ("นักทรัพยากรบุคคล", "LAO HR officer"),
        "lao_superior": ("ผู้บังคับบัญชา", "Superior"),
        "lao_head": ("นายก อปท./ปลัด", "LAO head"),
        "record_owner": ("เจ้าของประวัติ", "Record owner"),
        "provincial_officer": ("เจ้าหน้าที่ สถ.จ.", "Provincial officer"),
        "committee_secretary": ("เลขานุการคณะกรรมการ", "Committee secretary"),
        "plan_analyst": ("เจ้าหน้าที่วิเคราะห์แผน", "Plan analyst"),
        "eplan_planning": ("บุคลากรด้านการวางแผน", "Planning officer"),
        "eplan_finance": ("บุคลากรด้านการคลัง", "Finance officer"),
        "eplan_education": ("บุคลากรด้านการศึกษา", "Education officer"),
        "eplan_engineering": ("บุคลากรด้านช่าง", "Engineering officer"),
        "auditor": ("ผู้ตรวจสอบ", "Auditor"),
    },
    "flag": {"True": ("ใช่", "Yes"), "False": ("ไม่ใช่", "No")},
}
"""Code list -> stored code -> its label."""


PLAIN_HEADINGS: dict[str, Label] = {
    "id": ("เลขอ้างอิงระบบ", "Reference"),
    "name": ("ชื่อ", "Name"),
    "plan": ("แผนพัฒนา (เลขอ้างอิง)", "Plan (reference)"),
    "strategy": ("ยุทธศาสตร์", "Strategy"),
    "title": ("ชื่อ", "Title"),
    "deferred_to": ("เลื่อนไปปีงบประมาณ", "Deferred to"),
    "budget": ("งบประมาณ (บาท)", "Budget (THB)"),
    "contracted": ("ลงนามสัญญา (บาท)", "Contracted (THB)"),
    "disbursed": ("เบิกจ่ายแล้ว (บาท)", "Disbursed (THB)"),
    "carried_over": ("กันเงินเหลื่อมปี (บาท)", "Carried over (THB)"),
    "progress": ("ความก้าวหน้า (%)", "Progress (%)"),
    "progress_on": ("ความก้าวหน้า ณ วันที่", "Progress on"),
    "located": ("มีพิกัด", "Located"),
    "first_year": ("ปีแรกของแผน", "First year"),
    "last_year": ("ปีสุดท้ายของแผน", "Last year"),
    "vision": ("วิสัยทัศน์", "Vision"),
    "amendment": ("ฉบับเพิ่มเติม/เปลี่ยนแปลง", "Amendment"),
    "approved_amendment": ("ฉบับที่อนุมัติแล้ว", "Approved amendment"),
    "projects": ("โครงการ", "Projects"),
    "drafted_on": ("จัดทำเมื่อ", "Drafted on"),
}
"""Headings of the tables drawn from JSON rows (``sheets.plain_sheet``), where a key may mean
something other than in the registry's reports (a project's ``title``, its ``budget``)."""


def plain_heading(key: str, keys: frozenset[str]) -> Label:
    """A plain table's heading for ``key``: a Thai label beside a code (``status_th``) or a
    Buddhist-era date beside an ISO one takes the plain name, and the column beside it says
    it holds the code (or the Common-Era date)."""
    if key.endswith("_th") and key[:-3] in keys:
        return _label(key[:-3])
    label = _label(key)
    if f"{key}_th" in keys and key.endswith(("_on", "_at", "_date")):
        return (f"{label[0]} (ค.ศ.)", f"{label[1]} (ISO)")
    if f"{key}_th" in keys:
        return (f"{label[0]} (รหัส)", f"{label[1]} (code)")
    return label


def _label(key: str) -> Label:
    return PLAIN_HEADINGS.get(key) or HEADINGS.get(key) or (key, key)


def heading(key: str, lang: Lang) -> str:
    """A column's heading (its key when it has none)."""
    label = HEADINGS.get(key)
    return key if label is None else word(label, lang)


def code_label(codes: str, value: str, lang: Lang) -> str:
    """The label of a stored code (the code itself when the list has no label for it)."""
    label = CODES.get(codes, {}).get(value)
    return value if label is None else word(label, lang)
