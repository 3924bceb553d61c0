"""The ceiling of the rush benchmark: the API's server stack with no ledger behind it.

``uvicorn bench.ceiling:app`` answers ``POST /statements`` as the ledger's API does on its
outside: FastAPI, a synchronous endpoint (run in the thread pool), the same request body model
(base64 statement and signature, decoded and validated) and the same receipt model, but it
checks, stores and waits for nothing. No ledger behind the same stack can answer faster on the
same machine, so if this ceiling is below a target, the target is out of reach there.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import FastAPI, status

from api.schemas import ReceiptOut, SignedStatementIn

app = FastAPI()
_STREAM = UUID(int=1)


@app.post("/statements", status_code=status.HTTP_201_CREATED)
def submit_statement(body: SignedStatementIn) -> ReceiptOut:
    """The receipt of a statement nobody checked or stored."""
    return ReceiptOut(notification_id=len(body.statement), stream=_STREAM, version=1, hash="0" * 64)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
