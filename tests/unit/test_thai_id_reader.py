"""The Thai ID reader on recorded APDU traces and on the virtual card in process (no pcscd)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from card.apdu import Command, Response, hexdump, unhex
from card.errors import (
    ExpiredCardError,
    InvalidCitizenIdError,
    TruncatedPhotoError,
    UnexpectedStatusError,
    WrongCardError,
)
from card.readers import read_id_card
from card.thai_id import ThaiIdReader
from card.virtual.inprocess import InProcessTransport
from card.virtual.signing import VirtualSigningCard
from card.virtual.thai_id import AtrVariant, VirtualThaiIdCard, load_person
from tests.cards import SAMPLE_PHOTO, SAMPLES, TRACES, ReplayTransport, person_file, sample


def expected_json(name: str, *, photo: bool = True) -> dict[str, object]:
    """What reading sample ``name`` must give, written from the sample file, not the reader."""
    data = sample(name)
    return {
        "cid": data["cid"],
        "name_th": data["name_th"],
        "name_en": data["name_en"],
        "birth_date": data["birth_date"],
        "gender": data["gender"],
        "issuer": data["issuer"],
        "issue_date": data["issue_date"],
        "expiry_date": None if data["expiry_date"] == "lifetime" else data["expiry_date"],
        "address": data["address"],
        "laser_code": data["laser_code"],
        "photo_sha256": hashlib.sha256(SAMPLE_PHOTO.read_bytes()).hexdigest() if photo else None,
    }


def test_recorded_trace_of_a_standard_card_is_read_exactly() -> None:
    """Replaying a recorded pcscd session: same APDUs sent, every field parsed, photo intact."""
    transport = ReplayTransport(TRACES / "thai_id_standard.trace")

    card = ThaiIdReader(transport).read(photo=True)

    assert expected_json("somying") == card.to_json()
    assert SAMPLE_PHOTO.read_bytes() == card.photo
    assert transport.is_exhausted


def test_recorded_trace_of_a_3b67_card_uses_get_response_p2_01() -> None:
    """The 3B 67 card's trace is replayed with P2 = 01 on every GET RESPONSE."""
    transport = ReplayTransport(TRACES / "thai_id_3b67.trace")

    card = ThaiIdReader(transport).read(photo=False)

    assert expected_json("malee", photo=False) == card.to_json()
    assert card.is_lifetime
    assert transport.is_exhausted


@pytest.mark.parametrize("name", ["somying", "prasert", "malee"])
@pytest.mark.parametrize("variant", list(AtrVariant))
def test_every_sample_reads_back_in_process(name: str, variant: AtrVariant) -> None:
    """Each sample card, with either ATR, reads back as its person file says."""
    card = VirtualThaiIdCard.from_file(SAMPLES / f"{name}.json", variant)

    read = ThaiIdReader(InProcessTransport(card)).read(photo=True)

    assert expected_json(name) == read.to_json()


def test_virtual_reader_prefix_reads_in_process() -> None:
    """``virtual:PERSON.json`` reads a virtual card without pcscd (the demo's path)."""
    card = read_id_card(f"virtual:{SAMPLES / 'prasert.json'}", photo=False)

    assert expected_json("prasert", photo=False) == card.to_json()


def answer(card: VirtualThaiIdCard, apdu: str) -> str:
    return hexdump(card.process(unhex(apdu)))


def test_virtual_card_answers_select_and_read_like_t0() -> None:
    """SELECT answers 61 0A; READ answers 61 0D; GET RESPONSE returns the CID with 90 00."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "somying.json")
    card.reset()

    assert "61 0A" == answer(card, "00 A4 04 00 08 A0 00 00 00 54 48 00 01")
    assert "61 0D" == answer(card, "80 B0 00 04 02 00 0D")
    assert hexdump(b"1999900000111") + " 90 00" == answer(card, "00 C0 00 00 0D")


def test_virtual_3b67_card_refuses_get_response_with_p2_00() -> None:
    """A 3B 67 card answers 6A 86 when GET RESPONSE carries the wrong P2."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "somying.json", AtrVariant.ATR_3B67)
    card.reset()
    answer(card, "00 A4 04 00 08 A0 00 00 00 54 48 00 01")
    answer(card, "80 B0 00 04 02 00 0D")

    assert "6A 86" == answer(card, "00 C0 00 00 0D")


def test_virtual_card_asks_for_the_right_le_with_6cxx() -> None:
    """GET RESPONSE asking for more than is waiting answers 6C with the waiting length."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "somying.json")
    card.reset()
    answer(card, "00 A4 04 00 08 A0 00 00 00 54 48 00 01")
    answer(card, "80 B0 00 04 02 00 0D")

    assert "6C 0D" == answer(card, "00 C0 00 00 FF")


def test_virtual_card_answers_unknown_instruction_with_6d00() -> None:
    """An instruction the applet does not know is 6D 00."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "somying.json")

    assert "6D 00" == answer(card, "80 12 00 00")


def test_reading_past_the_layout_fails_with_a_named_status() -> None:
    """A READ beyond the applet's memory gives an ``UnexpectedStatusError`` naming 6B 00."""
    reader = ThaiIdReader(InProcessTransport(VirtualThaiIdCard.from_file(SAMPLES / "malee.json")))
    reader.select_personal_data()

    with pytest.raises(UnexpectedStatusError, match="SW 6B 00"):
        reader.channel.call(Command(0x80, 0xB0, 0x15, 0xFF, b"\x00\xff"), "READ past the end")


def test_a_card_without_the_thai_applet_is_named() -> None:
    """Reading a signing card as an ID card says it has no Thai ID applet."""
    reader = ThaiIdReader(InProcessTransport(VirtualSigningCard(), "slot"))

    with pytest.raises(WrongCardError, match="no Thai ID personal-data applet"):
        reader.read()


def test_card_with_bad_citizen_id_checksum_is_refused(tmp_path: Path) -> None:
    """A card whose citizen ID fails its checksum raises ``InvalidCitizenIdError``."""
    good = sample("somying")["cid"]
    path = person_file(tmp_path, cid=good[:12] + str((int(good[12]) + 1) % 10))

    with pytest.raises(InvalidCitizenIdError):
        read_id_card(f"virtual:{path}", photo=False)


def test_card_with_a_cut_photo_is_truncated(tmp_path: Path) -> None:
    """A photo whose JPEG lost its end gives ``TruncatedPhotoError``."""
    path = person_file(tmp_path, photo=SAMPLE_PHOTO.read_bytes()[:4000])

    with pytest.raises(TruncatedPhotoError):
        read_id_card(f"virtual:{path}")


def test_expired_card_is_refused_by_the_validity_check(tmp_path: Path) -> None:
    """A card past its expiry date raises ``ExpiredCardError`` naming the date."""
    card = read_id_card(f"virtual:{person_file(tmp_path, expiry_date='2020-01-31')}", photo=False)

    with pytest.raises(ExpiredCardError, match="expired on 2020-01-31"):
        card.check_valid(date(2026, 1, 1))


def test_lifetime_card_passes_the_validity_check_on_any_day() -> None:
    """A lifetime card (บัตรตลอดชีพ) never expires."""
    card = read_id_card(f"virtual:{SAMPLES / 'malee.json'}", photo=False)

    card.check_valid(date(2099, 1, 1))

    assert card.expiry_date is None


def test_person_file_photo_is_loaded_relative_to_the_file() -> None:
    """The sample's photo path is resolved beside the person file."""
    _, photo = load_person(SAMPLES / "somying.json")

    assert 5118 == len(photo)


def test_response_status_builder_round_trips() -> None:
    """``Response.status`` builds the bytes a card sends."""
    assert "41 90 00" == hexdump(Response.status(0x9000, b"A").to_bytes())
