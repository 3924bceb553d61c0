"""Strict mode's check of a statement's data, v1 and v2 (docs/personal-data.md).

A v1 statement's data is validated by its event type's model, as the ledger did at the door.
A v2 statement signs a commitment in place of each personal value, and the auditor holds no
disclosure (it trusts only the keys): each declared personal path must hold a well-formed
commitment object or be absent or null, never a value in clear (``personal-in-clear``); no
commitment may stand where the type declares none (``stray-commitment``, in a v1 statement
anywhere); and the rest of the data is validated by the model as v1's would be, with each
commitment replaced by a placeholder of its field's type (``PLACEHOLDERS``), so that the
model's cross-field rules still run, and any error the model finds at a committed path set
aside: what the value was is the vault's, not the log's.

The models are lax, as they were at the door: the gate's admission checks of the values as
signed (``ledger.domain.value_checks``: ISO dates, visible text, plain decimals, booleans and
integers of their JSON type) are not repeated here, so an event admitted before a check
existed (a ``gpf_member`` signed as ``"yes"``) still verifies; the gate refuses new ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ledger.commitments import IN_CLEAR, commitment_form, replace_values, stray_commitments
from ledger.statement import Statement
from replay.verify.report import Failure

PLACEHOLDERS: Mapping[str, Any] = {
    "cid": "1999900005015",
    "birth_date": "1975-01-15",
    "prefix": "นาย",
    "first_name": "สมมติ",
    "last_name": "ทดสอบ",
    "sex": "male",
    "religion": "พุทธ",
    "blood_group": "O",
    "reason": "ข้อความ",
    "address": "ข้อความ",
    "phone": "0812345678",
    "sha256": "0" * 64,
    "occupation": "รับราชการ",
    "is_alive": True,
    "title": "ข้อความ",
    "leave_type": "vacation",
    "sick_times": 0,
    "sick_days": "0",
    "penalty": "reprimand",
    "detail": "ข้อความ",
    "proposal": "ข้อความ",
}
"""A valid value of each personal field's type, by the field's name (a correction's
``replacement.<name>`` takes its entry field's): a stand-in for the committed value while the
model checks the fields around it. A test checks each one against every model declaring it."""


def data_failures(nid: int, statement: Statement, data_model: type[BaseModel]) -> list[Failure]:
    """What is wrong with the statement's data for its event type's model; empty when sound."""
    data = statement.data
    if statement.v == 1:
        failures = [
            Failure(nid, "stray-commitment", f"data.{path}: a commitment in a v1 statement")
            for path in stray_commitments(data)
        ]
        return failures + _model_failures(nid, data_model, data, ())
    problems, committed = commitment_form(data_model, data)
    failures = [
        Failure(
            nid,
            "personal-in-clear" if item.rule is IN_CLEAR else "stray-commitment",
            f"{item.field}: {item.en} ({item.id})",
        )
        for item in problems
    ]
    stand_ins = {path: PLACEHOLDERS.get(path.rpartition(".")[2]) for path in committed}
    return failures + _model_failures(
        nid, data_model, replace_values(data, stand_ins), tuple(committed)
    )


def _model_failures(
    nid: int, data_model: type[BaseModel], data: Mapping[str, Any], committed: tuple[str, ...]
) -> list[Failure]:
    """The model's errors, but those at a committed path (its value is not in the log)."""
    try:
        data_model.model_validate(data)
    except ValidationError as error:
        found = [
            item
            for item in error.errors()
            if not _under(".".join(str(part) for part in item["loc"]), committed)
        ]
        if found:
            where = ".".join(str(part) for part in found[0]["loc"]) or "data"
            return [Failure(nid, "invalid-data", f"{where}: {found[0]['msg']}")]
    return []


def _under(location: str, committed: tuple[str, ...]) -> bool:
    return any(location == path or location.startswith(f"{path}.") for path in committed)


__all__ = ["PLACEHOLDERS", "data_failures"]
