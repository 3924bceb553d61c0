"""Verifying envelopes with nothing but public keys: the consumer's side of DESIGN.md section 7.

A consumer pins one thing, the ledger's system key (the trust anchor ``ledger init`` prints),
and rebuilds every other key from the registry stream's events in the same topic: the genesis
must be signed by the pinned key and enrol it; each later enrolment or revocation must be
signed by a key enrolled before it. Key validity is judged by notification id, which is the
ledger's commit order: a key signs validly after its enrolment and up to its revocation, so the
registry may run ahead of the events being checked without changing any verdict.

Each envelope is checked for: a canonical statement that agrees with the envelope's fields; the
hash ``sha256(statement || signature)``; the stream's chain (the next version, naming the head's
hash); a key known for that signer at that point; and the Ed25519 signature.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.errors import MalformedStatementError
from ledger.signing import verify_signature
from ledger.statement import (
    GENESIS_PREV_HASH,
    SYSTEM_CID,
    SignedStatement,
    key_id_of,
    read_statement,
)
from projections.kafka.envelope import Envelope
from projections.kafka.errors import EnvelopeRejectedError, RejectReason

GENESIS = "LedgerInitialised"
ENROLMENT = "OperatorEnrolled"
REVOCATION = "OperatorKeyRevoked"


@dataclass(frozen=True, slots=True)
class TrustAnchor:
    """The pinned system key: the only key a consumer trusts without an enrolment."""

    public_key: bytes

    @classmethod
    def from_hex(cls, public_key: str) -> TrustAnchor:
        raw = bytes.fromhex(public_key)
        if len(raw) != 32:
            raise ValueError("an Ed25519 public key has 32 bytes (64 hex characters)")
        return cls(raw)

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)


@dataclass(frozen=True, slots=True)
class StreamHead:
    """Where a stream's chain stands: its version, head hash and last notification id."""

    version: int
    hash: str
    notification_id: int


EMPTY_HEAD = StreamHead(0, GENESIS_PREV_HASH, 0)


@dataclass(slots=True)
class KnownKey:
    key_id: str
    public_key: bytes
    cid: str | None  # None: a record owner enrolled by her record, who signs with a null cid
    enrolled_at: int  # notification id of its enrolment
    revoked_at: int | None = None  # notification id of its revocation


def _reject(reason: RejectReason, detail: str) -> EnvelopeRejectedError:
    return EnvelopeRejectedError(reason, detail)


def read_envelope_statement(envelope: Envelope) -> SignedStatement:
    """The envelope's statement, checked against the envelope's own fields and hash."""
    try:
        signed = read_statement(envelope.statement, envelope.signature)
    except MalformedStatementError as error:
        raise _reject(RejectReason.MALFORMED, error.problem) from None
    statement = signed.statement
    differing = [
        name
        for name, same in (
            ("stream", statement.stream == envelope.stream),
            ("version", statement.expected_version == envelope.version - 1),
            ("prev_hash", statement.prev_hash == envelope.prev_hash),
            ("type", statement.type == envelope.type),
        )
        if not same
    ]
    if differing:
        raise _reject(
            RejectReason.MISMATCH,
            f"the envelope's {', '.join(differing)} disagree with its signed statement",
        )
    if signed.hash != envelope.hash:
        raise _reject(RejectReason.BAD_HASH, "hash is not sha256(statement || signature)")
    return signed


def check_chain(envelope: Envelope, head: StreamHead) -> None:
    """Raise ``BROKEN_CHAIN`` unless the envelope is its stream's next event."""
    if envelope.version != head.version + 1 or envelope.prev_hash != head.hash:
        raise _reject(
            RejectReason.BROKEN_CHAIN,
            f"stream {envelope.stream} is at version {head.version}; the envelope claims "
            f"version {envelope.version} after {envelope.prev_hash[:16]}...",
        )


class KeyRegistry:
    """Operator keys as the registry stream's verified events enrol and revoke them."""

    def __init__(self, anchor: TrustAnchor, registry_stream: UUID) -> None:
        self.anchor = anchor
        self.registry_stream = registry_stream
        self.head = EMPTY_HEAD
        self._keys: dict[str, KnownKey] = {}

    def knows(self, key_id: str) -> bool:
        return key_id in self._keys

    def verify(self, envelope: Envelope, signed: SignedStatement | None = None) -> SignedStatement:
        """Check the statement (unless already read), the signer's key at this point of the
        log, and the signature."""
        if signed is None:
            signed = read_envelope_statement(envelope)
        public_key = self._signing_key(signed, envelope.notification_id)
        if not verify_signature(public_key, signed.canonical, signed.signature):
            raise _reject(
                RejectReason.BAD_SIGNATURE,
                f"the signature does not verify for key {signed.statement.signer.key}",
            )
        return signed

    def _signing_key(self, signed: SignedStatement, notification_id: int) -> bytes:
        statement = signed.statement
        if statement.type == GENESIS:
            if (
                statement.signer.key != self.anchor.key_id
                or statement.signer.cid != SYSTEM_CID
                or statement.data.get("public_key") != self.anchor.public_key.hex()
            ):
                raise _reject(
                    RejectReason.UNTRUSTED_GENESIS, "the genesis does not enrol the pinned key"
                )
            return self.anchor.public_key
        key = self._keys.get(statement.signer.key)
        if key is None or key.enrolled_at >= notification_id:
            raise _reject(RejectReason.UNKNOWN_KEY, f"key {statement.signer.key} is not enrolled")
        if key.cid != statement.signer.cid:
            raise _reject(
                RejectReason.UNKNOWN_KEY,
                f"key {statement.signer.key} is not enrolled for the signer named",
            )
        if key.revoked_at is not None and key.revoked_at < notification_id:
            raise _reject(
                RejectReason.REVOKED_KEY,
                f"key {statement.signer.key} was revoked at notification {key.revoked_at}",
            )
        return key.public_key

    def learn(self, envelope: Envelope) -> bool:
        """Verify a registry-stream envelope and apply it; False for one already applied."""
        if envelope.stream != self.registry_stream:
            return False
        if envelope.notification_id <= self.head.notification_id:
            return False
        signed = read_envelope_statement(envelope)
        check_chain(envelope, self.head)
        self.verify(envelope, signed)
        self._apply(signed.statement.type, signed.statement.data, envelope)
        self.head = StreamHead(envelope.version, envelope.hash, envelope.notification_id)
        return True

    def _apply(self, type_: str, data: dict[str, Any], envelope: Envelope) -> None:
        nid = envelope.notification_id
        if type_ == GENESIS:
            self._keys[self.anchor.key_id] = KnownKey(
                self.anchor.key_id, self.anchor.public_key, SYSTEM_CID, enrolled_at=0
            )
        elif type_ == ENROLMENT:
            public_key = _public_key(data)
            cid = data.get("cid")
            self._keys[key_id_of(public_key)] = KnownKey(
                key_id_of(public_key),
                public_key,
                str(cid) if cid is not None else None,
                enrolled_at=nid,
            )
        elif type_ == REVOCATION:
            key = self._keys.get(str(data.get("key_id", "")))
            if key is not None and key.revoked_at is None:
                key.revoked_at = nid


def _public_key(data: dict[str, Any]) -> bytes:
    text = data.get("public_key")
    try:
        raw = bytes.fromhex(text) if isinstance(text, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32 or data.get("key_id") != key_id_of(raw):
        raise _reject(RejectReason.MALFORMED, "the enrolment names no valid public key and key id")
    return raw
