"""Parsers of the Thai ID card's fields, on bytes as the card returns them (TIS-620, BE dates)."""

from __future__ import annotations

from datetime import date

import pytest

from card.apdu import hexdump, unhex
from card.errors import CardDataError, InvalidCitizenIdError, TruncatedPhotoError
from card.thai_id import (
    Address,
    Gender,
    PersonName,
    get_response_p2,
    parse_address,
    parse_birth_date,
    parse_citizen_id,
    parse_expiry_date,
    parse_gender,
    parse_issue_date,
    parse_laser_code,
    parse_name,
    parse_photo,
    read_command,
    read_commands,
)
from tests.cards import SAMPLE_PHOTO
from tests.people import made_up_cid


def padded(raw: str, length: int = 100) -> bytes:
    """Hex text, space-padded to ``length`` bytes as the card stores text fields."""
    return unhex(raw).ljust(length, b" ")


def test_thai_name_is_decoded_from_tis620_and_split() -> None:
    """``นาย#ประเสริฐ##ใจดี`` in TIS-620 gives prefix, first, empty middle, last."""
    raw = padded("B9 D2 C2 23 BB C3 D0 E0 CA C3 D4 B0 23 23 E3 A8 B4 D5")

    assert PersonName("นาย", "ประเสริฐ", "", "ใจดี") == parse_name(raw)


def test_english_name_keeps_its_middle_name() -> None:
    """An English name with a middle name fills all four parts."""
    raw = b"Mrs.#Malee#Anne#Srisuk".ljust(100, b" ")

    assert PersonName("Mrs.", "Malee", "Anne", "Srisuk") == parse_name(raw)


def test_name_with_missing_parts_is_padded_with_empty_parts() -> None:
    """A name field with fewer separators still yields four parts."""
    assert PersonName("Mr.", "Somchai", "", "") == parse_name(b"Mr.#Somchai".ljust(100, b"\0"))


def test_address_is_split_into_its_eight_fields() -> None:
    """House number, moo, trok, soi, road, tambon, amphoe, province, TIS-620 decoded."""
    raw = padded(
        "39 39 2F 31 23 CB C1 D9 E8 B7 D5 E8 20 35 23 23 23 B6 B9 B9 B9 D4 B5 E2 C2 23 B5 D3 BA "
        "C5 E3 B9 E0 C1 D7 CD A7 23 CD D3 E0 C0 CD E0 C1 D7 CD A7 B9 A4 C3 BE B9 C1 23 A8 D1 A7 "
        "CB C7 D1 B4 B9 A4 C3 BE B9 C1"
    )

    address = parse_address(raw)

    assert (
        Address(
            house_no="99/1",
            moo="หมู่ที่ 5",
            trok="",
            soi="",
            road="ถนนนิตโย",
            tambon="ตำบลในเมือง",
            amphoe="อำเภอเมืองนครพนม",
            province="จังหวัดนครพนม",
        )
        == address
    )


def test_address_with_extra_separators_keeps_tambon_amphoe_province() -> None:
    """Extra ``#`` parts fold into the middle; the last three stay tambon, amphoe, province."""
    raw = "1#2#a#b#c#d#ต#อ#จ".encode("cp874").ljust(100, b" ")

    address = parse_address(raw)

    assert ("1", "2", "a b c d", "ต", "อ", "จ") == (
        address.house_no,
        address.moo,
        address.trok,
        address.tambon,
        address.amphoe,
        address.province,
    )


def test_citizen_id_passing_its_checksum_is_returned() -> None:
    """A 13-digit ID with a valid check digit is read as ASCII."""
    cid = made_up_cid(7)

    assert cid == parse_citizen_id(cid.encode("ascii"))


def test_citizen_id_failing_its_checksum_is_refused_without_echoing_it() -> None:
    """A wrong check digit raises ``InvalidCitizenIdError``, whose message does not hold the ID."""
    cid = made_up_cid(7)
    broken = cid[:12] + str((int(cid[12]) + 1) % 10)

    with pytest.raises(InvalidCitizenIdError) as caught:
        parse_citizen_id(broken.encode("ascii"))

    assert broken not in str(caught.value)
    assert "checksum" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        (b"25310714", "1988-07-14"),
        (b"25430229", "2000-02-29"),
        (b"24930300", "1950-03"),
        (b"24930000", "1950"),
    ],
)
def test_buddhist_era_birth_dates_become_iso_dates(raw: bytes, iso: str) -> None:
    """BE YYYYMMDD minus 543 years; unknown day or month gives a reduced-precision ISO date."""
    assert iso == parse_birth_date(raw)


@pytest.mark.parametrize("raw", [b"25431301", b"2543023a", b"25430230"])
def test_impossible_birth_dates_are_refused(raw: bytes) -> None:
    """A 13th month, a letter or 30 February is unreadable card data."""
    with pytest.raises(CardDataError, match="birth date"):
        parse_birth_date(raw)


def test_issue_date_is_converted_from_buddhist_era() -> None:
    """2566-05-02 BE is 2023-05-02."""
    assert date(2023, 5, 2) == parse_issue_date(b"25660502")


@pytest.mark.parametrize(
    "raw",
    [
        b"99999999",
        b"00000000",
        b"        ",
        b"\x00" * 8,
        b"99990101",
        "ตลอดชีพ".encode("cp874").ljust(8, b" "),
        b"--------",
    ],
)
def test_lifetime_card_expiry_values_mean_no_expiry(raw: bytes) -> None:
    """Every lifetime placeholder (nines, zeros, blank, year 9999, the word ตลอดชีพ) is None."""
    assert parse_expiry_date(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"25740713", date(2031, 7, 13)),
        (b"25991399", date(2056, 12, 31)),
        (b"25740299", date(2031, 2, 28)),
        (b"25740700", date(2031, 7, 1)),
    ],
)
def test_expiry_dates_clamp_impossible_months_and_days(raw: bytes, expected: date) -> None:
    """A real year with a month over 12 or a day past the month's end is clamped, as readers do."""
    assert expected == parse_expiry_date(raw)


def test_expiry_that_is_neither_date_nor_placeholder_is_refused() -> None:
    """Garbage in the expiry field is unreadable card data, not a lifetime card."""
    with pytest.raises(CardDataError, match="expiry date"):
        parse_expiry_date(b"12ab")


@pytest.mark.parametrize(("raw", "gender"), [(b"1", Gender.MALE), (b"2", Gender.FEMALE)])
def test_gender_codes(raw: bytes, gender: Gender) -> None:
    """1 is male (ชาย), 2 female (หญิง)."""
    assert gender == parse_gender(raw)


def test_laser_code_loses_its_nul_padding() -> None:
    """The laser code comes NUL-padded to 16 bytes."""
    assert "ME0123456789" == parse_laser_code(b"ME0123456789\x00\x00\x00\x00")


def test_photo_is_the_jpeg_without_its_padding() -> None:
    """Zero padding after the JPEG's end marker is dropped; the JPEG is returned whole."""
    jpeg = b"\xff\xd8" + b"\x11" * 3000 + b"\xff\xd9"

    assert jpeg == parse_photo(jpeg.ljust(5118, b"\x00"))


def test_full_size_photo_is_returned_unchanged() -> None:
    """The sample photo fills the 5,118-byte field exactly."""
    photo = SAMPLE_PHOTO.read_bytes()

    assert photo == parse_photo(photo)


def test_short_photo_field_is_truncated() -> None:
    """Fewer than 5,118 bytes is a truncated photo."""
    with pytest.raises(TruncatedPhotoError, match="5100 of 5118 bytes"):
        parse_photo(SAMPLE_PHOTO.read_bytes()[:5100])


def test_photo_without_end_marker_is_truncated() -> None:
    """A JPEG cut off before its end-of-image marker is a truncated photo."""
    cut = (b"\xff\xd8" + b"\x11" * 6000)[:5118]

    with pytest.raises(TruncatedPhotoError, match="no end-of-image marker"):
        parse_photo(cut)


def test_atr_3b67_selects_get_response_p2_01() -> None:
    """The 3B 67 ATR family wants GET RESPONSE with P2 = 01; the TH NID cards use 00."""
    assert 0x01 == get_response_p2(unhex("3B 67 00 00 54 48 20 4E 49 44 31"))
    assert 0x00 == get_response_p2(unhex("3B 79 96 00 00 54 48 20 4E 49 44 20 31 38"))
    assert 0x00 == get_response_p2(unhex("3B 68 00 00 54 48 20 4E 49 44 20 36"))


def test_read_command_carries_offset_in_p1_p2_and_length_as_data() -> None:
    """READ of the citizen ID is ``80 B0 00 04 02 00 0D``."""
    assert "80 B0 00 04 02 00 0D" == hexdump(read_command(0x0004, 13).to_bytes())


def test_photo_reads_are_255_byte_chunks_at_consecutive_offsets() -> None:
    """The photo span is read from 01 7B in 255-byte steps: 02 7A, 03 79, ..."""
    commands = read_commands(0x017B, 5118)

    assert ["80 B0 01 7B 02 00 FF", "80 B0 02 7A 02 00 FF"] == [
        hexdump(command.to_bytes()) for command in commands[:2]
    ]
    assert "80 B0 15 67 02 00 12" == hexdump(commands[-1].to_bytes())
