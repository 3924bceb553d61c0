"""What makes a record unerasable (ledger.domain.erasable): a v1 statement holding a value at a
declared personal path, a correction's replaced personal field included; never a v2 statement,
a v1 one with no personal field, or a personal field absent or null."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.erasable import signs_clear_values
from ledger.statement import GENESIS_PREV_HASH, SignerRef, Statement, build_statement
from tests import domain_data as d


def statement(type_: str, data: dict[str, Any], v: int = 1) -> Statement:
    return build_statement(
        stream=uuid.uuid4(),
        expected_version=1,
        prev_hash=GENESIS_PREV_HASH,
        type=type_,
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid="1234567890121", key="0" * 16),
        signed_at=datetime.now(UTC),
        v=v,
    )


@pytest.mark.parametrize(
    ("type_", "data", "v", "counts"),
    [
        ("PersonalDataRecorded", {"prefix": "นาย", "first_name": "ก", "last_name": "ข"}, 1, True),
        ("EntryCorrected", {"supersedes": 1, "reason": "ผิด", "replacement": {"cid": "x"}}, 1, True),
        (
            "EntryCorrected",
            {"supersedes": 1, "reason": "ผิด", "replacement": d.education()},
            1,
            False,
        ),
        ("FamilyMemberRecorded", {"relation": "father", "is_alive": False}, 1, True),
        ("AddressChanged", {"address": None}, 1, False),
        ("EducationAdded", d.education(), 1, False),
        ("PersonalDataRecorded", {"first_name": {"commitment": "0" * 64}}, 2, False),
    ],
)
def test_what_counts(type_: str, data: dict[str, Any], v: int, counts: bool) -> None:
    model = EVENT_TYPES[type_].data_model
    assert counts == signs_clear_values(model, statement(type_, data, v))
