"""The request nonces the agent has used, remembered until their requests expire.

A nonce is used up when the card signs or the operator cancels. A refusal or a wrong PIN
leaves it unused: nothing was signed, the operator may retry, and the request expires within
minutes anyway. ``claim`` takes a nonce before the card is asked, so two confirmations of one
request cannot both sign; ``release`` gives it back when the card did not sign.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class UsedNonces:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def is_used(self, nonce: str) -> bool:
        with self._lock:
            return nonce in self._used

    def claim(self, nonce: str, expires_at: int) -> bool:
        """Mark ``nonce`` used; False when it already was."""
        with self._lock:
            self._forget_expired()
            if nonce in self._used:
                return False
            self._used[nonce] = expires_at
            return True

    def release(self, nonce: str) -> None:
        with self._lock:
            self._used.pop(nonce, None)

    def _forget_expired(self) -> None:
        """An expired request is refused for its expiry, so its nonce need not be kept."""
        now = self._clock()
        for nonce in [n for n, expires in self._used.items() if expires < now]:
            del self._used[nonce]
