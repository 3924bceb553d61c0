"""Property tests of every state machine of the domain, through the ledger on in-memory SQLite.

Hypothesis drives random command sequences against each aggregate: any command at all (most of
them refused), and commands the model allows (``valid_*`` rules), so that long runs of accepted
transitions happen too. Each test keeps its own model
of the machine, written from DOMAIN.md 5.2 and section 4, and checks after every command that
the ledger accepted it exactly when the model allows it, that a rejected command left the stream
(its version and head hash) and the log unchanged, and that the aggregate's state is the model's.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger.application import Ledger
from ledger.domain.certification import (
    CertificationCycle,
    CertificationState,
    Stage,
    certification_stream_id,
)
from ledger.domain.employment import EmploymentStatus
from ledger.domain.eplan import (
    DevelopmentPlan,
    PlanProject,
    ProjectStatus,
    Subsidy,
    plan_stream_id,
    subsidy_stream_id,
)
from ledger.domain.organizations import Organization, organization_stream_id
from ledger.domain.permissions import Role, province_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.positions import Position, PositionStatus, position_stream_id
from ledger.domain.rules import retirement_date
from ledger.errors import ForbiddenError, InvalidDataError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    submission,
)

SETTINGS = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
LAO, OTHER = NAKHON_PHANOM_LAO, TAK_LAO
BIRTH = "1961-05-10"
LAST_DAY = retirement_date(date.fromisoformat(BIRTH)).isoformat()
COUNTER = itertools.count(1)


@dataclass
class Env:
    """One ledger for all machines, with an operator per role in the LAO (and HR elsewhere)."""

    kit: LedgerKit
    ops: dict[Role, Operator] = field(default_factory=dict)

    def hr(self, lao: str) -> Operator:
        return self.kit.hr if lao == LAO.lao else self.kit.other_hr


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    """An in-memory ledger with both LAOs registered and an operator for every role."""
    ledger = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="machines"))
    kit = build_kit(ledger)
    environment = Env(kit)
    for role in (
        Role.LAO_HEAD,
        Role.LAO_SUPERIOR,
        Role.EPLAN_PLANNING,
        Role.EPLAN_FINANCE,
        Role.EPLAN_EDUCATION,
        Role.EPLAN_ENGINEERING,
    ):
        environment.ops[role] = kit.operator([role], LAO)
    environment.ops[Role.PROVINCIAL_OFFICER] = kit.operator(
        [Role.PROVINCIAL_OFFICER], province_scope(str(LAO.province))
    )
    environment.ops[Role.DLA_ADMIN] = kit.admin
    environment.ops[Role.SYSTEM] = kit.system
    environment.ops[Role.LAO_HR_OFFICER] = kit.hr
    kit.emit(kit.hr, organization_stream_id(str(LAO.lao)), "OrgUnitCreated", d.unit("div-1"))
    yield environment
    ledger.close()


class LedgerMachine(RuleBasedStateMachine):
    """Submits commands and checks that a rejection changes nothing."""

    env: ClassVar[Env]

    def attempt(
        self,
        role_or_operator: Role | Operator,
        stream: uuid.UUID,
        type: str,
        data: dict[str, Any],
    ) -> str:
        """Submit; return "accepted", "invalid" or "forbidden" (after checking nothing moved)."""
        kit = self.env.kit
        operator = (
            role_or_operator
            if isinstance(role_or_operator, Operator)
            else self.env.ops[role_or_operator]
        )
        before = (kit.ledger.head(stream), kit.event_count())
        try:
            kit.emit(operator, stream, type, data)
        except (InvalidDataError, ForbiddenError) as error:
            assert before == (kit.ledger.head(stream), kit.event_count())
            return "forbidden" if isinstance(error, ForbiddenError) else "invalid"
        return "accepted"

    def expect(self, allowed: bool, *args: Any) -> bool:
        """Attempt and check the ledger agreed with the model; return whether it landed."""
        outcome = self.attempt(*args)
        assert ("accepted" if allowed else "invalid") == outcome, args[2]
        return allowed


def run(machine: type[LedgerMachine], env: Env) -> None:
    machine.env = env
    run_state_machine_as_test(machine, settings=SETTINGS)


# Employment status.

ES = EmploymentStatus
IN_SERVICE = {ES.ACTIVE, ES.SUSPENDED}
TERMINAL = set(ES) - IN_SERVICE - {ES.PENDING}
EMPLOYMENT_MODEL: dict[str, tuple[set[EmploymentStatus], EmploymentStatus | None]] = {
    "EmploymentStarted": (
        {ES.PENDING, ES.RESIGNED, ES.DISCHARGED, ES.REMOVED, ES.CONTRACT_ENDED},
        ES.ACTIVE,
    ),
    "Suspended": ({ES.ACTIVE}, ES.SUSPENDED),
    "Reinstated": ({ES.SUSPENDED}, ES.ACTIVE),
    "TransferredOut": ({ES.ACTIVE}, ES.TRANSFERRED_OUT),
    "TransferredIn": ({ES.TRANSFERRED_OUT}, ES.ACTIVE),
    "Retired": (IN_SERVICE, ES.RETIRED),
    "Resigned": (IN_SERVICE, ES.RESIGNED),
    "Discharged": (IN_SERVICE, ES.DISCHARGED),
    "Dismissed": (IN_SERVICE, ES.DISMISSED),
    "RemovedFromService": (IN_SERVICE, ES.REMOVED),
    "Died": (IN_SERVICE | {ES.PENDING}, ES.DIED),
    "ContractEnded": (IN_SERVICE, ES.CONTRACT_ENDED),
    "SeparationRevoked": (TERMINAL, None),
}


class EmploymentMachine(LedgerMachine):
    @initialize(category=st.sampled_from(["official", "contract"]))
    def open_record(self, category: str) -> None:
        self.stream = uuid.uuid4()
        self.contract = category == "contract"
        self.status, self.before_separation = ES.PENDING, ES.ACTIVE
        self.custody, self.scheduled = str(LAO.lao), False
        data = d.record(LAO, category=category, birth_date=BIRTH)
        assert "accepted" == self.attempt(Role.LAO_HR_OFFICER, self.stream, "RecordOpened", data)

    def _model(self, event: str) -> EmploymentStatus | None:
        sources, target = EMPLOYMENT_MODEL[event]
        if self.status not in sources:
            return None
        if (event == "ContractEnded" and not self.contract) or (
            event == "Retired" and self.contract
        ):
            return None
        return self.before_separation if target is None else target

    @rule(event=st.sampled_from(sorted(EMPLOYMENT_MODEL)))
    def change_status(self, event: str) -> None:
        elsewhere = str(OTHER.lao) if self.custody == LAO.lao else str(LAO.lao)
        data = d.status_data(event)
        if event == "TransferredOut":
            data["to_lao"] = elsewhere
            data["to_province"] = OTHER.province if elsewhere == OTHER.lao else LAO.province
        elif event == "TransferredIn":
            data["from_lao"] = self.custody
        elif event == "Retired":
            data = {"last_day": LAST_DAY, "order": d.order()}
        arriving = event == "TransferredIn" and self.status is ES.TRANSFERRED_OUT
        signer = self.env.hr(elsewhere if arriving else self.custody)  # the destination signs
        target = self._model(event)
        if self.expect(target is not None, signer, self.stream, event, data):
            assert target is not None
            if self.status in IN_SERVICE and target not in IN_SERVICE:
                self.before_separation = self.status
            if event == "TransferredIn":
                self.custody = elsewhere
            self.status = target

    @rule(data=st.data())
    def valid_change(self, data: st.DataObject) -> None:
        options = [event for event in sorted(EMPLOYMENT_MODEL) if self._model(event) is not None]
        self.change_status(data.draw(st.sampled_from(options)))

    @rule()
    def schedule_retirement(self) -> None:
        allowed = self.status in IN_SERVICE and not self.contract and not self.scheduled
        data = {"fiscal_year": 2564, "last_day": LAST_DAY}
        if self.expect(allowed, Role.SYSTEM, self.stream, "RetirementScheduled", data):
            self.scheduled = True

    @invariant()
    def matches_model(self) -> None:
        record = self.env.kit.ledger.aggregate(self.stream)
        assert isinstance(record, PersonnelRecord)
        assert (self.status, self.custody) == (record.status, record.lao)
        assert (record.transfer is not None) == (record.status is ES.TRANSFERRED_OUT)
        assert (2564 in record.retirement_schedules) == self.scheduled


def test_employment_status_machine(env: Env) -> None:
    """Random status commands never reach a status the transition table does not allow."""
    run(EmploymentMachine, env)


# Positions.

PS = PositionStatus
POSITION_MODEL: dict[str, tuple[set[PositionStatus], PositionStatus | None]] = {
    "PositionHolderAssigned": ({PS.VACANT}, PS.OCCUPIED),
    "PositionVacated": ({PS.OCCUPIED}, PS.VACANT),
    "PositionFrozen": ({PS.VACANT}, PS.FROZEN),
    "PositionUnfrozen": ({PS.FROZEN}, PS.VACANT),
    "PositionAbolished": ({PS.VACANT, PS.FROZEN}, PS.ABOLISHED),
    "PositionReclassified": ({PS.VACANT, PS.OCCUPIED, PS.FROZEN}, None),
}


class PositionMachine(LedgerMachine):
    @initialize()
    def create(self) -> None:
        number = f"M-{next(COUNTER)}"
        self.stream = position_stream_id(str(LAO.lao), number)
        self.status, self.holder = PS.VACANT, None
        self.record = uuid.uuid4()
        kit = self.env.kit
        kit.emit(kit.hr, self.record, "RecordOpened", d.record(LAO))
        kit.emit(kit.hr, self.record, "EmploymentStarted", d.status_data("EmploymentStarted"))
        data = d.position(LAO, number)
        assert "accepted" == self.attempt(Role.LAO_HR_OFFICER, self.stream, "PositionCreated", data)

    @rule(event=st.sampled_from(sorted(POSITION_MODEL)))
    def change(self, event: str) -> None:
        data: dict[str, Any] = {
            "PositionHolderAssigned": {"record": str(self.record), "order": d.order()},
            "PositionVacated": {"reason": "moved"},
            "PositionAbolished": {"reason": "ยุบเลิก", "order": d.order()},
            "PositionReclassified": {"level": "ชำนาญการ", "unit": "div-1"},
        }.get(event, {"reason": "ตามแผนอัตรากำลัง"})
        sources, target = POSITION_MODEL[event]
        if self.expect(self.status in sources, Role.LAO_HR_OFFICER, self.stream, event, data):
            self.status = target or self.status
            self.holder = self.record if self.status is PS.OCCUPIED else None

    @precondition(lambda self: self.status is not PS.ABOLISHED)
    @rule(data=st.data())
    def valid_change(self, data: st.DataObject) -> None:
        options = [
            e for e, (sources, _) in sorted(POSITION_MODEL.items()) if self.status in sources
        ]
        self.change(data.draw(st.sampled_from(options)))

    @rule()
    def assign_a_stranger(self) -> None:
        """A record held by another LAO never takes this LAO's position."""
        stranger = uuid.uuid4()
        kit = self.env.kit
        kit.emit(kit.other_hr, stranger, "RecordOpened", d.record(OTHER))
        data = {"record": str(stranger), "order": d.order()}
        self.expect(False, Role.LAO_HR_OFFICER, self.stream, "PositionHolderAssigned", data)

    @invariant()
    def matches_model(self) -> None:
        position = self.env.kit.ledger.aggregate(self.stream)
        assert isinstance(position, Position)
        assert (self.status, self.holder) == (position.status, position.holder)
        assert (position.holder is not None) == (position.status is PS.OCCUPIED)


def test_position_machine(env: Env) -> None:
    """Random position commands keep one holder at most, and only while occupied."""
    run(PositionMachine, env)


# Certification cycle.

CS = CertificationState
WRONG_ROOT = d.sha("b")
CERTIFIED = {CS.LAO_CERTIFIED, CS.PROVINCE_VERIFIED, CS.DLA_ACCEPTED}


class CertificationMachine(LedgerMachine):
    @initialize()
    def open_cycle(self) -> None:
        label = f"2562-m{next(COUNTER)}"
        self.stream = certification_stream_id(str(LAO.lao), label)
        self.state, self.submitted, self.certified = CS.DRAFT, None, None
        self.report_sent, self.overdue = False, set[str]()
        data = d.cycle(LAO, label)
        assert "accepted" == self.attempt(Role.DLA_ADMIN, self.stream, "CycleOpened", data)

    def _open(self, stage: str, day: str) -> bool:
        deadline = "2019-07-31" if stage == "lao" else "2019-08-15"
        states = {CS.DRAFT, CS.SUBMITTED, CS.STALE} if stage == "lao" else {CS.LAO_CERTIFIED}
        return self.state in states and day > deadline

    @rule(right=st.booleans())
    def submit(self, right: bool) -> None:
        data = submission(self.env.kit.ledger, str(LAO.lao))
        if not right:
            data["snapshot_root"] = WRONG_ROOT
        allowed = self.state in {CS.DRAFT, CS.STALE} and right
        if self.expect(allowed, Role.LAO_HR_OFFICER, self.stream, "LaoDataSubmitted", data):
            self.state, self.submitted = CS.SUBMITTED, data["snapshot_root"]

    @rule(role=st.sampled_from([Role.LAO_SUPERIOR, Role.LAO_HEAD]))
    def lao_return(self, role: Role) -> None:
        if self.expect(
            self.state is CS.SUBMITTED, role, self.stream, "LaoDataReturned", d.returned()
        ):
            self.state = CS.DRAFT

    @rule(right=st.booleans())
    def lao_certify(self, right: bool) -> None:
        root = (self.submitted or d.sha("a")) if right else WRONG_ROOT
        allowed = self.state is CS.SUBMITTED and root == self.submitted
        data = {"snapshot_root": root}
        if self.expect(allowed, Role.LAO_HEAD, self.stream, "LaoDataCertified", data):
            self.state, self.certified = CS.LAO_CERTIFIED, root

    @rule()
    def province_return(self) -> None:
        allowed = self.state is CS.LAO_CERTIFIED
        event = "ProvinceVerificationReturned"
        if self.expect(allowed, Role.PROVINCIAL_OFFICER, self.stream, event, d.returned()):
            self.state, self.certified = CS.DRAFT, None

    @rule(right=st.booleans())
    def province_certify(self, right: bool) -> None:
        root = (self.certified or d.sha("a")) if right else WRONG_ROOT
        allowed = self.state is CS.LAO_CERTIFIED and root == self.certified
        data = {"snapshot_root": root}
        if self.expect(allowed, Role.PROVINCIAL_OFFICER, self.stream, "ProvinceCertified", data):
            self.state = CS.PROVINCE_VERIFIED

    @rule()
    def report(self) -> None:
        allowed = self.state is CS.PROVINCE_VERIFIED and not self.report_sent
        data = {"letter": d.order("นพ 1/2562")}
        if self.expect(allowed, Role.PROVINCIAL_OFFICER, self.stream, "ProvinceReportSent", data):
            self.report_sent = True

    @rule()
    def dla_return(self) -> None:
        allowed = self.state is CS.PROVINCE_VERIFIED
        if self.expect(allowed, Role.DLA_ADMIN, self.stream, "DlaReturned", {"reason": "ไม่ครบ"}):
            self.state, self.report_sent = CS.LAO_CERTIFIED, False

    @rule()
    def dla_accept(self) -> None:
        data = {"snapshot_root": self.certified} if self.certified else {}
        if self.expect(
            self.state is CS.PROVINCE_VERIFIED, Role.DLA_ADMIN, self.stream, "DlaAccepted", data
        ):
            self.state = CS.DLA_ACCEPTED

    @rule()
    def invalidate(self) -> None:
        data = {"records": [str(uuid.UUID(int=1))], "cause": "changed"}
        allowed = self.state in CERTIFIED
        if self.expect(allowed, Role.SYSTEM, self.stream, "CertificationInvalidated", data):
            self.state = CS.STALE

    @rule(
        stage=st.sampled_from(["lao", "province"]),
        day=st.sampled_from(["2019-07-31", "2019-08-10", "2019-09-01"]),
    )
    def overdue(self, stage: str, day: str) -> None:
        allowed = stage not in self.overdue and self._open(stage, day)
        data = {"stage": stage, "as_of": day}
        if self.expect(allowed, Role.SYSTEM, self.stream, "CycleOverdue", data):
            self.overdue.add(stage)

    @rule(
        stage=st.sampled_from(["lao", "province"]),
        day=st.sampled_from(["2019-07-31", "2019-08-10", "2019-09-01"]),
    )
    def warn(self, stage: str, day: str) -> None:
        data = {"stage": stage, "letter": d.order("นพ 2/2562", day)}
        self.expect(
            self._open(stage, day), Role.PROVINCIAL_OFFICER, self.stream, "WarningLetterSent", data
        )

    @rule(data=st.data())
    def valid_step(self, data: st.DataObject) -> None:
        moves: dict[CertificationState, list[tuple[str, Any]]] = {
            CS.DRAFT: [("submit", lambda: self.submit(True))],
            CS.SUBMITTED: [
                ("return", lambda: self.lao_return(Role.LAO_HEAD)),
                ("certify", lambda: self.lao_certify(True)),
            ],
            CS.LAO_CERTIFIED: [
                ("return", self.province_return),
                ("certify", lambda: self.province_certify(True)),
            ],
            CS.PROVINCE_VERIFIED: [
                ("report", self.report),
                ("return", self.dla_return),
                ("accept", self.dla_accept),
            ],
            CS.DLA_ACCEPTED: [("invalidate", self.invalidate)],
        }
        moves[CS.STALE] = moves[CS.DRAFT]
        _, move = data.draw(st.sampled_from(moves[self.state]))
        move()

    @invariant()
    def matches_model(self) -> None:
        cycle = self.env.kit.ledger.aggregate(self.stream)
        assert isinstance(cycle, CertificationCycle)
        assert (self.state, self.submitted) == (cycle.state, cycle.submitted_root)
        assert {Stage(s) for s in self.overdue} == cycle.overdue
        assert cycle.is_certified == (cycle.state in CERTIFIED)
        if cycle.is_certified:
            assert cycle.certified_root == cycle.submitted_root


def test_certification_machine(env: Env) -> None:
    """Random certification commands follow Draft -> ... -> DlaAccepted with its returns."""
    run(CertificationMachine, env)


# Development plan and plan project.

P = ProjectStatus
EXECUTING = {P.BUDGET_APPROVED, P.CONTRACTED, P.DISBURSING, P.CARRIED_OVER}


class PlanMachine(LedgerMachine):
    @initialize()
    def draft(self) -> None:
        first = 2400 + next(COUNTER) % 290  # a new plan period each time: a new stream
        self.plan = plan_stream_id(str(LAO.lao), first, first + 4)
        self.first = first
        planning = Role.EPLAN_PLANNING
        assert "accepted" == self.attempt(
            planning, self.plan, "PlanDrafted", d.plan(LAO, first, first + 4)
        )
        strategy = {"strategy": "1", "title": "โครงสร้างพื้นฐาน"}
        assert "accepted" == self.attempt(planning, self.plan, "StrategyAdded", strategy)
        self.project = uuid.uuid4()
        data = d.project(self.plan, LAO, {str(first + 1): "100000.00", str(first + 2): None})
        assert "accepted" == self.attempt(planning, self.project, "PlanProjectAdded", data)
        self.plan_status, self.amendment, self.approved = "draft", 0, None
        self.status, self.planned_year, self.fiscal_year = P.PLANNED, first + 1, None
        self.contracts: set[str] = set()
        self.budgeted = self.contracted = self.disbursed = Decimal("0.00")

    @property
    def editable(self) -> bool:
        return self.plan_status in ("draft", "amending")

    @rule()
    def approve(self) -> None:
        data = {"approved_on": "2019-06-01", "approver": "นายก"}
        if self.expect(self.editable, Role.LAO_HEAD, self.plan, "PlanApproved", data):
            self.plan_status, self.approved = "approved", self.amendment

    @rule(number=st.integers(min_value=1, max_value=3))
    def amend(self, number: int) -> None:
        allowed = self.plan_status == "approved" and number == self.amendment + 1
        data = {"amendment_no": number, "kind": "addition", "reason": "เพิ่มโครงการ"}
        if self.expect(allowed, Role.EPLAN_PLANNING, self.plan, "PlanAmended", data):
            self.plan_status, self.amendment = "amending", number

    def _step(
        self,
        role: Role,
        event: str,
        data: dict[str, Any],
        allowed: bool,
        target: ProjectStatus | None,
    ) -> bool:
        landed = self.expect(allowed, role, self.project, event, data)
        if landed and target is not None:
            self.status = target
        return landed

    @rule(year_offset=st.integers(min_value=0, max_value=4))
    def budget(self, year_offset: int) -> None:
        year = self.first + year_offset
        allowed = (
            self.status in {P.PLANNED, P.DEFERRED}
            and self.approved is not None
            and year >= self.planned_year
        )
        data = d.budget(year)
        if self._step(Role.EPLAN_FINANCE, "BudgetApproved", data, allowed, P.BUDGET_APPROVED):
            self.fiscal_year, self.budgeted = year, Decimal(data["amount"])

    @rule(number=st.sampled_from(["c1", "c2"]))
    def contract(self, number: str) -> None:
        data = d.contract(number)  # two of them are more than the budget
        within = self.contracted + Decimal(data["amount"]) <= self.budgeted
        allowed = self.status in EXECUTING and number not in self.contracts and within
        target = P.CONTRACTED if self.status is P.BUDGET_APPROVED else None
        if self._step(Role.EPLAN_FINANCE, "ContractSigned", data, allowed, target):
            self.contracts.add(number)
            self.contracted += Decimal(data["amount"])

    @rule(number=st.sampled_from([None, "c1"]))
    def disburse(self, number: str | None) -> None:
        data: dict[str, Any] = {"amount": "1000.00", "paid_on": "2019-05-01"}
        if number is not None:
            data["contract_no"] = number
        limit = self.contracted if self.contracts else self.budgeted
        within = self.disbursed + Decimal(data["amount"]) <= limit
        allowed = (
            self.status in EXECUTING and (number is None or number in self.contracts) and within
        )
        if self._step(Role.EPLAN_FINANCE, "DisbursementMade", data, allowed, P.DISBURSING):
            self.disbursed += Decimal(data["amount"])

    @rule(role=st.sampled_from([Role.EPLAN_FINANCE, Role.EPLAN_ENGINEERING]))
    def progress(self, role: Role) -> None:
        data = {"percent": 50, "as_of": "2019-05-01"}
        self._step(role, "ProgressReported", data, self.status in EXECUTING, None)

    @rule()
    def complete(self) -> None:
        data = {"completed_on": "2019-09-01"}
        carried_out = bool(self.contracts) or self.disbursed > 0
        allowed = self.status in EXECUTING and carried_out
        self._step(Role.EPLAN_FINANCE, "ProjectCompleted", data, allowed, P.COMPLETED)

    @rule(offset=st.integers(min_value=0, max_value=4))
    def defer(self, offset: int) -> None:
        year = self.first + offset
        allowed = self.status in {P.PLANNED, P.DEFERRED} and year > self.planned_year
        data = {"to_year": year, "reason": "งบไม่พอ"}
        if self._step(Role.EPLAN_PLANNING, "ProjectDeferred", data, allowed, P.DEFERRED):
            self.planned_year = year

    @rule()
    def cancel(self) -> None:
        allowed = self.status not in {P.COMPLETED, P.CANCELLED, P.REMOVED}
        self._step(
            Role.EPLAN_PLANNING, "ProjectCancelled", {"reason": "ยกเลิก"}, allowed, P.CANCELLED
        )

    @rule(later=st.booleans())
    def carry_over(self, later: bool) -> None:
        year = (self.fiscal_year or self.first) + (1 if later else 0)
        data = {"from_year": year, "amount": "5000.00"}
        unspent = self.budgeted - self.disbursed >= Decimal(data["amount"])
        allowed = self.status in EXECUTING and year == self.fiscal_year and unspent
        if self._step(Role.EPLAN_FINANCE, "FundsCarriedOver", data, allowed, P.CARRIED_OVER):
            self.fiscal_year = year + 1

    @rule()
    def change(self) -> None:
        allowed = self.status in {P.PLANNED, P.DEFERRED} and self.editable
        self._step(Role.EPLAN_PLANNING, "PlanProjectChanged", {"title": "ถนนสายใหม่"}, allowed, None)

    @rule()
    def remove(self) -> None:
        allowed = self.status in {P.PLANNED, P.DEFERRED} and self.editable
        self._step(Role.EPLAN_PLANNING, "PlanProjectRemoved", {"reason": "ซ้ำ"}, allowed, P.REMOVED)

    @rule(geometry=st.sampled_from([d.POINT, d.LINE]))
    def locate(self, geometry: dict[str, Any]) -> None:
        allowed = self.status is not P.REMOVED
        self._step(Role.EPLAN_ENGINEERING, "ProjectGeoLocated", geometry, allowed, None)

    @rule(data=st.data())
    def valid_step(self, data: st.DataObject) -> None:
        moves: list[tuple[str, Any]] = [("locate", lambda: self.locate(d.POINT))]
        if self.editable:
            moves.append(("approve", self.approve))
        else:
            moves.append(("amend", lambda: self.amend(self.amendment + 1)))
        if self.status in {P.PLANNED, P.DEFERRED}:
            if self.approved is not None:
                moves.append(("budget", lambda: self.budget(self.planned_year - self.first)))
            if self.planned_year < self.first + 4:
                moves.append(("defer", lambda: self.defer(self.planned_year + 1 - self.first)))
            if self.editable:
                moves.append(("change", self.change))
        if self.status in EXECUTING:
            fresh = [c for c in ("c1", "c2") if c not in self.contracts]
            if fresh:
                moves.append(("contract", lambda: self.contract(fresh[0])))
            moves.append(("disburse", lambda: self.disburse(None)))
            moves.append(("progress", lambda: self.progress(Role.EPLAN_ENGINEERING)))
            moves.append(("carry", lambda: self.carry_over(False)))
            moves.append(("complete", self.complete))
        _, move = data.draw(st.sampled_from(moves))
        move()

    @invariant()
    def matches_model(self) -> None:
        plan = self.env.kit.ledger.aggregate(self.plan)
        project = self.env.kit.ledger.aggregate(self.project)
        assert isinstance(plan, DevelopmentPlan)
        assert isinstance(project, PlanProject)
        assert (self.plan_status, self.amendment, self.approved) == (
            plan.status,
            plan.amendment,
            plan.approved_amendment,
        )
        assert (self.status, self.planned_year, self.fiscal_year) == (
            project.status,
            project.planned_year,
            project.fiscal_year,
        )
        assert set(project.contracts) == self.contracts
        assert self.disbursed == project.disbursed


def test_plan_and_project_machine(env: Env) -> None:
    """Random plan and project commands follow the e-Plan lifecycle of DOMAIN.md section 4."""
    run(PlanMachine, env)


# Subsidy.


class SubsidyMachine(LedgerMachine):
    @initialize(sector=st.sampled_from(["education", "infrastructure"]))
    def allocate(self, sector: str) -> None:
        item = f"s{next(COUNTER)}"
        self.stream = subsidy_stream_id(str(LAO.lao), 2562, "general", item)
        self.education, self.closed, self.disbursed = sector == "education", False, 0
        data = d.subsidy(LAO, item, sector)
        assert "accepted" == self.attempt(Role.EPLAN_FINANCE, self.stream, "SubsidyAllocated", data)

    def _outcome(self, role: Role) -> str:
        if role is Role.EPLAN_EDUCATION and not self.education:
            return "forbidden"
        return "invalid" if self.closed else "accepted"

    @rule(role=st.sampled_from([Role.EPLAN_FINANCE, Role.EPLAN_EDUCATION]))
    def disburse(self, role: Role) -> None:
        expected = self._outcome(role)
        data = {"amount": "1000.00", "paid_on": "2019-05-01"}
        assert expected == self.attempt(role, self.stream, "SubsidyDisbursed", data)
        self.disbursed += 1 if expected == "accepted" else 0

    @rule(role=st.sampled_from([Role.EPLAN_PLANNING, Role.EPLAN_FINANCE, Role.EPLAN_EDUCATION]))
    def report(self, role: Role) -> None:
        expected = self._outcome(role)
        data = {"result": "ดำเนินการแล้ว", "beneficiaries": 0}
        assert expected == self.attempt(role, self.stream, "SubsidyOutcomeReported", data)
        self.closed = self.closed or expected == "accepted"

    @invariant()
    def matches_model(self) -> None:
        subsidy = self.env.kit.ledger.aggregate(self.stream)
        assert isinstance(subsidy, Subsidy)
        assert subsidy.disbursed == self.disbursed * 1000
        assert (subsidy.status == "reported") == self.closed


def test_subsidy_machine(env: Env) -> None:
    """Subsidies disburse until their outcome is reported; education staff only on education."""
    run(SubsidyMachine, env)


# Organization and its units.


class OrganizationMachine(LedgerMachine):
    @initialize()
    def register(self) -> None:
        self.code = f"64{next(COUNTER):05d}"
        self.stream = organization_stream_id(self.code)
        self.type, self.name, self.merged = "sao", "องค์การบริหารส่วนตำบลตัวอย่าง", False
        self.units: dict[str, tuple[str | None, bool]] = {}
        data = d.organization(self.code, str(LAO.province))
        assert "accepted" == self.attempt(
            Role.DLA_ADMIN, self.stream, "OrganizationRegistered", data
        )
        self._hr()  # enrolled while the LAO is registered and not merged

    def _hr(self) -> Operator:
        operator = getattr(self, "hr", None)
        if operator is None:
            scope = NAKHON_PHANOM_LAO.model_copy(update={"lao": self.code})
            operator = self.hr = self.env.kit.operator([Role.LAO_HR_OFFICER], scope)
        return operator

    @rule(unit=st.sampled_from(["u1", "u2", "u3"]), parent=st.sampled_from([None, "u1", "u2"]))
    def create_unit(self, unit: str, parent: str | None) -> None:
        allowed = (
            not self.merged
            and unit not in self.units
            and (parent is None or self.units.get(parent, (None, False))[1])
        )
        if self.expect(
            allowed, self._hr(), self.stream, "OrgUnitCreated", d.unit(unit, parent=parent)
        ):
            self.units[unit] = (parent, True)

    @rule(unit=st.sampled_from(["u1", "u2", "u3"]))
    def close_unit(self, unit: str) -> None:
        is_open = self.units.get(unit, (None, False))[1]
        children = any(p == unit and o for p, o in self.units.values())
        allowed = not self.merged and is_open and not children
        data = {"unit": unit, "reason": "ยุบรวม"}
        if self.expect(allowed, self._hr(), self.stream, "OrgUnitClosed", data):
            self.units[unit] = (self.units[unit][0], False)

    @rule(to=st.sampled_from(["sao", "subdistrict_municipality", "town_municipality", "pao"]))
    def retype(self, to: str) -> None:
        assume(to != self.type)  # the data model refuses a change to the same type
        allowed = not self.merged and to != "pao"
        data = {"from_type": self.type, "to_type": to}
        if self.expect(allowed, Role.DLA_ADMIN, self.stream, "OrganizationTypeChanged", data):
            self.type = to

    @rule(name=st.sampled_from(["อบต.ตัวอย่าง", "เทศบาลตำบลตัวอย่าง"]))
    def rename(self, name: str) -> None:
        allowed = not self.merged and name != self.name
        if self.expect(allowed, Role.DLA_ADMIN, self.stream, "OrganizationRenamed", {"name": name}):
            self.name = name

    @precondition(lambda self: not self.merged)
    @rule(data=st.data())
    def valid_step(self, data: st.DataObject) -> None:
        free = [u for u in ("u1", "u2", "u3") if u not in self.units]
        parents = [None, *(u for u, (_, is_open) in self.units.items() if is_open)]
        leaves = [
            u
            for u, (_, is_open) in self.units.items()
            if is_open and not any(p == u and o for p, o in self.units.values())
        ]
        moves: list[tuple[str, Any]] = [
            (
                "retype",
                lambda: self.retype(
                    "town_municipality" if self.type != "town_municipality" else "sao"
                ),
            ),
            (
                "rename",
                lambda: self.rename(
                    "อบต.ตัวอย่าง" if self.name != "อบต.ตัวอย่าง" else "เทศบาลตำบลตัวอย่าง"
                ),
            ),
        ]
        if free:
            moves.append(
                ("create", lambda: self.create_unit(free[0], data.draw(st.sampled_from(parents))))
            )
        if leaves:
            moves.append(("close", lambda: self.close_unit(leaves[0])))
        _, move = data.draw(st.sampled_from(moves))
        move()

    @rule()
    def merge(self) -> None:
        data = {"into": LAO.lao}
        if self.expect(not self.merged, Role.DLA_ADMIN, self.stream, "OrganizationMerged", data):
            self.merged = True

    @invariant()
    def matches_model(self) -> None:
        organization = self.env.kit.ledger.aggregate(self.stream)
        assert isinstance(organization, Organization)
        assert (self.type, self.name, self.merged) == (
            organization.type,
            organization.name,
            not organization.is_active,
        )
        assert self.units == {k: (u.parent, u.is_open) for k, u in organization.units.items()}
        assert organization.id == organization_stream_id(self.code)  # identity survives


def test_organization_machine(env: Env) -> None:
    """Type changes, renames and unit changes keep the LAO's identity; a merge ends it."""
    run(OrganizationMachine, env)
