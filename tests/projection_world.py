"""A world for the read side: every view has something to show, and every awkward case is there.

Three LAOs (two in นครพนม, one in ตาก); records with entries, a correction, a voided entry, a
resignation, a transfer between provinces, a contract worker; positions in every status; a
certified cycle with a record changed afterwards, and a cycle left undone; a development plan
with projects at every stage and a removed project; annual budgets, one re-enacted; leave.
Everything is made up.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain.certification import certification_stream_id
from ledger.domain.eplan import plan_stream_id
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import Role, Scope, province_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.positions import position_stream_id
from ledger.processes import lao_snapshot
from projections.transparency.projection import TransparencyProjection
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, REGISTERED_ON, TAK_LAO, LedgerKit, Operator
from tests.people import made_up_cid

LAO = NAKHON_PHANOM_LAO  # 6480101
NEIGHBOUR = Scope(level="lao", province="นครพนม", lao="6480102")
TAK = TAK_LAO  # 6630101


@dataclass
class ProjectionWorld:
    kit: LedgerKit
    records: dict[str, uuid.UUID] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    operators: dict[str, Operator] = field(default_factory=dict)
    plans: dict[str, uuid.UUID] = field(default_factory=dict)
    projects: dict[str, uuid.UUID] = field(default_factory=dict)


def record_owner(world: ProjectionWorld, name: str) -> Operator:
    """The person of a record of the world, enrolled as its owner (by the record where the
    ledger has a vault, else by their own citizen ID: ``LedgerKit.record_owner``)."""
    record = world.kit.ledger.aggregate(world.records[name])
    assert isinstance(record, PersonnelRecord)
    scope = Scope(level="lao", province=record.province, lao=record.lao)
    return world.kit.record_owner(world.records[name], scope, record.cid)


def _emit(
    world: ProjectionWorld,
    operator: Operator,
    stream: uuid.UUID,
    type_: str,
    data: dict[str, Any],
    effective: date = date(2019, 4, 1),
) -> int:
    return world.kit.emit(operator, stream, type_, data, effective=effective).version


def _record(
    world: ProjectionWorld,
    name: str,
    operator: Operator,
    scope: Scope,
    category: str,
    born: str,
    *events: tuple[str, dict[str, Any], date],
) -> uuid.UUID:
    stream = uuid.uuid4()
    world.records[name] = stream
    data = d.record(scope, cid=made_up_cid(700 + len(world.records)), category=category,
                    birth_date=born)  # fmt: skip
    _emit(world, operator, stream, "RecordOpened", data)
    for type_, payload, effective in events:
        world.versions[f"{name}.{type_}"] = _emit(
            world, operator, stream, type_, payload, effective
        )
    return stream


def personal(first: str) -> tuple[str, dict[str, Any], date]:
    return (
        "PersonalDataRecorded",
        {"prefix": "นาย", "first_name": first, "last_name": "ทดสอบ"},
        date(2019, 4, 1),
    )


def education(finished: date = date(1992, 3, 31)) -> tuple[str, dict[str, Any], date]:
    return ("EducationAdded", {**d.education(), "finished": finished.isoformat()}, finished)


def salary(amount: str, effective: date = date(2019, 4, 1)) -> tuple[str, dict[str, Any], date]:
    return ("PositionSalaryEntryAdded", d.salary_entry(amount), effective)


def started(kind: str = "appointed") -> tuple[str, dict[str, Any], date]:
    return ("EmploymentStarted", d.status_data("EmploymentStarted", kind=kind), date(2019, 4, 1))


def issue_certificate(world: ProjectionWorld, name: str = "r1", amount: str = "20000.00") -> str:
    """A salary certificate of record ``name`` as of 1 April 2562 (its salary line then is
    ``salary(amount)``), issued by the kit's HR officer: its verification code."""
    data = d.certificate(world.records[name]) | {"salary": amount}
    return world.kit.emit(world.kit.hr, uuid.uuid4(), "CertificateIssued", data).hash


def build_projection_world(kit: LedgerKit) -> ProjectionWorld:
    world = ProjectionWorld(kit)
    ops = world.operators
    ops["head"] = kit.operator([Role.LAO_HEAD], LAO)
    ops["province"] = kit.operator([Role.PROVINCIAL_OFFICER], province_scope("นครพนม"))
    ops["planning"] = kit.operator([Role.EPLAN_PLANNING], province_scope("นครพนม"))
    ops["finance"] = kit.operator([Role.EPLAN_FINANCE], province_scope("นครพนม"))
    _organizations(world)
    ops["neighbour_hr"] = kit.operator([Role.LAO_HR_OFFICER], NEIGHBOUR)  # once registered
    _records(world)
    _positions(world)
    _eplan(world)
    _budgets(world)
    _certification(world)
    return world


def seal_twice(kit: LedgerKit) -> int:
    """Seal the transparency log, record one more thing and seal again: the first checkpoint's
    size, so inclusion proofs and a consistency proof from it to the latest can be served."""
    log = TransparencyProjection(kit.ledger, kit.system.signer)
    first = log.seal()
    assert first is not None
    kit.open_record()
    log.seal()
    return first.tree_size


def _organizations(world: ProjectionWorld) -> None:
    kit, early = world.kit, REGISTERED_ON  # the kit registered LAO and TAK as SAOs
    org = organization_stream_id(str(LAO.lao))
    _emit(world, kit.admin, org, "OrganizationTypeChanged",
          {"from_type": "sao", "to_type": "subdistrict_municipality"}, early)  # fmt: skip
    _emit(world, kit.admin, org, "OrganizationRenamed", {"name": "เทศบาลตำบลตัวอย่าง"}, early)
    data = d.organization(str(NEIGHBOUR.lao), "นครพนม", name="องค์การบริหารส่วนตำบลทดลอง")
    _emit(world, kit.admin, organization_stream_id(str(NEIGHBOUR.lao)), "OrganizationRegistered",
          data, early)  # fmt: skip
    _emit(world, kit.hr, org, "OrgUnitCreated", d.unit("div-1"))
    _emit(world, kit.hr, org, "OrgUnitCreated", d.unit("cdc-1", "child_development_centre"))
    _emit(world, kit.hr, org, "OrgUnitClosed", {"unit": "cdc-1", "reason": "ยุบรวม"})
    _emit(world, kit.admin, organization_stream_id(str(NEIGHBOUR.lao)), "OrganizationRenamed",
          {"name": "เทศบาลตำบลทดลอง"})  # fmt: skip
    _emit(world, kit.admin, organization_stream_id(str(NEIGHBOUR.lao)), "OrganizationTypeChanged",
          {"from_type": "sao", "to_type": "subdistrict_municipality"})  # fmt: skip


def _records(world: ProjectionWorld) -> None:
    kit = world.kit
    leave = ("LeaveTaken", d.ENTRY_DATA["LeaveTaken"], date(2019, 6, 3))
    vacation = (
        "LeaveTaken",
        {"leave_type": "vacation", "start": "2019-12-02", "end": "2019-12-02", "days": "1"},
        date(2019, 12, 2),
    )
    summary = ("LeaveYearSummarised", d.ENTRY_DATA["LeaveYearSummarised"], date(2019, 9, 30))
    _record(world, "r1", kit.hr, LAO, "official", "1960-05-10",
            personal("หนึ่ง"), education(), salary("20000.00"), started(), leave, summary,
            vacation)  # fmt: skip
    r2 = _record(world, "r2", kit.hr, LAO, "teacher", "1980-01-01",
                 personal("สอง"), education(), salary("30000.00"), started())  # fmt: skip
    _emit(
        world,
        kit.hr,
        r2,
        "EntryCorrected",
        {
            "supersedes": world.versions["r2.PositionSalaryEntryAdded"],
            "reason": "พิมพ์เงินเดือนผิด",
            "replacement": d.salary_entry("31000.00"),
        },
    )
    later = _emit(world, kit.hr, r2, "PositionSalaryEntryAdded", d.salary_entry("33000.00"),
                  date(2019, 10, 1))  # fmt: skip
    _emit(world, kit.hr, r2, "EntryVoided", {"entry": later, "reason": "คำสั่งถูกยกเลิก"})
    r3 = _record(world, "r3", kit.hr, LAO, "official", "1961-02-02",
                 personal("สาม"), salary("25000.00"), started())  # fmt: skip
    _emit(world, kit.hr, r3, "Resigned", d.status_data("Resigned"), date(2019, 9, 1))
    r4 = _record(world, "r4", kit.hr, LAO, "official", "1975-03-03",
                 personal("สี่"), education(), salary("28000.00"), started())  # fmt: skip
    to_tak = {"to_lao": TAK.lao, "to_province": TAK.province, "order": d.order("40/2562")}
    _emit(world, kit.hr, r4, "TransferredOut", to_tak, date(2019, 11, 1))
    _emit(world, kit.other_hr, r4, "TransferredIn",
          {"from_lao": LAO.lao, "order": d.order("41/2562")}, date(2019, 11, 1))  # fmt: skip
    _record(world, "r5", kit.hr, LAO, "contract", "1990-07-07", personal("ห้า"),
            education(date(2012, 3, 31)), salary("15000.00"), started("contracted"))  # fmt: skip
    _record(world, "r6", kit.other_hr, TAK, "official", "1960-12-01",
            personal("หก"), education(), salary("40000.00"), started())  # fmt: skip
    _record(world, "r7", world.operators["neighbour_hr"], NEIGHBOUR, "employee", "1962-06-06",
            personal("เจ็ด"), education(), salary("18000.00"), started())  # fmt: skip


def _positions(world: ProjectionWorld) -> None:
    kit, lao = world.kit, str(LAO.lao)
    streams = {
        number: position_stream_id(lao, number) for number in ("P-1", "P-2", "P-3", "P-4", "P-5")
    }
    for number, stream in streams.items():
        category = "teacher" if number == "P-2" else "official"
        _emit(world, kit.hr, stream, "PositionCreated",
              d.position(LAO, number, category=category, unit="div-1"))  # fmt: skip
    holder = {"record": str(world.records["r1"]), "order": d.order("42/2562")}
    _emit(world, kit.hr, streams["P-1"], "PositionHolderAssigned", holder)
    holder = {"record": str(world.records["r2"]), "order": d.order("43/2562")}
    _emit(world, kit.hr, streams["P-2"], "PositionHolderAssigned", holder)
    _emit(world, kit.hr, streams["P-2"], "PositionVacated", {"reason": "moved"})
    _emit(world, kit.hr, streams["P-3"], "PositionFrozen", {"reason": "ตรึงอัตรา"})
    _emit(world, kit.hr, streams["P-4"], "PositionReclassified", {"level": "ชำนาญการ"})
    _emit(world, kit.hr, streams["P-5"], "PositionAbolished",
          {"reason": "ยุบเลิก", "order": d.order("44/2562")})  # fmt: skip


def _eplan(world: ProjectionWorld) -> None:
    planning, finance = world.operators["planning"], world.operators["finance"]
    plan = plan_stream_id(str(LAO.lao), 2562, 2564)
    world.plans["main"] = plan
    _emit(world, planning, plan, "PlanDrafted", d.plan(LAO, 2562, 2564), date(2018, 10, 1))
    _emit(world, planning, plan, "VisionRecorded", {"vision": "ชุมชนน่าอยู่"}, date(2018, 11, 1))
    for number in ("1", "2"):
        _emit(world, planning, plan, "StrategyAdded",
              {"strategy": number, "title": f"ยุทธศาสตร์ {number}"}, date(2018, 11, 1))  # fmt: skip
    for name, years in (
        ("a", {"2562": "100000.00", "2563": "50000.00"}),
        ("b", {"2562": "80000.00"}),
        ("c", {"2563": "90000.00", "2564": None}),
    ):
        world.projects[name] = uuid.uuid4()
        _emit(world, planning, world.projects[name], "PlanProjectAdded",
              d.project(plan, LAO, years), date(2019, 1, 15))  # fmt: skip
    _emit(world, planning, plan, "PlanApproved",
          {"approved_on": "2019-06-30", "approver": "นายก"}, date(2019, 6, 30))  # fmt: skip
    a, b = world.projects["a"], world.projects["b"]
    _emit(world, finance, a, "BudgetApproved", d.budget(2562, "100000.00"), date(2018, 10, 1))
    _emit(world, finance, a, "ContractSigned", d.contract(amount="95000.00"), date(2019, 1, 20))
    _emit(world, finance, a, "DisbursementMade", {"amount": "50000.00", "paid_on": "2019-03-01"},
          date(2019, 3, 1))  # fmt: skip
    _emit(world, finance, a, "ProjectCompleted", {"completed_on": "2019-09-01"}, date(2019, 9, 1))
    _emit(world, finance, b, "BudgetApproved", d.budget(2562, "80000.00"), date(2018, 10, 1))
    neighbour = plan_stream_id(str(NEIGHBOUR.lao), 2562, 2564)
    world.plans["neighbour"] = neighbour
    _emit(world, planning, neighbour, "PlanDrafted", d.plan(NEIGHBOUR, 2562, 2564),
          date(2018, 10, 1))  # fmt: skip
    _emit(world, planning, neighbour, "StrategyAdded", {"strategy": "1", "title": "ด้านถนน"},
          date(2018, 11, 1))  # fmt: skip
    world.projects["d"] = uuid.uuid4()
    _emit(world, planning, world.projects["d"], "PlanProjectAdded",
          d.project(neighbour, NEIGHBOUR, {"2562": "10000.00"}), date(2019, 1, 15))  # fmt: skip
    _emit(world, planning, world.projects["d"], "PlanProjectRemoved", {"reason": "ซ้ำซ้อน"},
          date(2019, 2, 1))  # fmt: skip


def _budgets(world: ProjectionWorld) -> None:
    finance = world.operators["finance"]
    org = organization_stream_id(str(LAO.lao))
    for year, amount in ((2562, "500000.00"), (2562, "600000.00"), (2563, "2000000.00")):
        _emit(world, finance, org, "AnnualBudgetEnacted",
              {"fiscal_year": year, "amount": amount}, date(year - 544, 9, 20))  # fmt: skip


def _certification(world: ProjectionWorld) -> None:
    kit, lao = world.kit, str(LAO.lao)
    cycle = certification_stream_id(lao, "2562")
    _emit(world, kit.admin, cycle, "CycleOpened", d.cycle(LAO, "2562"), date(2019, 6, 1))
    snapshot = lao_snapshot(kit.ledger, lao)
    root = {"snapshot_root": snapshot.root}
    _emit(world, kit.hr, cycle, "LaoDataSubmitted",
          root | {"record_count": snapshot.record_count, "position": snapshot.position},
          date(2019, 7, 20))  # fmt: skip
    _emit(world, world.operators["head"], cycle, "LaoDataCertified", root, date(2019, 7, 25))
    neighbour = certification_stream_id(str(NEIGHBOUR.lao), "2562")
    _emit(world, kit.admin, neighbour, "CycleOpened", d.cycle(NEIGHBOUR, "2562"), date(2019, 6, 1))
    # Changed after certification: r1 is stale now.
    _emit(world, kit.hr, world.records["r1"], "TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"],
          date(2019, 8, 1))  # fmt: skip
