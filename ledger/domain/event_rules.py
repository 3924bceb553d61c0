"""Which rules of the gate (``ledger.violations``) may refuse a statement of each event type.

An HR officer reading an event's schema (``GET /schemas/{type}``) sees, beside its fields, the
rules its statement must keep, so a refusal naming one of them is no surprise. Three sources:

* the data's value types: text (``text.*``), dates (``date.not_iso``, ``date.out_of_range``)
  and money (``money.not_plain_decimal``) wherever the model, or a model inside it, has one;
* the kind of event: an opening on a registered LAO checks the LAO (``reference.lao_*``); an
  entry of the ก.พ.๗ may not take effect after a separation; a certification step names the root
  an earlier step named;
* the rules an event type's own checks raise (``_OWN``, kept beside the aggregates' modules).

Every statement may also break ``data.invalid`` (its data does not fit the model) and
``data.json_type`` (a value is not the JSON type its schema publishes: a boolean written
``"yes"``, a year written ``"2560"``).
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from ledger.domain import (
    certificates,
    certification,
    eplan_execution,
    organizations,
    positions,
    provinces,
)
from ledger.domain import record_rules as records
from ledger.domain import text as texts
from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.dates import OUT_OF_RANGE
from ledger.domain.record_history import EntryEvent
from ledger.domain.value_checks import JSON_TYPE
from ledger.domain.values import NameText, PlainMoney, SignedDate, SignedText
from ledger.errors import INVALID_DATA
from ledger.statement import NOT_ISO_DATE
from ledger.violations import Rule

TEXT_RULES = (
    texts.NOT_NFC,
    texts.CONTROL_CHARACTER,
    texts.BIDI_CONTROL,
    texts.INVISIBLE_ONLY,
    texts.DANGLING_MARK,
    texts.STACKED_MARKS,
    texts.STRAY_SPACE,
)
NAME_RULES = (texts.NAME_CHARACTER,)
DATE_RULES = (NOT_ISO_DATE, OUT_OF_RANGE)
MONEY_RULES = (texts.NOT_PLAIN_DECIMAL,)

_REGISTERED_LAO = (
    organizations.LAO_NOT_REGISTERED,
    organizations.LAO_MERGED,
    organizations.LAO_IN_OTHER_PROVINCE,
)
_LEAVE = (records.LEAVE_OUTSIDE_SERVICE, records.LEAVE_OVERLAP)

_OWN: dict[str, tuple[Rule, ...]] = {
    "OperatorEnrolled": (provinces.UNKNOWN_PROVINCE, *_REGISTERED_LAO),
    "OrganizationRegistered": (provinces.UNKNOWN_PROVINCE,),
    "OrganizationMerged": (organizations.LAO_NOT_REGISTERED, organizations.LAO_MERGED),
    "OrgUnitCreated": (organizations.UNIT_NOT_OPEN,),
    "PositionCreated": (organizations.UNIT_NOT_OPEN,),
    "PositionReclassified": (organizations.LAO_NOT_REGISTERED, organizations.UNIT_NOT_OPEN),
    "PositionHolderAssigned": (
        positions.HOLDER_NOT_A_RECORD,
        positions.HOLDER_ELSEWHERE,
        positions.HOLDER_STATUS,
        positions.HOLDER_CATEGORY,
    ),
    "TransferredOut": _REGISTERED_LAO,
    "LeaveTaken": _LEAVE,
    "EntryCorrected": _LEAVE,  # a corrected entry keeps the rules of its own type
    "LaoDataSubmitted": (
        certification.POSITION_MISSING,
        certification.SNAPSHOT_UNAVAILABLE,
        certification.POSITION_BEYOND_LOG,
        certification.SNAPSHOT_MISMATCH,
        certification.RECORD_COUNT_MISMATCH,
    ),
    "ContractSigned": (eplan_execution.CONTRACT_OVER_BUDGET,),
    "DisbursementMade": (
        eplan_execution.DISBURSEMENT_OVER_CONTRACT,
        eplan_execution.DISBURSEMENT_OVER_BUDGET,
    ),
    "ProjectCompleted": (eplan_execution.COMPLETED_TOO_EARLY,),
    "FundsCarriedOver": (eplan_execution.CARRY_OVER_BEYOND_UNSPENT,),
    "CertificateIssued": certificates.RULES,
}
"""Rules an event type's own checks raise (beyond its value types and its kind)."""


def rules_of(spec: EventType) -> list[Rule]:
    """The rules a statement of ``spec``'s type may break, in catalogue order of their ids."""
    found: dict[str, Rule] = {INVALID_DATA.id: INVALID_DATA, JSON_TYPE.id: JSON_TYPE}
    for rule in (*_value_rules(spec), *_kind_rules(spec), *_OWN.get(spec.name, ())):
        found.setdefault(rule.id, rule)
    return sorted(found.values(), key=lambda rule: rule.id)


def _value_rules(spec: EventType) -> list[Rule]:
    models = [spec.data_model]
    if spec.name == "EntryCorrected":  # its replacement is data of any entry type
        models += [
            s.data_model for s in EVENT_TYPES.values() if issubclass(s.event_class, EntryEvent)
        ]
    marks: set[type] = set()
    for model in models:
        marks |= _marks(model, set())
    rules: list[Rule] = []
    if NameText in marks and SignedText not in marks:
        rules.extend(TEXT_RULES)
    for mark, kind in (
        (SignedText, TEXT_RULES),
        (NameText, NAME_RULES),
        (SignedDate, DATE_RULES),
        (PlainMoney, MONEY_RULES),
    ):
        if mark in marks:
            rules.extend(kind)
    return rules


def _kind_rules(spec: EventType) -> tuple[Rule, ...]:
    event = spec.event_class
    if issubclass(event, organizations.RegisteredLaoOpening):
        return _REGISTERED_LAO
    if issubclass(event, EntryEvent):
        return (records.AFTER_SEPARATION,)
    if issubclass(event, certification.RootStep):
        return (certification.ROOT_MISSING, certification.ROOT_DIFFERS)
    return ()


def _marks(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type]:
    """The kinds of value mark anywhere in ``model`` (its fields, nested models, lists, maps)."""
    seen.add(model)
    found: set[type] = set()
    for field in model.model_fields.values():
        found |= {type(mark) for mark in field.metadata if _is_mark(mark)}
        found |= _marks_of(field.annotation, seen)
    return found


def _marks_of(annotation: Any, seen: set[type[BaseModel]]) -> set[type]:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return {type(mark) for mark in args[1:] if _is_mark(mark)} | _marks_of(args[0], seen)
    if origin in (Union, types.UnionType, list, dict, tuple):
        return set().union(*(_marks_of(arg, seen) for arg in args)) if args else set()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return set() if annotation in seen else _marks(annotation, seen)
    return set()


def _is_mark(mark: object) -> bool:
    return isinstance(mark, SignedText | SignedDate | PlainMoney)  # NameText is a SignedText


__all__ = ["DATE_RULES", "MONEY_RULES", "TEXT_RULES", "rules_of"]
