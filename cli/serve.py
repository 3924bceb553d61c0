"""Running the HTTP API under uvicorn for the ``serve`` and ``demo`` commands.

The CLI and the API are sibling composition roots (DESIGN.md section 2), so the CLI names the
API's factory for uvicorn instead of importing it, and hands the settings over through the
``LEDGER_*`` environment that the factory reads.
"""

from __future__ import annotations

import os

import uvicorn

from ledger.settings import LedgerSettings

API_FACTORY = "api.main:create_app_from_env"


def serve_api(settings: LedgerSettings, *, host: str, port: int) -> None:
    os.environ["LEDGER_DATABASE_URL"] = settings.database_url
    os.environ["LEDGER_NAME"] = settings.name
    uvicorn.run(API_FACTORY, factory=True, host=host, port=port, log_level="info")
