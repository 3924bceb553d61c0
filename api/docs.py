"""The interactive API documentation, served with nothing from outside.

FastAPI's default ``/docs`` page loads Swagger UI from a CDN, which is blank on government
networks and offline machines. Here the page is FastAPI's own, pointed at Swagger UI's files as
the ``swagger-ui-bundle`` wheel ships them (Apache-2.0), mounted under ``/docs/assets``. ReDoc
(also CDN-only) is not offered.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS = "/docs/assets"


def install_docs(app: FastAPI) -> None:
    """``GET /docs`` with Swagger UI's script, style and icon from this server."""
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def read_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} (API)",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
