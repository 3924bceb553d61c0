"""Card presence: sign only while the enrolled citizen's ID card is in the reader.

DESIGN.md section 4: a deployment may require the operator's ID card in the reader as a
presence signal, never as the proof (the card holds no secret; the token's signature is the
proof). ``PresenceCheckedSigner`` wraps any ``Signer`` and, before each signature, reads the
citizen ID of the card in the reader; if it is not the one the key was enrolled for, it refuses
and nothing is signed, so nothing can reach the ledger.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from card.errors import CardPresenceError
from ledger.signing import Signer
from ledger.statement import key_id_of


class PresenceCheckedSigner:
    """A ``Signer`` that signs only while the right ID card is present."""

    def __init__(
        self,
        signer: Signer,
        *,
        read_cid: Callable[[], str],
        enrolled_cid: str,
        reader: str,
    ) -> None:
        self._signer = signer
        self._read_cid = read_cid
        self._enrolled_cid = enrolled_cid
        self.reader = reader

    @property
    def public_key(self) -> bytes:
        return self._signer.public_key

    @property
    def key_id(self) -> str:
        return key_id_of(self._signer.public_key)

    def check(self) -> None:
        """Raise ``CardPresenceError`` unless the enrolled citizen's card is in the reader."""
        present = self._read_cid()
        if not hmac.compare_digest(present.encode(), self._enrolled_cid.encode()):
            raise CardPresenceError(self.reader)

    def sign(self, message: bytes) -> bytes:
        self.check()
        return self._signer.sign(message)
