"""Opening a card by reader name: a PC/SC reader, or ``virtual:FILE`` for a card in process.

``virtual:person.json`` is a virtual Thai ID card built from a person file, and
``virtual:state.json`` a virtual signing card keeping its state in that file; both answer in
this process, without pcscd, which is how the demo runs on a machine with no reader. Anything
else names a PC/SC reader (exactly, or by a part only it contains); the card is awaited up to
``timeout`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from card.apdu import Transport
from card.pcsc import Disposition, connect
from card.thai_id import ThaiIdCard, ThaiIdReader
from card.virtual.inprocess import InProcessTransport
from card.virtual.signing import VirtualSigningCard
from card.virtual.thai_id import VirtualThaiIdCard

VIRTUAL_PREFIX = "virtual:"
DEFAULT_TIMEOUT = 10.0


def is_virtual(reader: str) -> bool:
    return reader.startswith(VIRTUAL_PREFIX)


def _virtual_path(reader: str) -> Path:
    return Path(reader[len(VIRTUAL_PREFIX) :])


@contextmanager
def open_id_card(reader: str, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Transport]:
    """A transport to the Thai ID card in ``reader``."""
    if is_virtual(reader):
        transport = InProcessTransport(VirtualThaiIdCard.from_file(_virtual_path(reader)), reader)
        try:
            yield transport
        finally:
            transport.close()
        return
    with connect(reader, timeout=timeout, disposition=Disposition.LEAVE) as connection:
        yield connection


@contextmanager
def open_signing_card(reader: str, *, timeout: float = DEFAULT_TIMEOUT) -> Iterator[Transport]:
    """A transport to the OpenPGP-style card in ``reader``; it is reset when closed."""
    if is_virtual(reader):
        transport = InProcessTransport(VirtualSigningCard.from_file(_virtual_path(reader)), reader)
        try:
            yield transport
        finally:
            transport.close()
        return
    with connect(reader, timeout=timeout, disposition=Disposition.RESET) as connection:
        yield connection


def read_id_card(
    reader: str, *, photo: bool = True, timeout: float = DEFAULT_TIMEOUT
) -> ThaiIdCard:
    """Read every field of the Thai ID card in ``reader``."""
    with open_id_card(reader, timeout=timeout) as transport:
        return ThaiIdReader(transport).read(photo=photo)


def read_citizen_id(reader: str, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Only the citizen ID of the card in ``reader`` (a presence check)."""
    with open_id_card(reader, timeout=timeout) as transport:
        return ThaiIdReader(transport).read_citizen_id()
