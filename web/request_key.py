"""The web application's request key and the nonces of the requests it has issued.

The request key (Ed25519) signs every ``SignRequest`` the application hands to the operator's
signing agent; agents are told its public key (``ledger agent --trust-key``). It comes from
``settings.web_request_key_file`` (hex seed, as ``SoftwareSigner`` writes key files) or is random
per app, which is right for tests but means agents must be told a new key at every start.

``NonceBook`` makes each request good for one answer, in every process of the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nacl.signing

from ledger.sign_requests import SignRequest, read_request
from projections.request_nonces import RequestNonces


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


class NonceBook:
    """The sign requests this application issued and not yet saw answered, one answer each.

    The nonces live in the ledger's database (``projections.request_nonces.RequestNonces``,
    opened by the API's lifespan as ``app.state.request_nonces``), so a request issued by one
    server process can be answered through another, and still only once.
    """

    def __init__(self, state: Any) -> None:
        self._state = state

    def issue(self, request: SignRequest) -> None:
        self._store().issue(request.nonce, request.expires_at)

    def spend(self, nonce: str) -> bool:
        """True once for a nonce we issued that has not expired; False ever after."""
        return self._store().spend(nonce)

    def _store(self) -> RequestNonces:
        store: RequestNonces | None = getattr(self._state, "request_nonces", None)
        if store is None:
            raise RuntimeError("the request nonces are open only while the app is running")
        return store
