"""The rules catalogue: every rule the ledger refuses a statement by, with its Thai and English
message (``ledger.violations``). A refusal's problem details name these ids in ``rule`` and
``errors``; clients and people look them up here. Public: rules are no secret."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import problem_responses
from api.schemas import RuleOut
from ledger.errors import UnknownRuleError
from ledger.violations import RULES

router = APIRouter(tags=["rules"])


@router.get("/rules")
def read_rules() -> list[RuleOut]:
    """Every rule, sorted by id: ``{"id", "th", "en"}`` (messages may hold ``{placeholders}``
    that a refusal fills in)."""
    return [RuleOut(id=r.id, th=r.th, en=r.en) for r in sorted(RULES.values(), key=_id)]


@router.get("/rules/{rule_id}", responses=problem_responses(404))
def read_rule(rule_id: str) -> RuleOut:
    """One rule by its id."""
    found = RULES.get(rule_id)
    if found is None:
        raise UnknownRuleError(rule_id)
    return RuleOut(id=found.id, th=found.th, en=found.en)


def _id(rule: object) -> str:
    return str(getattr(rule, "id", ""))
