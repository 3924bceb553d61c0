"""The API documentation works offline: every asset /docs loads comes from this server."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_load_nothing_from_outside(client: TestClient) -> None:
    """/docs names no outside address, and each script, style and icon it names is served."""
    page = client.get("/docs").text

    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page)
    assert not [url for url in assets if url.startswith(("http:", "https:", "//"))]
    assert {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"} <= set(assets)
    assert all(200 == client.get(url).status_code for url in assets)


def test_the_openapi_document_is_served(client: TestClient) -> None:
    """The page's source of truth answers."""
    assert "/statements" in client.get("/openapi.json").json()["paths"]
