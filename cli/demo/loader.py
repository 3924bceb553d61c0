"""Demo data: operators, the 69 LAOs of Tak with the e-Plan data of the seed's status table, and
a Nakhon Phanom LAO with personnel records, positions, a certification cycle and retirements.

Everything here is invented (PDPA): citizen IDs are generated to pass the checksum, and no
name, address or photo of a real person appears. Every fact is a signed statement, checked by
the ledger like any other; they go in batches (``cli.demo.writer``). Loading twice adds nothing.

The Nakhon Phanom LAO (เทศบาลตำบลตัวอย่าง, 6480101) shows what the reports read:

* ten staff of every category (two more in ``cli.demo.day``) with their ก.พ.๗ entries (two
  of them incomplete), positions of the frame (three vacant, one frozen), leave, and a
  backdated order: a special promotion effective 1 April 2562, signed after the 1 October 2562
  promotion it precedes;
* its certification cycle 2562: the snapshot of its records submitted, certified by the LAO head
  (signed as of 25 July) and verified by the province; a record changed afterwards is stale.
  The certification is recorded when the demo loads, after the 31 July 2562 deadline, so LPA
  2.9 (judged on transaction time) scores it 0, as it would a late certification dated back;
* the retirement round of FY2563 (RetirementScheduled by the system key) and one retirement;
* its annual expenditure budgets for FY2562 and FY2563 (the Section 35 denominators).

What waits for each operator on the day the demo starts (earlier certification rounds, one
returned and one waiting for the LAO head, an owner's change request, located e-Plan projects)
is ``cli.demo.day``'s.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cli.demo import day as demo_day
from cli.demo import tak as demo_tak
from cli.demo.writer import BatchWriter, Operator
from cli.options import load_or_create_key
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.dates import thai_today
from ledger.domain.operators import KeyStorage
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import NATIONAL, Role, Scope, province_scope
from ledger.domain.positions import position_stream_id
from ledger.domain.rules import cid_check_digit
from ledger.genesis import enrolment_data, initialise
from ledger.processes import lao_snapshot, schedule_retirements
from ledger.signing import SoftwareSigner
from projections.transparency.projection import TransparencyProjection
from projections.views.catalogue import Projections

SOFTWARE = KeyStorage(kind="software")
NAKHON_PHANOM = Scope(level="lao", province="นครพนม", lao="6480101")
TAK = Scope(level="lao", province="ตาก", lao="3630003")
"""The Tak LAO of the demo's HR officer: เทศบาลเมืองตาก, row 3 of the seed's table."""
DEMO_NAMESPACE = uuid.UUID("6b9d1f3e-0c5a-4e0b-9a51-2f1d3c4b5a69")
CYCLE = "2562"


def demo_cid(n: int) -> str:
    """A made-up citizen ID (category 1, a series no real registry issues to these people)."""
    first = f"19999{n:07d}"
    return first + str(cid_check_digit(first))


def record_stream(n: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"record-{n}")


OPERATORS: dict[str, tuple[int, list[Role], Scope]] = {
    "hr-nakhonphanom": (2, [Role.LAO_HR_OFFICER], NAKHON_PHANOM),
    "hr-tak": (3, [Role.LAO_HR_OFFICER], TAK),
    "auditor": (4, [Role.AUDITOR], NATIONAL),
    "head-nakhonphanom": (5, [Role.LAO_HEAD], NAKHON_PHANOM),
    "province-nakhonphanom": (6, [Role.PROVINCIAL_OFFICER], province_scope("นครพนม")),
    "finance-nakhonphanom": (7, [Role.EPLAN_FINANCE], NAKHON_PHANOM),
    "planning-tak": (8, [Role.EPLAN_PLANNING], province_scope("ตาก")),
    "finance-tak": (9, [Role.EPLAN_FINANCE], province_scope("ตาก")),
    **demo_day.OPERATORS,
}
"""Key file name -> (citizen ID number, roles, scope). The admin is number 1; the record owner's
number is her record's (``cli.demo.day``), by which she is enrolled (no citizen ID)."""

# Made-up staff of the Nakhon Phanom LAO: (n, category, birth date, prefix, first name,
# last name, position title, line, level, salary, allowance, position number, education?,
# personal data?). Birth dates put three retirements in FY2563-2565.
STAFF: list[tuple[Any, ...]] = [
    (101, "official", "1960-03-15", "นาย", "สมมติ", "ใจดีทดลอง", "ปลัดเทศบาล",
     "นักบริหารงานท้องถิ่น", "นักบริหารงานท้องถิ่น ระดับกลาง", "58390.00", "7000.00",
     "00-0101-001", True, True),
    (102, "official", "1985-10-02", "นางสาว", "ตัวอย่าง", "สมมุติวงศ์", "นักทรัพยากรบุคคล",
     "ทรัพยากรบุคคล", "ปฏิบัติการ", "21010.00", None, "00-0302-001", True, True),
    (103, "teacher", "1979-02-28", "นาง", "จำลอง", "ทดสอบศรี", "ครู", "ครู",
     "ครูชำนาญการพิเศษ", "41620.00", "5600.00", "01-0001-003", True, True),
    (104, "official", "1961-01-20", "นาย", "สมมุติ", "ตัวอย่างยิ่ง", "ผู้อำนวยการกองคลัง",
     "นักบริหารงานการคลัง", "อำนวยการท้องถิ่น ระดับต้น", "45000.00", "5600.00",
     "00-0401-001", True, True),
    (105, "official", "1975-06-10", "นาง", "ทดลอง", "จำลองกุล", "นักวิชาการเงินและบัญชี",
     "วิชาการเงินและบัญชี", "ชำนาญการ", "32000.00", None, "00-0403-001", True, True),
    (106, "teacher", "1961-09-30", "นาย", "ตัวแทน", "สมมติชัย", "ครู", "ครู", "ครูชำนาญการ",
     "39000.00", "3500.00", "01-0001-004", True, True),
    (107, "employee", "1962-05-05", "นาย", "ทดแทน", "ตัวอย่างดี", "พนักงานขับรถยนต์",
     "ขับรถยนต์", "ลูกจ้างประจำ", "18500.00", None, "00-0101-901", True, True),
    (108, "contract", "1990-12-01", "นางสาว", "ลองดู", "สมมุติสุข", "ผู้ช่วยเจ้าพนักงานพัสดุ",
     "พัสดุ", "พนักงานจ้างตามภารกิจ", "15000.00", None, "00-0402-801", False, True),
    (109, "official", "1960-08-01", "นาย", "สมมติ", "ช่างทดลอง", "นายช่างโยธา", "ช่างโยธา",
     "อาวุโส", "30000.00", None, "00-0501-001", True, True),
    (110, "official", "1988-01-15", "นางสาว", "ตัวอย่าง", "แผนจำลอง", "นักวิเคราะห์นโยบายและแผน",
     "วิเคราะห์นโยบายและแผน", "ปฏิบัติการ", "19500.00", None, "00-0102-001", True, False),
]  # fmt: skip
VACANT_POSITIONS = [
    ("00-0501-002", "นายช่างโยธา", "ช่างโยธา", "ปฏิบัติงาน", "official", False),
    ("01-0001-005", "ครู", "ครู", "ครูผู้ช่วย", "teacher", False),
    ("00-0102-002", "นักวิเคราะห์นโยบายและแผน", "วิเคราะห์นโยบายและแผน", "ปฏิบัติการ", "official",
     True),
]  # fmt: skip
"""(number, title, line, level, category, frozen)."""
BUDGETS = {2562: "7500000.00", 2563: "12500000.00"}
"""The Nakhon Phanom LAO's annual expenditure budgets: FY2562 ends over the 40% limit."""

APPOINTED_ON = date(2019, 4, 1)
REGISTERED_ON = date(2015, 10, 1)
"""When the Nakhon Phanom LAO was registered: before any of its records takes effect."""


def _order(
    number: str, day: str = "2019-03-25", issuer: str = "นายกเทศมนตรีตำบลตัวอย่าง"
) -> dict[str, str]:
    return {"number": number, "date": day, "issuer": issuer}


def load(ledger: Ledger, keys_dir: Path) -> list[str]:
    """Load the demo into ``ledger`` (once), bring its views up to date, and return lines
    describing what is there."""
    keys = {
        name: load_or_create_key(keys_dir / f"{name}.key")
        for name in ("system", "admin", *OPERATORS)
    }
    if ledger.registry() is None:
        _load(ledger, keys)
        outcome = "demo data loaded"
    else:
        outcome = "demo data already present; nothing added"
    projections = Projections.open(ledger)
    try:
        projections.catch_up()
    finally:
        projections.close()
    count = ledger.recorder.max_notification_id() or 0
    sealed = TransparencyProjection(ledger, keys["system"]).seal()
    return [
        f"{outcome}: ledger {ledger.settings.name} holds {count} signed events",
        f"transparency log: a checkpoint signed by the system key covers "
        f"{sealed.tree_size if sealed else 0} events",
        f"trust anchor: system key {keys['system'].key_id}",
        f"demo operators' software keys are in {keys_dir}/ (development only)",
        "views are current; the seed's Tak table: ledger report eplan-status "
        f"--database-url {_public_url(ledger.settings.database_url)} --name "
        f"{ledger.settings.name} --province ตาก --fiscal-year 2560 --as-of 03/10/2559",
    ]


def _public_url(url: str) -> str:
    """The database URL without its password (it is printed)."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _load(ledger: Ledger, keys: dict[str, SoftwareSigner]) -> None:
    admin_cid = demo_cid(1)
    admin = Operator(keys["admin"], admin_cid)
    initialise(
        ledger,
        system_signer=keys["system"],
        system_storage=SOFTWARE,
        admin_cid=admin_cid,
        admin_public_key=keys["admin"].public_key,
        admin_storage=SOFTWARE,
    )
    ops = {
        name: Operator(keys[name], None if name == demo_day.OWNER else demo_cid(n))
        for name, (n, _, _) in OPERATORS.items()
    }
    writer = BatchWriter(ledger)
    # DLA registers the LAOs first: an operator's LAO scope names a registered organization.
    _organizations(writer, admin)
    demo_tak.load_organizations(writer, admin)
    writer.flush()
    officers = [name for name in OPERATORS if name != demo_day.OWNER]
    _enrol(writer, admin, keys, officers)
    demo_tak.load_eplan(writer, ops["planning-tak"], ops["finance-tak"])
    _staff(writer, ops["hr-nakhonphanom"])
    # The record owner is enrolled by her record, once it is open: no citizen ID in the log.
    owner_record = record_stream(demo_day.OWNER_RECORD)
    _enrol(writer, admin, keys, [demo_day.OWNER], record=owner_record)
    demo_day.before_certification(writer, ops[demo_day.OWNER], owner_record)
    _tak_staff(writer, ops["hr-tak"])
    _budgets(writer, ops["finance-nakhonphanom"])
    writer.flush()
    schedule_retirements(ledger, keys["system"], 2563, today=date(2020, 1, 15))
    writer.forget()
    _certify(ledger, writer, ops)
    _after_certification(writer, ops["hr-nakhonphanom"])
    demo_day.load(ledger, writer, ops, admin)
    writer.flush()


def _enrol(
    writer: BatchWriter,
    admin: Operator,
    keys: dict[str, SoftwareSigner],
    names: list[str],
    record: uuid.UUID | None = None,
) -> None:
    """DLA enrols these operators (by citizen ID; the record owner by her ``record``)."""
    for name in names:
        n, roles, scope = OPERATORS[name]
        cid, key = demo_cid(n) if record is None else None, keys[name].public_key
        data = enrolment_data(
            cid=cid, public_key=key, roles=roles, scope=scope, storage=SOFTWARE, record=record
        )
        writer.add(admin, writer.ledger.registry_id, "OperatorEnrolled", data, date(2019, 5, 31))
    writer.flush()


def _organizations(writer: BatchWriter, admin: Operator) -> None:
    """DLA registers the Nakhon Phanom LAO and opens its certification cycle 2562."""
    lao, province = str(NAKHON_PHANOM.lao), str(NAKHON_PHANOM.province)
    writer.add(
        admin,
        organization_stream_id(lao),
        "OrganizationRegistered",
        {
            "code": lao,
            "name": "เทศบาลตำบลตัวอย่าง",
            "type": "subdistrict_municipality",
            "province": province,
            "district": "เมืองนครพนม",
        },
        REGISTERED_ON,
    )
    writer.add(
        admin,
        certification_stream_id(lao, CYCLE),
        "CycleOpened",
        {
            "lao": lao,
            "province": province,
            "cycle": CYCLE,
            "lao_deadline": "2019-07-31",
            "province_deadline": "2019-08-15",
            "dla_deadline": "2019-08-31",
        },
        date(2019, 6, 1),
    )


def _staff(writer: BatchWriter, hr: Operator) -> None:
    lao, province = str(NAKHON_PHANOM.lao), str(NAKHON_PHANOM.province)
    for person in (*STAFF, *demo_day.STAFF):
        (n, category, born, prefix, first, last, title, line, level, salary, allowance,
         number, educated, described) = person  # fmt: skip
        stream = record_stream(n)
        writer.new_stream(stream)
        entries: list[tuple[str, dict[str, Any], date]] = [
            (
                "RecordOpened",
                {
                    "cid": demo_cid(n),
                    "category": category,
                    "lao": lao,
                    "province": province,
                    "birth_date": born,
                },
                APPOINTED_ON,
            )
        ]
        if described:
            entries.append(
                (
                    "PersonalDataRecorded",
                    {"prefix": prefix, "first_name": first, "last_name": last},
                    APPOINTED_ON,
                )
            )
        if educated:
            entries.append(
                (
                    "EducationAdded",
                    {
                        "institution": "มหาวิทยาลัยนครพนม",
                        "qualification": "ปริญญาตรี",
                        "finished": "2008-03-31",
                    },
                    date(2008, 3, 31),
                )
            )
        salary_line: dict[str, Any] = {
            "movement_type": "เลื่อนขั้นเงินเดือน",
            "position_no": number,
            "position_title": title,
            "line": line,
            "level": level,
            "salary": salary,
            "order": _order(f"{n}/2562"),
        }
        if allowance is not None:
            salary_line["allowance"] = allowance
        entries.append(("PositionSalaryEntryAdded", salary_line, APPOINTED_ON))
        entries.append(
            (
                "EmploymentStarted",
                {
                    "kind": "contracted" if category == "contract" else "appointed",
                    "order": _order(f"1{n}/2562"),
                },
                APPOINTED_ON,
            )
        )
        for type_, data, effective in entries:
            writer.add(hr, stream, type_, data, effective)
        position = position_stream_id(lao, number)
        writer.new_stream(position)
        writer.add(hr, position, "PositionCreated", _position(number, title, line, level, category),
                   APPOINTED_ON)  # fmt: skip
        writer.add(
            hr,
            position,
            "PositionHolderAssigned",
            {"record": str(stream), "order": _order(f"2{n}/2562")},
            APPOINTED_ON,
        )
    for number, title, line, level, category, frozen in VACANT_POSITIONS:
        position = position_stream_id(lao, number)
        writer.new_stream(position)
        writer.add(hr, position, "PositionCreated", _position(number, title, line, level, category),
                   APPOINTED_ON)  # fmt: skip
        if frozen:
            writer.add(hr, position, "PositionFrozen", {"reason": "รอการปรับแผนอัตรากำลัง"},
                       APPOINTED_ON)  # fmt: skip
    clerk = record_stream(102)
    writer.add(
        hr,
        clerk,
        "LeaveTaken",
        {"leave_type": "sick", "start": "2019-06-03", "end": "2019-06-04", "days": "2"},
        date(2019, 6, 3),
    )
    writer.add(
        hr,
        clerk,
        "LeaveYearSummarised",
        {"year": 2562, "sick_times": 1, "sick_days": "2", "late_times": 0},
        date(2019, 9, 30),
    )
    # The backdated order: a promotion effective 1 October 2562, then a special promotion
    # effective 1 April 2562 signed after it.
    accountant = record_stream(105)
    for salary, effective, order in (
        ("33000.00", date(2019, 10, 1), "305/2562"),
        ("32500.00", date(2019, 4, 1), "318/2562"),
    ):
        writer.add(
            hr,
            accountant,
            "PositionSalaryEntryAdded",
            {
                "movement_type": "เลื่อนขั้นเงินเดือน",
                "position_no": "00-0403-001",
                "position_title": "นักวิชาการเงินและบัญชี",
                "line": "วิชาการเงินและบัญชี",
                "level": "ชำนาญการ",
                "salary": salary,
                "order": _order(order, "2019-10-15"),
            },
            effective,
        )


def _position(number: str, title: str, line: str, level: str, category: str) -> dict[str, Any]:
    return {
        "lao": NAKHON_PHANOM.lao,
        "province": NAKHON_PHANOM.province,
        "number": number,
        "title": title,
        "line": line,
        "position_type": "ทั่วไป" if category in ("employee", "contract") else "วิชาการ",
        "level": level,
        "category": category,
    }


def _tak_staff(writer: BatchWriter, hr: Operator) -> None:
    """A contract engineer of เทศบาลเมืองตาก, signed by that LAO's HR officer."""
    stream = record_stream(201)
    writer.new_stream(stream)
    lao, province = str(TAK.lao), str(TAK.province)
    for type_, data in (
        (
            "RecordOpened",
            {
                "cid": demo_cid(201),
                "category": "contract",
                "lao": lao,
                "province": province,
                "birth_date": "1992-06-15",
            },
        ),
        (
            "EducationAdded",
            {
                "institution": "มหาวิทยาลัยนเรศวร",
                "qualification": "วิศวกรรมศาสตรบัณฑิต",
                "finished": "2014-03-31",
            },
        ),
        (
            "PositionSalaryEntryAdded",
            {
                "movement_type": "บรรจุ",
                "position_no": "00-0401-002",
                "position_title": "วิศวกรโยธา",
                "level": "พนักงานจ้างตามภารกิจ",
                "salary": "18000.00",
                "order": _order("123/2562", issuer="นายกเทศมนตรีเมืองตาก"),
            },
        ),
        ("EmploymentStarted", {"kind": "contracted", "order": _order("100/2562")}),
    ):
        writer.add(hr, stream, type_, data, APPOINTED_ON)


def _budgets(writer: BatchWriter, finance: Operator) -> None:
    organization = organization_stream_id(str(NAKHON_PHANOM.lao))
    for year, amount in sorted(demo_day.budgets(thai_today(), BUDGETS).items()):
        writer.add(
            finance,
            organization,
            "AnnualBudgetEnacted",
            {
                "fiscal_year": year,
                "amount": amount,
                "ordinance": _order(f"เทศบัญญัติ {year}", f"{year - 544}-09-15"),
            },
            date(year - 544, 9, 15),
        )


def _certify(ledger: Ledger, writer: BatchWriter, ops: dict[str, Operator]) -> None:
    """Submit the LAO's snapshot (its records at the log's end), certify and verify it."""
    lao = str(NAKHON_PHANOM.lao)
    snapshot = lao_snapshot(ledger, lao)
    cycle = certification_stream_id(lao, CYCLE)
    root = {"snapshot_root": snapshot.root}
    writer.add(
        ops["hr-nakhonphanom"],
        cycle,
        "LaoDataSubmitted",
        root | {"record_count": snapshot.record_count, "position": snapshot.position},
        date(2019, 7, 20),
    )
    writer.add(ops["head-nakhonphanom"], cycle, "LaoDataCertified", root, date(2019, 7, 25))
    writer.add(ops["province-nakhonphanom"], cycle, "ProvinceCertified", root, date(2019, 8, 10))


def _after_certification(writer: BatchWriter, hr: Operator) -> None:
    """A leave recorded after certification (that record is stale), and a retirement."""
    writer.add(
        hr,
        record_stream(105),
        "LeaveTaken",
        {"leave_type": "personal", "start": "2019-08-19", "end": "2019-08-19", "days": "1"},
        date(2019, 8, 19),
    )
    retiree = record_stream(101)
    writer.add(
        hr,
        retiree,
        "Retired",
        {"last_day": "2020-09-30", "order": _order("250/2563", "2020-08-20")},
        date(2020, 10, 1),
    )
    writer.add(
        hr,
        position_stream_id(str(NAKHON_PHANOM.lao), "00-0101-001"),
        "PositionVacated",
        {"reason": "retired", "order": _order("250/2563", "2020-08-20")},
        date(2020, 10, 1),
    )


__all__ = ["NAKHON_PHANOM", "STAFF", "TAK", "demo_cid", "load", "record_stream"]
