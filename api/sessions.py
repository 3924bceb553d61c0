"""API sessions: an enrolled key answers a challenge and gets a short-lived bearer token.

Both the challenge and the token are stateless: they carry their own expiry and an HMAC-SHA256
under the app's session secret (``LedgerSettings.session_secret``, or random per app), so any
process holding the secret checks them without a session store.

- Challenge (57 bytes, sent as standard padded base64): version ``1`` | 16 random bytes | expiry
  (8-byte big-endian Unix seconds) | HMAC over the key id, the random bytes and the expiry. It is
  bound to the key id that asked for it and lives ``CHALLENGE_TTL_SECONDS``.
- The client signs ``sha256(SESSION_CONTEXT + challenge)`` with its enrolled Ed25519 key. The
  context is domain separation: canonical statement bytes begin with ``{``, so a session
  signature can never pass as a statement signature, nor the other way round.
- Token: ``v1.<key id>.<expiry>.<base64url HMAC>``, living ``session_ttl_seconds``. The API checks
  on every request that the key is still enrolled and not revoked, so revoking a key ends its
  sessions at once.

Being stateless, a challenge can be answered more than once until it expires (two minutes); only
the key's holder can produce the answer, and the answer only ever yields a token for that key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import struct
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ledger.domain.operators import Enrolment
from ledger.domain.permissions import Scope
from ledger.errors import ForbiddenError
from ledger.signing import session_message, verify_signature
from ledger.statement import KEY_ID

CHALLENGE_TTL_SECONDS = 120

_CHALLENGE_VERSION = 1
_NONCE_BYTES = 16
_CHALLENGE_LAYOUT = struct.Struct(f">B{_NONCE_BYTES}sQ")
_MAC_BYTES = 32
CHALLENGE_BYTES = _CHALLENGE_LAYOUT.size + _MAC_BYTES

_CHALLENGE_LABEL = b"thai-lgov-ledger challenge v1\n"
_TOKEN_LABEL = b"thai-lgov-ledger token v1\n"
_TOKEN_PATTERN = re.compile(r"^v1\.([0-9a-f]{16})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$")
_KEY_ID_PATTERN = re.compile(KEY_ID)


class SessionError(Exception):
    """Base of the session errors: the caller is not (or no longer) authenticated."""


class ChallengeError(SessionError):
    """The challenge was not issued by this API for this key, or it expired."""


class SessionSignatureError(SessionError):
    """The challenge's signature does not verify under the key's enrolled public key."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"the session signature does not verify for key {key_id}")
        self.key_id = key_id


class TokenError(SessionError):
    """The bearer token is unreadable, forged or expired."""


class MissingTokenError(TokenError):
    """The request carries no bearer token."""

    def __init__(self) -> None:
        super().__init__("this request needs a bearer token from POST /sessions")


@dataclass(frozen=True, slots=True)
class Challenge:
    value: bytes
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    key_id: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Session:
    """An authenticated caller: the key that answered the challenge and its current enrolment."""

    key_id: str
    enrolment: Enrolment
    expires_at: datetime

    def require_scope(self, target: Scope, action: str) -> None:
        """Raise ``ForbiddenError`` unless the caller's enrolment scope covers ``target``."""
        scope = self.enrolment.scope
        if not scope.covers(target):
            raise ForbiddenError(
                action,
                f"the caller's scope ({scope.describe()}) does not cover {target.describe()}",
            )


class SessionAuthority:
    """Issues and checks challenges and bearer tokens under one secret."""

    def __init__(
        self,
        secret: bytes,
        *,
        token_ttl_seconds: int,
        challenge_ttl_seconds: int = CHALLENGE_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < 16:
            raise ValueError("a session secret has at least 16 bytes")
        self._secret = secret
        self._token_ttl = token_ttl_seconds
        self._challenge_ttl = challenge_ttl_seconds
        self._clock = clock

    @classmethod
    def from_secret(cls, secret: str | None, *, token_ttl_seconds: int) -> SessionAuthority:
        """From the settings' secret, or a random one (tokens then die with the app)."""
        raw = secret.encode("utf-8") if secret is not None else secrets.token_bytes(32)
        return cls(raw, token_ttl_seconds=token_ttl_seconds)

    # Challenges.

    def issue_challenge(self, key_id: str) -> Challenge:
        expiry = int(self._clock()) + self._challenge_ttl
        body = _CHALLENGE_LAYOUT.pack(_CHALLENGE_VERSION, secrets.token_bytes(_NONCE_BYTES), expiry)
        return Challenge(body + self._challenge_mac(key_id, body), _datetime(expiry))

    def check_challenge(self, key_id: str, challenge: bytes) -> None:
        """Raise ``ChallengeError`` unless we issued ``challenge`` to ``key_id`` and it is live."""
        if len(challenge) != CHALLENGE_BYTES:
            raise ChallengeError(f"a session challenge has {CHALLENGE_BYTES} bytes")
        body, mac = challenge[: _CHALLENGE_LAYOUT.size], challenge[_CHALLENGE_LAYOUT.size :]
        if not hmac.compare_digest(mac, self._challenge_mac(key_id, body)):
            raise ChallengeError("the challenge was not issued by this ledger for this key")
        version, _nonce, expiry = _CHALLENGE_LAYOUT.unpack(body)
        if version != _CHALLENGE_VERSION:
            raise ChallengeError(f"unknown challenge version {version}")
        if expiry <= self._clock():
            raise ChallengeError("the challenge expired; ask for a new one")

    def _challenge_mac(self, key_id: str, body: bytes) -> bytes:
        message = _CHALLENGE_LABEL + key_id.encode("ascii") + b"\n" + body
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    # Sessions and tokens.

    def open_session(self, enrolment: Enrolment, challenge: bytes, signature: bytes) -> Token:
        """Check the challenge and its signature by the enrolled key; issue a bearer token.

        The caller has already checked that the key is enrolled and not revoked.
        """
        self.check_challenge(enrolment.key_id, challenge)
        if not verify_signature(enrolment.public_key, session_message(challenge), signature):
            raise SessionSignatureError(enrolment.key_id)
        return self.issue_token(enrolment.key_id)

    def issue_token(self, key_id: str) -> Token:
        if not _KEY_ID_PATTERN.match(key_id):
            raise ValueError(f"not a key id: {key_id!r}")
        expiry = int(self._clock()) + self._token_ttl
        mac = _b64url(self._token_mac(key_id, expiry))
        return Token(f"v1.{key_id}.{expiry}.{mac}", key_id, _datetime(expiry))

    def read_token(self, token: str) -> tuple[str, datetime]:
        """The key id and expiry of a genuine, live token; ``TokenError`` otherwise."""
        match = _TOKEN_PATTERN.match(token)
        if match is None:
            raise TokenError("the bearer token is not a ledger session token")
        key_id, expiry_text, mac_text = match.groups()
        expiry = int(expiry_text)
        # Compare the text, not decoded bytes: base64 has several spellings of one last byte.
        if not hmac.compare_digest(mac_text, _b64url(self._token_mac(key_id, expiry))):
            raise TokenError("the bearer token was not issued by this ledger")
        if expiry <= self._clock():
            raise TokenError("the bearer token expired; open a new session")
        return key_id, _datetime(expiry)

    def _token_mac(self, key_id: str, expiry: int) -> bytes:
        message = _TOKEN_LABEL + f"{key_id}\n{expiry}".encode("ascii")
        return hmac.new(self._secret, message, hashlib.sha256).digest()


def _datetime(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


def _b64url(raw: bytes) -> str:
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
