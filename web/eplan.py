"""e-Plan on the pages: which forms a plan, a project and a subsidy item offer to whom, where a
form posts and leads back to, and what it is prefilled with.

The e-Plan streams are not personnel records, but their statements go through the same form
engine (``web.forms``), drafts (``web.drafts``), dry run, review, agent and
``POST /app/statements`` as a ก.พ.๗ entry; this module is what differs:

* the forms of a stream (``STREAM_FORMS``): a development plan's (vision, strategy, approval,
  amendment, a project added to it), a project's (budget, contract, payment, progress,
  completion, carry-over, location, change, deferral, cancellation, removal), a subsidy's
  (payment, outcome); the openings (a plan, a subsidy item; a project opens from its plan);
* ``form_action`` / ``back_link``: where a form posts and which page it returns to (the plan's
  page, the project's page, the e-Plan home for subsidies);
* ``known_values``: what the stream already says, typed for the officer (who may change it; the
  ledger checks it): a project's plan, LAO, province, open amendment and planned years; the
  budget's fiscal year; the next strategy number; the project's only contract;
* ``LOCKED``: the fields a form shows read-only because they come from the plan (a project's
  plan, LAO and province; changing them would only be refused).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.eplan import DevelopmentPlan, PlanProject, Subsidy
from ledger.domain.eplan_data import (
    PlanStatus,
    SubsidyStatus,
    plan_stream_id,
    subsidy_stream_id,
)
from ledger.domain.operators import Enrolment
from ledger.domain.signed import SignedAggregate
from ledger.statement import Statement
from web.drafts import may_sign

EPLAN_AGGREGATES: tuple[type[SignedAggregate], ...] = (DevelopmentPlan, PlanProject, Subsidy)

OPENINGS = ("PlanDrafted", "SubsidyAllocated")
"""Forms that open a stream of their own, from the e-Plan home (a project opens from its plan)."""

STREAM_FORMS: dict[type[SignedAggregate], tuple[str, ...]] = {
    DevelopmentPlan: (
        "VisionRecorded",
        "StrategyAdded",
        "PlanProjectAdded",
        "PlanApproved",
        "PlanAmended",
    ),
    PlanProject: (
        "BudgetApproved",
        "ContractSigned",
        "DisbursementMade",
        "ProgressReported",
        "ProjectCompleted",
        "FundsCarriedOver",
        "ProjectGeoLocated",
        "PlanProjectChanged",
        "ProjectDeferred",
        "ProjectCancelled",
        "PlanProjectRemoved",
    ),
    Subsidy: ("SubsidyDisbursed", "SubsidyOutcomeReported"),
}
"""The forms each kind of stream offers, in the order work goes (``PlanProjectAdded`` opens a
new project stream from its plan's page)."""

LOCKED = {"PlanProjectAdded": ("plan", "lao", "province", "amendment")}


def is_eplan(event_type: str) -> bool:
    """Whether the event type is signed on an e-Plan stream."""
    spec = EVENT_TYPES.get(event_type)
    return spec is not None and spec.aggregate in EPLAN_AGGREGATES


def offered(aggregate: SignedAggregate, enrolment: Enrolment) -> list[str]:
    """The forms of this stream the caller's roles may sign and its state allows: a project's
    events from the statuses they follow (``allowed_from``), a plan's drafting while it is
    editable and its amendment once approved, nothing on a subsidy whose outcome is reported.
    The ledger checks all of it again; the page only leaves out what would be refused."""
    return [
        name
        for name in STREAM_FORMS.get(type(aggregate), ())
        if may_sign(enrolment, name) and _allowed_now(aggregate, name)
    ]


def _allowed_now(aggregate: SignedAggregate, event_type: str) -> bool:
    status = getattr(aggregate, "status", None)
    if isinstance(aggregate, DevelopmentPlan):
        return (event_type == "PlanAmended") == (status is PlanStatus.APPROVED)
    if isinstance(aggregate, Subsidy):
        return status is not SubsidyStatus.REPORTED
    allowed = getattr(EVENT_TYPES[event_type].event_class, "allowed_from", None)
    return allowed is None or status in allowed


def opens_own_stream(event_type: str) -> bool:
    """Whether the event type opens a new stream (a plan, a subsidy item, a project)."""
    spec = EVENT_TYPES.get(event_type)
    return spec is not None and spec.opens_stream


def opening_stream(event_type: str, data: dict[str, Any]) -> UUID:
    """The stream an opening statement starts: a plan's and a subsidy item's follow from their
    data (one per LAO and period, per LAO, year, kind and item); a project's is new."""
    if event_type == "PlanDrafted":
        return plan_stream_id(str(data["lao"]), int(data["first_year"]), int(data["last_year"]))
    if event_type == "SubsidyAllocated":
        return subsidy_stream_id(
            str(data["lao"]), int(data["fiscal_year"]), str(data["kind"]), str(data["item"])
        )
    return uuid4()


def form_action(event_type: str, stream: UUID, data: dict[str, Any]) -> str:
    """Where the form of this statement posts."""
    if event_type == "PlanProjectAdded":
        return f"/app/eplan/new/PlanProjectAdded?plan={data.get('plan', '')}"
    if event_type in OPENINGS:
        return f"/app/eplan/new/{event_type}"
    return f"/app/eplan/{stream}/new/{event_type}"


def back_link(event_type: str, stream: UUID, data: dict[str, Any]) -> dict[str, str]:
    """The page a form, its review and its receipt lead back to."""
    aggregate = EVENT_TYPES[event_type].aggregate
    if event_type == "PlanProjectAdded" and data.get("plan"):
        return _back(f"/app/eplan/plans/{data['plan']}", "กลับไปที่แผนพัฒนา", "Back to the plan")
    if aggregate is DevelopmentPlan:
        return _back(f"/app/eplan/plans/{stream}", "กลับไปที่แผนพัฒนา", "Back to the plan")
    if aggregate is PlanProject:
        return _back(f"/app/eplan/projects/{stream}", "กลับไปที่โครงการ", "Back to the project")
    return _back("/app/eplan#subsidies", "กลับไปที่หน้า e-Plan", "Back to e-Plan")


def _back(href: str, th: str, en: str) -> dict[str, str]:
    return {"href": href, "th": th, "en": en}


def page_extra(event_type: str, stream: UUID, data: dict[str, Any]) -> dict[str, Any]:
    """What an e-Plan form's page adds to the entry form's context: its way back and what it
    locks."""
    return {"back": back_link(event_type, stream, data), "eplan_locked": LOCKED.get(event_type, ())}


def statement_extra(statement: Statement) -> dict[str, Any]:
    """``page_extra`` of a drafted or signed statement ({} for a ก.พ.๗ entry)."""
    if not is_eplan(statement.type):
        return {}
    return page_extra(statement.type, statement.stream, statement.data)


def known_values(aggregate: SignedAggregate | None, event_type: str) -> dict[str, str]:
    """What the stream already says of the form, typed for the officer (see the docstring)."""
    if isinstance(aggregate, DevelopmentPlan):
        return _from_plan(aggregate, event_type)
    if isinstance(aggregate, PlanProject):
        return _from_project(aggregate, event_type)
    return {}


def _from_plan(plan: DevelopmentPlan, event_type: str) -> dict[str, str]:
    if event_type == "PlanProjectAdded":
        return {
            "plan": str(plan.id),
            "lao": plan.lao,
            "province": plan.province,
            "amendment": str(plan.amendment),
            "years": "\n".join(f"{year}: -" for year in plan.years),
        }
    if event_type == "StrategyAdded":
        numbers = [int(code) for code in plan.strategies if code.isdigit()]
        return {"strategy": str(max(numbers, default=0) + 1)}
    if event_type == "PlanAmended":
        return {"amendment_no": str(plan.amendment + 1)}
    return {}


def _from_project(project: PlanProject, event_type: str) -> dict[str, str]:
    if event_type == "BudgetApproved":
        return {"fiscal_year": str(project.planned_year)}
    if event_type == "FundsCarriedOver" and project.fiscal_year is not None:
        return {"from_year": str(project.fiscal_year)}
    if event_type == "DisbursementMade" and len(project.contracts) == 1:
        return {"contract_no": next(iter(project.contracts))}
    return {}


__all__ = [
    "EPLAN_AGGREGATES",
    "OPENINGS",
    "STREAM_FORMS",
    "back_link",
    "form_action",
    "is_eplan",
    "known_values",
    "offered",
    "opening_stream",
    "opens_own_stream",
    "page_extra",
    "statement_extra",
]
