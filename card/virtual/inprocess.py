"""A virtual card plugged straight into the reader code, without pcscd: the demo's transport."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class VirtualCard(Protocol):
    """What a virtual card offers a reader: an ATR, APDU processing, and power events."""

    @property
    def atr(self) -> bytes: ...

    def process(self, apdu: bytes) -> bytes:
        """Answer one command APDU with its response APDU (data and status word)."""
        ...

    def reset(self) -> None:
        """Power off, on or reset: the card forgets its volatile state (selected applet, PINs)."""
        ...


class InProcessTransport:
    """A ``card.apdu.Transport`` that hands APDUs to a virtual card in this process."""

    def __init__(self, card: VirtualCard, reader: str = "virtual (in process)") -> None:
        self._card = card
        self._reader = reader
        card.reset()

    @property
    def reader(self) -> str:
        return self._reader

    @property
    def atr(self) -> bytes:
        return self._card.atr

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        return self._card.process(apdu)

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()

    def close(self) -> None:
        self._card.reset()
