"""Valid data for every domain event type, as statements carry it (JSON values, money as text).

All people, organizations and orders are made up. Builders take the few values a test varies.
"""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID

from ledger.domain.permissions import Scope
from tests.people import fresh_cid


def order(
    number: str = "1/2562", day: str = "2019-03-25", issuer: str = "นายก อบต."
) -> dict[str, Any]:
    return {"number": number, "date": day, "issuer": issuer}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Organizations and positions.


def organization(
    code: str, province: str, type: str = "sao", name: str = "องค์การบริหารส่วนตำบลตัวอย่าง"
) -> dict[str, Any]:
    return {"code": code, "name": name, "type": type, "province": province, "district": "เมือง"}


def unit(code: str, kind: str = "division", parent: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"unit": code, "kind": kind, "name": f"หน่วยงาน {code}"}
    if parent is not None:
        data["parent"] = parent
    return data


def position(
    scope: Scope, number: str, category: str = "official", unit: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "lao": scope.lao,
        "province": scope.province,
        "number": number,
        "title": "นักทรัพยากรบุคคล",
        "line": "ทรัพยากรบุคคล",
        "position_type": "วิชาการ",
        "level": "ปฏิบัติการ",
        "category": category,
    }
    if unit is not None:
        data["unit"] = unit
    return data


# Personnel records.


def record(
    scope: Scope,
    cid: str | None = None,
    category: str = "official",
    birth_date: str = "1970-10-01",
) -> dict[str, Any]:
    """A record's header; without ``cid``, a person of its own (``people.fresh_cid``)."""
    return {
        "cid": cid or fresh_cid(),
        "category": category,
        "lao": scope.lao,
        "province": scope.province,
        "birth_date": birth_date,
    }


def education(n: int = 0) -> dict[str, Any]:
    return {
        "institution": "มหาวิทยาลัยนครพนม",
        "qualification": f"ปริญญาตรี {n}",
        "major": "รัฐประศาสนศาสตร์",
        "finished": "1992-03-31",
    }


def salary_entry(salary: str = "21010.00", number: str = "00-0101-001") -> dict[str, Any]:
    return {
        "movement_type": "เลื่อนขั้นเงินเดือน",
        "position_no": number,
        "position_title": "นักทรัพยากรบุคคล",
        "level": "ปฏิบัติการ",
        "salary": salary,
        "allowance": "1500.00",
        "order": order("12/2562", "2019-03-20"),
        "line": "ทรัพยากรบุคคล",
    }


def certificate(record: Any, kind: str = "salary", as_of: str = "2019-04-01") -> dict[str, Any]:
    """A certificate of the kit's LAO about ``record`` whose salary line is ``salary_entry()``."""
    line = salary_entry()
    return {
        "kind": kind,
        "record": str(record),
        "lao": "6480101",
        "province": "นครพนม",
        "as_of": as_of,
        "position_title": line["position_title"],
        "level": line["level"],
        **({"salary": line["salary"]} if kind == "salary" else {}),
        "purpose": "ประกอบการขอสินเชื่อ",
    }


GAZETTE = {"date": "2019-07-05", "volume": "136", "part": "12 ข", "page": "1", "sequence": "45"}

ERASURE = {
    "legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. ๒๕๖๒ มาตรา ๓๓ คำขอที่ ๑/๒๕๖๙",
    "reason": "เจ้าของข้อมูลขอให้ลบหลังพ้นระยะเวลาเก็บรักษา",
}
"""A person's erasure (PersonErased): its legal basis and reason."""

ENTRY_DATA: dict[str, dict[str, Any]] = {
    "PersonalDataRecorded": {
        "prefix": "นาย",
        "first_name": "สมมติ",
        "last_name": "ทดสอบ",
        "sex": "male",
        "appointed_on": "2010-05-01",
        "service_started": "2010-05-03",
        "gpf_member": True,
    },
    "NameChanged": {"prefix": "นาย", "first_name": "สมมุติ", "last_name": "ทดลอง"},
    "AddressChanged": {"address": "๙๙ หมู่ ๑ ตำบลตัวอย่าง อำเภอเมือง", "phone": "042 000 000"},
    "PhotoAttached": {"year": 2562, "sha256": sha("photo"), "media_type": "image/jpeg"},
    "FamilyMemberRecorded": {"relation": "spouse", "first_name": "สมศรี", "last_name": "ทดสอบ"},
    "EducationAdded": education(),
    "LicenseRecorded": {
        "name": "ใบอนุญาตประกอบวิชาชีพครู",
        "issuer": "คุรุสภา",
        "number": "P-000001",
        "valid_from": "2015-01-01",
        "valid_until": "2020-01-01",
    },
    "TrainingRecorded": {
        "course": "หลักสูตรการใช้ระบบ LHR",
        "batch": "2",
        "organiser": "สถ.จ.นครพนม",
        "started": "2019-07-08",
        "finished": "2019-07-10",
    },
    "PositionSalaryEntryAdded": salary_entry(),
    "DecorationRecorded": {
        "decoration": "เบญจมาภรณ์ช้างเผือก (บ.ช.)",
        "gazette": GAZETTE,
        "received": "2018-12-05",
    },
    "LeaveTaken": {"leave_type": "sick", "start": "2019-06-03", "end": "2019-06-04", "days": "2"},
    "LeaveYearSummarised": {
        "year": 2562,
        "sick_times": 2,
        "sick_days": "3.5",
        "personal_vacation_times": 0,
        "personal_vacation_days": "0",
        "late_times": 1,
    },
    "PenaltyImposed": {"penalty": "reprimand", "detail": "มาสายเกินกำหนด", "order": order("5/2561")},
    "UnpaidPeriodRecorded": {
        "kind": "no_pay",
        "start": "2018-01-01",
        "end": "2018-01-10",
        "detail": "ลาเกินสิทธิ์",
    },
    "SpecialServiceRecorded": {"item": "ปฏิบัติหน้าที่ในพื้นที่น้ำท่วม"},
    "AbilityRecorded": {"ability": "ภาษาลาว"},
    "MeritRecorded": {"item": "ข้าราชการดีเด่น", "year": 2561},
    "AcademicWorkRecorded": {"title": "การพัฒนาหลักสูตรท้องถิ่น", "year": 2560},
    "OtherItemRecorded": {"item": "ได้รับเงินรางวัลประจำปี"},
    "DocumentScanned": {
        "kind": "kp7_original",
        "sha256": sha("scan"),
        "media_type": "application/pdf",
        "pages": 4,
    },
}
"""Data of each entry event that needs no other entry."""


def status_data(type: str, **extra: Any) -> dict[str, Any]:
    """Data of an employment status event (what each needs beyond the order)."""
    base: dict[str, Any] = {
        "EmploymentStarted": {"kind": "appointed", "order": order("20/2562")},
        "Suspended": {"order": order("21/2562"), "reason": "ระหว่างสอบสวนทางวินัย"},
        "Reinstated": {"order": order("22/2562")},
        "TransferredOut": {"to_lao": "6630101", "to_province": "ตาก", "order": order("23/2562")},
        "TransferredIn": {"from_lao": "6480101", "order": order("24/2562")},
        "Resigned": {"order": order("25/2562")},
        "Discharged": {"order": order("26/2562")},
        "Dismissed": {"order": order("27/2562")},
        "RemovedFromService": {"order": order("28/2562")},
        "Died": {"died_on": "2020-01-01"},
        "ContractEnded": {"order": order("29/2562")},
        "SeparationRevoked": {"legal_ref": order("30/2562"), "reason": "อุทธรณ์ฟังขึ้น"},
    }.get(type, {})
    return {**base, **extra}


# Certification.


def cycle(
    scope: Scope,
    name: str,
    lao_deadline: str = "2019-07-31",
    province_deadline: str = "2019-08-15",
) -> dict[str, Any]:
    return {
        "lao": scope.lao,
        "province": scope.province,
        "cycle": name,
        "lao_deadline": lao_deadline,
        "province_deadline": province_deadline,
        "dla_deadline": "2019-08-31",
    }


def returned(reason: str = "ข้อมูลไม่ครบ") -> dict[str, Any]:
    return {"sections": ["education", "leave"], "reason": reason}


# e-Plan.


def plan(scope: Scope, first: int = 2561, last: int = 2565) -> dict[str, Any]:
    return {"lao": scope.lao, "province": scope.province, "first_year": first, "last_year": last}


def project(
    plan_id: UUID,
    scope: Scope,
    years: dict[str, str | None] | None = None,
    strategy: str = "1",
    amendment: int = 0,
) -> dict[str, Any]:
    return {
        "plan": str(plan_id),
        "lao": scope.lao,
        "province": scope.province,
        "strategy": strategy,
        "title": "ก่อสร้างถนนคอนกรีตเสริมเหล็ก หมู่ ๓",
        "years": years if years is not None else {"2562": "450000.00", "2563": None},
        "amendment": amendment,
    }


def budget(fiscal_year: int = 2562, amount: str = "450000.00") -> dict[str, Any]:
    return {"fiscal_year": fiscal_year, "amount": amount, "source": "own_revenue"}


def contract(number: str = "7/2562", amount: str = "430000.00") -> dict[str, Any]:
    return {
        "contract_no": number,
        "party": "หจก.ก่อสร้างตัวอย่าง",
        "amount": amount,
        "signed_on": "2019-01-15",
    }


POINT = {"geometry": {"type": "Point", "coordinates": [104.78, 17.41]}}
LINE = {"geometry": {"type": "LineString", "coordinates": [[104.78, 17.41], [104.79, 17.42]]}}


def subsidy(
    scope: Scope,
    item: str,
    sector: str = "education",
    kind: str = "general",
    fiscal_year: int = 2562,
    amount: str = "120000.00",
) -> dict[str, Any]:
    return {
        "lao": scope.lao,
        "province": scope.province,
        "fiscal_year": fiscal_year,
        "kind": kind,
        "item": item,
        "title": f"เงินอุดหนุน {item}",
        "sector": sector,
        "amount": amount,
    }
