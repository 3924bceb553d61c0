"""Entry point for ASGI servers: ``uvicorn --factory web.main:create_web_app_from_env``.

The API and the pages on one port, as ``ledger serve`` runs them; the settings are read from the
``LEDGER_*`` environment when the server calls the factory, never at import time. Every worker
of a deployment must share ``LEDGER_SESSION_SECRET`` (a cookie one worker issued is good at the
others) and ``LEDGER_WEB_REQUEST_KEY_FILE`` (the agents trust one request key); the sign
requests' one-time nonces are shared through the database.
"""

from __future__ import annotations

from fastapi import FastAPI

from ledger.settings import LedgerSettings
from web.app import create_web_app


def create_web_app_from_env() -> FastAPI:
    """The API and pages of the ledger that the ``LEDGER_*`` environment variables describe."""
    return create_web_app(LedgerSettings())
