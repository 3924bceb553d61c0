"""A small world with every aggregate in every state an event type needs, and operators of
every role inside and outside its LAO's scope: the ground for the exhaustive permission test.

The LAO of the world is นครพนม / 6480101 (``NAKHON_PHANOM_LAO``); "outside" operators act in
ตาก / 6630101 (``TAK_LAO``). Everything is made up.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ledger.domain.certification import certification_stream_id
from ledger.domain.eplan import plan_stream_id, subsidy_stream_id
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import NATIONAL, Role, Scope, province_scope
from ledger.domain.positions import position_stream_id
from ledger.domain.rules import retirement_date, retirement_fiscal_year
from ledger.genesis import enrolment_data
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, SOFTWARE, TAK_LAO, LedgerKit, Operator, submission
from tests.people import made_up_cid

LAO = NAKHON_PHANOM_LAO
OUTSIDE_LAO = TAK_LAO
OWNER_CID = made_up_cid(500)
ACTIVE_BIRTH = "1961-05-10"

PROVINCE_ROLES = frozenset({Role.PROVINCIAL_OFFICER, Role.COMMITTEE_SECRETARY, Role.PLAN_ANALYST})
NATIONAL_ROLES = frozenset({Role.DLA_ADMIN, Role.AUDITOR})


def inside_scope(role: Role) -> Scope:
    """The natural scope of a role, covering the world's LAO."""
    if role in NATIONAL_ROLES:
        return NATIONAL
    if role in PROVINCE_ROLES:
        return province_scope(str(LAO.province))
    return LAO


def outside_scope(role: Role) -> Scope:
    """A scope of the same level that does not cover the world's LAO."""
    if role in NATIONAL_ROLES or role in PROVINCE_ROLES:
        return province_scope(str(OUTSIDE_LAO.province))
    return OUTSIDE_LAO


@dataclass
class World:
    kit: LedgerKit
    inside: dict[Role, Operator] = field(default_factory=dict)
    outside: dict[Role, Operator] = field(default_factory=dict)
    streams: dict[str, uuid.UUID] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)
    spare: Operator | None = None  # enrolled at the LAO, for a revocation

    def on(self, kit: LedgerKit) -> World:
        """The same world over another ledger (a copy of this one's database)."""
        return dataclasses.replace(self, kit=kit)

    def emit(self, role: Role, stream: str, type: str, data: dict[str, Any]) -> int:
        """Emit as the inside operator of ``role``; return the new version of the stream."""
        return self.kit.emit(self.operator(role), self.streams[stream], type, data).version

    def operator(self, role: Role, inside: bool = True) -> Operator:
        if role is Role.SYSTEM:
            return self.kit.system
        return (self.inside if inside else self.outside)[role]


def build_world(kit: LedgerKit) -> World:
    """Populate ``kit``'s ledger (initialised, with its admin and HR officers)."""
    world = World(kit)
    for role in Role:
        if role in (Role.SYSTEM, Role.RECORD_OWNER):  # owners: once their records are open
            continue
        world.outside[role] = (
            kit.other_hr
            if role is Role.LAO_HR_OFFICER
            else kit.operator([role], outside_scope(role))
        )
        if role is Role.LAO_HR_OFFICER:
            world.inside[role] = kit.hr
        elif role is Role.DLA_ADMIN:
            world.inside[role] = kit.admin
        else:
            world.inside[role] = kit.operator([role], inside_scope(role))
    world.spare = kit.operator([Role.LAO_HR_OFFICER], LAO)
    _organizations(world)
    _records(world)
    _positions(world)
    _cycles(world)
    _eplan(world)
    return world


def _organizations(world: World) -> None:
    s = world.streams
    s["org"] = organization_stream_id(str(LAO.lao))  # the kit registered the world's two LAOs
    s["org_outside"] = organization_stream_id(str(OUTSIDE_LAO.lao))
    s["org_neighbour"] = organization_stream_id("6480102")
    neighbour = d.organization("6480102", str(LAO.province))
    world.emit(Role.DLA_ADMIN, "org_neighbour", "OrganizationRegistered", neighbour)
    for unit in (
        d.unit("div-1"),
        d.unit("school-1", "school"),
        d.unit("cdc-1", "child_development_centre"),
    ):
        world.emit(Role.LAO_HR_OFFICER, "org", "OrgUnitCreated", unit)


def _record(world: World, name: str, *events: tuple[str, dict[str, Any]], **fields: Any) -> None:
    world.streams[name] = uuid.uuid4()
    world.emit(Role.LAO_HR_OFFICER, name, "RecordOpened", d.record(LAO, **fields))
    for type_, data in events:
        world.entries[f"{name}.{type_}"] = world.emit(Role.LAO_HR_OFFICER, name, type_, data)


def _records(world: World) -> None:
    started = ("EmploymentStarted", d.status_data("EmploymentStarted"))
    _record(
        world,
        "active",
        started,
        ("PenaltyImposed", d.ENTRY_DATA["PenaltyImposed"]),
        ("DecorationRecorded", d.ENTRY_DATA["DecorationRecorded"]),
        ("EducationAdded", d.ENTRY_DATA["EducationAdded"]),
        ("OtherItemRecorded", d.ENTRY_DATA["OtherItemRecorded"]),
        ("PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"]),  # a certificate's name
        ("PositionSalaryEntryAdded", d.salary_entry()),  # and what it certifies
        birth_date=ACTIVE_BIRTH,
        cid=made_up_cid(501),
    )
    _record(world, "pending", cid=made_up_cid(502))
    _record(
        world, "suspended", started, ("Suspended", d.status_data("Suspended")), cid=made_up_cid(503)
    )
    _record(
        world, "resigned", started, ("Resigned", d.status_data("Resigned")), cid=made_up_cid(504)
    )
    _record(
        world,
        "contract",
        ("EmploymentStarted", d.status_data("EmploymentStarted", kind="contracted")),
        category="contract",
        cid=made_up_cid(505),
    )
    _record(world, "owner", started, cid=OWNER_CID)
    _owners(world)
    world.entries["owner.request"] = world.emit(
        Role.RECORD_OWNER,
        "owner",
        "ChangeRequestedByOwner",
        {"section": "general", "proposal": "ขอแก้ไขนามสกุลหลังสมรส"},
    )
    kit = world.kit
    if kit.ledger.vault is not None:  # a v2 record, whose personal values erasure can reach
        world.streams["erasable"] = erasable = uuid.uuid4()
        kit.emit_v2(kit.hr, erasable, "RecordOpened", d.record(LAO, cid=made_up_cid(508)))
    # A record arriving from the outside LAO: opened there, transferred out to this LAO.
    incoming = uuid.uuid4()
    world.streams["incoming"] = incoming
    kit.emit(kit.other_hr, incoming, "RecordOpened", d.record(OUTSIDE_LAO, cid=made_up_cid(506)))
    kit.emit(kit.other_hr, incoming, "EmploymentStarted", d.status_data("EmploymentStarted"))
    to_here = {"to_lao": LAO.lao, "to_province": LAO.province, "order": d.order("40/2562")}
    kit.emit(kit.other_hr, incoming, "TransferredOut", to_here)


def _owners(world: World) -> None:
    """The record owners: inside, the person of the "owner" record; outside, the person of a
    record of the outside LAO (each enrolled by her record where the ledger has a vault)."""
    kit, owner = world.kit, Role.RECORD_OWNER
    world.inside[owner] = kit.record_owner(world.streams["owner"], LAO, OWNER_CID)
    elsewhere = uuid.uuid4()
    kit.emit(kit.other_hr, elsewhere, "RecordOpened", d.record(OUTSIDE_LAO, cid=made_up_cid(509)))
    world.outside[owner] = kit.record_owner(elsewhere, OUTSIDE_LAO, made_up_cid(509))


def _positions(world: World) -> None:
    for name, number in (("vacant", "P-1"), ("occupied", "P-2"), ("frozen", "P-3")):
        world.streams[name] = position_stream_id(str(LAO.lao), number)
        world.emit(
            Role.LAO_HR_OFFICER, name, "PositionCreated", d.position(LAO, number, unit="div-1")
        )
    holder = {"record": str(world.streams["active"]), "order": d.order("41/2562")}
    world.emit(Role.LAO_HR_OFFICER, "occupied", "PositionHolderAssigned", holder)
    world.emit(Role.LAO_HR_OFFICER, "frozen", "PositionFrozen", {"reason": "รอการยุบเลิก"})


def _cycles(world: World) -> None:
    """Cycles in each state, each submission naming the LAO's snapshot as the ledger has it."""
    steps = {
        "draft": 0,
        "submitted": 1,
        "lao_certified": 2,
        "province_verified": 3,
    }
    for index, (state, done) in enumerate(steps.items()):
        name = f"cycle_{state}"
        label = str(2560 + index)
        world.streams[name] = certification_stream_id(str(LAO.lao), label)
        world.emit(Role.DLA_ADMIN, name, "CycleOpened", d.cycle(LAO, label))
        data = submission(world.kit.ledger, str(LAO.lao))
        root = {"snapshot_root": data["snapshot_root"]}
        for role, type_, step in (
            (Role.LAO_HR_OFFICER, "LaoDataSubmitted", data),
            (Role.LAO_HEAD, "LaoDataCertified", root),
            (Role.PROVINCIAL_OFFICER, "ProvinceCertified", root),
        )[:done]:
            world.emit(role, name, type_, step)


def _root(world: World, cycle: str) -> dict[str, Any]:
    """The snapshot root a cycle of the world was submitted with."""
    found = world.kit.ledger.aggregate(world.streams[cycle])
    return {"snapshot_root": getattr(found, "submitted_root", None)}


def _eplan(world: World) -> None:
    s, planning, finance = world.streams, Role.EPLAN_PLANNING, Role.EPLAN_FINANCE
    for name, (first, last) in (("plan_draft", (2561, 2565)), ("plan_approved", (2566, 2570))):
        s[name] = plan_stream_id(str(LAO.lao), first, last)
        world.emit(planning, name, "PlanDrafted", d.plan(LAO, first, last))
        world.emit(
            planning, name, "StrategyAdded", {"strategy": "1", "title": "ยุทธศาสตร์ด้านโครงสร้างพื้นฐาน"}
        )
    projects = (
        ("project_draft", "plan_draft", {"2562": "100000.00"}),
        ("project_planned", "plan_approved", {"2567": "200000.00", "2568": None}),
        ("project_budgeted", "plan_approved", {"2566": "300000.00"}),
    )
    for name, plan_name, years in projects:
        s[name] = uuid.uuid4()
        world.emit(planning, name, "PlanProjectAdded", d.project(s[plan_name], LAO, years))
    world.emit(
        planning,
        "plan_approved",
        "PlanApproved",
        {"approved_on": "2019-06-01", "approver": "นายก อบต."},
    )
    world.emit(finance, "project_budgeted", "BudgetApproved", d.budget(2566, "300000.00"))
    first_payment = {"amount": "100000.00", "paid_on": "2019-02-01"}  # it may complete now
    world.emit(finance, "project_budgeted", "DisbursementMade", first_payment)
    for name, sector in (("subsidy_education", "education"), ("subsidy_other", "infrastructure")):
        data = d.subsidy(LAO, name, sector)
        s[name] = subsidy_stream_id(str(LAO.lao), 2562, "general", name)
        world.emit(finance, name, "SubsidyAllocated", data)


# The samples: for each event type (and target variant), a stream of the world and valid data.

SYSTEM_SCHEDULE = {
    "fiscal_year": retirement_fiscal_year(date.fromisoformat(ACTIVE_BIRTH)),
    "last_day": retirement_date(date.fromisoformat(ACTIVE_BIRTH)).isoformat(),
}


def samples(world: World) -> dict[tuple[str, str], tuple[uuid.UUID, dict[str, Any]]]:
    """(event type, variant) -> (target stream, data) for every event type but the genesis
    (which names the key that signs it). New streams get fresh ids."""
    s, e = world.streams, world.entries
    new_operator = Operator(cid=made_up_cid(900))
    assert world.spare is not None
    found: dict[tuple[str, str], tuple[uuid.UUID, dict[str, Any]]] = {
        ("OperatorEnrolled", ""): (
            world.kit.ledger.registry_id,
            enrolment_data(
                cid=new_operator.cid,
                public_key=new_operator.signer.public_key,
                roles=[Role.LAO_HR_OFFICER],
                scope=LAO,
                storage=SOFTWARE,
            ),
        ),
        ("OperatorKeyRevoked", ""): (
            world.kit.ledger.registry_id,
            {"key_id": world.spare.signer.key_id, "reason": "ย้ายไปหน่วยงานอื่น"},
        ),
        # Organizations.
        ("OrganizationRegistered", ""): (
            organization_stream_id("6480199"),
            d.organization("6480199", str(LAO.province)),
        ),
        ("OrganizationTypeChanged", ""): (
            s["org"],
            {"from_type": "sao", "to_type": "subdistrict_municipality", "gazette": d.GAZETTE},
        ),
        ("OrganizationRenamed", ""): (s["org"], {"name": "เทศบาลตำบลตัวอย่าง"}),
        ("OrganizationMerged", ""): (s["org"], {"into": "6480102"}),
        ("OrgUnitCreated", ""): (s["org"], d.unit("div-2", parent="div-1")),
        ("OrgUnitClosed", ""): (s["org"], {"unit": "cdc-1", "reason": "ยุบรวม"}),
        ("AnnualBudgetEnacted", ""): (
            s["org"],
            {"fiscal_year": 2563, "amount": "85000000.00", "ordinance": d.order("1/2562")},
        ),
        # Positions.
        ("PositionCreated", ""): (
            position_stream_id(str(LAO.lao), "P-9"),
            d.position(LAO, "P-9", unit="school-1"),
        ),
        ("PositionReclassified", ""): (s["vacant"], {"level": "ชำนาญการ"}),
        ("PositionHolderAssigned", ""): (
            s["vacant"],
            {"record": str(s["pending"]), "order": d.order("42/2562")},
        ),
        ("PositionVacated", ""): (s["occupied"], {"reason": "retired"}),
        ("PositionFrozen", ""): (s["vacant"], {"reason": "ตรึงอัตรา"}),
        ("PositionUnfrozen", ""): (s["frozen"], {"reason": "สรรหาได้"}),
        ("PositionAbolished", ""): (s["frozen"], {"reason": "ยุบเลิก", "order": d.order("43/2562")}),
        # Personnel records.
        ("RecordOpened", ""): (uuid.uuid4(), d.record(LAO, cid=made_up_cid(507))),
        ("EntryCorrected", ""): (
            s["active"],
            {
                "supersedes": e["active.EducationAdded"],
                "reason": "พิมพ์ชื่อสถาบันผิด",
                "replacement": {**d.education(), "institution": "มหาวิทยาลัยขอนแก่น"},
            },
        ),
        ("EntryVoided", ""): (
            s["active"],
            {"entry": e["active.OtherItemRecorded"], "reason": "บันทึกซ้ำ"},
        ),
        ("AmnestyApplied", ""): (
            s["active"],
            {"penalty": e["active.PenaltyImposed"], "law": "พ.ร.บ.ล้างมลทิน พ.ศ. ๒๕๖๒"},
        ),
        ("DecorationReturned", ""): (
            s["active"],
            {"decoration": e["active.DecorationRecorded"], "returned_on": "2019-09-01"},
        ),
        ("ChangeRequestedByOwner", ""): (
            s["owner"],
            {"section": "education", "proposal": "เพิ่มวุฒิปริญญาโท"},
        ),
        ("ChangeRequestResolved", ""): (
            s["owner"],
            {"request": e["owner.request"], "outcome": "accepted"},
        ),
        ("PersonErased", ""): (s.get("erasable", s["active"]), d.ERASURE),
        ("EmploymentStarted", ""): (s["pending"], d.status_data("EmploymentStarted")),
        ("Reinstated", ""): (s["suspended"], d.status_data("Reinstated")),
        ("TransferredIn", ""): (
            s["incoming"],
            {"from_lao": OUTSIDE_LAO.lao, "order": d.order("44/2562")},
        ),
        ("RetirementScheduled", ""): (s["active"], SYSTEM_SCHEDULE),
        ("Retired", ""): (
            s["active"],
            {"last_day": SYSTEM_SCHEDULE["last_day"], "order": d.order("45/2562")},
        ),
        ("ContractEnded", ""): (s["contract"], d.status_data("ContractEnded")),
        ("SeparationRevoked", ""): (s["resigned"], d.status_data("SeparationRevoked")),
        # Certificates.
        ("CertificateIssued", ""): (uuid.uuid4(), d.certificate(s["active"])),
        # Certification.
        ("CycleOpened", ""): (
            certification_stream_id(str(LAO.lao), "2570"),
            d.cycle(LAO, "2570"),
        ),
        ("LaoDataSubmitted", ""): (s["cycle_draft"], submission(world.kit.ledger, str(LAO.lao))),
        ("LaoDataReturned", ""): (s["cycle_submitted"], d.returned()),
        ("LaoDataCertified", ""): (s["cycle_submitted"], _root(world, "cycle_submitted")),
        ("ProvinceVerificationReturned", ""): (s["cycle_lao_certified"], d.returned()),
        ("ProvinceCertified", ""): (s["cycle_lao_certified"], _root(world, "cycle_lao_certified")),
        ("ProvinceReportSent", ""): (
            s["cycle_province_verified"],
            {"letter": d.order("นพ 0023.2/1", "2019-08-20", "สถ.จ.นครพนม")},
        ),
        ("DlaReturned", ""): (s["cycle_province_verified"], {"reason": "ข้อมูลครูไม่ครบ"}),
        ("DlaAccepted", ""): (
            s["cycle_province_verified"],
            _root(world, "cycle_province_verified"),
        ),
        ("WarningLetterSent", ""): (
            s["cycle_draft"],
            {"stage": "lao", "letter": d.order("นพ 0023.2/2", "2019-08-05", "สถ.จ.นครพนม")},
        ),
        ("CycleOverdue", ""): (s["cycle_draft"], {"stage": "lao", "as_of": "2019-08-01"}),
        ("CertificationInvalidated", ""): (
            s["cycle_lao_certified"],
            {"records": [str(s["active"])], "cause": "แก้ไขประวัติหลังรับรอง"},
        ),
        # e-Plan.
        ("PlanDrafted", ""): (plan_stream_id(str(LAO.lao), 2571, 2575), d.plan(LAO, 2571, 2575)),
        ("VisionRecorded", ""): (s["plan_draft"], {"vision": "ชุมชนน่าอยู่ เศรษฐกิจพอเพียง"}),
        ("StrategyAdded", ""): (s["plan_draft"], {"strategy": "2", "title": "ด้านสังคม"}),
        ("PlanApproved", ""): (
            s["plan_draft"],
            {"approved_on": "2019-06-30", "approver": "นายก อบต.", "announcement": d.order()},
        ),
        ("PlanAmended", ""): (
            s["plan_approved"],
            {"amendment_no": 1, "kind": "addition", "reason": "เพิ่มโครงการ"},
        ),
        ("PlanProjectAdded", ""): (uuid.uuid4(), d.project(s["plan_draft"], LAO)),
        ("PlanProjectChanged", ""): (s["project_draft"], {"title": "ก่อสร้างรางระบายน้ำ"}),
        ("PlanProjectRemoved", ""): (s["project_draft"], {"reason": "ซ้ำซ้อน"}),
        ("BudgetApproved", ""): (s["project_planned"], d.budget(2567, "200000.00")),
        ("ContractSigned", ""): (s["project_budgeted"], d.contract(amount="290000.00")),
        ("DisbursementMade", ""): (
            s["project_budgeted"],
            {"amount": "100000.00", "paid_on": "2019-03-01"},
        ),
        ("ProgressReported", ""): (
            s["project_budgeted"],
            {"percent": 40, "as_of": "2019-03-01"},
        ),
        ("ProjectCompleted", ""): (s["project_budgeted"], {"completed_on": "2019-09-01"}),
        ("ProjectDeferred", ""): (s["project_planned"], {"to_year": 2569, "reason": "งบไม่พอ"}),
        ("ProjectCancelled", ""): (s["project_planned"], {"reason": "พื้นที่ซ้ำซ้อน"}),
        ("FundsCarriedOver", ""): (
            s["project_budgeted"],
            {"from_year": 2566, "amount": "200000.00"},  # the budget less the first payment
        ),
        ("ProjectGeoLocated", ""): (s["project_planned"], d.LINE),
        ("SubsidyAllocated", ""): (
            subsidy_stream_id(str(LAO.lao), 2562, "specific", "road-9"),
            d.subsidy(LAO, "road-9", "infrastructure", kind="specific"),
        ),
        ("SubsidyDisbursed", "education"): (
            s["subsidy_education"],
            {"amount": "60000.00", "paid_on": "2019-05-01"},
        ),
        ("SubsidyDisbursed", "other"): (
            s["subsidy_other"],
            {"amount": "60000.00", "paid_on": "2019-05-01"},
        ),
        ("SubsidyOutcomeReported", "education"): (
            s["subsidy_education"],
            {"result": "นักเรียนได้รับอาหารกลางวันครบ", "beneficiaries": 120},
        ),
        ("SubsidyOutcomeReported", "other"): (
            s["subsidy_other"],
            {"result": "ถนนแล้วเสร็จ", "target_achieved": True},
        ),
    }
    for type_ in d.ENTRY_DATA:
        found.setdefault((type_, ""), (s["active"], d.ENTRY_DATA[type_]))
    for type_ in (
        "Suspended",
        "TransferredOut",
        "Resigned",
        "Discharged",
        "Dismissed",
        "RemovedFromService",
        "Died",
    ):
        found[(type_, "")] = (s["active"], d.status_data(type_))
    return found
