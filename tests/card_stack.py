"""Fixtures for the card tests: the real pcscd with vpcd, virtual cards in its slots, SoftHSM2.

The session starts Debian's pcscd in the foreground with a vpcd reader configuration of its own
(``card.virtual.stack.Pcscd``) and stops it by its PID at the end. Virtual cards connect to vpcd's
ports like real cards entering a reader; pyscard then reads them through the real PC/SC stack.
A missing component fails the tests with the command that installs it: they never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from card.errors import CardError
from card.pcsc import PcscContext
from card.virtual.inprocess import VirtualCard
from card.virtual.signing import SigningCardState, VirtualSigningCard
from card.virtual.softhsm import SoftHsm
from card.virtual.stack import STACK_PORT, Pcscd, StackError, stack_lock
from card.virtual.thai_id import AtrVariant, VirtualThaiIdCard
from card.virtual.vpcd import VpcdCard
from tests.cards import SAMPLES

VPCD_PORT = STACK_PORT  # below the ephemeral port range: see card.virtual.stack
ID_READER = "Virtual PCD 00 00"
TOKEN_READER = "Virtual PCD 00 01"
SOFTHSM_TOKEN = "operator-test"
SOFTHSM_PIN = "123456"


@dataclass
class Slot:
    """One vpcd reader slot: insert a virtual card, and be sure it is out again afterwards."""

    reader: str
    port: int
    inserted: list[VpcdCard] = field(default_factory=list)

    def insert(self, card: VirtualCard) -> VpcdCard:
        """Connect ``card`` to vpcd and wait until pcscd reports it in the reader."""
        plugged = VpcdCard(card, port=self.port, reconnect=False)
        plugged.insert()
        self.inserted.append(plugged)
        with PcscContext() as context:
            context.wait_for_card(self.reader, timeout=5)
        return plugged

    def remove(self, plugged: VpcdCard) -> None:
        """Pull the card and wait until pcscd reports the reader empty."""
        plugged.remove()
        if plugged in self.inserted:
            self.inserted.remove(plugged)
        with PcscContext() as context:
            context.wait_for_removal(self.reader, timeout=5)

    def empty(self) -> None:
        for plugged in list(self.inserted):
            self.remove(plugged)


@pytest.fixture(scope="session")
def card_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcscd]:
    """The real pcscd with vpcd on VPCD_PORT and the next, for this session (one per host)."""
    try:
        with stack_lock(timeout=900):
            pcscd = Pcscd(tmp_path_factory.mktemp("pcscd"), port=VPCD_PORT)
            try:
                pcscd.start()
            except StackError as error:
                pytest.fail(str(error))
            try:
                yield pcscd
            finally:
                pcscd.stop()
    except StackError as error:
        pytest.fail(str(error))


@pytest.fixture
def id_slot(card_stack: Pcscd) -> Iterator[Slot]:
    """Reader slot 00 for Thai ID cards; emptied after the test."""
    slot = Slot(ID_READER, VPCD_PORT)
    yield slot
    slot.empty()


@pytest.fixture
def token_slot(card_stack: Pcscd) -> Iterator[Slot]:
    """Reader slot 01 for signing cards; emptied after the test."""
    slot = Slot(TOKEN_READER, VPCD_PORT + 1)
    yield slot
    slot.empty()


@pytest.fixture
def somying_card(id_slot: Slot) -> VirtualThaiIdCard:
    """The made-up operator's Thai ID card, inserted in slot 00."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "somying.json", AtrVariant.STANDARD)
    id_slot.insert(card)
    return card


@pytest.fixture
def signing_card(token_slot: Slot) -> VirtualSigningCard:
    """A blank virtual signing card (PIN 123456, admin PIN 12345678) in slot 01."""
    card = VirtualSigningCard(SigningCardState())
    token_slot.insert(card)
    return card


@dataclass(frozen=True)
class SoftHsmToken:
    module: Path
    label: str
    pin: str

    def new_key_label(self) -> str:
        return f"ledger-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    """A SoftHSM2 token for this session (SOFTHSM2_CONF points the module at it)."""
    store = SoftHsm(tmp_path_factory.mktemp("softhsm"))
    try:
        store.create_token(SOFTHSM_TOKEN, pin=SOFTHSM_PIN, so_pin="12345678")
    except CardError as error:
        pytest.fail(str(error))
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ.update(store.environment)
    yield SoftHsmToken(store.module, SOFTHSM_TOKEN, SOFTHSM_PIN)
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


__all__ = [
    "ID_READER",
    "TOKEN_READER",
    "Slot",
    "SoftHsmToken",
    "card_stack",
    "id_slot",
    "signing_card",
    "softhsm",
    "somying_card",
    "token_slot",
]
