"""The OpenPGP-style signing card: APDUs, parsing, and the virtual card's rules, in process."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from card.apdu import Response, hexdump, unhex
from card.errors import (
    CardDataError,
    NoSigningKeyError,
    PinBlockedError,
    UnexpectedStatusError,
    WrongPinError,
)
from card.openpgp import (
    PW1_SIGN,
    OpenPgpCard,
    OpenPgpCardSigner,
    check_pin_response,
    generate_key_command,
    parse_pin_retries,
    parse_public_key,
    parse_serial,
    sign_command,
    verify_command,
)
from card.virtual.inprocess import InProcessTransport
from card.virtual.signing import SigningCardState, VirtualSigningCard
from ledger.signing import sign_statement, verify_signature
from ledger.statement import GENESIS_PREV_HASH, SignerRef, build_statement, key_id_of
from tests.people import HR_CID

PIN = "123456"
ADMIN_PIN = "12345678"


def open_card(state: SigningCardState | None = None) -> tuple[OpenPgpCard, VirtualSigningCard]:
    virtual = VirtualSigningCard(state or SigningCardState())
    return OpenPgpCard(InProcessTransport(virtual, "slot")), virtual


def test_commands_encode_as_the_openpgp_card_specifies() -> None:
    """VERIFY PW1 81, GENERATE for the signature key, and PSO: CDS."""
    assert "00 20 00 81 06 31 32 33 34 35 36" == hexdump(verify_command(PW1_SIGN, PIN).to_bytes())
    assert "00 47 80 00 02 B6 00 00" == hexdump(generate_key_command().to_bytes())
    assert "00 2A 9E 9A 02 AB CD 00" == hexdump(sign_command(b"\xab\xcd").to_bytes())


def test_public_key_is_read_from_the_7f49_template() -> None:
    """Tag 86 inside 7F49 holds the raw 32-byte Ed25519 key."""
    key = bytes(range(32))
    template = unhex("7F 49 22 86 20") + key

    assert key == parse_public_key(template)


def test_template_without_a_key_is_refused() -> None:
    """A 7F49 template without tag 86 is unreadable."""
    with pytest.raises(CardDataError, match="no public key"):
        parse_public_key(unhex("7F 49 03 87 01 00"))


def test_serial_comes_from_the_aid() -> None:
    """Manufacturer and serial are bytes 8-9 and 10-13 of the 16-byte AID."""
    aid = unhex("D2 76 00 01 24 01 03 04 FF FF 12 34 56 78 00 00")

    assert "FFFF:12345678" == parse_serial(aid)


def test_pin_status_gives_the_retry_counters() -> None:
    """The last three PW status bytes are PW1, reset code and PW3 tries left."""
    assert (3, 0, 2) == parse_pin_retries(unhex("00 7F 7F 7F 03 00 02"))


@pytest.mark.parametrize(
    ("sw", "error", "text"),
    [
        (0x63C2, WrongPinError, "wrong PIN; 2 tries left"),
        (0x63C0, PinBlockedError, "PIN is blocked"),
        (0x6983, PinBlockedError, "PIN is blocked"),
        (0x6A80, UnexpectedStatusError, "SW 6A 80"),
    ],
)
def test_verify_answers_become_pin_errors(sw: int, error: type[Exception], text: str) -> None:
    """63 Cx is a wrong PIN with x tries left; 63 C0 and 69 83 mean blocked."""
    with pytest.raises(error, match=text):
        check_pin_response(Response.status(sw), PW1_SIGN)


def test_key_generated_on_the_card_signs_verifiable_statements() -> None:
    """A statement signed on the card verifies under the public key read back from it."""
    card, _ = open_card()
    public = card.generate_key(ADMIN_PIN)
    signer = OpenPgpCardSigner(card, PIN)
    statement = build_statement(
        stream=uuid.uuid4(),
        expected_version=0,
        prev_hash=GENESIS_PREV_HASH,
        type="RecordOpened",
        data={"note": "ทดสอบ"},
        effective=date(2019, 4, 1),
        signer=SignerRef(cid=HR_CID, key=key_id_of(public)),
        signed_at=datetime.now(UTC),
    )

    signed = sign_statement(statement, signer)

    assert public == signer.public_key == card.public_key()
    assert verify_signature(public, signed.canonical, signed.signature)


def test_three_wrong_pins_block_the_card() -> None:
    """Tries left count down 2, 1, then the PIN is blocked, and the right PIN no longer works."""
    card, virtual = open_card()
    card.generate_key(ADMIN_PIN)
    outcomes: list[str] = []

    for _ in range(3):
        try:
            card.verify(PW1_SIGN, "000000")
        except (WrongPinError, PinBlockedError) as error:
            outcomes.append(str(error))
    with pytest.raises(PinBlockedError):
        card.sign(PIN, b"\x00" * 32)

    assert [
        "wrong PIN; 2 tries left before it blocks",
        "wrong PIN; 1 tries left before it blocks",
        "the PIN is blocked after too many wrong tries; have it reset",
    ] == outcomes
    assert 0 == virtual.state.pin_tries


def test_right_pin_restores_the_retry_counter() -> None:
    """After one wrong PIN, the right one resets the counter to three."""
    card, virtual = open_card()
    with pytest.raises(WrongPinError):
        card.verify(PW1_SIGN, "000000")

    card.verify(PW1_SIGN, PIN)

    assert 3 == virtual.state.pin_tries == card.pin_retries()


def test_signing_without_verify_is_refused_by_the_card() -> None:
    """PSO: CDS before VERIFY answers 69 82 (security status not satisfied)."""
    card, _ = open_card()
    card.generate_key(ADMIN_PIN)

    with pytest.raises(UnexpectedStatusError, match="69 82"):
        card.channel.call(sign_command(b"\x00" * 32), "PSO")


def test_one_verify_allows_one_signature() -> None:
    """PW1 81 is consumed by a signature: a second PSO without VERIFY is refused."""
    card, _ = open_card()
    card.generate_key(ADMIN_PIN)
    card.sign(PIN, b"\x01" * 32)

    response = card.channel.send(sign_command(b"\x02" * 32), "PSO")

    assert 0x6982 == response.sw


def test_generation_needs_the_admin_pin() -> None:
    """A wrong admin PIN is refused with the tries left, and no key is made."""
    card, virtual = open_card()

    with pytest.raises(WrongPinError, match="wrong admin PIN; 2 tries left"):
        card.generate_key("00000000")

    assert virtual.state.seed is None


def test_blank_card_has_no_signing_key() -> None:
    """Reading the public key of a card that never generated one says so."""
    card, _ = open_card()

    with pytest.raises(NoSigningKeyError):
        card.public_key()


def test_counters_and_key_survive_a_power_cycle(tmp_path: Path) -> None:
    """The state file keeps the key and the counters; the verified PIN does not survive reset."""

    path = tmp_path / "card.json"
    first = VirtualSigningCard.from_file(path)
    card = OpenPgpCard(InProcessTransport(first))
    public = card.generate_key(ADMIN_PIN)
    with pytest.raises(WrongPinError):
        card.verify(PW1_SIGN, "999999")

    again = OpenPgpCard(InProcessTransport(VirtualSigningCard.from_file(path)))

    assert public == again.public_key()
    assert 2 == again.pin_retries()
