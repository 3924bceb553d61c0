"""Dates as Thai users write them, and the years a date of each kind may plausibly carry.

Two places, two jobs:

* human input (the CLI, query parameters, the web forms) is read by ``parse_human_date``: ISO
  ``2019-04-01``, ``01/04/2562`` (day, month, year), Thai digits (``๐๑/๐๔/๒๕๖๒``) and month
  names, full or abbreviated (``1 เมษายน 2562``, ``1 เม.ย. พ.ศ. 2562``, ``1 April 2019``).
  The form, never the number, says the era: day/month/year is always Buddhist era (a year
  such as 2019 is refused as a common-era year, naming its BE equivalent); ISO year-month-day
  is always common era (a year such as 2562 is refused, naming its CE equivalent); with a
  month name, the era written (พ.ศ., ค.ศ., BE, CE, AD) decides, else a Thai month name is
  Buddhist era and an English one common era. A two-digit year (``1/4/62``) is refused: 62
  could be 2562 or 1962 or 0062, and whatever is accepted is signed forever.
* the signed form is always ISO 8601 with a four-digit common-era year; ``plausible`` tells
  whether a date of a given kind (a birth date, an order or effective date, a deadline) lies in
  that kind's range, so a Buddhist year written as ISO (``2518-01-15``) or a year 0062 is
  refused with both readings shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from ledger.domain.rules import (
    BUDDHIST_ERA_OFFSET,
    format_buddhist_date,
    from_buddhist_date,
    to_ascii_digits,
)
from ledger.violations import Rule, rule

THAILAND = timezone(timedelta(hours=7), "ICT")
"""Thailand's time (UTC+7, no daylight saving): the day an officer lives in."""


def thai_today() -> date:
    """Today in Thailand, whatever the server's clock zone: just after midnight in Bangkok it
    is already tomorrow there, while UTC still says yesterday."""
    return datetime.now(THAILAND).date()


TWO_DIGIT_YEAR = rule(
    "date.two_digit_year",
    "ปีต้องเขียนเต็มสี่หลัก เป็นปี พ.ศ. เช่น 2562: ได้รับ {text}",
    "write the year with four digits, e.g. 2562 (BE) or 2019 (CE): got {text}",
)
NOT_A_DATE = rule(
    "date.unreadable",
    "อ่านวันที่ไม่ได้: {text} (ใช้ วว/ดด/ปปปป พ.ศ. เช่น 01/04/2562)",
    "not a date: {text} (use DD/MM/YYYY in BE such as 01/04/2562, or 2019-04-01)",
)
YEAR_NEITHER_ERA = rule(
    "date.year_unknown_era",
    "ปี {year} ไม่ใช่ปี พ.ศ. ที่อ่านได้ (2400-2700)",
    "the year {year} is neither a Buddhist-era (2400-2700) nor a common-era (1800-2200) year",
)
BE_FORM_CE_YEAR = rule(
    "date.be_form_ce_year",
    "วันที่แบบ วว/ดด/ปปปป (และที่เขียนชื่อเดือนภาษาไทย) เป็นปี พ.ศ. เสมอ: {text} มีปี {year} "
    "ซึ่งดูเหมือนปี ค.ศ. (ตรงกับ พ.ศ. {year_be}) ให้เขียน {suggestion}",
    "a day/month/year date (or one with a Thai month name) is always in the Buddhist era: "
    "{text} has the year {year}, which looks like a Christian-era (CE) year, {year_be} in BE: "
    "write {suggestion}",
)
ISO_FORM_BE_YEAR = rule(
    "date.iso_form_be_year",
    "วันที่แบบ ปปปป-ดด-วว (ISO) และที่เขียนชื่อเดือนภาษาอังกฤษ เป็นปี ค.ศ. เสมอ: {text} มีปี {year} "
    "ซึ่งดูเหมือนปี พ.ศ. (ตรงกับ ค.ศ. {year_ce}) ให้เขียน {suggestion}",
    "an ISO date (YYYY-MM-DD, or one with an English month name) is always in the common era "
    "(CE): {text} has the year {year}, which looks like a Buddhist-era year, {year_ce} CE: "
    "write {suggestion}",
)
OUT_OF_RANGE = rule(
    "date.out_of_range",
    "{kind} ต้องอยู่ระหว่าง ค.ศ. {low} ถึง {high} (พ.ศ. {low_be} ถึง {high_be}): "
    "ได้รับ ค.ศ. {year} ซึ่งอ่านเป็น พ.ศ. {year_be}",
    "{kind_en} must lie between {low} and {high} CE ({low_be} to {high_be} BE): got the year "
    "{year} CE, which is {year_be} BE",
)


class DateInputError(ValueError):
    """A date a person typed that cannot be read, with the rule it breaks."""

    def __init__(self, rule_id: str, th: str, en: str) -> None:
        super().__init__(en)
        self.rule_id = rule_id
        self.th = th
        self.en = en


THAI_MONTHS: dict[str, int] = {}
"""Thai month names, full and abbreviated (with or without dots), and English ones, to 1-12."""

_MONTH_NAMES = (
    ("มกราคม", "ม.ค.", "january", "jan"),
    ("กุมภาพันธ์", "ก.พ.", "february", "feb"),
    ("มีนาคม", "มี.ค.", "march", "mar"),
    ("เมษายน", "เม.ย.", "april", "apr"),
    ("พฤษภาคม", "พ.ค.", "may", "may"),
    ("มิถุนายน", "มิ.ย.", "june", "jun"),
    ("กรกฎาคม", "ก.ค.", "july", "jul"),
    ("สิงหาคม", "ส.ค.", "august", "aug"),
    ("กันยายน", "ก.ย.", "september", "sep"),
    ("ตุลาคม", "ต.ค.", "october", "oct"),
    ("พฤศจิกายน", "พ.ย.", "november", "nov"),
    ("ธันวาคม", "ธ.ค.", "december", "dec"),
)
for _number, _names in enumerate(_MONTH_NAMES, start=1):
    for _name in _names:
        THAI_MONTHS[_name] = _number
        THAI_MONTHS[_name.replace(".", "")] = _number

_NUMERIC = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d+)")
_ISO = re.compile(r"(\d+)-(\d{1,2})-(\d{1,2})")
_WORDS = re.compile(
    r"(?:วันที่\s*)?(\d{1,2})\s*([^\d\s]+)\s*(พ\.?\s?ศ\.?|ค\.?\s?ศ\.?|b\.?e\.?|c\.?e\.?|ad)?\s*(\d+)",
    re.IGNORECASE,
)


def parse_human_date(text: str) -> date:
    """The date a person wrote; ``DateInputError`` naming the rule when it cannot be read."""
    cleaned = " ".join(to_ascii_digits(text).split())
    if (iso := _ISO.fullmatch(cleaned)) is not None:
        year_text, month, day = iso.group(1), int(iso.group(2)), int(iso.group(3))
        return _build(text, _year(text, year_text, "ce", month, day), month, day)
    if (numeric := _NUMERIC.fullmatch(cleaned)) is not None:
        day, month, year_text = int(numeric.group(1)), int(numeric.group(2)), numeric.group(3)
        return _build(text, _year(text, year_text, "be", month, day), month, day)
    if (words := _WORDS.fullmatch(cleaned)) is not None:
        month_name = words.group(2).lower().rstrip(",")
        month_number = THAI_MONTHS.get(month_name) or THAI_MONTHS.get(month_name.replace(".", ""))
        if month_number is not None:
            era = _era(words.group(3)) or ("ce" if month_name.isascii() else "be")
            day = int(words.group(1))
            year = _year(text, words.group(4), era, month_number, day)
            return _build(text, year, month_number, day)
    raise _error(NOT_A_DATE.id, NOT_A_DATE.th, NOT_A_DATE.en, text=text)


@dataclass(frozen=True, slots=True)
class _Year:
    number: int
    is_buddhist: bool


def _era(marker: str | None) -> str | None:
    if marker is None:
        return None
    letters = marker.replace(".", "").replace(" ", "").lower()
    return "be" if letters in ("พศ", "be") else "ce"


def _year(text: str, digits: str, era: str, month: int, day: int) -> _Year:
    """The year ``digits`` read in ``era`` (the form's, or the one written): a year of the
    other era is refused naming its equivalent, and so is one of neither."""
    if len(digits) != 4:
        raise _error(TWO_DIGIT_YEAR.id, TWO_DIGIT_YEAR.th, TWO_DIGIT_YEAR.en, text=text)
    number = int(digits)
    if era == "be":
        if 2400 <= number <= 2700:
            return _Year(number, is_buddhist=True)
        if 1800 <= number <= 2200:
            raise _other_era(BE_FORM_CE_YEAR, text, number, month, day)
    else:
        if 1800 <= number <= 2200:
            return _Year(number, is_buddhist=False)
        if 2400 <= number <= 2700:
            raise _other_era(ISO_FORM_BE_YEAR, text, number, month, day)
    raise _error(YEAR_NEITHER_ERA.id, YEAR_NEITHER_ERA.th, YEAR_NEITHER_ERA.en, year=digits)


def _other_era(refusal: Rule, text: str, year: int, month: int, day: int) -> DateInputError:
    """The refusal of a year written in the era its form does not use, with the date as it
    would be written in the form's era (the year alone where the day itself is impossible)."""
    if refusal is BE_FORM_CE_YEAR:
        try:
            suggestion = format_buddhist_date(date(year, month, day))
        except ValueError:
            suggestion = f"{day:02d}/{month:02d}/{year + BUDDHIST_ERA_OFFSET}"
        equivalent = {"year_be": suggestion[-4:]}
    else:
        try:
            suggestion = from_buddhist_date(year, month, day).isoformat()
        except ValueError:
            suggestion = f"{year - BUDDHIST_ERA_OFFSET:04d}-{month:02d}-{day:02d}"
        equivalent = {"year_ce": suggestion[:4]}
    details = {"text": text, "year": str(year), "suggestion": suggestion, **equivalent}
    return _error(refusal.id, refusal.th, refusal.en, **details)


def _build(text: str, year: _Year, month: int, day: int) -> date:
    try:
        if year.is_buddhist:
            return from_buddhist_date(year.number, month, day)
        return date(year.number, month, day)
    except ValueError:
        raise _error(NOT_A_DATE.id, NOT_A_DATE.th, NOT_A_DATE.en, text=text) from None


def _error(rule_id: str, th: str, en: str, **values: str) -> DateInputError:
    return DateInputError(rule_id, th.format(**values), en.format(**values))


class DateKind(StrEnum):
    """The kinds of dates the events carry, each with the range of years it may take."""

    BIRTH = "birth"
    EVENT = "event"  # orders, effective dates, entries of a record's history
    DEADLINE = "deadline"  # certification deadlines and other dates set ahead
    # A person's schooling: it starts in childhood, so for someone born in the 1920s (whom the
    # birth range admits) it lies before the first order any career on record starts from.
    SCHOOLING = "schooling"


@dataclass(frozen=True, slots=True)
class YearRange:
    """The common-era years a kind of date may fall in, with how the message names the kind."""

    low: int
    high: int
    th: str
    en: str


DATE_RANGES: dict[DateKind, YearRange] = {
    # The oldest person still on a ก.พ.๗ who may need a history entry was born in the 1920s.
    DateKind.BIRTH: YearRange(1900, 2030, "วันเกิด", "a birth date"),
    # The Local Personnel Administration Act is of 2542 BE, but careers recorded on it start
    # decades earlier; orders reach at most a few years ahead.
    DateKind.EVENT: YearRange(1940, 2100, "วันที่ของคำสั่งหรือวันที่มีผล", "an order or effective date"),
    DateKind.DEADLINE: YearRange(1990, 2100, "กำหนดเวลา", "a deadline"),
    DateKind.SCHOOLING: YearRange(1900, 2100, "วันที่ในประวัติการศึกษา", "a date of schooling"),
}


def implausible_year(kind: DateKind, day: date) -> dict[str, str] | None:
    """The details of an ``OUT_OF_RANGE`` violation when ``day`` lies outside its kind's range."""
    bounds = DATE_RANGES[kind]
    if bounds.low <= day.year <= bounds.high:
        return None
    return {
        "kind": bounds.th,
        "kind_en": bounds.en,
        "low": str(bounds.low),
        "high": str(bounds.high),
        "low_be": str(bounds.low + BUDDHIST_ERA_OFFSET),
        "high_be": str(bounds.high + BUDDHIST_ERA_OFFSET),
        "year": f"{day.year:04d}",
        "year_be": str(day.year + BUDDHIST_ERA_OFFSET),
    }


__all__ = [
    "BE_FORM_CE_YEAR",
    "DATE_RANGES",
    "ISO_FORM_BE_YEAR",
    "OUT_OF_RANGE",
    "THAI_MONTHS",
    "TWO_DIGIT_YEAR",
    "DateInputError",
    "DateKind",
    "implausible_year",
    "parse_human_date",
]
