"""Request and response bodies of the HTTP API.

Bytes travel as standard padded base64 (DESIGN.md section 3) and hashes as lowercase hex.
``Base64Bytes`` decodes strictly: a character outside the alphabet, missing padding or a
non-string value fails validation, which the API answers 400 ``malformed-request``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from api.sessions import Challenge, Token
from ledger.application import Receipt, RecordedEvent
from ledger.statement import KEY_ID

MAX_STATEMENT_BYTES = 256 * 1024
"""Largest statement the API reads; the base64 text is at most 4/3 of it."""

MAX_BATCH_ITEMS = 1000
"""Most statements in one batch (one transaction)."""


def _decode_base64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("must be a standard padded base64 string")
    if len(value) > 4 * (MAX_STATEMENT_BYTES // 3 + 1):
        raise ValueError(f"must encode at most {MAX_STATEMENT_BYTES} bytes")
    try:
        return b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not standard padded base64") from None


def encode_base64(raw: bytes) -> str:
    return b64encode(raw).decode("ascii")


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
"""Bytes sent as standard padded base64 text."""

KeyId = Annotated[str, Field(pattern=KEY_ID, description="First 16 hex of sha256(public key)")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API answers."""

    type: str
    title: str
    status: int
    detail: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    ledger: str
    initialised: bool


class SignedStatementIn(_Body):
    """One signed statement: the canonical bytes exactly as signed, and the signature."""

    statement: Base64Bytes
    signature: Base64Bytes

    def as_pair(self) -> tuple[bytes, bytes]:
        return self.statement, self.signature


class StatementBatchIn(_Body):
    """Statements appended together in one transaction, or not at all."""

    items: list[SignedStatementIn] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)

    def as_pairs(self) -> list[tuple[bytes, bytes]]:
        return [item.as_pair() for item in self.items]


class ReceiptOut(BaseModel):
    """Where an accepted statement landed: log position, stream, version and event hash."""

    notification_id: int
    stream: UUID
    version: int
    hash: str

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        return cls(
            notification_id=receipt.notification_id,
            stream=receipt.stream,
            version=receipt.version,
            hash=receipt.hash,
        )


class EventOut(BaseModel):
    """One stored event, as signed: enough for a client to verify it with the public keys."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    statement: str = Field(description="base64 of the canonical statement bytes")
    signature: str = Field(description="base64 of the 64-byte Ed25519 signature")
    hash: str
    prev_hash: str
    recorded_at: datetime

    @classmethod
    def of(cls, event: RecordedEvent) -> EventOut:
        return cls(
            notification_id=event.notification_id,
            stream=event.stream,
            version=event.version,
            type=event.type,
            statement=encode_base64(event.statement),
            signature=encode_base64(event.signature),
            hash=event.hash,
            prev_hash=event.prev_hash,
            recorded_at=event.recorded_at,
        )


class ChallengeIn(_Body):
    key_id: KeyId


class ChallengeOut(BaseModel):
    challenge: str = Field(description="base64; sign sha256(session context + these bytes)")
    expires_at: datetime

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeOut:
        return cls(challenge=encode_base64(challenge.value), expires_at=challenge.expires_at)


class SessionIn(_Body):
    key_id: KeyId
    challenge: Base64Bytes
    signature: Base64Bytes


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: datetime

    @classmethod
    def of(cls, token: Token) -> TokenOut:
        return cls(access_token=token.value, expires_at=token.expires_at)
