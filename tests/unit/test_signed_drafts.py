"""``ledger.drafting.signed``: a draft signed v2 commits its personal values with fresh salts
and its disclosures check against them; v1, or nothing to commit, signs the values as given."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from ledger.commitments import Disclosure, check_statement, is_commitment
from ledger.drafting.signed import commitments_in, sign_draft
from ledger.signing import SoftwareSigner
from ledger.statement import GENESIS_PREV_HASH
from tests.ledger_kit import education_data, record_data
from tests.people import HR_CID, PERSON_CID

SIGNER = SoftwareSigner.generate()


def _signed(event_type: str, data: dict[str, Any], fmt: int = 2) -> Any:
    return sign_draft(
        event_type=event_type,
        stream=uuid.uuid4(),
        data=data,
        head=(0, GENESIS_PREV_HASH),
        effective=date(2019, 4, 1),
        signer=SIGNER,
        cid=HR_CID,
        fmt=2 if fmt == 2 else 1,
    )


def test_a_record_opening_is_signed_v2_with_matching_disclosures() -> None:
    made = _signed("RecordOpened", record_data(cid=PERSON_CID))
    statement = made.signed.statement
    disclosures = {path: Disclosure.from_json(item) for path, item in made.disclosures.items()}

    assert 2 == statement.v
    assert is_commitment(statement.data["cid"])
    assert is_commitment(statement.data["birth_date"])
    assert "นครพนม" == statement.data["province"]
    assert record_data(cid=PERSON_CID)["cid"] == made.disclosures["cid"]["value"]
    assert [] == check_statement(statement, disclosures)  # type: ignore[arg-type]


def test_salts_are_fresh_for_every_signing() -> None:
    first, second = (
        _signed("RecordOpened", record_data(cid=PERSON_CID)),
        _signed("RecordOpened", record_data(cid=PERSON_CID)),
    )

    assert first.disclosures["cid"]["salt"] != second.disclosures["cid"]["salt"]


def test_v1_or_nothing_to_commit_signs_the_values_as_given() -> None:
    v1 = _signed("RecordOpened", record_data(cid=PERSON_CID), fmt=1)
    plain = _signed("EducationAdded", education_data())

    assert (1, None, record_data(cid=PERSON_CID)["cid"]) == (
        v1.signed.statement.v,
        v1.disclosures,
        v1.signed.statement.data["cid"],
    )
    assert (1, None) == (plain.signed.statement.v, plain.disclosures)


def test_a_commitment_copied_into_a_draft_is_named() -> None:
    data = {"supersedes": 2, "reason": "x", "replacement": {"cid": {"commitment": "0" * 64}}}

    assert ["data.replacement.cid"] == commitments_in("EntryCorrected", data)
    assert [] == commitments_in("RecordOpened", record_data(cid=PERSON_CID))
