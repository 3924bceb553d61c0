"""A virtual Thai ID card: a made-up person's data, answered the way the real chip answers.

The person comes from a JSON file (see ``samples/``): Thai and English names, birth date, gender,
issuer, issue and expiry dates (``"lifetime"`` for a lifetime card, or the card's raw
Buddhist-era text to try placeholders), the address fields, the laser code and a JPEG photo
(path relative to the file, at most 5,118 bytes). Everything in it must be invented (PDPA).

The card behaves like a T=0 Thai ID chip: SELECT answers ``61 0A``; READ ``80 B0`` answers
``61 <len>``; the data comes with GET RESPONSE, whose P2 must be 01 when the ATR starts ``3B 67``
and 00 otherwise (``6A 86`` for the wrong one, so a reader that ignores the ATR fails here as it
would on such a card); a GET RESPONSE asking for more than is waiting answers ``6C xx``.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from card.apdu import Command, Response
from card.errors import CardError
from card.thai_id import (
    ADDRESS,
    ADM_AID,
    BIRTH_DATE,
    CARD_TYPE,
    CID,
    EXPIRY_DATE,
    GENDER,
    ISSUE_DATE,
    ISSUER,
    ISSUER_CODE,
    MEMORY_SIZE,
    MOI_AID,
    NAME_EN,
    NAME_TH,
    PHOTO,
    REQUEST_NUMBER,
    VERSION,
)
from card.thai_id import (
    Field as LayoutField,
)
from ledger.domain.rules import BUDDHIST_ERA_OFFSET, is_valid_cid

ATR_STANDARD = bytes.fromhex("3B79960000544820 4E4944203138".replace(" ", ""))
"""The ATR of the cards seen in the wild: T=0, historical bytes "TH NID 18"."""

ATR_3B67 = bytes.fromhex("3B670000544820 4E494431".replace(" ", ""))
"""A made-up ATR of the ``3B 67`` family (T=0), whose cards want GET RESPONSE with P2 = 01."""

FCI = bytes.fromhex("6F0884060000005448 00".replace(" ", ""))
"""What SELECT leaves waiting (a short FCI); readers may fetch or ignore it."""

LASER_LENGTH = 16


class AtrVariant(StrEnum):
    STANDARD = "standard"
    ATR_3B67 = "3b67"


class VirtualError(CardError):
    """A virtual card's person file or state file cannot be used."""


class NameParts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prefix: str = ""
    first: str
    middle: str = ""
    last: str = ""

    def encode(self) -> str:
        return f"{self.prefix}#{self.first}#{self.middle}#{self.last}"


class AddressParts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    house_no: str = ""
    moo: str = ""
    trok: str = ""
    soi: str = ""
    road: str = ""
    tambon: str = ""
    amphoe: str = ""
    province: str = ""

    def encode(self) -> str:
        return "#".join(
            (
                self.house_no,
                self.moo,
                self.trok,
                self.soi,
                self.road,
                self.tambon,
                self.amphoe,
                self.province,
            )
        )


class VirtualPerson(BaseModel):
    """A made-up card holder, as a person file describes them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cid: str = Field(pattern=r"^\d{13}$")  # a wrong check digit is allowed, to test readers
    name_th: NameParts
    name_en: NameParts
    birth_date: str = Field(description="ISO date, or YYYY / YYYY-MM when day or month is unknown")
    gender: str = Field(pattern=r"^(male|female)$")
    issuer: str
    issue_date: date
    expiry_date: str = Field(description="ISO date, 'lifetime', or the card's raw 8 characters")
    address: AddressParts
    laser_code: str = Field(max_length=LASER_LENGTH)
    photo: str = Field(description="path of a JPEG, relative to the person file")
    request_number: str = ""
    issuer_code: str = ""
    version: str = "0001"
    card_type: str = "01"

    @property
    def has_valid_cid(self) -> bool:
        return is_valid_cid(self.cid)


def load_person(path: Path) -> tuple[VirtualPerson, bytes]:
    """Read a person file and its photo; ``VirtualError`` says what is wrong."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        person = VirtualPerson.model_validate(raw)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise VirtualError(f"cannot read person file {path}: {error}") from None
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(item) for item in problem["loc"])
        raise VirtualError(f"person file {path}: {where}: {problem['msg']}") from None
    photo_path = (path.parent / person.photo).resolve()
    try:
        photo = photo_path.read_bytes()
    except OSError as error:
        raise VirtualError(f"cannot read the photo of {path}: {error}") from None
    if len(photo) > PHOTO.length:
        raise VirtualError(f"the photo of {path} has {len(photo)} bytes; the card holds 5,118")
    return person, photo


def _be_date(text: str) -> str:
    """An ISO date (or YYYY, YYYY-MM) as the card's Buddhist-era YYYYMMDD."""
    parts = text.split("-")
    year = int(parts[0]) + BUDDHIST_ERA_OFFSET
    month = int(parts[1]) if len(parts) > 1 else 0
    day = int(parts[2]) if len(parts) > 2 else 0
    return f"{year:04d}{month:02d}{day:02d}"


def _expiry(text: str) -> str:
    if text == "lifetime":
        return "99999999"
    if len(text) == 10 and text[4] == "-":
        return _be_date(text)
    return text  # the card's raw text, e.g. a placeholder under test


def encode_memory(person: VirtualPerson, photo: bytes) -> bytes:
    """The personal-data applet's memory image for ``person`` (TIS-620, space padded)."""
    memory = bytearray(b"\x20" * MEMORY_SIZE)

    def put(field: LayoutField, value: bytes, pad: bytes = b"\x20") -> None:
        if len(value) > field.length:
            raise VirtualError(f"{field.name} needs {len(value)} of {field.length} bytes")
        memory[field.offset : field.end] = value.ljust(field.length, pad)

    def text(value: str) -> bytes:
        return value.encode("cp874")

    put(VERSION, text(person.version))
    put(CID, text(person.cid))
    put(NAME_TH, text(person.name_th.encode()))
    put(NAME_EN, text(person.name_en.encode()))
    put(BIRTH_DATE, text(_be_date(person.birth_date)))
    put(GENDER, b"1" if person.gender == "male" else b"2")
    put(REQUEST_NUMBER, text(person.request_number))
    put(ISSUER, text(person.issuer))
    put(ISSUER_CODE, text(person.issuer_code))
    put(ISSUE_DATE, text(_be_date(person.issue_date.isoformat())))
    put(EXPIRY_DATE, text(_expiry(person.expiry_date)))
    put(CARD_TYPE, text(person.card_type))
    put(PHOTO, photo, pad=b"\x00")
    put(ADDRESS, text(person.address.encode()))
    return bytes(memory)


SW_NO_PENDING = 0x6985
SW_WRONG_P1P2 = 0x6A86


class VirtualThaiIdCard:
    """A Thai ID chip in software: the MOI personal-data applet and the laser-code applet."""

    def __init__(
        self, person: VirtualPerson, photo: bytes, variant: AtrVariant = AtrVariant.STANDARD
    ) -> None:
        self.person = person
        self.memory = encode_memory(person, photo)
        self.laser = person.laser_code.encode("ascii").ljust(LASER_LENGTH, b"\x00")
        self.atr = ATR_3B67 if variant is AtrVariant.ATR_3B67 else ATR_STANDARD
        self.get_response_p2 = 0x01 if variant is AtrVariant.ATR_3B67 else 0x00
        self.apdu_count = 0
        self._selected: bytes | None = None
        self._pending: bytes | None = None

    @classmethod
    def from_file(cls, path: Path, variant: AtrVariant = AtrVariant.STANDARD) -> VirtualThaiIdCard:
        person, photo = load_person(path)
        return cls(person, photo, variant)

    def reset(self) -> None:
        self._selected = None
        self._pending = None

    def process(self, apdu: bytes) -> bytes:
        self.apdu_count += 1
        try:
            command = Command.parse(apdu)
        except ValueError:
            self._pending = None
            return Response.status(0x6700).to_bytes()
        return self._answer(command).to_bytes()

    def _answer(self, command: Command) -> Response:
        if command.cla == 0x00 and command.ins == 0xC0:
            return self._get_response(command)
        self._pending = None  # T=0: what was waiting is lost once another command arrives
        if command.cla == 0x00 and command.ins == 0xA4:
            return self._select(command)
        if command.cla != 0x80:
            return Response.status(0x6E00)
        if command.ins == 0xB0:
            return self._read(command)
        if command.ins == 0x00 and self._selected == ADM_AID:
            return self._waiting(self.laser)
        return Response.status(0x6D00)

    def _select(self, command: Command) -> Response:
        if command.p1 != 0x04:
            return Response.status(SW_WRONG_P1P2)
        if command.data not in (MOI_AID, ADM_AID):
            self._selected = None
            return Response.status(0x6A82)
        self._selected = command.data
        return self._waiting(FCI)

    def _read(self, command: Command) -> Response:
        if self._selected != MOI_AID:
            return Response.status(0x6986)
        if len(command.data) != 2:
            return Response.status(0x6700)
        offset = (command.p1 << 8) | command.p2
        length = command.data[1] or 256
        if offset + length > len(self.memory):
            return Response.status(0x6B00)
        return self._waiting(self.memory[offset : offset + length])

    def _waiting(self, data: bytes) -> Response:
        self._pending = data
        return Response.status(0x6100 | (len(data) % 256))

    def _get_response(self, command: Command) -> Response:
        if command.p1 != 0x00 or command.p2 != self.get_response_p2:
            self._pending = None
            return Response.status(SW_WRONG_P1P2)
        pending = self._pending
        if pending is None:
            return Response.status(SW_NO_PENDING)
        wanted = command.le or 256
        if wanted > len(pending):
            return Response.status(0x6C00 | len(pending))
        data, rest = pending[:wanted], pending[wanted:]
        self._pending = rest or None
        if rest:
            return Response(data, 0x61, len(rest) % 256)
        return Response.status(0x9000, data)
