"""The rules of a personnel record (ทะเบียนประวัติ ก.พ.๗) that an entry or a status event may
break, each a refusal of the catalogue (``ledger.violations``) with its Thai and English
message: which entries a correction, a void or a return may name, the employment status an
event may follow, custody and transfers, retirement and contracts. The rules that read the
person's service (separation, leave, the retirement day) are ``ledger.domain.record_rules``.
Messages name entries, versions, statuses, LAO codes and dates, never the person.
"""

from __future__ import annotations

from ledger.violations import rule

STATUS_TRANSITION = rule(
    "record.status_transition",
    "บันทึก {event} ไม่ได้ขณะสถานภาพของบุคลากรเป็น {status}",
    "{event} is not allowed while the employment status is {status}",
)
UNKNOWN_ENTRY = rule(
    "record.unknown_entry",
    "ทะเบียนประวัตินี้ไม่มีรายการที่ {entry}",
    "the record has no entry {entry}",
)
ENTRY_VOIDED = rule(
    "record.entry_voided",
    "รายการที่ {entry} ถูกยกเลิกแล้ว",
    "entry {entry} is voided",
)
ENTRY_TYPE = rule(
    "record.entry_type",
    "รายการที่ {entry} ของทะเบียนประวัตินี้ไม่ใช่รายการประเภท {type}",
    "entry {entry} of the record is not a {type} entry",
)
VERSION_SUPERSEDED = rule(
    "record.version_superseded",
    "ข้อมูลฉบับที่ {version} ถูกแก้ไขแล้ว ฉบับปัจจุบันคือฉบับที่ {current} (ให้แก้ไขจากฉบับปัจจุบัน)",
    "version {version} was superseded: the current one is {current} (correct that one)",
)
UNKNOWN_VERSION = rule(
    "record.unknown_version",
    "ฉบับที่ {version} ไม่ใช่รายการของทะเบียนประวัตินี้",
    "version {version} is not an entry of the record",
)
CORRECTION_UNCHANGED = rule(
    "record.correction_unchanged",
    "ข้อมูลที่ขอแก้ไขตรงกับข้อมูลปัจจุบันของรายการ ไม่มีสิ่งใดเปลี่ยน",
    "the replacement equals the entry's current data: nothing changes",
)
HEADER_NOT_VOIDABLE = rule(
    "record.header_not_voidable",
    "ข้อมูลทั่วไปของทะเบียนประวัติ (รายการที่ 1) แก้ไขได้ แต่ยกเลิกไม่ได้",
    "the record's header (entry 1) is corrected, never voided",
)
CUSTODY_BY_TRANSFER = rule(
    "record.custody_by_transfer",
    "อปท. ที่ดูแลทะเบียนประวัติเปลี่ยนได้ด้วยการโอน (โอนออกและรับโอน) เท่านั้น ไม่ใช่ด้วยการแก้ไขข้อมูล",
    "the LAO holding a record changes by transfer, not by correction",
)
SALARY_ROUND_DATE = rule(
    "record.salary_round_date",
    "การเลื่อนขั้นเงินเดือนตามรอบการประเมินต้องมีผลวันที่ 1 เมษายน หรือ 1 ตุลาคม (ได้รับ {effective})",
    "a salary-round promotion takes effect on 1 April or 1 October (got {effective})",
)
DECORATION_RETURNED = rule(
    "record.decoration_returned",
    "เครื่องราชอิสริยาภรณ์รายการที่ {entry} ส่งคืนแล้ว",
    "the decoration of entry {entry} was returned",
)
AMNESTY_APPLIED = rule(
    "record.amnesty_applied",
    "โทษทางวินัยรายการที่ {entry} ได้รับการล้างมลทินแล้ว",
    "the penalty of entry {entry} already has amnesty",
)
LEAVE_YEAR_SUMMARISED = rule(
    "record.leave_year_summarised",
    "มีสรุปวันลาของปีงบประมาณ {year} แล้ว (รายการที่ {entry})",
    "the leave of fiscal year {year} is already summarised (entry {entry})",
)
UNKNOWN_CHANGE_REQUEST = rule(
    "record.unknown_change_request",
    "ทะเบียนประวัตินี้ไม่มีคำขอแก้ไขข้อมูลรายการที่ {request}",
    "the record has no change request {request}",
)
CHANGE_REQUEST_SECTION = rule(
    "record.change_request_section",
    "เจ้าของประวัติขอแก้ไขหมวด{section_th}ไม่ได้: ขอแก้ไขได้เฉพาะหมวดของ ก.พ.๗"
    " ที่เจ้าหน้าที่บันทึกเป็นรายการ ({sections})",
    "a record owner may not ask to change the section {section}: only a section of the KP7"
    " that HR records as entries ({sections})",
)
CHANGE_REQUEST_RESOLVED = rule(
    "record.change_request_resolved",
    "คำขอแก้ไขข้อมูลรายการที่ {request} พิจารณาแล้ว ({outcome})",
    "change request {request} is already resolved ({outcome})",
)
TRANSFER_TO_SAME_LAO = rule(
    "record.transfer_to_same_lao",
    "ทะเบียนประวัติอยู่ในความดูแลของ อปท. รหัส {lao} อยู่แล้ว จึงโอนไปยัง อปท. เดิมไม่ได้",
    "the record is already held by LAO {lao}",
)
TRANSFER_FROM = rule(
    "record.transfer_from",
    "ทะเบียนประวัตินี้โอนออกจาก อปท. รหัส {lao} ไม่ใช่ {from_lao}",
    "the record was transferred out of LAO {lao}, not {from_lao}",
)
NOT_CONTRACT_STAFF = rule(
    "record.not_contract_staff",
    "การสิ้นสุดสัญญาจ้าง (ContractEnded) ใช้กับพนักงานจ้างเท่านั้น บุคลากรนี้เป็นประเภท {category}",
    "only contract staff have contracts (this person is {category})",
)
CONTRACT_STAFF_RETIREMENT = rule(
    "retirement.contract_staff",
    "พนักงานจ้างไม่เกษียณอายุราชการ: การพ้นจากงานของพนักงานจ้างบันทึกด้วยการสิ้นสุดสัญญาจ้าง (ContractEnded)",
    "contract staff do not retire: they leave through ContractEnded",
)
LAST_DAY = rule(
    "retirement.last_day",
    "ตามวันเกิด วันสุดท้ายที่รับราชการคือวันที่ {expected} ไม่ใช่วันที่ {last_day}",
    "by the birth date the last day in service is {expected}, not {last_day}",
)
RETIREMENT_YEAR = rule(
    "retirement.fiscal_year",
    "ตามวันเกิด บุคลากรนี้เกษียณอายุราชการเมื่อสิ้นปีงบประมาณ {due} (วันสุดท้ายที่รับราชการ {last_day})",
    "by the birth date the person retires at the end of fiscal year {due} (last day {last_day})",
)
RETIREMENT_SCHEDULED = rule(
    "retirement.already_scheduled",
    "แจ้งการเกษียณอายุราชการของปีงบประมาณ {fiscal_year} ไว้แล้ว",
    "the retirement is already scheduled for fiscal year {fiscal_year}",
)


def entry_field(name: str, corrected: int | None) -> str:
    """The path of an entry's field ``name``: under ``data``, or under ``data.replacement``
    when a correction (of entry ``corrected``) carries the entry's data."""
    return f"data.replacement.{name}" if corrected is not None else f"data.{name}"
