"""Sign requests: what the web application asks the operator's signing agent to sign.

The web application never holds an operator's key. To have a statement signed (or to log in),
it drafts the bytes, wraps them in a ``SignRequest`` that it signs with its own Ed25519 key (the
*request key*), and the browser carries that request to the signing agent beside the card reader
(``ledger agent``) in a popup of the agent's own origin. The agent trusts only request keys it
was configured with and origins on its allowlist, refuses an expired request or a nonce it has
seen, shows the payload in Thai, and has the card sign:

- ``kind == "statement"``: the payload is the canonical statement bytes; the card signs
  ``sha256(payload)``, exactly as ``ledger.signing.sign_statement`` does, so the signature is a
  statement signature the ledger checks like any other.
- ``kind == "login"``: the payload is ``login_payload(origin, nonce)``; the card signs
  ``sha256(SESSION_CONTEXT + payload)`` (``ledger.signing.session_message``), which can never
  pass as a statement signature (canonical statements begin with ``{``).

Wire form (one string, safe in a form field or URL): ``base64url(body) "." base64url(sig)``
without padding, where ``body`` is the RFC 8785 canonical JSON object
``{"expires": int, "kind": str, "nonce": 32 hex, "origin": str, "payload": base64url, "v": 1}``
and ``sig`` is the request key's Ed25519 signature of ``sha256(REQUEST_CONTEXT + body)``.

A v2 statement (``ledger.commitments``) signs commitments in place of personal values, so the
request also carries its *disclosures* (each personal field's value and salt): the body is then
``"v": 2`` with a ``"disclosures"`` object (path -> ``{"salt", "value"}``) beside the others. The
request key signs them with the payload, so the page that carries the request cannot change
them: the agent shows the operator the disclosed values, checked against the commitments it
signs (what you see is what you sign), and the web application submits the very disclosures it
drafted, read back from the request the agent answered (it keeps no copy of its own). A request
without disclosures keeps the ``"v": 1`` body, byte for byte.

The agent's answer goes back to the opener by ``postMessage`` to exactly ``origin``; its data
is ``{"type": "ledger-agent", "nonce", "outcome": "signed" | "cancelled", "key_id",
"public_key" (hex), "signature" (base64url)}`` (see ``AgentAnswer``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import nacl.exceptions
import nacl.signing

from ledger.canonical import canonicalize
from ledger.commitments import Disclosure, read_disclosures
from ledger.errors import LedgerError
from ledger.signing import session_message

REQUEST_CONTEXT = b"thai-lgov-ledger sign request v1\n"
"""Domain separation for the request key's signature: a request signature is never a statement
signature, a session answer, or a checkpoint signature."""

LOGIN_CONTEXT = b"thai-lgov-ledger web login v1\n"

REQUEST_TTL_SECONDS = 300
"""How long a sign request lives: long enough to read the statement and type a PIN."""

Kind = Literal["statement", "login"]
KINDS: tuple[Kind, ...] = ("statement", "login")

_NONCE = re.compile(r"^[0-9a-f]{32}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$")
MAX_WIRE_CHARS = 96_000
"""The longest wire read: a statement's bytes, base64 twice, and its disclosures (a personal
text field holds at most 2000 characters)."""


class SignRequestError(LedgerError):
    """A sign request is unreadable, not signed by a trusted key, expired, or misdirected."""

    def __init__(self, reason: str, thai: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.thai = thai


def new_request_nonce() -> str:
    return secrets.token_hex(16)


def login_payload(origin: str, nonce: str) -> bytes:
    """What a login request carries: the origin being logged in to and the request's nonce."""
    return LOGIN_CONTEXT + origin.encode("ascii") + b"\n" + nonce.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode unpadded (or padded) base64url; raises ``ValueError`` on anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]*={0,2}", text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


@dataclass(frozen=True, slots=True)
class SignRequest:
    kind: Kind
    payload: bytes
    origin: str
    nonce: str
    expires_at: int
    disclosures: Mapping[str, Disclosure] | None = None
    """A v2 statement's disclosures (path -> value and salt); None for a v1 statement or a
    login."""

    @classmethod
    def new(
        cls,
        kind: Kind,
        payload: bytes,
        origin: str,
        *,
        ttl: int = REQUEST_TTL_SECONDS,
        disclosures: Mapping[str, Disclosure] | None = None,
    ) -> SignRequest:
        expires = int(time.time()) + ttl
        return cls(kind, payload, origin, new_request_nonce(), expires, disclosures)

    @classmethod
    def login(cls, origin: str, *, ttl: int = REQUEST_TTL_SECONDS) -> SignRequest:
        nonce = new_request_nonce()
        return cls("login", login_payload(origin, nonce), origin, nonce, int(time.time()) + ttl)

    def body(self) -> bytes:
        fields: dict[str, Any] = {
            "v": 1,
            "kind": self.kind,
            "payload": _b64(self.payload),
            "origin": self.origin,
            "nonce": self.nonce,
            "expires": self.expires_at,
        }
        if self.disclosures is not None:
            fields["v"] = 2
            fields["disclosures"] = {
                path: item.as_json() for path, item in self.disclosures.items()
            }
        return canonicalize(fields)

    def disclosures_json(self) -> dict[str, Any] | None:
        """The disclosures as ``Ledger.submit`` and ``POST /statements`` take them."""
        if self.disclosures is None:
            return None
        return {path: item.as_json() for path, item in self.disclosures.items()}

    def to_wire(self, request_key: nacl.signing.SigningKey) -> str:
        body = self.body()
        signature = request_key.sign(_request_digest(body)).signature
        return f"{_b64(body)}.{_b64(signature)}"

    def signed_message(self) -> bytes:
        """The 32 bytes the operator's card signs for this request."""
        if self.kind == "login":
            return hashlib.sha256(session_message(self.payload)).digest()
        return hashlib.sha256(self.payload).digest()


def _request_digest(body: bytes) -> bytes:
    return hashlib.sha256(REQUEST_CONTEXT + body).digest()


def read_request(
    wire: str,
    trusted_keys: Iterable[bytes],
    *,
    now: float | None = None,
) -> SignRequest:
    """Parse and check a wire request: signed by one of ``trusted_keys`` (raw Ed25519 public
    keys), well formed, not expired. Nonce reuse and the origin allowlist are the caller's."""
    if not isinstance(wire, str) or len(wire) > MAX_WIRE_CHARS or wire.count(".") != 1:
        raise SignRequestError("the sign request is unreadable", "อ่านคำขอลงนามไม่ได้")
    body_text, signature_text = wire.split(".")
    try:
        body, signature = b64decode(body_text), b64decode(signature_text)
    except ValueError:
        raise SignRequestError("the sign request is unreadable", "อ่านคำขอลงนามไม่ได้") from None
    if not _signed_by_any(body, signature, trusted_keys):
        raise SignRequestError(
            "the sign request is not signed by a server this agent trusts",
            "คำขอลงนามไม่ได้ลงนามโดยเซิร์ฟเวอร์ที่เครื่องนี้เชื่อถือ",
        )
    request = _parse_body(body)
    moment = time.time() if now is None else now
    if request.expires_at < moment:
        raise SignRequestError("the sign request has expired", "คำขอลงนามหมดอายุแล้ว")
    if request.kind == "login" and request.payload != login_payload(request.origin, request.nonce):
        raise SignRequestError("the login request is malformed", "คำขอเข้าสู่ระบบไม่ถูกต้อง")
    return request


def _signed_by_any(body: bytes, signature: bytes, keys: Iterable[bytes]) -> bool:
    message = _request_digest(body)
    for key in keys:
        try:
            nacl.signing.VerifyKey(key).verify(message, signature)
        except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
            continue
        return True
    return False


def _parse_body(body: bytes) -> SignRequest:
    unreadable = SignRequestError("the sign request is unreadable", "อ่านคำขอลงนามไม่ได้")
    try:
        fields: Any = json.loads(body)
    except ValueError:
        raise unreadable from None
    if (
        not isinstance(fields, dict)
        or type(fields.get("v")) is not int
        or set(fields) != _BODY_FIELDS.get(fields["v"], set())
    ):
        raise unreadable
    kind, origin, nonce, expires = (fields[k] for k in ("kind", "origin", "nonce", "expires"))
    disclosures = _disclosures(fields, kind)
    if (
        kind not in KINDS
        or not isinstance(origin, str)
        or not _ORIGIN.fullmatch(origin)
        or not isinstance(nonce, str)
        or not _NONCE.fullmatch(nonce)
        or type(expires) is not int
        or not isinstance(fields["payload"], str)
    ):
        raise unreadable
    try:
        payload = b64decode(fields["payload"])
    except ValueError:
        raise unreadable from None
    return SignRequest(kind, payload, origin, nonce, expires, disclosures)


_BODY_FIELDS: dict[object, set[str]] = {
    1: {"v", "kind", "payload", "origin", "nonce", "expires"},
    2: {"v", "kind", "payload", "origin", "nonce", "expires", "disclosures"},
}
"""The body's fields by its version: v2 adds a statement's disclosures."""


def _disclosures(fields: dict[str, Any], kind: object) -> dict[str, Disclosure] | None:
    """A v2 body's disclosures (only a statement request has them); None for a v1 body."""
    if fields["v"] == 1:
        return None
    found, problems = read_disclosures(fields["disclosures"])
    if kind != "statement" or problems:
        raise SignRequestError("the sign request is unreadable", "อ่านคำขอลงนามไม่ได้")
    return found


@dataclass(frozen=True, slots=True)
class AgentAnswer:
    """What the agent posts back to the opener (``postMessage`` data), as the server reads it."""

    nonce: str
    outcome: Literal["signed", "cancelled"]
    key_id: str | None = None
    public_key: str | None = None
    signature: str | None = None

    def to_message(self) -> dict[str, Any]:
        return {
            "type": "ledger-agent",
            "nonce": self.nonce,
            "outcome": self.outcome,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
        }


def encode_signature(signature: bytes) -> str:
    return _b64(signature)
