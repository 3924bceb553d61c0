"""Demo data: operators and signed personnel events about made-up people.

Everything here is invented (PDPA): citizen IDs are generated to pass the checksum, and no
name, address or photo of a real person appears. Loading twice adds nothing.
"""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any

from cli.options import load_or_create_key
from ledger.application import Ledger
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.domain.rules import cid_check_digit
from ledger.genesis import compose, enrolment_data, initialise
from ledger.signing import SoftwareSigner

SOFTWARE = KeyStorage(kind="software")
NAKHON_PHANOM = Scope(level="lao", province="นครพนม", lao="6480101")
TAK = Scope(level="lao", province="ตาก", lao="6630101")
DEMO_NAMESPACE = uuid.UUID("6b9d1f3e-0c5a-4e0b-9a51-2f1d3c4b5a69")


def demo_cid(n: int) -> str:
    """A made-up citizen ID (category 1, a series no real registry issues to these people)."""
    first = f"19999{n:07d}"
    return first + str(cid_check_digit(first))


# Made-up staff: category, birth date, education, a position-and-salary line.
PEOPLE: list[dict[str, Any]] = [
    {
        "n": 101,
        "scope": NAKHON_PHANOM,
        "category": "official",
        "birth_date": "1966-10-01",
        "education": ("มหาวิทยาลัยขอนแก่น", "รัฐประศาสนศาสตรบัณฑิต", "1988-03-31"),
        "position": ("ปลัดเทศบาล", "00-0101-001", "นักบริหารงานท้องถิ่น ระดับสูง", "58390.00"),
    },
    {
        "n": 102,
        "scope": NAKHON_PHANOM,
        "category": "official",
        "birth_date": "1985-10-02",
        "education": ("มหาวิทยาลัยนครพนม", "บริหารธุรกิจบัณฑิต", "2007-03-31"),
        "position": ("นักทรัพยากรบุคคล", "00-0302-001", "ปฏิบัติการ", "21010.00"),
    },
    {
        "n": 103,
        "scope": NAKHON_PHANOM,
        "category": "teacher",
        "birth_date": "1979-02-28",
        "education": ("มหาวิทยาลัยราชภัฏสกลนคร", "ครุศาสตรบัณฑิต", "2001-03-31"),
        "position": ("ครู", "01-0001-003", "ครูชำนาญการพิเศษ", "41620.00"),
    },
    {
        "n": 201,
        "scope": TAK,
        "category": "contract",
        "birth_date": "1992-06-15",
        "education": ("มหาวิทยาลัยนเรศวร", "วิศวกรรมศาสตรบัณฑิต", "2014-03-31"),
        "position": ("วิศวกรโยธา", "00-0401-002", "พนักงานจ้างตามภารกิจ", "18000.00"),
    },
]


def load(ledger: Ledger, keys_dir: Path) -> list[str]:
    """Load the demo into ``ledger`` (once) and return lines describing what is there."""
    keys = {
        name: load_or_create_key(keys_dir / f"{name}.key")
        for name in ("system", "admin", "hr-nakhonphanom", "hr-tak", "auditor")
    }
    cids = {"admin": demo_cid(1), "hr-nakhonphanom": demo_cid(2), "hr-tak": demo_cid(3)}
    cids["auditor"] = demo_cid(4)
    if ledger.registry() is None:
        _load_operators(ledger, keys, cids)
        for person in PEOPLE:
            _load_person(ledger, person, keys, cids)
        outcome = "demo data loaded"
    else:
        outcome = "demo data already present; nothing added"
    count = ledger.recorder.max_notification_id() or 0
    return [
        f"{outcome}: ledger {ledger.settings.name} holds {count} signed events",
        f"trust anchor: system key {keys['system'].key_id}",
        f"demo operators' software keys are in {keys_dir}/ (development only)",
    ]


def _load_operators(ledger: Ledger, keys: dict[str, SoftwareSigner], cids: dict[str, str]) -> None:
    initialise(
        ledger,
        system_signer=keys["system"],
        system_storage=SOFTWARE,
        admin_cid=cids["admin"],
        admin_public_key=keys["admin"].public_key,
        admin_storage=SOFTWARE,
    )
    operators = [
        ("hr-nakhonphanom", [Role.LAO_HR_OFFICER], NAKHON_PHANOM),
        ("hr-tak", [Role.LAO_HR_OFFICER], TAK),
        ("auditor", [Role.AUDITOR], NATIONAL),
    ]
    for name, roles, scope in operators:
        signed = compose(
            ledger,
            stream=ledger.registry_id,
            type="OperatorEnrolled",
            data=enrolment_data(
                cid=cids[name],
                public_key=keys[name].public_key,
                roles=roles,
                scope=scope,
                storage=SOFTWARE,
            ),
            signer=keys["admin"],
            cid=cids["admin"],
        )
        ledger.submit(signed.canonical, signed.signature)


def _load_person(
    ledger: Ledger,
    person: dict[str, Any],
    keys: dict[str, SoftwareSigner],
    cids: dict[str, str],
) -> None:
    hr = "hr-nakhonphanom" if person["scope"] is NAKHON_PHANOM else "hr-tak"
    stream = uuid.uuid5(DEMO_NAMESPACE, f"record-{person['n']}")
    scope: Scope = person["scope"]
    institution, qualification, finished = person["education"]
    title, number, level, salary = person["position"]
    statements: list[tuple[str, dict[str, Any], date]] = [
        (
            "RecordOpened",
            {
                "cid": demo_cid(person["n"]),
                "category": person["category"],
                "lao": scope.lao,
                "province": scope.province,
                "birth_date": person["birth_date"],
            },
            date(2019, 4, 1),
        ),
        (
            "EducationAdded",
            {"institution": institution, "qualification": qualification, "finished": finished},
            date.fromisoformat(finished),
        ),
        (
            "PositionSalaryEntryAdded",
            {
                "movement_type": "เลื่อนขั้นเงินเดือน",
                "position_no": number,
                "position_title": title,
                "level": level,
                "salary": salary,
                "order": {"number": "123/2562", "date": "2019-03-25", "issuer": "นายกเทศมนตรี"},
            },
            date(2019, 4, 1),
        ),
    ]
    for type_, data, effective in statements:
        signed = compose(
            ledger,
            stream=stream,
            type=type_,
            data=data,
            signer=keys[hr],
            cid=cids[hr],
            effective=effective,
        )
        ledger.submit(signed.canonical, signed.signature)


__all__ = ["PEOPLE", "demo_cid", "load"]
