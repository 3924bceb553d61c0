"""The auditor's strict check of a statement's data: v1 by its model, v2 by the form of its
commitments and the model on the rest (``replay.verify.personal``), with no vault."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ledger.commitments import commit_statement_data
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import PERSONAL_FIELDS, personal_paths
from ledger.statement import SignerRef, Statement, build_statement
from replay.verify.personal import PLACEHOLDERS, data_failures

STREAM = uuid.UUID("6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5")
OPENED = {
    "cid": "1999900005015",
    "category": "official",
    "lao": "6480101",
    "province": "นครพนม",
    "birth_date": "1975-01-15",
}
PERSONAL = {"prefix": "นาย", "first_name": "สมชาย", "last_name": "ทดสอบ", "sex": "male"}
LEAVE = {"leave_type": "sick", "start": "2024-03-01", "end": "2024-03-02", "days": "2"}


def _statement(type_: str, data: dict[str, Any], v: int = 2) -> Statement:
    return build_statement(
        stream=STREAM,
        expected_version=0,
        prev_hash="0" * 64,
        type=type_,
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid="1999900005015", key="0" * 16),
        signed_at=datetime.now(UTC),
        v=v,
    )


def _kinds(type_: str, data: dict[str, Any], v: int = 2) -> list[tuple[str, str]]:
    found = data_failures(7, _statement(type_, data, v), EVENT_TYPES[type_].data_model)
    return [(item.kind, item.detail.partition(":")[0]) for item in found]


def _committed(type_: str, draft: dict[str, Any]) -> dict[str, Any]:
    return commit_statement_data(type_, STREAM, draft)[0]


@pytest.mark.parametrize("model", sorted(PERSONAL_FIELDS, key=lambda model: model.__name__))
def test_each_placeholder_is_valid_where_its_field_is_declared(model: type[BaseModel]) -> None:
    """Every placeholder passes its field's type in every model declaring the field, so the
    model's own errors come from the data around the commitments, never from a stand-in."""
    stand_ins = {path: PLACEHOLDERS[path] for path in personal_paths(model)}
    try:
        model.model_validate(stand_ins)
    except ValidationError as error:
        at = [item["loc"] for item in error.errors()]
        assert [] == [loc for loc in at if loc and loc[0] in stand_ins]


def test_a_well_formed_v2_statement_is_sound() -> None:
    assert [] == _kinds("RecordOpened", _committed("RecordOpened", OPENED))
    assert [] == _kinds("LeaveTaken", _committed("LeaveTaken", LEAVE))


def test_an_absent_or_null_personal_field_is_sound() -> None:
    committed = _committed("FamilyMemberRecorded", {
        "relation": "father", "first_name": "สมชาย", "last_name": "ทดสอบ", "cid": None,
    })  # fmt: skip

    assert committed["cid"] is None
    assert [] == _kinds("FamilyMemberRecorded", committed)


def test_a_personal_value_in_clear_is_a_finding() -> None:
    committed = {**_committed("RecordOpened", OPENED), "cid": "1999900005015"}

    assert [("personal-in-clear", "data.cid")] == _kinds("RecordOpened", committed)


def test_a_malformed_commitment_is_a_value_in_clear() -> None:
    committed = {**_committed("RecordOpened", OPENED), "birth_date": {"commitment": "ab"}}

    assert ("personal-in-clear", "data.birth_date") in _kinds("RecordOpened", committed)


def test_a_commitment_where_none_is_declared_is_a_finding() -> None:
    committed = {**_committed("RecordOpened", OPENED), "lao": {"commitment": "a" * 64}}

    assert ("stray-commitment", "data.lao") in _kinds("RecordOpened", committed)


def test_a_commitment_in_a_v1_statement_is_a_finding() -> None:
    committed = _committed("RecordOpened", OPENED)

    kinds = _kinds("RecordOpened", committed, v=1)

    assert ("stray-commitment", "data.cid") in kinds
    assert ("invalid-data", "cid") in kinds


def test_the_rest_of_a_v2_statement_is_validated_as_v1() -> None:
    """A bad non-personal field, and a cross-field rule on the fields around a commitment."""
    wrong_lao = {**_committed("RecordOpened", OPENED), "lao": "12"}
    backwards = _committed("LeaveTaken", {**LEAVE, "end": "2024-02-01"})

    assert [("invalid-data", "lao")] == _kinds("RecordOpened", wrong_lao)
    assert [("invalid-data", "data")] == _kinds("LeaveTaken", backwards)


def test_a_correction_s_committed_replacement_is_sound() -> None:
    draft = {"supersedes": 2, "reason": "สะกดผิด", "replacement": {"first_name": "สมหญิง"}}
    committed = _committed("EntryCorrected", draft)

    assert "commitment" in committed["replacement"]["first_name"]
    assert [] == _kinds("EntryCorrected", committed)


def test_a_boolean_stored_as_a_string_before_the_gate_checked_still_verifies() -> None:
    """A v1 statement signed with gpf_member "yes" and a v1 budget with fiscal_year "2560",
    stored before the gate checked JSON types (data.json_type), pass the strict check: it
    validates with the models as the gate did then, and the models stay lax."""
    budget = {"fiscal_year": "2560", "amount": "450000.00", "source": "own_revenue"}

    assert [] == _kinds("PersonalDataRecorded", {**PERSONAL, "gpf_member": "yes"}, v=1)
    assert [] == _kinds("BudgetApproved", budget, v=1)
