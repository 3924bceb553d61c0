"""Running the ledger's HTTP server under uvicorn for the ``serve`` and ``demo`` commands.

The CLI sits above the web application and the API (DESIGN.md section 2), so it builds the app
itself from the settings it was given: ``create_web_app(settings)`` (the API at its own paths,
the pages under ``/app/``), handed to uvicorn as an application object. (Docker runs the API
alone through ``uvicorn --factory api.main:create_app_from_env``.)
"""

from __future__ import annotations

import uvicorn

from ledger.settings import LedgerSettings
from web.app import create_web_app


def serve_api(settings: LedgerSettings, *, host: str, port: int) -> None:
    uvicorn.run(create_web_app(settings), host=host, port=port, log_level="info")
