"""Helpers for API tests: request bodies, problem checks, sessions, revocation."""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Any
from uuid import UUID

import httpx
from fastapi.testclient import TestClient

from api.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE
from ledger.application import Receipt
from ledger.genesis import compose
from ledger.signing import sign_challenge
from ledger.statement import SignedStatement
from tests.ledger_kit import LedgerKit, Operator


def b64(raw: bytes) -> str:
    return b64encode(raw).decode("ascii")


def body(signed: SignedStatement) -> dict[str, str]:
    """The JSON body of POST /statements for a signed statement."""
    return {"statement": b64(signed.canonical), "signature": b64(signed.signature)}


def receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "notification_id": receipt.notification_id,
        "stream": str(receipt.stream),
        "version": receipt.version,
        "hash": receipt.hash,
    }


PROBLEM_FIELDS = {"type", "title", "status", "detail", "title_th", "rule", "errors"}
"""RFC 9457's members, and the extensions the ledger adds (Thai title, the rules broken)."""


def problem(response: httpx.Response) -> tuple[int, str]:
    """The status and problem-type slug of a problem-details response (which has its Thai
    title, as every refusal has)."""
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    payload = response.json()
    assert {"type", "title", "status", "detail"} <= set(payload) <= PROBLEM_FIELDS
    assert payload["status"] == response.status_code
    assert payload.get("title_th"), "every refusal has its Thai title (README)"
    return response.status_code, payload["type"].removeprefix(PROBLEM_TYPE_BASE)


def login(client: TestClient, operator: Operator) -> dict[str, str]:
    """Open a session for the operator's key; the Authorization header that carries it."""
    key_id = operator.signer.key_id
    challenge = client.post("/sessions/challenge", json={"key_id": key_id}).json()["challenge"]
    signature = sign_challenge(operator.signer, b64decode(challenge))
    response = client.post(
        "/sessions",
        json={"key_id": key_id, "challenge": challenge, "signature": b64(signature)},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


PHOTO = b"\xff\xd8\xff\xe0 a made-up photo"
"""A JPEG by its first bytes: what the document store keeps."""


def attach_photo(client: TestClient, kit: LedgerKit, stream: UUID) -> str:
    """Keep ``PHOTO`` in the app's document store and bind it to the record by a signed
    ``PhotoAttached`` (the kit's HR officer): its hash, for GET /records/{id}/documents/{sha}."""
    photo = client.app.state.documents.put(PHOTO)  # type: ignore[attr-defined]
    data = {"year": 2562, "sha256": photo.sha256, "media_type": photo.media_type}
    kit.emit(kit.hr, stream, "PhotoAttached", data)
    sha256: str = photo.sha256
    return sha256


def revoke(kit: LedgerKit, operator: Operator) -> Receipt:
    """The admin revokes the operator's key (directly on the ledger)."""
    return kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": operator.signer.key_id, "reason": "token lost"},
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )
