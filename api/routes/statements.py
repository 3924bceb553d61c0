"""Signed statements in: one at a time, or a batch appended in one transaction.

A resubmission of a statement already recorded is a safe retry: it answers 201 with the very
receipt of the first submission (the same body the first call got), and appends nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, status

from api.access import erasure_as_signer_sees
from api.deps import LedgerDep
from api.errors import problem_responses
from api.schemas import ReceiptOut, SignedStatementIn, StatementBatchIn
from ledger.vault_keys import ErasedError

router = APIRouter(
    prefix="/statements",
    tags=["statements"],
    responses=problem_responses(400, 401, 403, 404, 409, 410, 422, 503),
)


@router.post("", status_code=status.HTTP_201_CREATED)
def submit_statement(body: SignedStatementIn, ledger: LedgerDep) -> ReceiptOut:
    """Check one signed statement and append it; answer its receipt."""
    try:
        return ReceiptOut.of(ledger.submit(body.statement, body.signature, body.disclosures))
    except ErasedError as erased:
        raise erasure_as_signer_sees(ledger, [body.as_pair()], erased, [body.disclosures]) from None


@router.post("/batch", status_code=status.HTTP_201_CREATED)
def submit_batch(body: StatementBatchIn, ledger: LedgerDep) -> list[ReceiptOut]:
    """Check every statement and append them all, or none: one receipt per item, in order."""
    try:
        receipts = ledger.submit_batch(body.as_pairs(), body.disclosures())
    except ErasedError as erased:
        raise erasure_as_signer_sees(ledger, body.as_pairs(), erased, body.disclosures()) from None
    return [ReceiptOut.of(receipt) for receipt in receipts]
