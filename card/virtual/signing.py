"""A virtual OpenPGP-style signing card: PINs with retry counters, on-card Ed25519, PSO:CDS.

It answers the subset of the OpenPGP card application that ``card.openpgp`` speaks (see there),
with the rules a real card enforces:

* VERIFY PW1 ``81`` allows exactly one signature; PW3 ``83`` (admin) allows PUT DATA and key
  generation; each wrong PIN costs a try (``63 Cx``), three wrong ones block it (``69 83``), and
  a right one restores the counter. Counters survive power-off; verified states do not.
* the signature key must be Ed25519 (PUT DATA ``C1`` first, as on a real card, whose default
  algorithm is RSA); GENERATE makes the key inside the card; P1 ``81`` reads the public key.
* PSO: COMPUTE DIGITAL SIGNATURE signs its input with Ed25519 (PureEdDSA).

The persistent part (PINs, counters, the key) is a ``SigningCardState``, kept in a JSON file when
the card should outlive its process (``ledger card virtual signing --state FILE``). That file
holds the private key in clear: a virtual card is a test double, never an operator's token.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nacl.signing

from card.apdu import Command, Response
from card.openpgp import ED25519_ATTRIBUTES, OPENPGP_AID, PW1_OTHER, PW1_SIGN, PW3
from card.virtual.thai_id import VirtualError

ATR_OPENPGP = bytes.fromhex("3BDA18FF81B1FE751F030031C573C001400090000C")
"""The ATR of an OpenPGP card v3 (T=1)."""

RSA2048_ATTRIBUTES = bytes.fromhex("010800002000")
"""A real card's factory default for the signature key; Ed25519 must be set before GENERATE."""

MAX_TRIES = 3
TEST_CARD_MANUFACTURER = "FFFF"
"""The OpenPGP manufacturer id of test cards, so reports can tell a virtual card apart."""

DEFAULT_PIN = "123456"
DEFAULT_ADMIN_PIN = "12345678"


@dataclass
class SigningCardState:
    """What a signing card remembers across power cycles."""

    pin: str = DEFAULT_PIN
    admin_pin: str = DEFAULT_ADMIN_PIN
    pin_tries: int = MAX_TRIES
    admin_tries: int = MAX_TRIES
    serial: str = field(default_factory=lambda: secrets.token_hex(4).upper())
    algorithm: str = RSA2048_ATTRIBUTES.hex()
    seed: str | None = None
    signatures: int = 0

    @classmethod
    def load(cls, path: Path) -> SigningCardState:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise VirtualError(f"cannot read signing-card state {path}: {error}") from None

    def save(self, path: Path) -> None:
        """Write atomically, readable by the owner only (it holds a private key)."""
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.touch(mode=0o600, exist_ok=True)
        temporary.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, path)


def state_with_key(
    seed: bytes, *, pin: str = DEFAULT_PIN, admin_pin: str = DEFAULT_ADMIN_PIN
) -> SigningCardState:
    """A virtual card already holding the Ed25519 key ``seed`` (the demo gives each operator a
    card with the key it enrolled, so the signing agent signs with exactly that key)."""
    if len(seed) != 32:
        raise VirtualError(f"an Ed25519 seed has 32 bytes, got {len(seed)}")
    return SigningCardState(
        pin=pin, admin_pin=admin_pin, algorithm=ED25519_ATTRIBUTES.hex(), seed=seed.hex()
    )


def load_or_create_state(path: Path, *, pin: str, admin_pin: str) -> SigningCardState:
    """The card's state from ``path``, or a new blank card saved there."""
    if path.exists():
        return SigningCardState.load(path)
    state = SigningCardState(pin=pin, admin_pin=admin_pin)
    path.parent.mkdir(parents=True, exist_ok=True)
    state.save(path)
    return state


class VirtualSigningCard:
    """An OpenPGP-style card in software; with ``state_file`` every change is saved there."""

    atr = ATR_OPENPGP

    def __init__(
        self, state: SigningCardState | None = None, state_file: Path | None = None
    ) -> None:
        self.state = state or SigningCardState()
        self.state_file = state_file
        self.apdu_count = 0
        self._selected = False
        self._pw1_sign = False
        self._pw1_other = False
        self._pw3 = False

    @classmethod
    def from_file(cls, path: Path) -> VirtualSigningCard:
        return cls(load_or_create_state(path, pin=DEFAULT_PIN, admin_pin=DEFAULT_ADMIN_PIN), path)

    def reset(self) -> None:
        self._selected = False
        self._pw1_sign = self._pw1_other = self._pw3 = False

    @property
    def aid(self) -> bytes:
        """The full AID: RID+PIX, version 3.4, manufacturer FFFF (test card), serial, RFU."""
        return (
            OPENPGP_AID
            + bytes((0x03, 0x04))
            + bytes.fromhex(TEST_CARD_MANUFACTURER)
            + bytes.fromhex(self.state.serial)
            + bytes(2)
        )

    def process(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        try:
            command = Command.parse(apdu)
        except ValueError:
            return Response.status(0x6700).to_bytes()
        return self._answer(command).to_bytes()

    def _changed(self) -> None:
        if self.state_file is not None:
            self.state.save(self.state_file)

    def _answer(self, command: Command) -> Response:
        if command.cla != 0x00:
            return Response.status(0x6E00)
        if command.ins == 0xA4:
            if command.p1 == 0x04 and command.data == OPENPGP_AID:
                self._selected = True
                return Response.status(0x9000)
            return Response.status(0x6A82)
        if not self._selected:
            return Response.status(0x6985)
        handlers = {
            0xCA: self._get_data,
            0x20: self._verify,
            0xDA: self._put_data,
            0x47: self._generate,
            0x2A: self._pso,
        }
        handler = handlers.get(command.ins)
        return handler(command) if handler is not None else Response.status(0x6D00)

    def _get_data(self, command: Command) -> Response:
        tag = (command.p1 << 8) | command.p2
        if tag == 0x4F:
            return Response.status(0x9000, self.aid)
        if tag == 0xC4:
            tries = (self.state.pin_tries, 0, self.state.admin_tries)
            status = bytes((0x00, 0x7F, 0x7F, 0x7F, *tries))
            return Response.status(0x9000, status)
        if tag == 0xC1:
            return Response.status(0x9000, bytes.fromhex(self.state.algorithm))
        return Response.status(0x6A88)

    def _verify(self, command: Command) -> Response:
        reference = command.p2
        if command.p1 != 0x00 or reference not in (PW1_SIGN, PW1_OTHER, PW3):
            return Response.status(0x6A86)
        is_admin = reference == PW3
        tries = self.state.admin_tries if is_admin else self.state.pin_tries
        if not command.data:  # "is it verified?" (OpenPGP 3.x)
            if self._is_verified(reference):
                return Response.status(0x9000)
            return Response.status(0x6983 if tries == 0 else 0x63C0 | tries)
        if tries == 0:
            return Response.status(0x6983)
        expected = self.state.admin_pin if is_admin else self.state.pin
        if not secrets.compare_digest(command.data, expected.encode("utf-8")):
            tries -= 1
            self._set_tries(is_admin, tries)
            self._set_verified(reference, verified=False)
            return Response.status(0x63C0 | tries)
        self._set_tries(is_admin, MAX_TRIES)
        self._set_verified(reference, verified=True)
        return Response.status(0x9000)

    def _set_tries(self, is_admin: bool, tries: int) -> None:
        if is_admin:
            self.state.admin_tries = tries
        else:
            self.state.pin_tries = tries
        self._changed()

    def _is_verified(self, reference: int) -> bool:
        return {PW1_SIGN: self._pw1_sign, PW1_OTHER: self._pw1_other, PW3: self._pw3}[reference]

    def _set_verified(self, reference: int, *, verified: bool) -> None:
        if reference == PW1_SIGN:
            self._pw1_sign = verified
        elif reference == PW1_OTHER:
            self._pw1_other = verified
        else:
            self._pw3 = verified

    def _put_data(self, command: Command) -> Response:
        if not self._pw3:
            return Response.status(0x6982)
        tag = (command.p1 << 8) | command.p2
        if tag != 0xC1:
            return Response.status(0x6A88)
        if command.data not in (ED25519_ATTRIBUTES, RSA2048_ATTRIBUTES):
            return Response.status(0x6A80)
        self.state.algorithm = command.data.hex()
        self._changed()
        return Response.status(0x9000)

    def _generate(self, command: Command) -> Response:
        if command.data != bytes((0xB6, 0x00)):
            return Response.status(0x6A80)
        if command.p1 == 0x80:
            if not self._pw3:
                return Response.status(0x6982)
            if bytes.fromhex(self.state.algorithm) != ED25519_ATTRIBUTES:
                return Response.status(0x6A81)  # this card makes Ed25519 keys only
            self.state.seed = secrets.token_bytes(32).hex()
            self.state.signatures = 0
            self._changed()
        elif command.p1 != 0x81:
            return Response.status(0x6A86)
        if self.state.seed is None:
            return Response.status(0x6A88)
        public = bytes(nacl.signing.SigningKey(bytes.fromhex(self.state.seed)).verify_key)
        template = bytes((0x7F, 0x49, 0x22, 0x86, 0x20)) + public
        return Response.status(0x9000, template)

    def _pso(self, command: Command) -> Response:
        if (command.p1, command.p2) != (0x9E, 0x9A):
            return Response.status(0x6A86)
        if not self._pw1_sign:
            return Response.status(0x6982)
        self._pw1_sign = False  # PW1 81 is valid for one signature only
        if self.state.seed is None:
            return Response.status(0x6A88)
        key = nacl.signing.SigningKey(bytes.fromhex(self.state.seed))
        signature = key.sign(command.data).signature
        self.state.signatures += 1
        self._changed()
        return Response.status(0x9000, signature)
