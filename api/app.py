"""The app factory: the HTTP API's composition root.

``create_app(settings)`` builds everything from the settings it is given (nothing is read at
import time, nothing is a process-wide singleton, so several apps for several ledgers can live in
one process). The lifespan builds every adapter once, before the first request, and puts it on
``app.state`` for ``api.deps`` to hand out: the ledger (given no ledger, the app opens
``Ledger(settings)`` and closes it at shutdown; given one, the caller owns it and closes it), the
views and the reports over them (``Projections``, ``Reports``), and the transparency log's
store (whose tables it makes). The document store (``ledger.documents``) is a directory, built
with the app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from typing import Any

from fastapi import FastAPI

from api.docs import install_docs
from api.errors import install_error_handlers
from api.limits import BodyLimit, BodySizeLimit
from api.routes import ROUTERS
from api.routes import transparency as transparency_routes
from api.server_log import drop_query_strings
from api.sessions import SessionAuthority
from ledger.application import Ledger
from ledger.documents import DocumentStore
from ledger.settings import LedgerSettings
from ledger.vault import Vault
from projections.access_log import AccessLog
from projections.name_checks import NameChecks
from projections.reports.facade import Reports
from projections.request_nonces import RequestNonces
from projections.transparency.store import TransparencyStore
from projections.views.catalogue import Projections

UPLOAD_OVERHEAD = 64 * 1024
"""What a multipart upload adds around its file (boundaries, headers): a file just past the
document store's limit still reaches the store, which refuses it naming its own rule."""


def create_app(
    settings: LedgerSettings, ledger: Ledger | None = None, body_limits: Sequence[BodyLimit] = ()
) -> FastAPI:
    """The API of one ledger (``body_limits``: more paths whose bodies may be larger, such as
    the pages' own upload)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        drop_query_strings()  # after the server configured its logging (api.server_log)
        with ExitStack() as adapters:
            if ledger is None:
                app.state.ledger = adapters.enter_context(_owned(app.state, Ledger(settings)))
            _build_readers(app.state, app.state.ledger, adapters)
            app.state.documents.sealer = document_sealer(app.state.ledger)
            yield

    app = FastAPI(
        title="Thai local-government records ledger",
        summary="Signed statements in; signed events, sessions and health out.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # api.docs serves /docs with its assets shipped, no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.ledger = ledger
    app.state.sessions = SessionAuthority.from_secret(
        settings.session_secret, token_ttl_seconds=settings.session_ttl_seconds
    )
    app.state.documents = DocumentStore.for_settings(settings, document_sealer(ledger))
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        limits=[
            BodyLimit("/statements/batch", settings.max_batch_body_bytes),
            BodyLimit("/documents", settings.max_document_bytes + UPLOAD_OVERHEAD),
            *body_limits,
        ],
        default=settings.max_body_bytes,
    )
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(transparency_routes.router)
    install_docs(app)
    return app


def document_sealer(ledger: Ledger | None) -> Vault | None:
    """The ledger's vault, which seals a record's documents under the person's key; None
    without a vault (documents are kept in clear, as before)."""
    vault = None if ledger is None else ledger.vault
    return vault if isinstance(vault, Vault) else None


def _build_readers(state: Any, ledger: Ledger, adapters: ExitStack) -> None:
    """The reports over the ledger's views, the transparency log, the access log and the sign
    requests' one-time nonces (``projections.request_nonces``, which the web pages use), the
    certificate check's counted name tries (``projections.name_checks``); at shutdown their
    connections are closed and they are gone from ``app.state``."""
    projections = adapters.enter_context(Projections.open(ledger))
    access_log = AccessLog(ledger.settings.database_url, ledger.name)
    adapters.callback(access_log.close)
    request_nonces = RequestNonces(ledger.settings.database_url, ledger.name)
    adapters.callback(request_nonces.close)
    name_checks = NameChecks(ledger.settings.database_url, ledger.name)
    adapters.callback(name_checks.close)
    adapters.callback(
        _forget, state, "reports", "transparency", "access_log", "request_nonces", "name_checks"
    )
    state.reports = Reports(projections)
    state.transparency = TransparencyStore(ledger)
    state.access_log = access_log
    state.request_nonces = request_nonces
    state.name_checks = name_checks


@contextmanager
def _owned(state: Any, ledger: Ledger) -> Iterator[Ledger]:
    """A ledger the app opened: closed at shutdown, and gone from ``app.state``."""
    try:
        yield ledger
    finally:
        state.ledger = None
        ledger.close()


def _forget(state: Any, *names: str) -> None:
    for name in names:
        setattr(state, name, None)
