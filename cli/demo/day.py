"""What the demo leaves waiting for each of its operators, so a day in the browser needs no
command: ``make demo``, log in with an operator's card, and there is work on the page.

The Nakhon Phanom LAO (6480101) keeps its cycle 2562 as ``cli.demo.loader`` describes it (verified
by the province, its report to DLA not sent; DLA may accept it). Besides it, DLA opened two
earlier rounds the LAO has not finished, so its latest cycle is still 2562 (the KPI, the
dashboards and the system's stale-certification process read an LAO's latest cycle):

* round 2561: the HR officer submitted it, the LAO head returned it naming the leave section and
  a reason. A return puts a cycle back in draft, so this one cycle is both the returned
  submission the officer's home page shows with its reason and the cycle open for submission:
  ``/app/certification`` submits it at once;
* round 2560: submitted late (after its deadline of 31 July 2560) and waiting for the LAO
  head's certification: the head's worklist has it, overdue; once certified, the province has
  it to verify.

A record owner (``owner-nakhonphanom``, the teacher of record 103, enrolled by that record:
no statement names her citizen ID) has asked HR to change a section of her record: the HR
officer's home page lists the request to answer. The request is signed before cycle 2562's
snapshot, so the records changed after that certification stay the one the loader names.

In Tak, an engineer (``engineering-tak``) located a few projects of every LAO's plan, a road
as a line and a school as a point near its district's town, so the e-Plan map data
(``/projects.geojson``) has features. They are dated after the seed table's "ข้อมูล ณ
03/10/2559", which the status report as of that day reproduces unchanged.

So that the pages of the day the demo is run have something to show too (its own data sit in
2562-2563), two more of the LAO's staff retire in FY2570 and FY2571 (the home page's and the
retirement dashboard's default years when this was written), and the LAO has an annual budget
for the fiscal year the demo is loaded in (the Section 35 dashboard's default year).

Everything is made up; every fact is a signed statement checked as any other.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from cli.demo import tak as demo_tak
from cli.demo.data import tak_eplan_rows
from cli.demo.writer import BatchWriter, Operator
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import Role, Scope, province_scope
from ledger.domain.rules import fiscal_year
from ledger.processes import lao_snapshot

LAO, PROVINCE = "6480101", "นครพนม"
HEAD_ROUND = "2560"
"""Submitted late, waiting for the LAO head's certification."""
RETURNED_ROUND = "2561"
"""Returned by the LAO head with a reason: the HR officer's cycle to submit again."""
RETURN_REASON = "วันลาพักผ่อนของปีงบประมาณ 2561 ยังบันทึกไม่ครบ กรุณาบันทึกให้ครบแล้วเสนออีกครั้ง"
RETURN_SECTIONS = ["leave"]
OWNER_RECORD = 103
"""The record whose owner asks for a change (นางจำลอง ทดสอบศรี, a teacher)."""
OWNER_PROPOSAL = "ขอเปลี่ยนนามสกุลเป็น ทดสอบศรีสุข ตามทะเบียนสมรส (แนบสำเนาทะเบียนสมรสแล้ว)"

OWNER = "owner-nakhonphanom"
"""The record owner: enrolled by her record (``OWNER_RECORD``), so no statement names her
citizen ID."""
OPERATORS: dict[str, tuple[int, list[Role], Scope]] = {
    OWNER: (
        OWNER_RECORD,
        [Role.RECORD_OWNER],
        Scope(level="lao", province=PROVINCE, lao=LAO),
    ),
    "engineering-tak": (10, [Role.EPLAN_ENGINEERING], province_scope("ตาก")),
}
"""The day's operators, added to the loader's: key file name -> (citizen ID number, roles,
scope). The owner's number is her record's: she is enrolled by that record, not a citizen ID."""

STAFF: list[tuple[Any, ...]] = [
    (111, "official", "1966-11-20", "นาง", "ทดลองใจ", "สมมติพร", "หัวหน้าสำนักปลัดเทศบาล",
     "นักบริหารงานทั่วไป", "อำนวยการท้องถิ่น ระดับต้น", "42000.00", "5600.00", "00-0201-001",
     True, True),
    (112, "teacher", "1967-10-05", "นาย", "ลองใจ", "ทดสอบพงษ์", "ครู", "ครู", "ครูชำนาญการพิเศษ",
     "43500.00", "5600.00", "01-0001-006", True, True),
]  # fmt: skip
"""Two more staff of the LAO, in ``cli.demo.loader.STAFF``'s layout, retiring on 30 September
2570 and 2571 (FY2570, FY2571)."""
BUDGET = "12800000.00"


def budgets(today: date, known: dict[int, str]) -> dict[int, str]:
    """The LAO's budgets: ``known`` and, if it has none, the fiscal year of ``today``."""
    return {fiscal_year(today): BUDGET} | known


DISTRICT_TOWNS = {
    "เมืองตาก": (99.126, 16.883),
    "บ้านตาก": (99.079, 17.044),
    "สามเงา": (99.018, 17.210),
    "แม่ระมาด": (98.516, 16.985),
    "ท่าสองยาง": (98.229, 17.232),
    "แม่สอด": (98.573, 16.713),
    "พบพระ": (98.690, 16.392),
    "อุ้มผาง": (98.864, 16.019),
    "วังเจ้า": (99.218, 16.680),
}
"""(longitude, latitude) of each Tak district's town, roughly: the located projects lie near."""
LINE_KINDS = ("ก่อสร้างถนน", "ก่อสร้างราง", "ขุดลอก", "ขยายเขตไฟฟ้า")
"""Projects drawn as a line (roads, drains, canals, power lines); the others are points."""
LOCATED_ON = date(2016, 12, 15)
LOCATED = (0, 1, 6)
"""Which projects of each plan are located: its first road and drain, and a school's (a point)."""


def before_certification(writer: BatchWriter, owner: Operator, record: UUID) -> None:
    """The owner's change request on her ``record`` (before cycle 2562's snapshot: it is one
    of the facts that cycle certified)."""
    writer.add(
        owner,
        record,
        "ChangeRequestedByOwner",
        {"section": "general", "proposal": OWNER_PROPOSAL},
        date(2019, 7, 1),
    )


def load(ledger: Ledger, writer: BatchWriter, ops: dict[str, Operator], admin: Operator) -> None:
    """The earlier rounds of the Nakhon Phanom LAO, and the located Tak projects."""
    writer.flush()
    snapshot = lao_snapshot(ledger, LAO)
    submitted = {
        "snapshot_root": snapshot.root,
        "record_count": snapshot.record_count,
        "position": snapshot.position,
    }
    hr, head = ops["hr-nakhonphanom"], ops["head-nakhonphanom"]
    rounds = ((HEAD_ROUND, date(2019, 12, 20)), (RETURNED_ROUND, date(2020, 1, 8)))
    for cycle, submitted_on in rounds:
        stream = certification_stream_id(LAO, cycle)
        writer.new_stream(stream)
        writer.add(admin, stream, "CycleOpened", _opening(cycle), date(int(cycle) - 543, 6, 1))
        writer.add(hr, stream, "LaoDataSubmitted", submitted, submitted_on)
    writer.add(
        head,
        certification_stream_id(LAO, RETURNED_ROUND),
        "LaoDataReturned",
        {"sections": RETURN_SECTIONS, "reason": RETURN_REASON},
        date(2020, 1, 10),
    )
    _locate_projects(writer, ops["engineering-tak"])


def _opening(cycle: str) -> dict[str, Any]:
    year = int(cycle) - 543
    return {
        "lao": LAO,
        "province": PROVINCE,
        "cycle": cycle,
        "lao_deadline": f"{year}-07-31",
        "province_deadline": f"{year}-08-15",
        "dla_deadline": f"{year}-08-31",
    }


def _locate_projects(writer: BatchWriter, engineer: Operator) -> None:
    """The first projects of each Tak LAO's plan, near its district's town."""
    for row in tak_eplan_rows():
        count = max((n or 0) for n in row.plan_projects.values())
        if not demo_tak.reports_a_plan(row):
            continue
        code = demo_tak.lao_code(row)
        town = DISTRICT_TOWNS[row.district]
        for index in (index for index in LOCATED if index < count):
            stream = uuid5(demo_tak.TAK_NAMESPACE, f"{code}:project:{index + 1}")
            kind = demo_tak.PROJECT_KINDS[index % len(demo_tak.PROJECT_KINDS)]
            writer.add(
                engineer,
                stream,
                "ProjectGeoLocated",
                {"geometry": _geometry(town, row.no, index, kind)},
                LOCATED_ON,
            )


def _geometry(town: tuple[float, float], no: int, index: int, kind: str) -> dict[str, Any]:
    """A point or a short line a few kilometres from the town, apart for each LAO and project."""
    longitude = round(town[0] + 0.012 * ((no % 7) - 3) + 0.004 * index, 5)
    latitude = round(town[1] + 0.010 * ((no % 5) - 2) - 0.003 * index, 5)
    if kind.startswith(LINE_KINDS):
        end = (round(longitude + 0.008, 5), round(latitude + 0.005, 5))
        middle = (round(longitude + 0.004, 5), round(latitude + 0.001, 5))
        return {"type": "LineString", "coordinates": [[longitude, latitude], middle, end]}
    return {"type": "Point", "coordinates": [longitude, latitude]}
