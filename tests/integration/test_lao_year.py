"""A whole LAO's year on the real PostgreSQL, every change a signed statement.

One made-up subdistrict LAO of นครพนม (6480101) goes through FY2562: DLA registers it and later
upgrades it to a subdistrict municipality; HR enters its structure, a frame of 50 positions and
50 ก.พ.๗ records with histories (in batches), assigns holders and transfers one person to ตาก;
the certification cycle runs with one return by the province, an overdue notice and a warning
letter; the retirement round schedules those due, HR confirms them and vacates their positions,
which makes the accepted certification stale; the e-Plan goes from a draft to projects completed,
deferred, cancelled and carried over, with an amendment and both kinds of subsidy. The module
builds the year once; each test checks one outcome of it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from ledger.application import Ledger, Receipt
from ledger.domain.certification import CertificationCycle, certification_stream_id
from ledger.domain.eplan import PlanProject, Subsidy, plan_stream_id, subsidy_stream_id
from ledger.domain.organizations import Organization, organization_stream_id
from ledger.domain.permissions import Role, province_scope
from ledger.domain.positions import Position, position_stream_id
from ledger.processes import (
    ProcessReport,
    invalidate_stale_certifications,
    lao_snapshot,
    mark_overdue_cycles,
    records_of,
    schedule_retirements,
)
from ledger.settings import LedgerSettings
from ledger.signing import verify_signature
from ledger.statement import GENESIS_PREV_HASH, SignedStatement, read_statement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, build_kit, submission
from tests.people import made_up_cid

pytestmark = pytest.mark.postgres

LAO = NAKHON_PHANOM_LAO
CODE = str(LAO.lao)
ORG = organization_stream_id(CODE)
CYCLE = certification_stream_id(CODE, "2562")
PLAN = plan_stream_id(CODE, 2561, 2565)
UNITS = [
    ("office", "division"),
    ("finance", "division"),
    ("engineering", "division"),
    ("education", "division"),
    ("school-1", "school"),
    ("cdc-1", "child_development_centre"),
]
CATEGORIES = ["official"] * 30 + ["teacher"] * 8 + ["employee"] * 6 + ["contract"] * 6
RETIRING = {3: "1958-10-02", 7: "1959-06-15", 11: "1959-10-01"}  # due at the end of FY2562
NOT_YET = {12: "1959-10-02"}  # one day later: due in FY2563
CONTRACT_AT_60 = {44: "1959-01-01"}  # contract staff leave by ContractEnded, not retirement
TRANSFERRED = 20


@dataclass
class Year:
    kit: LedgerKit
    ops: dict[Role, Operator]
    records: list[uuid.UUID] = field(default_factory=list)
    positions: list[uuid.UUID] = field(default_factory=list)
    projects: dict[str, uuid.UUID] = field(default_factory=dict)
    cycle_states: list[str] = field(default_factory=list)
    reports: dict[str, ProcessReport] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)

    @property
    def ledger(self) -> Ledger:
        return self.kit.ledger

    def emit(
        self,
        role: Role,
        stream: uuid.UUID,
        type: str,
        data: dict[str, Any],
        day: date = date(2019, 4, 1),
    ) -> None:
        self.receipts.append(self.kit.emit(self.ops[role], stream, type, data, day))

    def batch(self, signed: list[SignedStatement]) -> None:
        self.receipts.extend(self.kit.submit_all(signed))

    def cycle_state(self) -> None:
        cycle = self.ledger.aggregate(CYCLE)
        assert isinstance(cycle, CertificationCycle)
        self.cycle_states.append(cycle.state)


def birth_date(n: int) -> str:
    return (
        RETIRING.get(n)
        or NOT_YET.get(n)
        or CONTRACT_AT_60.get(n)
        or f"{1965 + n % 25}-0{1 + n % 9}-15"
    )


@pytest.fixture(scope="module")
def year(postgres_url: str) -> Iterator[Year]:
    """The LAO's year, built once on PostgreSQL."""
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=f"year{uuid.uuid4().hex[:8]}"))
    kit = build_kit(ledger)
    ops = {Role.LAO_HR_OFFICER: kit.hr, Role.DLA_ADMIN: kit.admin}
    for role in (
        Role.LAO_HEAD,
        Role.EPLAN_PLANNING,
        Role.EPLAN_FINANCE,
        Role.EPLAN_EDUCATION,
        Role.EPLAN_ENGINEERING,
    ):
        ops[role] = kit.operator([role], LAO)
    ops[Role.PROVINCIAL_OFFICER] = kit.operator([Role.PROVINCIAL_OFFICER], province_scope("นครพนม"))
    the_year = Year(kit, ops)
    _structure(the_year)
    _records(the_year)
    _certification(the_year)
    _retirement(the_year)
    _eplan(the_year)
    yield the_year
    ledger.close()


def _structure(year: Year) -> None:
    kit = year.kit  # the kit registered the LAO (an SAO) and the Tak LAO it transfers to
    year.batch(
        kit.chain(kit.hr, ORG, [("OrgUnitCreated", d.unit(code, kind)) for code, kind in UNITS])
    )
    positions = []
    for n, category in enumerate(CATEGORIES):
        unit = "school-1" if category == "teacher" else UNITS[n % 4][0]
        stream = position_stream_id(CODE, f"P-{n:03d}")
        year.positions.append(stream)
        positions.extend(
            kit.chain(
                kit.hr,
                stream,
                [("PositionCreated", d.position(LAO, f"P-{n:03d}", category, unit))],
                start=(0, GENESIS_PREV_HASH),
            )
        )
    year.batch(positions)


def spelled(n: int) -> str:
    """``n`` in Thai letters, one a digit: a person's name holds no digit (text.name_character)."""
    return "".join("กขคงจฉชซญฎ"[int(digit)] for digit in str(n))


def _history(n: int, category: str) -> list[tuple[str, dict[str, Any]]]:
    appointment = {**d.salary_entry(f"{15000 + 100 * n}.00", f"P-{n:03d}"), "movement_type": "บรรจุ"}
    born = birth_date(n)  # schooling finished at 22: never before the person could have
    events: list[tuple[str, dict[str, Any]]] = [
        ("RecordOpened", d.record(LAO, made_up_cid(2000 + n), category, born)),
        (
            "PersonalDataRecorded",
            {**d.ENTRY_DATA["PersonalDataRecorded"], "first_name": "บุคคล" + spelled(n)},
        ),
        ("EducationAdded", {**d.education(n), "finished": f"{int(born[:4]) + 22}-03-31"}),
        ("PositionSalaryEntryAdded", appointment),
        (
            "EmploymentStarted",
            d.status_data(
                "EmploymentStarted", kind="contracted" if category == "contract" else "appointed"
            ),
        ),
        ("TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"]),
        (
            "LeaveYearSummarised",
            {"year": 2561, "sick_times": n % 3, "sick_days": str(n % 5), "late_times": 0},
        ),
        ("PositionSalaryEntryAdded", d.salary_entry(f"{15600 + 100 * n}.00", f"P-{n:03d}")),
    ]
    if n % 10 == 0:
        events.append(("DecorationRecorded", d.ENTRY_DATA["DecorationRecorded"]))
    return events


def _records(year: Year) -> None:
    kit = year.kit
    year.records = [uuid.uuid4() for _ in CATEGORIES]
    for first in range(0, len(CATEGORIES), 10):
        signed: list[SignedStatement] = []
        for n in range(first, first + 10):
            signed.extend(
                kit.chain(
                    kit.hr,
                    year.records[n],
                    _history(n, CATEGORIES[n]),
                    start=(0, GENESIS_PREV_HASH),
                )
            )
        year.batch(signed)
    holders = [
        kit.sign(
            kit.hr,
            stream=position,
            type="PositionHolderAssigned",
            data={"record": str(record), "order": d.order(f"{n + 100}/2562")},
        )
        for n, (position, record) in enumerate(zip(year.positions, year.records, strict=True))
    ]
    year.batch(holders)
    # One person moves to ตาก: the position is vacated, and ตาก's HR signs the arrival.
    moved = year.records[TRANSFERRED]
    year.emit(Role.LAO_HR_OFFICER, moved, "TransferredOut", d.status_data("TransferredOut"))
    year.emit(
        Role.LAO_HR_OFFICER,
        year.positions[TRANSFERRED],
        "PositionVacated",
        {"reason": "transferred"},
    )
    kit.emit(kit.other_hr, moved, "TransferredIn", d.status_data("TransferredIn"))
    # DLA upgrades the SAO: the same stream, positions and records continue.
    year.emit(
        Role.DLA_ADMIN,
        ORG,
        "OrganizationTypeChanged",
        {"from_type": "sao", "to_type": "subdistrict_municipality", "gazette": d.GAZETTE},
    )


def _certification(year: Year) -> None:
    hr, head, province, dla = (
        Role.LAO_HR_OFFICER,
        Role.LAO_HEAD,
        Role.PROVINCIAL_OFFICER,
        Role.DLA_ADMIN,
    )
    year.emit(dla, CYCLE, "CycleOpened", d.cycle(LAO, "2562"), date(2019, 6, 1))
    snapshot = lao_snapshot(year.ledger, CODE)
    year.emit(
        hr,
        CYCLE,
        "LaoDataSubmitted",
        submission(year.ledger, CODE, snapshot.position),
        date(2019, 7, 20),
    )
    year.emit(head, CYCLE, "LaoDataCertified", {"snapshot_root": snapshot.root}, date(2019, 7, 25))
    year.cycle_state()
    year.emit(
        province,
        CYCLE,
        "ProvinceVerificationReturned",
        {
            "sections": ["education"],
            "reason": "วุฒิการศึกษาไม่ตรงกับเอกสาร",
            "records": [str(year.records[5])],
        },
        date(2019, 7, 30),
    )
    year.cycle_state()
    year.reports["overdue"] = mark_overdue_cycles(
        year.ledger, year.kit.system.signer, date(2019, 8, 1)
    )
    year.emit(
        province,
        CYCLE,
        "WarningLetterSent",
        {"stage": "lao", "letter": d.order("นพ 0023.2/ว 900", "2019-08-02", "สถ.จ.นครพนม")},
        date(2019, 8, 2),
    )
    fix = {
        "supersedes": 3,
        "reason": "แก้ไขตามที่จังหวัดส่งคืน",
        "replacement": {**d.education(5), "major": "การบริหารงานท้องถิ่น"},
    }
    year.emit(hr, year.records[5], "EntryCorrected", fix, date(2019, 8, 3))
    snapshot = lao_snapshot(year.ledger, CODE)
    year.emit(
        hr,
        CYCLE,
        "LaoDataSubmitted",
        submission(year.ledger, CODE, snapshot.position),
        date(2019, 8, 5),
    )
    year.emit(head, CYCLE, "LaoDataCertified", {"snapshot_root": snapshot.root}, date(2019, 8, 6))
    year.emit(
        province, CYCLE, "ProvinceCertified", {"snapshot_root": snapshot.root}, date(2019, 8, 14)
    )
    year.emit(
        province,
        CYCLE,
        "ProvinceReportSent",
        {"letter": d.order("นพ 0023.2/ว 950", "2019-08-20", "สถ.จ.นครพนม")},
        date(2019, 8, 20),
    )
    year.emit(dla, CYCLE, "DlaAccepted", {"snapshot_root": snapshot.root}, date(2019, 8, 30))
    year.cycle_state()


def _retirement(year: Year) -> None:
    kit, system = year.kit, year.kit.system.signer
    year.reports["retirement"] = schedule_retirements(
        year.ledger, system, 2562, today=date(2019, 9, 1)
    )
    year.reports["retirement_again"] = schedule_retirements(
        year.ledger, system, 2562, today=date(2019, 9, 2)
    )
    confirmations: list[SignedStatement] = []
    for n in RETIRING:
        confirmations += kit.chain(
            kit.hr,
            year.records[n],
            [("Retired", {"last_day": "2019-09-30", "order": d.order(f"{300 + n}/2562")})],
            effective=date(2019, 10, 1),
        )
        confirmations += kit.chain(
            kit.hr,
            year.positions[n],
            [("PositionVacated", {"reason": "retired"})],
            effective=date(2019, 10, 1),
        )
    year.batch(confirmations)
    year.reports["invalidated"] = invalidate_stale_certifications(
        year.ledger, system, today=date(2019, 10, 2)
    )
    year.reports["invalidated_again"] = invalidate_stale_certifications(
        year.ledger, system, today=date(2019, 10, 3)
    )
    year.cycle_state()


def _eplan(year: Year) -> None:
    planning, finance, head = Role.EPLAN_PLANNING, Role.EPLAN_FINANCE, Role.LAO_HEAD
    engineering, education = Role.EPLAN_ENGINEERING, Role.EPLAN_EDUCATION
    year.emit(planning, PLAN, "PlanDrafted", d.plan(LAO, 2561, 2565))
    year.emit(planning, PLAN, "VisionRecorded", {"vision": "ตำบลน่าอยู่ ประชาชนมีคุณภาพชีวิตที่ดี"})
    for number, title in (("1", "โครงสร้างพื้นฐาน"), ("2", "การศึกษา"), ("3", "เศรษฐกิจชุมชน")):
        year.emit(planning, PLAN, "StrategyAdded", {"strategy": number, "title": title})
    planned = {
        "road": ("1", {"2562": "450000.00", "2563": None}),
        "drain": ("1", {"2562": "300000.00"}),
        "library": ("2", {"2562": "0.00", "2563": "200000.00"}),  # zero, not blank, in 2562
        "market": ("3", {"2562": "150000.00"}),
    }
    for name, (strategy, years) in planned.items():
        year.projects[name] = uuid.uuid4()
        year.emit(
            planning, year.projects[name], "PlanProjectAdded", d.project(PLAN, LAO, years, strategy)
        )
    year.emit(
        head,
        PLAN,
        "PlanApproved",
        {
            "approved_on": "2019-06-28",
            "approver": "นายก อบต.",
            "announcement": d.order("ประกาศ 1/2562"),
        },
    )
    year.emit(
        planning,
        PLAN,
        "PlanAmended",
        {"amendment_no": 1, "kind": "addition", "reason": "เพิ่มโครงการไฟฟ้า"},
    )
    year.projects["lights"] = uuid.uuid4()
    year.emit(
        planning,
        year.projects["lights"],
        "PlanProjectAdded",
        d.project(PLAN, LAO, {"2562": "90000.00"}, "1", amendment=1),
    )
    year.emit(head, PLAN, "PlanApproved", {"approved_on": "2019-08-01", "approver": "นายก อบต."})
    road, drain, library, market, lights = (
        year.projects[k] for k in ("road", "drain", "library", "market", "lights")
    )
    year.emit(engineering, road, "ProjectGeoLocated", d.LINE)
    year.emit(engineering, drain, "ProjectGeoLocated", d.POINT)
    year.emit(finance, road, "BudgetApproved", d.budget(2562, "450000.00"))
    year.emit(finance, road, "ContractSigned", d.contract("7/2562", "430000.00"))
    year.emit(
        finance,
        road,
        "DisbursementMade",
        {"amount": "200000.00", "paid_on": "2019-05-01", "contract_no": "7/2562"},
    )
    year.emit(engineering, road, "ProgressReported", {"percent": 50, "as_of": "2019-05-01"})
    year.emit(
        finance,
        road,
        "DisbursementMade",
        {"amount": "230000.00", "paid_on": "2019-08-01", "contract_no": "7/2562"},
    )
    year.emit(finance, road, "ProjectCompleted", {"completed_on": "2019-08-01"})
    year.emit(finance, drain, "BudgetApproved", d.budget(2562, "300000.00"))
    year.emit(finance, drain, "DisbursementMade", {"amount": "100000.00", "paid_on": "2019-09-01"})
    year.emit(finance, drain, "FundsCarriedOver", {"from_year": 2562, "amount": "200000.00"})
    year.emit(finance, drain, "ProjectCompleted", {"completed_on": "2019-12-20"})
    year.emit(planning, library, "ProjectDeferred", {"to_year": 2563, "reason": "รองบอุดหนุน"})
    year.emit(planning, market, "ProjectCancelled", {"reason": "ชุมชนไม่ประสงค์"})
    year.emit(finance, lights, "BudgetApproved", d.budget(2562, "90000.00"))
    for name, item, sector, kind in (
        ("lunch", "lunch", "education", "general"),
        ("bridge", "bridge", "infrastructure", "specific"),
    ):
        stream = subsidy_stream_id(CODE, 2562, kind, item)
        year.projects[name] = stream
        year.emit(finance, stream, "SubsidyAllocated", d.subsidy(LAO, item, sector, kind))
    year.emit(
        education,
        year.projects["lunch"],
        "SubsidyDisbursed",
        {"amount": "120000.00", "paid_on": "2019-06-01"},
    )
    year.emit(
        education,
        year.projects["lunch"],
        "SubsidyOutcomeReported",
        {"result": "นักเรียน 120 คนได้รับอาหารกลางวัน", "beneficiaries": 120, "target_achieved": True},
    )
    year.emit(
        finance,
        year.projects["bridge"],
        "SubsidyDisbursed",
        {"amount": "120000.00", "paid_on": "2019-07-01"},
    )
    year.emit(
        planning, year.projects["bridge"], "SubsidyOutcomeReported", {"result": "สะพานแล้วเสร็จ"}
    )


def test_structure_keeps_its_identity_through_the_upgrade(year: Year) -> None:
    """The upgraded LAO is the same stream, with its six units and a frame of 50 positions."""
    organization = year.ledger.aggregate(ORG)
    positions = year.ledger.load(year.positions)

    assert isinstance(organization, Organization)
    assert ("subdistrict_municipality", 6) == (organization.type, len(organization.units))
    assert 50 == sum(isinstance(p, Position) for p in positions.values())


def test_positions_follow_their_holders(year: Year) -> None:
    """Each position had one holder; the transferred and the retired left theirs vacant."""
    positions = year.ledger.load(year.positions)

    vacant = sorted(
        n for n, stream in enumerate(year.positions) if positions[stream].status == "vacant"
    )  # type: ignore[union-attr]

    assert sorted([*RETIRING, TRANSFERRED]) == vacant
    assert all(len(p.holders) == 1 for p in positions.values())  # type: ignore[union-attr]


def test_records_and_their_histories(year: Year) -> None:
    """50 records with their entries: 49 held here, one moved to ตาก, three retired."""
    records = year.ledger.load(year.records)
    statuses = Counter(r.status for r in records.values())  # type: ignore[union-attr]
    held_here = records_of(year.ledger, CODE)

    assert {"active": 47, "retired": 3} == dict(statuses)
    assert 49 == len(held_here)
    assert "6630101" == records[year.records[TRANSFERRED]].lao  # type: ignore[union-attr]
    assert all(len(r.live_entries()) >= 7 for r in records.values())  # type: ignore[union-attr]


def test_certification_cycle_with_one_return(year: Year) -> None:
    """Certified, returned once by the province, certified again, accepted, then made stale."""
    cycle = year.ledger.aggregate(CYCLE)

    assert ["lao_certified", "draft", "dla_accepted", "stale"] == year.cycle_states
    assert isinstance(cycle, CertificationCycle)
    assert [(["education"], "วุฒิการศึกษาไม่ตรงกับเอกสาร")] == [(s, why) for _, s, why in cycle.returns]
    assert ({"lao"}, [("lao", "นพ 0023.2/ว 900")]) == (cycle.overdue, cycle.warnings)
    assert 1 == year.reports["overdue"].emitted


def test_retirement_round_is_scheduled_once_and_confirmed(year: Year) -> None:
    """The round scheduled exactly those due in FY2562, once; HR confirmed each."""
    retirees = {year.records[n] for n in RETIRING}
    records = year.ledger.load(year.records)

    assert retirees == {r.stream for r in year.reports["retirement"].receipts}
    assert 0 == year.reports["retirement_again"].emitted
    assert all(records[s].retirement_schedules == {2562: date(2019, 9, 30)} for s in retirees)  # type: ignore[union-attr]


def test_changes_after_acceptance_invalidate_the_certification(year: Year) -> None:
    """The retirements after DLA accepted made the cycle stale, naming those records, once."""
    cycle = year.ledger.aggregate(CYCLE)

    assert isinstance(cycle, CertificationCycle)
    assert {year.records[n] for n in RETIRING} == cycle.stale_records
    assert (1, 0) == (
        year.reports["invalidated"].emitted,
        year.reports["invalidated_again"].emitted,
    )


def test_eplan_projects_reach_their_ends(year: Year) -> None:
    """Projects end completed, deferred, cancelled or budgeted; blank and zero stay apart."""
    projects = year.ledger.load(
        year.projects[k] for k in ("road", "drain", "library", "market", "lights")
    )
    by_name = {
        k: projects[year.projects[k]] for k in ("road", "drain", "library", "market", "lights")
    }

    assert {
        "road": "completed",
        "drain": "completed",
        "library": "deferred",
        "market": "cancelled",
        "lights": "budget_approved",
    } == {k: p.status for k, p in by_name.items()}  # type: ignore[union-attr]
    road = by_name["road"]
    assert isinstance(road, PlanProject)
    assert ("430000.00", 100, "LineString") == (
        str(road.disbursed),
        road.progress,
        road.geometry.type,
    )  # type: ignore[union-attr]
    assert "0.00" == str(by_name["library"].years[2562])  # type: ignore[union-attr]
    assert by_name["road"].years[2563] is None  # type: ignore[union-attr]


def test_subsidies_are_disbursed_and_reported(year: Year) -> None:
    """Both subsidies were disbursed in full and their outcomes reported."""
    subsidies = [year.ledger.aggregate(year.projects[k]) for k in ("lunch", "bridge")]

    assert all(isinstance(s, Subsidy) for s in subsidies)
    assert [("reported", "120000.00")] * 2 == [(s.status, str(s.disbursed)) for s in subsidies]  # type: ignore[attr-defined]


def test_every_event_of_the_year_is_signed_and_chained(year: Year) -> None:
    """Every stored event verifies under its signer's enrolled key and links to its predecessor."""
    registry = year.ledger.registry(refresh=True)
    assert registry is not None
    notifications = year.ledger.recorder.select_notifications(start=1, limit=100_000)
    heads: dict[uuid.UUID, str] = {}

    for notification in notifications:
        event = year.ledger.mapper.to_domain_event(notification)
        canonical = event.statement.encode()  # type: ignore[attr-defined]
        signature = bytes.fromhex(event.signature)  # type: ignore[attr-defined]
        statement = read_statement(canonical, signature).statement
        key = registry.enrolment(statement.signer.key)
        assert key is not None
        assert verify_signature(key.public_key, canonical, signature)
        assert heads.get(statement.stream, GENESIS_PREV_HASH) == statement.prev_hash
        heads[statement.stream] = hashlib.sha256(canonical + signature).hexdigest()

    assert {r.notification_id for r in year.receipts} <= {n.id for n in notifications}
    assert len(notifications) > 550
    assert list(range(1, len(notifications) + 1)) == [n.id for n in notifications]
