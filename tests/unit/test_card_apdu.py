"""APDU building and parsing, status words, and the T=0 response chaining (no reader needed)."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import pytest

from card.apdu import (
    Channel,
    Command,
    Response,
    describe_status,
    get_response,
    hexdump,
    iter_chunks,
    select_by_aid,
    unhex,
)
from card.errors import UnexpectedStatusError


class ScriptedTransport:
    """Answers each command with the next scripted response and remembers what was sent."""

    def __init__(self, responses: list[str], atr: str = "3B 79 96 00 00") -> None:
        self.responses = [unhex(response) for response in responses]
        self.sent: list[str] = []
        self._atr = unhex(atr)

    @property
    def reader(self) -> str:
        return "scripted"

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        self.sent.append(hexdump(apdu))
        return self.responses.pop(0)

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()


@pytest.mark.parametrize(
    ("command", "encoded"),
    [
        (Command(0x00, 0xA4, 0x04, 0x00), "00 A4 04 00"),
        (Command(0x80, 0x00, 0x00, 0x00, le=0x07), "80 00 00 00 07"),
        (Command(0x00, 0xC0, 0x00, 0x01, le=256), "00 C0 00 01 00"),
        (Command(0x80, 0xB0, 0x00, 0x04, data=b"\x00\x0d"), "80 B0 00 04 02 00 0D"),
        (Command(0x00, 0x2A, 0x9E, 0x9A, data=b"\x01\x02", le=256), "00 2A 9E 9A 02 01 02 00"),
    ],
)
def test_command_encodes_each_case(command: Command, encoded: str) -> None:
    """Cases 1 to 4 encode as ISO 7816-3 short APDUs (Le 256 as 00)."""
    assert encoded == hexdump(command.to_bytes())


@pytest.mark.parametrize(
    "encoded",
    ["00 A4 04 00", "80 00 00 00 07", "80 B0 00 04 02 00 0D", "00 2A 9E 9A 02 01 02 00"],
)
def test_command_parses_what_it_encodes(encoded: str) -> None:
    """Parsing an encoded APDU gives back the same bytes."""
    assert encoded == hexdump(Command.parse(unhex(encoded)).to_bytes())


def test_command_with_lying_lc_is_refused() -> None:
    """An APDU whose Lc disagrees with its length is malformed."""
    with pytest.raises(ValueError, match="Lc says 5"):
        Command.parse(unhex("80 B0 00 04 05 00 0D"))


def test_response_splits_data_and_status() -> None:
    """The last two bytes are SW1 SW2."""
    response = Response.parse(unhex("31 32 90 00"))

    assert (b"12", 0x9000, True) == (response.data, response.sw, response.is_ok)


@pytest.mark.parametrize(
    ("sw", "meaning"),
    [
        (0x6A82, "file or application not found"),
        (0x61FF, "255 more bytes available"),
        (0x6C0A, "wrong Le; 10 bytes available"),
        (0x63C2, "verification failed, 2 tries left"),
        (0x6983, "authentication method blocked"),
    ],
)
def test_status_words_have_names(sw: int, meaning: str) -> None:
    """Status words are named, including the ones that carry a count."""
    assert meaning == describe_status(sw)


def test_unexpected_status_names_the_command_and_the_sw_in_hex() -> None:
    """The error says which command failed, the SW in hex and what it means."""
    channel = Channel(ScriptedTransport(["6A 86"]))

    with pytest.raises(UnexpectedStatusError) as caught:
        channel.call(select_by_aid(b"\xa0\x00"), "SELECT thing")

    assert "SELECT thing failed: the card answered SW 6A 86 (incorrect parameters P1-P2)" == str(
        caught.value
    )
    assert 0x6A86 == caught.value.sw


def test_61xx_is_fetched_with_get_response_using_the_channel_p2() -> None:
    """A ``61 xx`` answer is followed by GET RESPONSE 00 C0 00 <P2> xx, and the data returned."""
    transport = ScriptedTransport(["61 03", "41 42 43 90 00"])

    data = Channel(transport, get_response_p2=0x01).call(Command(0x80, 0xB0, 0, 4, b"\0\3"), "R")

    assert b"ABC" == data
    assert ["80 B0 00 04 02 00 03", "00 C0 00 01 03"] == transport.sent


def test_chained_61xx_answers_are_joined() -> None:
    """When GET RESPONSE itself answers ``61 xx`` the pieces are fetched and concatenated."""
    transport = ScriptedTransport(["61 04", "41 42 61 02", "43 44 90 00"])

    data = Channel(transport).call(Command(0x80, 0xB0, 0, 4, b"\0\4"), "R")

    assert b"ABCD" == data


def test_6cxx_resends_with_the_le_the_card_asks_for() -> None:
    """A ``6C xx`` answer makes the channel send the command again with Le = xx."""
    transport = ScriptedTransport(["6C 02", "41 42 90 00"])

    data = Channel(transport).call(get_response(0, 16), "GET RESPONSE")

    assert b"AB" == data
    assert ["00 C0 00 00 10", "00 C0 00 00 02"] == transport.sent


def test_chunks_cover_a_span_in_pieces_of_at_most_the_size() -> None:
    """A 5,118-byte photo is read in 20 pieces of 255 bytes and one of 18."""
    pieces = list(iter_chunks(0x017B, 5118, 255))

    assert 21 == len(pieces)
    assert (0x017B, 255) == pieces[0]
    assert (0x017B + 20 * 255, 18) == pieces[-1]
