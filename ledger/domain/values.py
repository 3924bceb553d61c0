"""Value types the domain's events share: legal references, money, dates, codes and text.

Every event's ``Data`` is a frozen pydantic model that forbids unknown fields (``Data`` below).
Money is a ``Decimal`` with at most two places, written as a string in statements ("1250.50"),
never a JSON number; counts are ints. A field left out (None) means "not reported", which is
not the same as zero (DOMAIN.md section 4: blank is not 0).

Dates, text and money also carry a mark saying what the gate checks of them at admission (a
date's ISO form and plausible year, text a person can see, money as a plain decimal):
``SignedDate``, ``SignedText``, ``PLAIN_MONEY``. Pydantic ignores the marks, so replays, which
parse stored events with these same models, read whatever was stored before the checks
existed, at no cost; ``ledger.domain.value_checks`` reads them at admission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ledger.domain.dates import DateKind
from ledger.domain.rules import is_valid_cid
from ledger.statement import HEX64


@dataclass(frozen=True, slots=True)
class SignedDate:
    """Marks a date field: at admission a JSON string ``YYYY-MM-DD`` (pydantic alone reads the
    number 0 as 1970-01-01) whose year lies in ``kind``'s range."""

    kind: DateKind


@dataclass(frozen=True, slots=True)
class SignedText:
    """Marks a text field: at admission in NFC, with no control character (but line breaks
    where ``multiline``), no bidi control, Thai marks on their letters, something visible."""

    multiline: bool = False


@dataclass(frozen=True, slots=True)
class NameText(SignedText):
    """Marks a person's prefix, first or last name: ``SignedText`` on one line, and at admission
    only letters, their marks, spaces and ``. - ' ( )`` (no digit, no ``=``, no ``|``)."""


@dataclass(frozen=True, slots=True)
class PlainMoney:
    """Marks a money field: at admission a plain decimal string (``"1e5"`` is refused)."""


PLAIN_MONEY = PlainMoney()

BirthDate = Annotated[date, SignedDate(DateKind.BIRTH)]
"""A person's birth date."""

EventDate = Annotated[date, SignedDate(DateKind.EVENT)]
"""The date of an order, a payment, a leave, a decoration: anything of a career or a plan."""

DeadlineDate = Annotated[date, SignedDate(DateKind.DEADLINE)]
"""A date set ahead by which something must be done (a certification stage's deadline)."""

SchoolingDate = Annotated[date, SignedDate(DateKind.SCHOOLING)]
"""A date of a person's schooling, which may lie before any career on record began."""

Line = Annotated[str, SignedText()]
"""One line of text a person reads (a name, a number, an issuer); bounds on the field."""

Paragraphs = Annotated[str, SignedText(multiline=True)]
"""Free text that may hold line breaks; bounds on the field."""


class Data(BaseModel):
    """Base of every event's data: frozen, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


DOMAIN_NAMESPACE = uuid5(NAMESPACE_URL, "urn:thai-lgov-ledger:domain")
"""The namespace of the domain's deterministic stream ids."""


def natural_id(kind: str, *parts: str) -> UUID:
    """A stream id derived from a natural key (an organization's DLA code, an LAO and a
    position number...): the same key always names the same stream, in every ledger."""
    return uuid5(DOMAIN_NAMESPACE, ":".join((kind, *parts)))


def _money_text(value: Any) -> Any:
    if isinstance(value, str | Decimal):
        return value
    raise ValueError('money is written as a decimal string such as "1250.50"')


Money = Annotated[
    Decimal,
    BeforeValidator(_money_text),
    Field(ge=0, max_digits=15, decimal_places=2),
    PLAIN_MONEY,
]
"""An amount in baht, zero or more, at most two decimal places, written as a string (at
admission a plain decimal: ``"1e5"`` is refused)."""

PositiveMoney = Annotated[
    Decimal,
    BeforeValidator(_money_text),
    Field(gt=0, max_digits=15, decimal_places=2),
    PLAIN_MONEY,
]
"""An amount in baht greater than zero."""

Amount = Annotated[Decimal, PLAIN_MONEY]
"""Money of the first record models (a salary), which always read JSON numbers too: a plain
decimal string at admission, whatever was stored before on replay; bounds on the field."""

Name = Annotated[str, Field(min_length=1, max_length=200), SignedText()]

PersonName = Annotated[str, Field(min_length=1, max_length=200), NameText()]
"""A person's prefix (คำนำหน้านาม), first name or last name."""
"""A name or title: a person's, an organization's, a position's, a course's."""

Text = Annotated[str, Field(min_length=1, max_length=2000), SignedText(multiline=True)]
"""Free text: a reason, a detail, an item of the record."""

_CODE_CHAR = "0-9A-Za-z\u0e01-\u0e4f"  # ASCII, and Thai letters and marks but not Thai digits
Code = Annotated[str, Field(pattern=f"^[{_CODE_CHAR}][{_CODE_CHAR}./_-]{{0,39}}$")]
"""A short identifier chosen by the LAO: a unit code, a strategy number, a position number.
Digits are ASCII only, so "P-001" and "P-๐๐๑" cannot name two positions (normalise first)."""

DlaCode = Annotated[str, Field(pattern=r"^[0-9]{7}$")]
"""The 7-digit DLA code of an LAO (รหัส อปท.)."""

Province = Annotated[str, Field(min_length=1, max_length=100), SignedText()]
"""A province's name (จังหวัด), as scopes name it."""

Sha256 = Annotated[str, Field(pattern=HEX64)]
"""A SHA-256 content hash in lowercase hex (scans and photos are stored by their hash)."""

BuddhistYear = Annotated[int, Field(ge=2400, le=2700)]
"""A year in the Buddhist era (พ.ศ.); fiscal years are named this way too."""

EntryId = Annotated[int, Field(ge=1)]
"""An entry of a stream, named by the version of the event that added it."""


def _check_cid(cid: str) -> str:
    if not is_valid_cid(cid):
        raise ValueError("citizen ID must be 13 digits with a valid check digit")
    return cid


CitizenId = Annotated[str, AfterValidator(_check_cid)]
"""A 13-digit Thai citizen ID whose check digit matches."""


class DocumentKind(StrEnum):
    """What a legal reference is."""

    ORDER = "order"  # คำสั่ง
    ANNOUNCEMENT = "announcement"  # ประกาศ
    LETTER = "letter"  # หนังสือ
    RESOLUTION = "resolution"  # มติ (ก.จ.จ., ก.ท.จ., ก.อบต.จังหวัด, สภาท้องถิ่น)
    JUDGEMENT = "judgement"  # คำพิพากษา / คำวินิจฉัยอุทธรณ์
    CERTIFICATE = "certificate"  # มรณบัตร, ใบรับรอง
    GAZETTE = "gazette"  # ราชกิจจานุเบกษา


class OrderRef(Data):
    """The legal document behind an entry (คำสั่ง เลขที่ ... ลงวันที่ ...).

    ``number``, ``date`` and ``issuer`` were the foundation's fields; the others are optional
    (DOMAIN.md section 5: doc type, signer, and the sha256 of the scan).
    """

    number: Line = Field(min_length=1, max_length=50)  # e.g. "123/2562"
    date: EventDate
    issuer: Line = Field(min_length=1, max_length=200)
    kind: DocumentKind | None = None
    signed_by: Line | None = Field(default=None, min_length=1, max_length=200)
    scan_sha256: str | None = Field(default=None, pattern=HEX64)


class GazetteRef(Data):
    """Where the Royal Gazette (ราชกิจจานุเบกษา) published an award."""

    date: EventDate
    volume: Line = Field(min_length=1, max_length=20)  # เล่ม
    part: Line = Field(min_length=1, max_length=20)  # ตอน
    page: Line = Field(min_length=1, max_length=20)  # หน้า
    sequence: Line | None = Field(default=None, min_length=1, max_length=20)  # ลำดับที่
