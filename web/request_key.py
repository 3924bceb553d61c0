"""The web application's request key and the nonces of the requests it has issued.

The request key (Ed25519) signs every ``SignRequest`` the application hands to the operator's
signing agent; agents are told its public key (``ledger agent --trust-key``). It comes from
``settings.web_request_key_file`` (hex seed, as ``SoftwareSigner`` writes key files) or is random
per app, which is right for tests but means agents must be told a new key at every start.

``NonceBook`` makes each request good for one answer. It is an in-memory set with expiry, per
app: enough for one server process (``ledger serve``, ``ledger demo``). Several processes behind
one origin would each refuse the others' nonces (the login then fails and is tried again, never
the reverse); a shared store is for when the application runs on more than one process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nacl.signing

from ledger.sign_requests import SignRequest, read_request


@dataclass(frozen=True, slots=True)
class RequestKey:
    signing_key: nacl.signing.SigningKey

    @classmethod
    def load(cls, path: Path | None) -> RequestKey:
        if path is None:
            return cls(nacl.signing.SigningKey.generate())
        text = path.read_text(encoding="ascii").strip()
        try:
            seed = bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{path} does not hold a hex Ed25519 seed") from None
        if len(seed) != 32:
            raise ValueError(f"{path} does not hold a 32-byte Ed25519 seed")
        return cls(nacl.signing.SigningKey(seed))

    @property
    def public_key(self) -> bytes:
        return bytes(self.signing_key.verify_key)

    def wire(self, request: SignRequest) -> str:
        return request.to_wire(self.signing_key)

    def read(self, wire: str, *, now: float | None = None) -> SignRequest:
        """Our own request back, checked: signed by this key, well formed, not expired
        (``SignRequestError`` otherwise)."""
        return read_request(wire, [self.public_key], now=now)


MAX_OPEN_NONCES = 10_000
"""The most requests waiting for an answer; beyond it the oldest is forgotten (its answer is
then refused), so a flood of login pages cannot grow the book without bound."""


class NonceBook:
    """Nonces issued and not yet answered, each until its request expires."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def issue(self, request: SignRequest) -> None:
        with self._lock:
            self._forget_expired()
            while len(self._open) >= MAX_OPEN_NONCES:
                del self._open[next(iter(self._open))]
            self._open[request.nonce] = request.expires_at

    def spend(self, nonce: str) -> bool:
        """True once for a nonce we issued that has not expired; False ever after."""
        with self._lock:
            self._forget_expired()
            return self._open.pop(nonce, None) is not None

    def _forget_expired(self) -> None:
        now = self._clock()
        for nonce in [n for n, expiry in self._open.items() if expiry < now]:
            del self._open[nonce]
