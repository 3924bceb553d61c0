"""PC/SC through pyscard: choose a reader by name, await a card, exchange APDUs, translate errors.

This is the only module that touches pyscard (``smartcard.scard``, its thin layer over the PC/SC
API, so every failure arrives as a result code we can name). Nothing here is created at import
time. Every pyscard failure becomes a ``CardError``:

* no PC/SC service, no reader by that name -> ``NoReaderError`` (naming the readers there are);
* no card inserted within the timeout -> ``NoCardError``;
* the card leaves the reader during an exchange -> ``CardRemovedError``. pcscd learns of a
  removal only at its next presence poll (about 0.4 s), and through vpcd the failed exchange
  may even come back "successful" with no status word; so after any failed exchange we wait for
  the reader's state to change, briefly, before deciding between removal and a reader fault.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import Any

from smartcard import scard

from card.errors import (
    CardCommunicationError,
    CardRemovedError,
    CardStillPresentError,
    NoCardError,
    NoReaderError,
    PcscUnavailableError,
)

INFINITE = 0xFFFFFFFF
REMOVAL_GRACE_SECONDS = 1.5
"""How long a failed exchange waits for pcscd to report the card gone (its poll is ~0.4 s)."""


class Disposition(IntEnum):
    """What happens to the card when the connection ends."""

    LEAVE = scard.SCARD_LEAVE_CARD
    RESET = scard.SCARD_RESET_CARD  # drops a token's verified-PIN state
    UNPOWER = scard.SCARD_UNPOWER_CARD


REMOVED_CODES = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
}
NO_SERVICE_CODES = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED}


def _hex(code: int) -> str:
    return f"0x{code & 0xFFFFFFFF:08X}"


def _message(code: int) -> str:
    text: str = scard.SCardGetErrorMessage(code)
    return f"{text.rstrip('.')} ({_hex(code)})"


class PcscContext:
    """A PC/SC context: lists readers and waits for cards. Close it (or use ``with``)."""

    def __init__(self) -> None:
        code, handle = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if code != scard.SCARD_S_SUCCESS:
            raise PcscUnavailableError(_message(code))
        self._handle: Any = handle

    def __enter__(self) -> PcscContext:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._handle is not None:
            scard.SCardReleaseContext(self._handle)
            self._handle = None

    def readers(self) -> list[str]:
        """The readers pcscd knows, in its order (which changes when readers come and go)."""
        code, names = scard.SCardListReaders(self._handle, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        if code in NO_SERVICE_CODES:
            raise PcscUnavailableError(_message(code))
        if code != scard.SCARD_S_SUCCESS:
            raise NoReaderError(None, [], _message(code))
        return list(names)

    def find_reader(self, wanted: str) -> str:
        """The reader called ``wanted``: an exact name, else the one name containing it."""
        available = self.readers()
        if wanted in available:
            return wanted
        matches = [name for name in available if wanted.lower() in name.lower()]
        if len(matches) == 1:
            return matches[0]
        raise NoReaderError(wanted, available)

    def is_card_present(self, reader: str) -> bool:
        return bool(self._state(reader, scard.SCARD_STATE_UNAWARE, 0) & scard.SCARD_STATE_PRESENT)

    def wait_for_card(self, reader: str, timeout: float) -> None:
        """Return once a card is in ``reader``; ``NoCardError`` after ``timeout`` seconds."""
        if not self._wait(reader, timeout, present=True):
            raise NoCardError(reader, timeout)

    def wait_for_removal(self, reader: str, timeout: float) -> None:
        """Return once ``reader`` is empty; ``CardStillPresentError`` after ``timeout`` seconds."""
        if not self._wait(reader, timeout, present=False):
            raise CardStillPresentError(reader, timeout)

    def _wait(self, reader: str, timeout: float, *, present: bool) -> bool:
        deadline = time.monotonic() + timeout
        state = self._state(reader, scard.SCARD_STATE_UNAWARE, 0)
        while bool(state & scard.SCARD_STATE_PRESENT) != present:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            state = self._state(reader, state & ~scard.SCARD_STATE_CHANGED, int(left * 1000) + 1)
        return True

    def _state(self, reader: str, known: int, timeout_ms: int) -> int:
        code, states = scard.SCardGetStatusChange(self._handle, timeout_ms, [(reader, known)])
        if code == scard.SCARD_E_TIMEOUT:
            return known
        if code in NO_SERVICE_CODES:
            raise PcscUnavailableError(_message(code))
        if code == scard.SCARD_E_UNKNOWN_READER:
            raise NoReaderError(reader, self.readers())
        if code != scard.SCARD_S_SUCCESS:
            raise CardCommunicationError(reader, "waiting for the card", _message(code))
        event_state: int = states[0][1]
        if event_state & scard.SCARD_STATE_UNKNOWN:
            raise NoReaderError(reader, self.readers())
        return event_state

    def connect(
        self, reader: str, *, disposition: Disposition = Disposition.LEAVE
    ) -> PcscConnection:
        """Connect (shared) to the card in ``reader`` with T=0 or T=1, whichever it offers."""
        code, card, protocol = scard.SCardConnect(
            self._handle,
            reader,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        if code in REMOVED_CODES:
            raise NoCardError(reader, 0)
        if code == scard.SCARD_E_UNKNOWN_READER:
            raise NoReaderError(reader, self.readers())
        if code != scard.SCARD_S_SUCCESS:
            raise CardCommunicationError(reader, "connecting", _message(code))
        return PcscConnection(self, reader, card, protocol, disposition)


class PcscConnection:
    """A connection to the card in one reader; a ``card.apdu.Transport``."""

    def __init__(
        self,
        context: PcscContext,
        reader: str,
        card: Any,
        protocol: int,
        disposition: Disposition,
    ) -> None:
        self._context = context
        self._reader = reader
        self._card: Any = card
        self._protocol = protocol
        self._disposition = disposition
        self._atr = self._read_atr()

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def atr(self) -> bytes:
        return self._atr

    @property
    def protocol(self) -> str:
        return "T=0" if self._protocol == scard.SCARD_PROTOCOL_T0 else "T=1"

    def _read_atr(self) -> bytes:
        code, _name, _state, _protocol, atr = scard.SCardStatus(self._card)
        if code != scard.SCARD_S_SUCCESS:
            self._fail(code, "reading the ATR")
        return bytes(atr)

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        code, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if code != scard.SCARD_S_SUCCESS:
            self._fail(code, during)
        if len(response) < 2:
            # vpcd lost the card mid-exchange: pcsc-lite reports success with no status word.
            self._fail(scard.SCARD_E_NOT_TRANSACTED, during)
        return bytes(response)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the card exclusively for a sequence of APDUs (PC/SC transaction)."""
        code = scard.SCardBeginTransaction(self._card)
        if code != scard.SCARD_S_SUCCESS:
            self._fail(code, "starting a transaction")
        try:
            yield
        finally:
            scard.SCardEndTransaction(self._card, scard.SCARD_LEAVE_CARD)

    def close(self) -> None:
        if self._card is not None:
            scard.SCardDisconnect(self._card, int(self._disposition))
            self._card = None

    def _fail(self, code: int, during: str) -> None:
        """Raise the error ``code`` means, telling a removed card from a failing reader."""
        if code in REMOVED_CODES or self._card_left():
            raise CardRemovedError(self._reader, during)
        raise CardCommunicationError(self._reader, during, _message(code))

    def _card_left(self) -> bool:
        """After a failed exchange: does the reader report the card gone within the grace time?"""
        deadline = time.monotonic() + REMOVAL_GRACE_SECONDS
        while time.monotonic() < deadline:
            code, *_ = scard.SCardStatus(self._card)
            if code in REMOVED_CODES or code == scard.SCARD_W_RESET_CARD:
                return bool(code != scard.SCARD_W_RESET_CARD)
            try:
                if not self._context.is_card_present(self._reader):
                    return True
            except NoReaderError:
                return True
            time.sleep(0.05)
        return False


@contextmanager
def connect(
    reader: str, *, timeout: float, disposition: Disposition = Disposition.LEAVE
) -> Iterator[PcscConnection]:
    """Open the named reader, wait up to ``timeout`` seconds for a card, and connect to it."""
    with PcscContext() as context:
        name = context.find_reader(reader)
        context.wait_for_card(name, timeout)
        connection = context.connect(name, disposition=disposition)
        try:
            yield connection
        finally:
            connection.close()


def list_readers() -> list[str]:
    """The reader names pcscd knows."""
    with PcscContext() as context:
        return context.readers()
