"""Liveness and readiness: is the process up, which ledger is it, does the ledger have a genesis."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health")
def read_health(ledger: LedgerDep) -> Health:
    """``initialised`` is false until ``ledger init`` has written the genesis."""
    return Health(ledger=ledger.name, initialised=ledger.registry() is not None)
