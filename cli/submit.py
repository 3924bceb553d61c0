"""Signing a statement draft and sending it, to a database directly or to the HTTP API."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx

from ledger.application import Ledger
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings
from ledger.signing import Signer, sign_challenge, sign_statement
from ledger.statement import (
    GENESIS_PREV_HASH,
    SignedStatement,
    SignerRef,
    build_statement,
    key_id_of,
)


class ServerError(LedgerError):
    """The API answered with a problem."""


def submit_draft(
    *,
    body: dict[str, Any],
    stream: UUID,
    effective: date | None,
    signer: Signer,
    cid: str,
    server: str | None,
    settings: LedgerSettings | None,
) -> dict[str, Any]:
    """Sign the draft at the stream's head (unless it names one) and submit it."""
    if server is not None:
        with httpx.Client(base_url=server, timeout=30) as client:
            head = _server_head(client, signer, stream) if _needs_head(body) else None
            signed = _sign(body, stream, effective, signer, cid, head)
            answer = client.post(
                "/statements",
                json={"statement": _b64(signed.canonical), "signature": _b64(signed.signature)},
            )
            answered: dict[str, Any] = _json_or_raise(answer)
            return answered
    if settings is None:
        raise ValueError("submit_draft needs settings when no server is given")
    ledger = Ledger(settings)
    try:
        head = ledger.head(stream) if _needs_head(body) else None
        signed = _sign(body, stream, effective, signer, cid, head)
        receipt = ledger.submit(signed.canonical, signed.signature)
    finally:
        ledger.close()
    return {
        "notification_id": receipt.notification_id,
        "stream": str(receipt.stream),
        "version": receipt.version,
        "hash": receipt.hash,
    }


def _needs_head(body: dict[str, Any]) -> bool:
    return "expected_version" not in body or "prev_hash" not in body


def _sign(
    body: dict[str, Any],
    stream: UUID,
    effective: date | None,
    signer: Signer,
    cid: str,
    head: tuple[int, str] | None,
) -> SignedStatement:
    version, prev_hash = head if head is not None else (body["expected_version"], body["prev_hash"])
    statement = build_statement(
        stream=stream,
        expected_version=version,
        prev_hash=prev_hash,
        type=body["type"],
        data=body["data"],
        effective=effective or datetime.now(UTC).date(),
        signer=SignerRef(cid=cid, key=key_id_of(signer.public_key)),
        signed_at=datetime.now(UTC),
    )
    return sign_statement(statement, signer)


def _server_head(client: httpx.Client, signer: Signer, stream: UUID) -> tuple[int, str]:
    """Open a session with the signing key and read the stream's head from the API."""
    key_id = key_id_of(signer.public_key)
    challenge = _json_or_raise(client.post("/sessions/challenge", json={"key_id": key_id}))
    raw = base64.b64decode(challenge["challenge"])
    token = _json_or_raise(
        client.post(
            "/sessions",
            json={
                "key_id": key_id,
                "challenge": challenge["challenge"],
                "signature": _b64(sign_challenge(signer, raw)),
            },
        )
    )
    answer = client.get(
        f"/streams/{stream}/events",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    if answer.status_code == 404:
        return 0, GENESIS_PREV_HASH
    events = _json_or_raise(answer)
    last = events[-1]
    return int(last["version"]), str(last["hash"])


def _json_or_raise(answer: httpx.Response) -> Any:
    if answer.status_code >= 400:
        try:
            problem = answer.json()
            detail = f"{problem.get('title', '')}: {problem.get('detail', '')}"
        except ValueError:
            detail = answer.text[:200]
        raise ServerError(f"server answered {answer.status_code} {detail}")
    return answer.json()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
