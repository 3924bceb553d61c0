"""The pages' Jinja2 environment: Thai first, Buddhist-era dates, money as Thai officers write it.

Every template gets ``lang`` ("th" or "en", from the ``lang`` cookie) and ``t(th, en)``, which
picks the text of that language, so a page is written once with both languages side by side.
Filters:

* ``be_date``: ``1 ต.ค. 2569`` (``be_date(long=True)``: ``1 ตุลาคม 2569``); in English
  ``1 Oct B.E. 2569``: English pages keep the Buddhist era, labelled, as Thai government
  English does, so a date reads in the same era as the fiscal years and rounds beside it
  (docs/language.md). Takes a ``date``, a ``datetime`` (shown in Thailand's day) or ISO text;
  ``None`` and unreadable text show as themselves (a page never fails on a date).
* ``be_moment``: a date and Thailand's time of day (``1 ต.ค. 2569 14:05``).
* ``money``: ``1,234,567.50`` (two decimals; whole amounts keep ``.00``, as on a pay slip).
* ``short_hash``: the first 12 characters of an event hash, for people; the full one is in
  the element's title.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from ledger.domain.dates import THAILAND
from ledger.domain.event_labels import EVENT_LABELS
from projections.reports.kp7_labels import section_label
from projections.reports.names import full_name

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
LANGS = ("th", "en")

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def request_lang(request: Request) -> str:
    """The reader's language: the ``lang`` cookie when it names one we have, else Thai."""
    lang = request.cookies.get("lang", "th")
    return lang if lang in LANGS else "th"


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(THAILAND).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            if len(value) > 10:
                return _day(datetime.fromisoformat(value))
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_be_date(value: Any, lang: str = "th", *, long: bool = False) -> str:
    """A day as a Thai reader writes it, in the Buddhist era (see the module docstring)."""
    day = _day(value)
    if day is None:
        return "" if value is None else str(value)
    if lang == "en":
        month = ENGLISH_MONTHS[day.month - 1]
        return f"{day.day} {month if long else month[:3]} B.E. {day.year + 543}"
    month = (THAI_MONTHS if long else THAI_MONTHS_SHORT)[day.month - 1]
    return f"{day.day} {month} {day.year + 543}"


def format_be_moment(value: Any, lang: str = "th") -> str:
    """A recorded moment: its Thai day and Thailand's time of day."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if not isinstance(value, datetime):
        return format_be_date(value, lang)
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    local = moment.astimezone(THAILAND)
    return f"{format_be_date(local.date(), lang)} {local:%H:%M}"


def format_money(value: Any) -> str:
    """An amount with thousands separators and two decimals; anything else as itself."""
    if value is None:
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"{amount:,.2f}"


def short_hash(value: Any) -> str:
    return str(value or "")[:12]


@pass_context
def _t(context: Context, th: str, en: str) -> str:
    return en if context.get("lang") == "en" else th


@pass_context
def _section_name(context: Context, section: Any) -> str:
    label = section_label(str(section))
    return label.en if context.get("lang") == "en" else label.th


@pass_context
def _be_date(context: Context, value: Any, long: bool = False) -> str:
    return format_be_date(value, str(context.get("lang", "th")), long=long)


@pass_context
def _be_moment(context: Context, value: Any) -> str:
    return format_be_moment(value, str(context.get("lang", "th")))


def build_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals["t"] = _t
    environment.globals["full_name"] = full_name  # an erased name shown once, not per part
    environment.globals["erasure_label"] = EVENT_LABELS["PersonErased"]  # its receipt's note
    environment.globals["section_name"] = _section_name  # a ก.พ.๗ section in the page's language
    environment.filters["be_date"] = _be_date
    environment.filters["be_moment"] = _be_moment
    environment.filters["money"] = format_money
    environment.filters["short_hash"] = short_hash
    return environment


def build_templates() -> Jinja2Templates:
    """The templates of one app (a fresh environment: apps share nothing)."""
    return Jinja2Templates(env=build_environment())
