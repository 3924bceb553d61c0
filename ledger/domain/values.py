"""Value types the domain's events share: legal references, money, dates, codes and text.

Every event's ``Data`` is a frozen pydantic model that forbids unknown fields (``Data`` below).
Money is a ``Decimal`` with at most two places, written as a string in statements ("1250.50"),
never a JSON number; counts are ints. A field left out (None) means "not reported", which is
not the same as zero (DOMAIN.md section 4: blank is not 0).

The gate's checks of values (a date's form and plausible year, text a person can see, money
as a plain decimal) run only when data is validated with the ``ADMISSION`` context, as
admission does: replays parse stored events with the same models and must load whatever was
stored before these checks existed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from ledger.domain.dates import OUT_OF_RANGE, DateKind, implausible_year
from ledger.domain.rules import is_valid_cid
from ledger.domain.text import NOT_PLAIN_DECIMAL, is_plain_decimal, text_violation
from ledger.statement import HEX64, ISO_DATE, NOT_ISO_DATE, given
from ledger.violations import Rule

ADMISSION = MappingProxyType({"admission": True})
"""The validation context of admission: ``Model.model_validate(data, context=ADMISSION)``
runs the gate's checks of values; without it (replays, readers) they are skipped."""


def _refuse(broken: Rule, details: dict[str, str]) -> PydanticCustomError:
    """A pydantic error that ``ledger.errors.model_violations`` maps back to ``broken``."""
    return PydanticCustomError(broken.id, broken.en, details)


def _signed_date(kind: DateKind) -> WrapValidator:
    """At admission: the JSON string ``YYYY-MM-DD`` (pydantic alone reads the number 0 as
    1970-01-01), then a year inside ``kind``'s range (both readings shown when not)."""

    def check(value: Any, read: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        if info.context is not ADMISSION:
            return read(value)
        if not isinstance(value, str) or ISO_DATE.fullmatch(value) is None:
            raise _refuse(NOT_ISO_DATE, given(value))
        day = read(value)
        if (details := implausible_year(kind, day)) is not None:
            raise _refuse(OUT_OF_RANGE, details)
        return day

    return WrapValidator(check)


BirthDate = Annotated[date, _signed_date(DateKind.BIRTH)]
"""A person's birth date."""

EventDate = Annotated[date, _signed_date(DateKind.EVENT)]
"""The date of an order, a payment, a leave, a decoration: anything of a career or a plan."""

DeadlineDate = Annotated[date, _signed_date(DateKind.DEADLINE)]
"""A date set ahead by which something must be done (a certification stage's deadline)."""

SchoolingDate = Annotated[date, _signed_date(DateKind.SCHOOLING)]
"""A date of a person's schooling, which may lie before any career on record began."""


def _visible_line(value: str, info: ValidationInfo) -> str:
    if info.context is ADMISSION and (found := text_violation(value)) is not None:
        raise _refuse(*found)
    return value


def _visible_lines(value: str, info: ValidationInfo) -> str:
    if info.context is ADMISSION and (found := text_violation(value, multiline=True)) is not None:
        raise _refuse(*found)
    return value


VISIBLE_LINE = AfterValidator(_visible_line)
VISIBLE_LINES = AfterValidator(_visible_lines)

Line = Annotated[str, VISIBLE_LINE]
"""One line of text a person reads (a name, a number, an issuer): at admission it is NFC, with
no control or bidi character, Thai marks on their letters, something visible (``text``).
Bounds go on the field (``Field(max_length=...)``) or before the check in an ``Annotated``
(``Name``), so they are checked first and keep pydantic's own error for a string too long."""

Paragraphs = Annotated[str, VISIBLE_LINES]
"""Free text that may hold line breaks, checked as ``Line`` otherwise."""


class Data(BaseModel):
    """Base of every event's data: frozen, and unknown fields are an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


DOMAIN_NAMESPACE = uuid5(NAMESPACE_URL, "urn:thai-lgov-ledger:domain")
"""The namespace of the domain's deterministic stream ids."""


def natural_id(kind: str, *parts: str) -> UUID:
    """A stream id derived from a natural key (an organization's DLA code, an LAO and a
    position number...): the same key always names the same stream, in every ledger."""
    return uuid5(DOMAIN_NAMESPACE, ":".join((kind, *parts)))


def _money_text(value: Any, info: ValidationInfo) -> Any:
    if info.context is ADMISSION:
        if not isinstance(value, str) or not is_plain_decimal(value):
            raise _refuse(NOT_PLAIN_DECIMAL, {})
        return value
    if isinstance(value, str | Decimal):
        return value
    raise ValueError('money is written as a decimal string such as "1250.50"')


def _plain_at_admission(value: Any, info: ValidationInfo) -> Any:
    if info.context is ADMISSION and (not isinstance(value, str) or not is_plain_decimal(value)):
        raise _refuse(NOT_PLAIN_DECIMAL, {})
    return value


Money = Annotated[
    Decimal, BeforeValidator(_money_text), Field(ge=0, max_digits=15, decimal_places=2)
]
"""An amount in baht, zero or more, at most two decimal places, written as a string (at
admission a plain decimal: ``"1e5"`` is refused)."""

PositiveMoney = Annotated[
    Decimal, BeforeValidator(_money_text), Field(gt=0, max_digits=15, decimal_places=2)
]
"""An amount in baht greater than zero."""

Amount = Annotated[Decimal, BeforeValidator(_plain_at_admission)]
"""Money of the first record models (a salary), which always read JSON numbers too: a plain
decimal string at admission, whatever was stored before on replay; bounds on the field."""

Name = Annotated[str, Field(min_length=1, max_length=200), VISIBLE_LINE]
"""A name or title: a person's, an organization's, a position's, a course's."""

Text = Annotated[str, Field(min_length=1, max_length=2000), VISIBLE_LINES]
"""Free text: a reason, a detail, an item of the record."""

_CODE_CHAR = "0-9A-Za-z\u0e01-\u0e4f"  # ASCII, and Thai letters and marks but not Thai digits
Code = Annotated[str, Field(pattern=f"^[{_CODE_CHAR}][{_CODE_CHAR}./_-]{{0,39}}$")]
"""A short identifier chosen by the LAO: a unit code, a strategy number, a position number.
Digits are ASCII only, so "P-001" and "P-๐๐๑" cannot name two positions (normalise first)."""

DlaCode = Annotated[str, Field(pattern=r"^[0-9]{7}$")]
"""The 7-digit DLA code of an LAO (รหัส อปท.)."""

Province = Annotated[str, Field(min_length=1, max_length=100), VISIBLE_LINE]
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
