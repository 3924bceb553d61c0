"""ISO 7816-4 command and response APDUs, status words, and the T=0 response chaining.

Everything here is pure: a ``Transport`` (PC/SC through pyscard, or a virtual card in process)
moves the bytes, and ``Channel`` turns "send this command" into the exchanges a T=0 card needs.
A T=0 card answers a command that returns data with ``61 xx`` ("xx bytes are waiting"), which
the reader fetches with GET RESPONSE; pcsc-lite does not do that by itself. A card that wants a
different Le answers ``6C xx`` and the command is sent again with Le = xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from card.errors import CardDataError, UnexpectedStatusError

SW_OK = 0x9000


@dataclass(frozen=True, slots=True)
class Command:
    """A short command APDU: header, optional data (Lc is its length), optional Le."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # 1..256; 256 is encoded as 00

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise ValueError(f"{name} must be one byte, got {value}")
        if len(self.data) > 255:
            raise ValueError("a short APDU carries at most 255 data bytes")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ValueError(f"Le must lie in 1..256, got {self.le}")

    def to_bytes(self) -> bytes:
        """The APDU as sent: cases 1 to 4 of ISO 7816-3 (short form)."""
        header = bytes((self.cla, self.ins, self.p1, self.p2))
        body = bytes((len(self.data),)) + self.data if self.data else b""
        trailer = bytes((self.le % 256,)) if self.le is not None else b""
        return header + body + trailer

    @classmethod
    def parse(cls, raw: bytes) -> Command:
        """Read a short APDU (used by the virtual cards). Raises ``ValueError`` when malformed."""
        if len(raw) < 4:
            raise ValueError(f"an APDU has at least 4 bytes, got {len(raw)}")
        cla, ins, p1, p2 = raw[:4]
        rest = raw[4:]
        if not rest:
            return cls(cla, ins, p1, p2)
        if len(rest) == 1:
            return cls(cla, ins, p1, p2, le=rest[0] or 256)
        lc = rest[0]
        if lc == 0:
            raise ValueError("extended-length APDUs are not supported")
        if len(rest) == 1 + lc:
            return cls(cla, ins, p1, p2, data=bytes(rest[1:]))
        if len(rest) == 2 + lc:
            return cls(cla, ins, p1, p2, data=bytes(rest[1 : 1 + lc]), le=rest[-1] or 256)
        raise ValueError(f"Lc says {lc} data bytes but the APDU holds {len(rest) - 1}")


@dataclass(frozen=True, slots=True)
class Response:
    """A response APDU: data, then the two status bytes."""

    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    @property
    def is_ok(self) -> bool:
        return self.sw == SW_OK

    def to_bytes(self) -> bytes:
        return self.data + bytes((self.sw1, self.sw2))

    @classmethod
    def parse(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise CardDataError("response", f"a response has at least 2 bytes, got {len(raw)}")
        return cls(bytes(raw[:-2]), raw[-2], raw[-1])

    @classmethod
    def status(cls, sw: int, data: bytes = b"") -> Response:
        return cls(data, sw >> 8, sw & 0xFF)


STATUS_WORDS: dict[int, str] = {
    0x9000: "success",
    0x6281: "part of the returned data may be corrupted",
    0x6282: "end of file reached before reading Le bytes",
    0x6400: "execution error, card state unchanged",
    0x6581: "memory failure",
    0x6700: "wrong length",
    0x6881: "logical channel not supported",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6984: "reference data not usable",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current file or applet)",
    0x6A80: "incorrect data field",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A86: "incorrect parameters P1-P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong parameters (offset outside the file)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
}


def describe_status(sw: int) -> str:
    """A human name for a status word, e.g. ``6A 82`` -> "file or application not found"."""
    if sw in STATUS_WORDS:
        return STATUS_WORDS[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return f"{sw2 or 256} more bytes available"
    if sw1 == 0x6C:
        return f"wrong Le; {sw2 or 256} bytes available"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    if sw1 == 0x62:
        return "warning, card state unchanged"
    if sw1 == 0x63:
        return "warning, card state changed"
    if sw1 in (0x64, 0x65, 0x66):
        return "execution error"
    if sw1 in (0x68, 0x69, 0x6A):
        return "command not allowed or wrong parameters"
    return "unknown status"


def select_by_aid(aid: bytes) -> Command:
    """SELECT (by DF name, first occurrence, FCI optional)."""
    return Command(0x00, 0xA4, 0x04, 0x00, data=aid)


def get_response(p2: int, length: int) -> Command:
    """GET RESPONSE ``00 C0 00 <p2> <length>``: fetch what a T=0 card announced with ``61 xx``."""
    return Command(0x00, 0xC0, 0x00, p2, le=length)


class Transport(Protocol):
    """Moves raw APDUs to a card and back: PC/SC through pyscard, or a virtual card in process."""

    @property
    def reader(self) -> str:
        """The reader's name, for error messages."""
        ...

    @property
    def atr(self) -> bytes:
        """The card's answer to reset."""
        ...

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        """Send one APDU and return the raw response (data and SW); raise ``CardError``."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Hold the card for a sequence of APDUs that must not interleave with another client."""
        ...


MAX_CHAINED_RESPONSES = 64


class Channel:
    """Sends commands to a card over a ``Transport`` and does the T=0 response dance.

    ``get_response_p2`` is the P2 of GET RESPONSE: 0 for nearly every card, 1 for the Thai ID
    cards whose ATR starts ``3B 67`` (see ``card.thai_id.get_response_p2``).
    """

    def __init__(self, transport: Transport, *, get_response_p2: int = 0) -> None:
        self.transport = transport
        self.get_response_p2 = get_response_p2

    def send(self, command: Command, name: str) -> Response:
        """Send ``command`` and return its final response, whatever the status word."""
        response = self._exchange(command, name)
        if response.sw1 == 0x6C:
            command = Command(
                command.cla, command.ins, command.p1, command.p2, command.data, response.sw2 or 256
            )
            response = self._exchange(command, name)
        data = bytearray(response.data)
        rounds = 0
        while response.sw1 == 0x61:
            rounds += 1
            if rounds > MAX_CHAINED_RESPONSES:
                raise CardDataError(name, "the card keeps announcing more data")
            response = self._exchange(
                get_response(self.get_response_p2, response.sw2 or 256), f"{name} (GET RESPONSE)"
            )
            data += response.data
        return Response(bytes(data), response.sw1, response.sw2)

    def call(self, command: Command, name: str) -> bytes:
        """Send ``command``; return its data on ``90 00``, else raise ``UnexpectedStatusError``."""
        response = self.send(command, name)
        if not response.is_ok:
            raise UnexpectedStatusError(name, response.sw, describe_status(response.sw))
        return response.data

    def _exchange(self, command: Command, name: str) -> Response:
        return Response.parse(self.transport.transmit(command.to_bytes(), during=name))


def hexdump(raw: bytes) -> str:
    """Bytes as spaced upper-case hex, the way APDU traces are written (``00 A4 04 00``)."""
    return " ".join(f"{byte:02X}" for byte in raw)


def unhex(text: str) -> bytes:
    """The inverse of ``hexdump`` (spaces optional)."""
    return bytes.fromhex("".join(text.split()))


def iter_chunks(start: int, length: int, size: int) -> Iterator[tuple[int, int]]:
    """(offset, length) pieces of at most ``size`` bytes covering ``length`` bytes."""
    offset = start
    end = start + length
    while offset < end:
        piece = min(size, end - offset)
        yield offset, piece
        offset += piece
