"""Entry point for ASGI servers: ``uvicorn --factory api.main:create_app_from_env``.

The settings are read from the ``LEDGER_*`` environment when the server calls the factory,
never at import time.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from ledger.settings import LedgerSettings


def create_app_from_env() -> FastAPI:
    """The API of the ledger that the ``LEDGER_*`` environment variables describe."""
    return create_app(LedgerSettings())
