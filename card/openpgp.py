"""An OpenPGP-style signing card over PC/SC, behind the ledger's ``Signer`` port.

The subset of the OpenPGP card application (v3.4) a ledger operator needs:

* SELECT ``D2 76 00 01 24 01``; GET DATA ``4F`` (the full AID, holding manufacturer and serial)
  and ``C4`` (PW status: the retry counters);
* VERIFY PW1 (``P2 = 81``, valid for one signature) and PW3 (``83``, the admin PIN);
* PUT DATA ``C1`` with the Ed25519 algorithm attributes, then GENERATE ASYMMETRIC KEY PAIR
  (``00 47 80 00 02 B6 00``): the key is made on the card and never leaves it; ``P1 = 81`` reads
  the public key back from the ``7F49`` template (tag ``86``);
* PSO: COMPUTE DIGITAL SIGNATURE (``00 2A 9E 9A``) over the 32-byte statement digest, which an
  Ed25519 card signs as the message (PureEdDSA), exactly as ``ledger.signing`` verifies it.

Wrong PINs answer ``63 Cx`` (x tries left); a blocked PIN answers ``69 83``.
The command building and parsing are pure; ``OpenPgpCard`` sends them over a ``Transport``.
"""

from __future__ import annotations

from card.apdu import Channel, Command, Response, Transport, describe_status
from card.errors import (
    CardDataError,
    NoSigningKeyError,
    PinBlockedError,
    TokenError,
    UnexpectedStatusError,
    WrongCardError,
    WrongPinError,
)
from ledger.domain.operators import KeyStorage
from ledger.statement import key_id_of

OPENPGP_AID = bytes.fromhex("D27600012401")
ED25519_OID = bytes.fromhex("2B06010401DA470F01")
"""1.3.6.1.4.1.11591.15.1, the Ed25519 curve OID as OpenPGP names it."""
ED25519_ATTRIBUTES = bytes((0x16,)) + ED25519_OID
"""Algorithm attributes for the signature key: EdDSA (22) on Ed25519."""

PW1_SIGN = 0x81
PW1_OTHER = 0x82
PW3 = 0x83
PIN_NAMES = {PW1_SIGN: "PIN", PW1_OTHER: "PIN", PW3: "admin PIN"}

SIGNATURE_KEY = bytes((0xB6, 0x00))
"""The control reference template of the signature key."""


# Building commands.


def select_command() -> Command:
    return Command(0x00, 0xA4, 0x04, 0x00, data=OPENPGP_AID)


def get_data_command(tag: int) -> Command:
    return Command(0x00, 0xCA, tag >> 8, tag & 0xFF, le=256)


def verify_command(reference: int, pin: str | None) -> Command:
    """VERIFY; without a PIN it asks the card whether the reference is already verified."""
    if pin is None:
        return Command(0x00, 0x20, 0x00, reference)
    encoded = pin.encode("utf-8")
    if not 1 <= len(encoded) <= 127:
        raise ValueError("a PIN has 1..127 bytes")
    return Command(0x00, 0x20, 0x00, reference, data=encoded)


def put_data_command(tag: int, value: bytes) -> Command:
    return Command(0x00, 0xDA, tag >> 8, tag & 0xFF, data=value)


def generate_key_command() -> Command:
    return Command(0x00, 0x47, 0x80, 0x00, data=SIGNATURE_KEY, le=256)


def read_public_key_command() -> Command:
    return Command(0x00, 0x47, 0x81, 0x00, data=SIGNATURE_KEY, le=256)


def sign_command(digest: bytes) -> Command:
    """PSO: COMPUTE DIGITAL SIGNATURE over ``digest`` (Ed25519 signs it as the message)."""
    if not 1 <= len(digest) <= 255:
        raise ValueError("PSO: CDS takes 1..255 bytes")
    return Command(0x00, 0x2A, 0x9E, 0x9A, data=digest, le=256)


# Parsing responses.


def read_tlv(data: bytes, offset: int = 0) -> tuple[int, bytes, int]:
    """One BER-TLV at ``offset``: (tag, value, offset after it). One- or two-byte tags."""
    try:
        tag = data[offset]
        offset += 1
        if tag & 0x1F == 0x1F:
            tag = (tag << 8) | data[offset]
            offset += 1
        length = data[offset]
        offset += 1
        if length == 0x81:
            length = data[offset]
            offset += 1
        elif length == 0x82:
            length = (data[offset] << 8) | data[offset + 1]
            offset += 2
        elif length > 0x7F:
            raise CardDataError("TLV", f"length form {length:02X} is not supported")
    except IndexError:
        raise CardDataError("TLV", "the data ends inside a tag or length") from None
    value = data[offset : offset + length]
    if len(value) != length:
        raise CardDataError("TLV", "the data ends inside a value")
    return tag, value, offset + length


def parse_public_key(template: bytes) -> bytes:
    """The raw 32-byte Ed25519 public key from a ``7F49`` template (tag ``86``)."""
    tag, value, _ = read_tlv(template)
    if tag != 0x7F49:
        raise CardDataError("public key", f"expected template 7F49, got {tag:X}")
    offset = 0
    while offset < len(value):
        inner, content, offset = read_tlv(value, offset)
        if inner == 0x86:
            if len(content) == 33 and content[0] == 0x40:
                content = content[1:]  # some cards prefix the native point with 40
            if len(content) != 32:
                raise CardDataError("public key", f"Ed25519 keys have 32 bytes, not {len(content)}")
            return content
    raise CardDataError("public key", "the template holds no public key (tag 86)")


def parse_serial(aid: bytes) -> str:
    """``MMMM:SSSSSSSS`` (manufacturer, serial) from the 16-byte AID; FFFF is a test card."""
    if len(aid) != 16 or not aid.startswith(OPENPGP_AID):
        raise CardDataError("AID", "it is not a 16-byte OpenPGP application identifier")
    return f"{aid[8:10].hex().upper()}:{aid[10:14].hex().upper()}"


def parse_pin_retries(status: bytes) -> tuple[int, int, int]:
    """(PW1, reset code, PW3) tries left, from the PW status bytes (``C4``)."""
    if len(status) < 7:
        raise CardDataError("PW status", f"expected 7 bytes, got {len(status)}")
    return status[4], status[5], status[6]


def check_pin_response(response: Response, reference: int) -> None:
    """Raise the PIN error a VERIFY answer means, or ``UnexpectedStatusError``."""
    name = PIN_NAMES.get(reference, "PIN")
    if response.is_ok:
        return
    if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
        left = response.sw2 & 0x0F
        if left == 0:
            raise PinBlockedError(name)
        raise WrongPinError(name, left)
    if response.sw == 0x6983:
        raise PinBlockedError(name)
    raise UnexpectedStatusError(f"VERIFY {name}", response.sw, describe_status(response.sw))


class OpenPgpCard:
    """A session with an OpenPGP-style card over a ``Transport`` (PC/SC or a virtual card)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.channel = Channel(transport)
        self.select()

    def select(self) -> None:
        response = self.channel.send(select_command(), "SELECT OpenPGP applet")
        if response.sw in (0x6A82, 0x6A86, 0x6D00, 0x6E00):
            raise WrongCardError(self.transport.reader, "OpenPGP")
        if not response.is_ok:
            raise UnexpectedStatusError(
                "SELECT OpenPGP applet", response.sw, describe_status(response.sw)
            )

    def serial(self) -> str:
        return parse_serial(self.channel.call(get_data_command(0x4F), "GET DATA AID"))

    def key_storage(self) -> KeyStorage:
        """How an enrolment names this card: ``openpgp-card`` with manufacturer and serial."""
        return KeyStorage(kind="openpgp-card", serial=self.serial())

    def pin_retries(self) -> int:
        status = self.channel.call(get_data_command(0xC4), "GET DATA PW status")
        return parse_pin_retries(status)[0]

    def verify(self, reference: int, pin: str) -> None:
        name = PIN_NAMES.get(reference, "PIN")
        response = self.channel.send(verify_command(reference, pin), f"VERIFY {name}")
        check_pin_response(response, reference)

    def generate_key(self, admin_pin: str) -> bytes:
        """Make a new Ed25519 signature key on the card; return its public key.

        Needs the admin PIN (PW3). The previous signature key, if any, is gone afterwards.
        """
        with self.transport.transaction():
            self.verify(PW3, admin_pin)
            self.channel.call(put_data_command(0xC1, ED25519_ATTRIBUTES), "PUT DATA algorithm")
            template = self.channel.call(generate_key_command(), "GENERATE KEY PAIR")
        return parse_public_key(template)

    def public_key(self) -> bytes:
        """The signature key's public key, read back from the card."""
        response = self.channel.send(read_public_key_command(), "READ PUBLIC KEY")
        if response.sw == 0x6A88:
            raise NoSigningKeyError(f"the OpenPGP card in reader {self.transport.reader!r}")
        if not response.is_ok:
            raise UnexpectedStatusError(
                "READ PUBLIC KEY", response.sw, describe_status(response.sw)
            )
        return parse_public_key(response.data)

    def sign(self, pin: str, message: bytes) -> bytes:
        """VERIFY PW1 (valid for one signature), then PSO: COMPUTE DIGITAL SIGNATURE."""
        with self.transport.transaction():
            self.verify(PW1_SIGN, pin)
            response = self.channel.send(sign_command(message), "PSO: COMPUTE DIGITAL SIGNATURE")
        if response.sw == 0x6A88:
            raise NoSigningKeyError(f"the OpenPGP card in reader {self.transport.reader!r}")
        if not response.is_ok:
            raise UnexpectedStatusError(
                "PSO: COMPUTE DIGITAL SIGNATURE", response.sw, describe_status(response.sw)
            )
        if len(response.data) != 64:
            raise TokenError(f"the card returned a {len(response.data)}-byte signature, not 64")
        return response.data


class OpenPgpCardSigner:
    """``ledger.signing.Signer`` on an OpenPGP-style card: every signature needs the PIN."""

    storage_kind = "openpgp-card"

    def __init__(self, card: OpenPgpCard, pin: str) -> None:
        self._card = card
        self._pin = pin
        self._public_key = card.public_key()

    @property
    def public_key(self) -> bytes:
        return self._public_key

    @property
    def key_id(self) -> str:
        return key_id_of(self._public_key)

    def sign(self, message: bytes) -> bytes:
        return self._card.sign(self._pin, message)
