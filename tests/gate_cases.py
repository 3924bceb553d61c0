"""The "Why" cases of issue 12 about references and cross-event rules, as statements: for each,
the wrong statement the ledger once accepted, the same statement with the wrong part put right,
and the rule the refusal names. The API tests run them on SQLite (tests/unit/api) and on both
backends (tests/integration): refused with 422 naming the rule, the log unchanged, then the
statement put right accepted.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from ledger.domain.eplan import plan_stream_id
from ledger.domain.permissions import Role, Scope
from ledger.genesis import compose, enrolment_data
from ledger.signing import SoftwareSigner
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, SOFTWARE, LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.api.http_kit import body

LAO = NAKHON_PHANOM_LAO  # 6480101, นครพนม: registered by the kit


@dataclass(frozen=True)
class GateCase:
    """A wrong statement and the same one put right, prepared on a kit's ledger."""

    name: str
    rule: str
    prepare: Callable[[LedgerKit], tuple[SignedStatement, SignedStatement]]


def _record_in(province: str) -> Callable[[LedgerKit], tuple[SignedStatement, SignedStatement]]:
    def prepare(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
        stream = uuid.uuid4()
        wrong = {**d.record(LAO), "province": province}
        return (
            kit.sign(kit.hr, stream=stream, type="RecordOpened", data=wrong),
            kit.sign(kit.hr, stream=stream, type="RecordOpened", data=d.record(LAO)),
        )

    return prepare


def _enrolment(scope: Scope) -> Callable[[LedgerKit], tuple[SignedStatement, SignedStatement]]:
    def prepare(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
        key = SoftwareSigner.generate().public_key
        cid = made_up_cid(4321)

        def enrolment(into: Scope) -> SignedStatement:
            data = enrolment_data(
                cid=cid, public_key=key, roles=[Role.LAO_HR_OFFICER], scope=into, storage=SOFTWARE
            )
            return compose(
                kit.ledger,
                stream=kit.ledger.registry_id,
                type="OperatorEnrolled",
                data=data,
                signer=kit.admin.signer,
                cid=kit.admin.cid,
            )

        return enrolment(scope), enrolment(LAO)

    return prepare


def _leave_after_retirement(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    """Retired in 2020 (born 10 May 1960: the last day in service is 30 September 2020)."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, birth_date="1960-05-10"))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    retired = {"last_day": "2020-09-30", "order": d.order("9/2563", "2020-08-20")}
    kit.emit(kit.hr, stream, "Retired", retired, effective=date(2020, 10, 1))

    def leave(start: str) -> SignedStatement:
        data = {"leave_type": "vacation", "start": start, "end": start, "days": "1"}
        effective = date.fromisoformat(start)
        return kit.sign(kit.hr, stream=stream, type="LeaveTaken", data=data, effective=effective)

    return leave("2021-03-01"), leave("2020-03-02")


def _opened_before_birth(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    """The trial's record born 15/01/2568 and opened effective 01/04/2562; put right, born
    15/01/2518."""
    stream = uuid.uuid4()

    def opening(born: str) -> SignedStatement:
        data = d.record(LAO, birth_date=born)
        return kit.sign(kit.hr, stream=stream, type="RecordOpened", data=data)

    return opening("2025-01-15"), opening("1975-01-15")


def _appointed_at_seventeen(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    """An official born 1 June 2001 appointed on 1 April 2019 (17); put right, 1 June 2019."""
    stream = uuid.uuid4()
    opened = d.record(LAO, birth_date="2001-06-01")
    kit.emit(kit.hr, stream, "RecordOpened", opened, effective=date(2019, 1, 1))

    def start(on: date) -> SignedStatement:
        data = d.status_data("EmploymentStarted")
        return kit.sign(kit.hr, stream=stream, type="EmploymentStarted", data=data, effective=on)

    return start(date(2019, 4, 1)), start(date(2019, 6, 1))


def _in_service(kit: LedgerKit) -> uuid.UUID:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, birth_date="1975-01-15"))
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


def _death_ahead(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    """Died on 01/01/2600 (2057); put right, 01/04/2562."""
    stream = _in_service(kit)

    def died(on: str) -> SignedStatement:
        return kit.sign(kit.hr, stream=stream, type="Died", data={"died_on": on})

    return died("2057-01-01"), died("2019-04-01")


def _schooling_before_birth(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    """Finished 01/01/2483 (1940) for a person born in 1975; put right, 31/03/2540."""
    stream = _in_service(kit)

    def education(finished: str) -> SignedStatement:
        data = {**d.education(), "finished": finished}
        return kit.sign(kit.hr, stream=stream, type="EducationAdded", data=data)

    return education("1940-01-01"), education("1997-03-31")


def approved_project(kit: LedgerKit, budget: str) -> tuple[Operator, uuid.UUID]:
    """A project of an approved plan with ``budget`` approved for FY2563; its finance officer."""
    planning = kit.operator([Role.EPLAN_PLANNING], LAO)
    finance = kit.operator([Role.EPLAN_FINANCE], LAO)
    plan, project = plan_stream_id(str(LAO.lao), 2563, 2567), uuid.uuid4()
    kit.emit(planning, plan, "PlanDrafted", d.plan(LAO, 2563, 2567))
    kit.emit(planning, plan, "StrategyAdded", {"strategy": "1", "title": "โครงสร้างพื้นฐาน"})
    kit.emit(planning, project, "PlanProjectAdded", d.project(plan, LAO, {"2563": budget}))
    kit.emit(planning, plan, "PlanApproved", {"approved_on": "2019-06-30", "approver": "นายก"})
    kit.emit(finance, project, "BudgetApproved", d.budget(2563, budget))
    return finance, project


def _contract_three_times_the_budget(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    finance, project = approved_project(kit, "400000.00")

    def contract(amount: str) -> SignedStatement:
        data = d.contract("1/2563", amount)
        return kit.sign(finance, stream=project, type="ContractSigned", data=data)

    return contract("1200000.00"), contract("390000.00")


def _disbursement_beyond_the_contract(kit: LedgerKit) -> tuple[SignedStatement, SignedStatement]:
    finance, project = approved_project(kit, "400000.00")
    kit.emit(finance, project, "ContractSigned", d.contract("1/2563", "390000.00"))

    def payment(amount: str) -> SignedStatement:
        data: dict[str, Any] = {"amount": amount, "paid_on": "2020-03-01", "contract_no": "1/2563"}
        return kit.sign(finance, stream=project, type="DisbursementMade", data=data)

    return payment("500000.00"), payment("390000.00")


CASES = [
    GateCase("record in another LAO's province", "reference.lao_province", _record_in("ตาก")),
    GateCase("record in a misspelt province", "reference.lao_province", _record_in("นครพนน")),
    GateCase(
        "enrolment in a misspelt province",
        "reference.unknown_province",
        _enrolment(Scope(level="lao", province="นครพนน", lao="9999999")),
    ),
    GateCase(
        "enrolment in an LAO nobody registered",
        "reference.lao_not_registered",
        _enrolment(Scope(level="lao", province="นครพนม", lao="9999999")),
    ),
    GateCase("leave after retirement", "record.after_separation", _leave_after_retirement),
    GateCase("record opened before birth", "record.before_birth", _opened_before_birth),
    GateCase("official appointed at 17", "record.under_age", _appointed_at_seventeen),
    GateCase("death in the future", "record.death_in_future", _death_ahead),
    GateCase("schooling finished before birth", "record.before_birth", _schooling_before_birth),
    GateCase(
        "contract three times the budget",
        "eplan.contract_over_budget",
        _contract_three_times_the_budget,
    ),
    GateCase(
        "disbursement beyond the contract",
        "eplan.disbursement_over_contract",
        _disbursement_beyond_the_contract,
    ),
]


def refused_then_accepted(client: TestClient, kit: LedgerKit, case: GateCase) -> None:
    """The wrong statement is refused with 422 naming the rule and the log does not grow; the
    statement put right is then accepted."""
    wrong, right = case.prepare(kit)
    count = kit.event_count()

    refused = client.post("/statements", json=body(wrong))

    assert 422 == refused.status_code, refused.text
    assert case.rule == refused.json()["rule"]
    assert case.rule in {error["rule"] for error in refused.json()["errors"]}
    assert count == kit.event_count()

    accepted = client.post("/statements", json=body(right))

    assert 201 == accepted.status_code, accepted.text
    assert count + 1 == kit.event_count()
