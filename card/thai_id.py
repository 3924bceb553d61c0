"""The Thai national ID card (บัตรประจำตัวประชาชน): its applets, layout, and a reader over PC/SC.

The chip's personal-data applet (MOI, AID ``A0 00 00 00 54 48 00 01``) is a read-only,
unauthenticated data store: SELECT it, then proprietary READs ``80 B0 <offset> 02 00 <length>``
at fixed offsets. Real cards run T=0, so every READ answers ``61 xx`` and the bytes are fetched
with GET RESPONSE, whose P2 is 01 on cards whose ATR starts ``3B 67`` and 00 otherwise. Text is
TIS-620 (decoded as cp874, its superset), names and the address are ``#``-separated, and dates
are Buddhist-era ``YYYYMMDD``. The laser code (the number printed on the back) lives in its own
applet. The card holds no secret: reading it proves only that someone presented these bytes
(DESIGN.md section 4), so it identifies and a token signs.

Everything but ``ThaiIdReader``'s use of its ``Channel`` is pure and unit-tested without a reader.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from card.apdu import Channel, Command, Transport, describe_status, iter_chunks, select_by_aid
from card.errors import (
    CardDataError,
    ExpiredCardError,
    InvalidCitizenIdError,
    TruncatedPhotoError,
    UnexpectedStatusError,
    WrongCardError,
)
from ledger.domain.rules import BUDDHIST_ERA_OFFSET, is_valid_cid

MOI_AID = bytes.fromhex("A000000054480001")
"""The personal-data applet of the Ministry of Interior (กรมการปกครอง)."""

ADM_AID = bytes.fromhex("A000000084060002")
"""The card-management applet that holds the laser code."""

LASER_COMMAND = Command(0x80, 0x00, 0x00, 0x00, le=0x07)
"""Asks the ADM applet for the laser code; the card answers ``61 10`` with 16 bytes waiting."""

READ_CHUNK = 255
"""The most a single READ returns (its length is one byte)."""


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the personal-data applet: where it starts and how many bytes it holds."""

    name: str
    offset: int
    length: int

    @property
    def end(self) -> int:
        return self.offset + self.length


# The applet's memory map. The offsets are contiguous: the photo ends where the address begins.
VERSION = Field("version", 0x0000, 4)
CID = Field("citizen ID", 0x0004, 13)
NAME_TH = Field("Thai name", 0x0011, 100)
NAME_EN = Field("English name", 0x0075, 100)
BIRTH_DATE = Field("birth date", 0x00D9, 8)
GENDER = Field("gender", 0x00E1, 1)
REQUEST_NUMBER = Field("request number", 0x00E2, 20)
ISSUER = Field("issuer", 0x00F6, 100)
ISSUER_CODE = Field("issuer code", 0x015A, 13)
ISSUE_DATE = Field("issue date", 0x0167, 8)
EXPIRY_DATE = Field("expiry date", 0x016F, 8)
CARD_TYPE = Field("card type", 0x0177, 2)
PHOTO = Field("photo", 0x017B, 5118)
ADDRESS = Field("address", 0x1579, 100)

FIELDS = (
    VERSION,
    CID,
    NAME_TH,
    NAME_EN,
    BIRTH_DATE,
    GENDER,
    REQUEST_NUMBER,
    ISSUER,
    ISSUER_CODE,
    ISSUE_DATE,
    EXPIRY_DATE,
    CARD_TYPE,
    PHOTO,
    ADDRESS,
)
MEMORY_SIZE = ADDRESS.end
"""Bytes of the applet's memory that the layout covers (0x15DD)."""

TEXT_BLOCK = (CID.offset, CARD_TYPE.end - CID.offset)
"""One span, read in two READs, that holds every text field from the citizen ID to the card type."""

PHOTO_SIZE = PHOTO.length


# Building commands.


def read_command(offset: int, length: int) -> Command:
    """READ ``80 B0 <offset hi> <offset lo> 02 00 <length>`` (the length travels as data)."""
    if not 1 <= length <= READ_CHUNK:
        raise ValueError(f"a READ returns 1..{READ_CHUNK} bytes, not {length}")
    if not 0 <= offset <= 0xFFFF:
        raise ValueError(f"offset {offset} does not fit in P1-P2")
    return Command(0x80, 0xB0, offset >> 8, offset & 0xFF, data=bytes((0x00, length)))


def read_commands(offset: int, length: int) -> list[Command]:
    """The READs that cover ``length`` bytes from ``offset``, 255 bytes at most each."""
    return [read_command(start, size) for start, size in iter_chunks(offset, length, READ_CHUNK)]


def get_response_p2(atr: bytes) -> int:
    """P2 of GET RESPONSE for this card: 01 when the ATR starts ``3B 67``, else 00.

    Public readers (C#, Java, Go) switch on this prefix; the cards seen in the wild answer ATRs
    like ``3B 79 96 00 00 54 48 20 4E 49 44 20 31 38`` ("TH NID 18") and use P2 = 00.
    """
    return 0x01 if atr[:2] == b"\x3b\x67" else 0x00


# Parsing fields.


def decode_text(raw: bytes) -> str:
    """TIS-620 text as stored on the card: decoded, trailing spaces and NULs removed."""
    return raw.decode("cp874", errors="replace").rstrip(" \x00").strip()


@dataclass(frozen=True, slots=True)
class PersonName:
    """A name as the card stores it: ``prefix#first#middle#last`` (คำนำหน้า ชื่อ ชื่อกลาง นามสกุล)."""

    prefix: str
    first: str
    middle: str
    last: str

    def to_json(self) -> dict[str, str]:
        return {
            "prefix": self.prefix,
            "first": self.first,
            "middle": self.middle,
            "last": self.last,
        }


def parse_name(raw: bytes) -> PersonName:
    """Split a name field; missing parts are empty, extra ``#`` parts join the last name."""
    parts = [part.strip() for part in decode_text(raw).split("#")]
    if len(parts) > 4:
        parts = [*parts[:3], " ".join(part for part in parts[3:] if part)]
    parts += [""] * (4 - len(parts))
    return PersonName(*parts)


@dataclass(frozen=True, slots=True)
class Address:
    """The registered address (ที่อยู่ตามทะเบียนบ้าน), as the card's eight ``#`` fields.

    house_no บ้านเลขที่, moo หมู่ที่, trok ตรอก, soi ซอย, road ถนน, tambon ตำบล/แขวง,
    amphoe อำเภอ/เขต, province จังหวัด. The card keeps the Thai prefixes ("หมู่ที่ 5",
    "ตำบลในเมือง"); they are kept as stored.
    """

    house_no: str
    moo: str
    trok: str
    soi: str
    road: str
    tambon: str
    amphoe: str
    province: str

    def to_json(self) -> dict[str, str]:
        return {
            "house_no": self.house_no,
            "moo": self.moo,
            "trok": self.trok,
            "soi": self.soi,
            "road": self.road,
            "tambon": self.tambon,
            "amphoe": self.amphoe,
            "province": self.province,
        }


ADDRESS_PARTS = 8


def parse_address(raw: bytes) -> Address:
    """Split the address field into its eight parts (padding short ones, joining extras)."""
    parts = [part.strip() for part in decode_text(raw).split("#")]
    if len(parts) > ADDRESS_PARTS:
        # Extra separators sit in the lane/soi/road middle; the last three are always
        # tambon, amphoe and province.
        middle = " ".join(part for part in parts[2:-3] if part)
        parts = [parts[0], parts[1], middle, "", "", *parts[-3:]]
    elif len(parts) < ADDRESS_PARTS:
        parts += [""] * (ADDRESS_PARTS - len(parts))
    return Address(*parts)


def parse_citizen_id(raw: bytes) -> str:
    """The 13-digit citizen ID; ``InvalidCitizenIdError`` when it fails the checksum."""
    cid = raw.decode("ascii", errors="replace").strip(" \x00")
    if not is_valid_cid(cid):
        raise InvalidCitizenIdError
    return cid


def parse_birth_date(raw: bytes) -> str:
    """A Buddhist-era birth date as an ISO 8601 date, with reduced precision where unknown.

    Older people's cards may hold only the year (``25000000``) or the year and month
    (``25000300``): the result is then ``"1957"`` or ``"1957-03"`` rather than an invented day.
    """
    text = raw.decode("ascii", errors="replace").strip(" \x00")
    if len(text) != 8 or not text.isdigit():
        raise CardDataError("birth date", "it is not 8 digits")
    year = int(text[:4]) - BUDDHIST_ERA_OFFSET
    month, day = int(text[4:6]), int(text[6:8])
    if year < 1 or month > 12:
        raise CardDataError("birth date", "it is not a Buddhist-era YYYYMMDD date")
    if month == 0:
        return f"{year:04d}"
    if day == 0:
        return f"{year:04d}-{month:02d}"
    if day > calendar.monthrange(year, month)[1]:
        raise CardDataError("birth date", "the day does not exist in that month")
    return date(year, month, day).isoformat()


def parse_issue_date(raw: bytes) -> date:
    """The Buddhist-era issue date as a date."""
    text = raw.decode("ascii", errors="replace").strip(" \x00")
    if len(text) != 8 or not text.isdigit():
        raise CardDataError("issue date", "it is not 8 digits")
    try:
        return date(int(text[:4]) - BUDDHIST_ERA_OFFSET, int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise CardDataError("issue date", "it is not a Buddhist-era YYYYMMDD date") from None


LIFETIME_WORDS = ("ตลอดชีพ", "LIFELONG", "LIFETIME")


def parse_expiry_date(raw: bytes) -> date | None:
    """The expiry date, or ``None`` for a lifetime card (บัตรตลอดชีพ, issued from age 70).

    Lifetime cards carry a placeholder instead of a date; every form seen or reported is
    taken as lifetime: blank or NUL, all zeros, all nines, the year 9999, or the word ตลอดชีพ.
    Other placeholders put an impossible month or day beside a real year (``25991399``); like
    the public readers, those are clamped to the last valid month and day.
    """
    text = raw.decode("cp874", errors="replace").strip(" \x00-")
    if not text or set(text) <= {"0"} or set(text) <= {"9"}:
        return None
    if any(word in text.upper() for word in LIFETIME_WORDS):
        return None
    if len(text) != 8 or not text.isdigit():
        raise CardDataError("expiry date", "it is neither a date nor a lifetime placeholder")
    be_year = int(text[:4])
    if be_year >= 9999:
        return None
    year = be_year - BUDDHIST_ERA_OFFSET
    if year < 1:
        raise CardDataError("expiry date", "it is not a Buddhist-era YYYYMMDD date")
    month = min(max(int(text[4:6]), 1), 12)
    day = min(max(int(text[6:8]), 1), calendar.monthrange(year, month)[1])
    return date(year, month, day)


class Gender(StrEnum):
    """เพศ as the card codes it: 1 male (ชาย), 2 female (หญิง)."""

    MALE = "male"
    FEMALE = "female"


def parse_gender(raw: bytes) -> Gender:
    code = raw.decode("ascii", errors="replace").strip(" \x00")
    if code == "1":
        return Gender.MALE
    if code == "2":
        return Gender.FEMALE
    raise CardDataError("gender", "the code is neither 1 nor 2")


JPEG_START = b"\xff\xd8"
JPEG_END = b"\xff\xd9"


def parse_photo(raw: bytes) -> bytes:
    """The JPEG held in the photo field, without the padding after its end marker.

    The field is 5,118 bytes; the JPEG may be shorter and padded. A field that came back short,
    or a JPEG without its end marker, is a truncated photo.
    """
    if len(raw) < PHOTO_SIZE:
        raise TruncatedPhotoError(len(raw), PHOTO_SIZE)
    if not raw.startswith(JPEG_START):
        raise CardDataError("photo", "it is not a JPEG (no start-of-image marker)")
    end = raw.rfind(JPEG_END)
    if end < 0:
        raise TruncatedPhotoError(len(raw), PHOTO_SIZE, "the JPEG has no end-of-image marker")
    tail = raw[end + 2 :]
    if tail.strip(b"\x00\x20\xff"):
        raise TruncatedPhotoError(len(raw), PHOTO_SIZE, "data follows the end-of-image marker")
    return raw[: end + 2]


def parse_laser_code(raw: bytes) -> str:
    """The laser code (เลขหลังบัตร), NUL-padded ASCII such as ``ME0123456789``."""
    return raw.decode("ascii", errors="replace").strip(" \x00")


@dataclass(frozen=True, slots=True)
class ThaiIdCard:
    """What the card holds, parsed. ``photo`` is None when the photo was not read."""

    cid: str
    name_th: PersonName
    name_en: PersonName
    birth_date: str
    gender: Gender
    issuer: str
    issue_date: date
    expiry_date: date | None
    address: Address
    laser_code: str | None
    photo: bytes | None = None

    @property
    def is_lifetime(self) -> bool:
        return self.expiry_date is None

    @property
    def photo_sha256(self) -> str | None:
        return hashlib.sha256(self.photo).hexdigest() if self.photo is not None else None

    def is_expired(self, today: date) -> bool:
        return self.expiry_date is not None and self.expiry_date < today

    def check_valid(self, today: date) -> None:
        """Raise ``ExpiredCardError`` when the card's expiry date lies before ``today``."""
        if self.expiry_date is not None and self.expiry_date < today:
            raise ExpiredCardError(self.expiry_date.isoformat())

    def to_json(self) -> dict[str, Any]:
        """The card as ``ledger card read --json`` prints it (ISO dates; null for lifetime)."""
        return {
            "cid": self.cid,
            "name_th": self.name_th.to_json(),
            "name_en": self.name_en.to_json(),
            "birth_date": self.birth_date,
            "gender": self.gender.value,
            "issuer": self.issuer,
            "issue_date": self.issue_date.isoformat(),
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "address": self.address.to_json(),
            "laser_code": self.laser_code,
            "photo_sha256": self.photo_sha256,
        }


def slice_field(memory: bytes, base: int, field: Field) -> bytes:
    """The bytes of ``field`` in ``memory``, a block read from the card starting at ``base``."""
    start = field.offset - base
    if start < 0 or start + field.length > len(memory):
        raise CardDataError(field.name, "the block read does not cover it")
    return memory[start : start + field.length]


def parse_text_block(block: bytes) -> dict[str, Any]:
    """Parse the block read from the citizen ID to the card type (see ``TEXT_BLOCK``)."""
    base = TEXT_BLOCK[0]
    return {
        "cid": parse_citizen_id(slice_field(block, base, CID)),
        "name_th": parse_name(slice_field(block, base, NAME_TH)),
        "name_en": parse_name(slice_field(block, base, NAME_EN)),
        "birth_date": parse_birth_date(slice_field(block, base, BIRTH_DATE)),
        "gender": parse_gender(slice_field(block, base, GENDER)),
        "issuer": decode_text(slice_field(block, base, ISSUER)),
        "issue_date": parse_issue_date(slice_field(block, base, ISSUE_DATE)),
        "expiry_date": parse_expiry_date(slice_field(block, base, EXPIRY_DATE)),
    }


class ThaiIdReader:
    """Reads a Thai ID card through any ``Transport`` (a PC/SC reader or a virtual card)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.channel = Channel(transport, get_response_p2=get_response_p2(transport.atr))

    def read(self, *, photo: bool = True) -> ThaiIdCard:
        """Every field, the laser code and (unless ``photo`` is False) the photo."""
        with self.transport.transaction():
            self.select_personal_data()
            fields = parse_text_block(self.read_span(*TEXT_BLOCK, "personal data"))
            picture: bytes | None = None
            if photo:
                span = self.read_span(PHOTO.offset, ADDRESS.end - PHOTO.offset, "photo")
                picture = parse_photo(span[: PHOTO.length])
                address = parse_address(span[PHOTO.length :])
            else:
                address = parse_address(self.read_span(ADDRESS.offset, ADDRESS.length, "address"))
            laser = self.read_laser_code()
        return ThaiIdCard(**fields, address=address, laser_code=laser, photo=picture)

    def read_citizen_id(self) -> str:
        """Only the citizen ID: what a card-presence check needs (three APDUs)."""
        with self.transport.transaction():
            self.select_personal_data()
            return parse_citizen_id(self.read_span(CID.offset, CID.length, "citizen ID"))

    def select_personal_data(self) -> None:
        response = self.channel.send(select_by_aid(MOI_AID), "SELECT personal-data applet")
        if response.sw in (0x6A82, 0x6A86, 0x6D00, 0x6E00):
            raise WrongCardError(self.transport.reader, "Thai ID personal-data")
        if not response.is_ok:
            raise UnexpectedStatusError(
                "SELECT personal-data applet", response.sw, describe_status(response.sw)
            )

    def read_span(self, offset: int, length: int, what: str) -> bytes:
        """``length`` bytes from ``offset``, in READs of at most 255 bytes."""
        block = bytearray()
        for command in read_commands(offset, length):
            wanted = command.data[1]
            name = f"READ {what} at {command.p1:02X}{command.p2:02X}"
            piece = self.channel.call(command, name)
            block += piece
            if len(piece) != wanted:
                if what == "photo":
                    raise TruncatedPhotoError(len(block), length)
                raise CardDataError(what, f"the card returned {len(piece)} of {wanted} bytes")
        return bytes(block)

    def read_laser_code(self) -> str | None:
        """The laser code, or None on early cards that have no card-management applet."""
        response = self.channel.send(select_by_aid(ADM_AID), "SELECT card-management applet")
        if response.sw == 0x6A82:
            return None
        if not response.is_ok:
            raise UnexpectedStatusError(
                "SELECT card-management applet", response.sw, describe_status(response.sw)
            )
        return parse_laser_code(self.channel.call(LASER_COMMAND, "READ laser code"))
