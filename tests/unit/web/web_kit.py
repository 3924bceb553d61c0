"""Helpers of the web tests: reading a page's sign request, and answering it as the agent."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from httpx import Response

from ledger.sign_requests import SignRequest, encode_signature
from ledger.signing import SoftwareSigner

ORIGIN = "http://testserver"
SESSION_SECRET = "web-tests-session-secret-0123456789"

_WIRE = re.compile(r'data-sign-wire="([^"]+)"')
_NONCE = re.compile(r'data-sign-nonce="([0-9a-f]{32})"')


def page_request(html: str) -> tuple[str, str]:
    """The wire request and nonce a page's sign button carries."""
    wire, nonce = _WIRE.search(html), _NONCE.search(html)
    assert wire is not None, "the page has no sign button"
    assert nonce is not None, "the page's sign button has no nonce"
    return unescape(wire.group(1)), nonce.group(1)


def answer(request: SignRequest, wire: str, signer: SoftwareSigner) -> dict[str, str]:
    """What the agent posts back for ``request`` (as ``wire``), signed by ``signer``."""
    return {
        "request": wire,
        "nonce": request.nonce,
        "key_id": signer.key_id,
        "public_key": signer.public_key.hex(),
        "signature": encode_signature(signer.sign(request.signed_message())),
    }


def server_request(client: TestClient, wire: str) -> SignRequest:
    """The app's own request behind ``wire`` (read with the app's request key)."""
    request: SignRequest = client.app.state.web.request_key.read(wire)  # type: ignore[attr-defined]
    return request


def log_in(client: TestClient, signer: SoftwareSigner) -> Response:
    """Log in as the agent would: read the login page's request, sign it, post the answer."""
    wire, _nonce = page_request(client.get("/app/login").text)
    request = server_request(client, wire)
    response = client.post("/app/login", data=answer(request, wire, signer), follow_redirects=False)
    assert 303 == response.status_code, response.text
    return response
