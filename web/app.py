"""The web application's composition root: the API plus the pages, on one port.

``create_web_app(settings, ledger=None)`` builds the API app (``api.app.create_app``, whose
lifespan opens the ledger and the reports) and adds the pages under ``/app/...``, their assets
under ``/static`` (htmx, the style sheet, ``signing.js``; nothing from a CDN), ``/`` as a 303 to
``/app/``, and the page error handlers (``web.errors``). The API keeps every path it had. A body
over its limit on the pages (an upload over the document limit, a form over the API's) is
refused with a Thai page, not the API's problem JSON.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.app import UPLOAD_OVERHEAD, create_app
from api.limits import BodyLimit
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from web.deps import WebState
from web.errors import PAGES, install_page_errors, too_large_page
from web.rendering import STATIC, build_templates
from web.request_key import NonceBook, RequestKey
from web.routes import ROUTERS
from web.routes.documents import UPLOAD_PATH
from web.session_cookie import refresh_session


def create_web_app(settings: LedgerSettings, ledger: Ledger | None = None) -> FastAPI:
    """The API and the pages of one ledger."""
    upload = BodyLimit(
        UPLOAD_PATH, settings.max_document_bytes + UPLOAD_OVERHEAD, too_large_page("file")
    )
    pages = BodyLimit(PAGES, settings.max_body_bytes, too_large_page("body"))
    app = create_app(settings, ledger, body_limits=[upload, pages])
    app.state.web = WebState(
        templates=build_templates(),
        request_key=RequestKey.load(settings.web_request_key_file),
        nonces=NonceBook(app.state),
    )
    install_page_errors(app)
    app.middleware("http")(refresh_session)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=303)

    return app
