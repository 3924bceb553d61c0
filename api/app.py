"""The app factory: the HTTP API's composition root.

``create_app(settings)`` builds everything from the settings it is given (nothing is read at
import time, nothing is a process-wide singleton, so several apps for several ledgers can live in
one process). Given no ledger, the app opens ``Ledger(settings)`` at startup and closes it at
shutdown; given one, the caller owns it and closes it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.read_models import close_projections
from api.routes import ROUTERS
from api.routes import transparency as transparency_routes
from api.sessions import SessionAuthority
from ledger.application import Ledger
from ledger.settings import LedgerSettings


def create_app(settings: LedgerSettings, ledger: Ledger | None = None) -> FastAPI:
    """The API of one ledger."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ledger is not None:
            try:
                yield
            finally:
                close_projections(app.state)
            return
        owned = Ledger(settings)
        app.state.ledger = owned
        try:
            yield
        finally:
            close_projections(app.state)
            app.state.ledger = None
            owned.close()

    app = FastAPI(
        title="Thai local-government records ledger",
        summary="Signed statements in; signed events, sessions and health out.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.sessions = SessionAuthority.from_secret(
        settings.session_secret, token_ttl_seconds=settings.session_ttl_seconds
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(transparency_routes.router)
    return app
