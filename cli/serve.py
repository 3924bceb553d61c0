"""Running the HTTP API under uvicorn for the ``serve`` and ``demo`` commands.

The CLI sits above the API (DESIGN.md section 2), so it builds the app itself from the settings
it was given: ``create_app(settings)``, handed to uvicorn as an application object. (Docker
runs the same app through ``uvicorn --factory api.main:create_app_from_env``.)
"""

from __future__ import annotations

import uvicorn

from api.app import create_app
from ledger.settings import LedgerSettings


def serve_api(settings: LedgerSettings, *, host: str, port: int) -> None:
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
