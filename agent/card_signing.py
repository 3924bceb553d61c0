"""The card: which key it holds, and a signature of a request's 32 bytes made on it.

The signers of ``card/`` do the work: ``OpenPgpCardSigner`` (VERIFY PW1, then PSO: COMPUTE
DIGITAL SIGNATURE), wrapped in ``PresenceCheckedSigner`` when the enrolled citizen's ID card
must be in the reader (checked before the PIN is tried, so a missing ID card costs no try).
One signature at a time: the card is one device. Card errors become Thai refusals; a wrong PIN
is its own outcome, carrying the tries left, so the page can let the operator try again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from agent.checks import Refusal
from agent.config import AgentConfig
from card.errors import (
    CardError,
    CardPresenceError,
    NoCardError,
    NoReaderError,
    NoSigningKeyError,
    PinBlockedError,
    WrongPinError,
)
from card.openpgp import OpenPgpCard, OpenPgpCardSigner
from card.presence import PresenceCheckedSigner
from ledger.domain.rules import to_ascii_digits
from ledger.sign_requests import SignRequest
from ledger.signing import Signer
from ledger.statement import key_id_of

_CARD_LOCK = threading.Lock()


class WrongPin(Exception):  # noqa: N818 (an outcome the page shows, not a failure)
    """The card refused the PIN; ``tries_left`` more wrong ones block it."""

    def __init__(self, tries_left: int | None) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left")
        self.tries_left = tries_left


@dataclass(frozen=True)
class Signed:
    public_key: bytes
    signature: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)


def card_key(config: AgentConfig) -> bytes:
    """The public key of the signing card in the reader (no PIN needed)."""
    with _CARD_LOCK, _card_errors(), config.open_card() as transport:
        return OpenPgpCard(transport).public_key()


def sign_on_card(
    config: AgentConfig, request: SignRequest, pin: str, *, expected_key_id: str | None
) -> Signed:
    """Have the card sign ``request.signed_message()``; ``expected_key_id`` is the key the
    statement names (None for a login, whose answer names the card's key)."""
    pin = to_ascii_digits(pin.strip())
    if not 1 <= len(pin.encode("utf-8")) <= 127:
        raise WrongPin(None)
    with _CARD_LOCK, _card_errors(), config.open_card() as transport:
        signer: Signer = OpenPgpCardSigner(OpenPgpCard(transport), pin)
        if expected_key_id is not None and key_id_of(signer.public_key) != expected_key_id:
            raise another_key(expected_key_id, key_id_of(signer.public_key))
        if config.presence is not None:
            signer = PresenceCheckedSigner(
                signer,
                read_cid=config.presence.read_cid,
                enrolled_cid=config.presence.enrolled_cid,
                reader=config.presence.reader,
            )
        return Signed(signer.public_key, signer.sign(request.signed_message()))


def another_key(expected: str, present: str) -> Refusal:
    return Refusal(
        f"ข้อความนี้เป็นของกุญแจ {expected} แต่บัตรในเครื่องอ่านมีกุญแจ {present} จึงไม่ลงนาม",
        f"this statement is for key {expected}, but the card in the reader holds key {present}; "
        "nothing was signed",
    )


@contextmanager
def _card_errors() -> Iterator[None]:
    """Turn the card adapter's errors into the page's refusals (or ``WrongPin``)."""
    try:
        yield
    except CardError as error:
        raise _translate(error) from None


def _translate(error: CardError) -> Exception:
    if isinstance(error, WrongPinError):
        return WrongPin(error.retries_left)
    if isinstance(error, PinBlockedError):
        return Refusal(
            "บัตรถูกระงับเพราะใส่รหัส PIN ผิดหลายครั้ง ให้ผู้ดูแลปลดล็อกบัตร จึงไม่ลงนาม",
            "the card's PIN is blocked after too many wrong tries; have it reset. "
            "Nothing was signed",
            status=403,
        )
    if isinstance(error, CardPresenceError):
        return Refusal(
            "บัตรประชาชนในเครื่องอ่านไม่ใช่ของผู้ที่ขึ้นทะเบียนกุญแจนี้ (หรือไม่มีบัตร) จึงไม่ลงนาม",
            str(error),
            status=403,
        )
    if isinstance(error, NoCardError | NoReaderError):
        return Refusal("ไม่พบบัตรหรือเครื่องอ่านบัตร ให้เสียบบัตรแล้วลองอีกครั้ง", str(error), status=503)
    if isinstance(error, NoSigningKeyError):
        return Refusal("บัตรนี้ยังไม่มีกุญแจลงนาม", str(error), status=503)
    return Refusal("ใช้งานบัตรไม่ได้", str(error), status=503)
