"""A report as its readers see it: a ``Sheet`` of typed columns, each cell shown in its kind.

A report's rows are typed (dates, ``Decimal`` money, codes, stream IDs); a ``Sheet`` says how
each column reads: its heading (``labels.HEADINGS``), its kind (a count, money, a ratio, a date,
a code with its label...) and whether it sums into a totals row. The drawings (CSV, XLSX, HTML)
take the cells from here, so the three agree: a count is a number everywhere, money has two
decimals, a ratio is a percentage, a date is Buddhist era (``15/01/2563``) in Thai and ISO in
English, a code shows its label.

People and LAOs are shown by name (``Names``, read by the facade with the rows); a stream ID
stays only as the last column, for reference.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ledger.domain.dates import THAILAND
from ledger.domain.rules import format_buddhist_date
from projections.personal import is_marker
from projections.reports.labels import (
    CODES,
    Label,
    Lang,
    code_label,
    heading,
    plain_heading,
    word,
)


class Kind(StrEnum):
    """How a column's cells read."""

    TEXT = "text"
    CODE = "code"  # a stored code shown with its label
    CODES = "codes"  # a list of codes
    DATE = "date"
    MOMENT = "moment"  # a transaction time, shown in Thailand's time
    YEAR = "year"
    COUNT = "count"
    DAYS = "days"  # days of leave: halves count
    MONEY = "money"
    RATIO = "ratio"  # 0.4123 is 41.2%
    FLAG = "flag"


NUMBER_FORMATS = {
    Kind.YEAR: "0",
    Kind.COUNT: "#,##0",
    Kind.DAYS: "#,##0.0",
    Kind.MONEY: "#,##0.00",
    Kind.RATIO: "0.0%",
}
"""The spreadsheet number format of each numeric kind."""

NUMERIC = frozenset(NUMBER_FORMATS)


@dataclass(frozen=True, slots=True)
class Names:
    """Who and where the rows name: LAO codes, record streams and signers' citizen IDs to
    names. Anything unknown shows as it is."""

    laos: Mapping[str, str] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    signers: Mapping[str, str] = field(default_factory=dict)

    def lao(self, code: str | None) -> str | None:
        return None if code is None else self.laos.get(code, code)

    def person(self, stream: str | None) -> str | None:
        return None if stream is None else self.people.get(str(stream), str(stream))

    def signer(self, cid: str | None) -> str | None:
        return None if cid is None else self.signers.get(cid, cid)


Source = Callable[[Any, Names], Any]


@dataclass(frozen=True, slots=True)
class Wording:
    """A cell that is words, not a stored value: it reads in the drawing's language (a record
    with no name yet is ``(ยังไม่มีชื่อ)`` in Thai, ``(no name yet)`` in English, as the pages
    say it)."""

    label: Label


@dataclass(frozen=True, slots=True)
class Column:
    """A column: the row attribute it shows (or ``source``), its kind, the code list its
    labels come from, and whether a totals row sums it."""

    key: str
    kind: Kind = Kind.TEXT
    codes: str | None = None
    total: bool = False
    source: Source | None = None
    label: Label | None = None  # a heading of its own (else ``labels.HEADINGS``)

    def value(self, row: Any, names: Names) -> Any:
        if self.source is not None:
            return self.source(row, names)
        return getattr(row, self.key, None)

    def heading(self, lang: Lang) -> str:
        return heading(self.key, lang) if self.label is None else word(self.label, lang)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass(frozen=True, slots=True)
class Layout:
    """A report's title and columns."""

    title: Label
    columns: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """A report's table: its file name, title, columns and rows of values (by column key)."""

    name: str
    title: Label
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]

    @property
    def has_totals(self) -> bool:
        return bool(self.rows) and any(column.total for column in self.columns)

    def totals(self) -> dict[str, Any]:
        """The sums of the summable columns (blank cells add nothing)."""
        sums: dict[str, Any] = {}
        for column in self.columns:
            if column.total:
                found = (number(row.get(column.key), column.kind) for row in self.rows)
                sums[column.key] = sum((value for value in found if value is not None), 0)
        return sums


def sheet_of(name: str, layout: Layout, rows: Sequence[Any], names: Names) -> Sheet:
    """The sheet of typed rows: each column's value of each row, as the report gives it."""
    columns = layout.columns
    return Sheet(
        name,
        layout.title,
        columns,
        tuple({column.key: column.value(row, names) for column in columns} for row in rows),
    )


def plain_sheet(
    name: str, rows: Sequence[Mapping[str, Any]], keys: Sequence[str] | None = None
) -> Sheet:
    """A sheet of JSON rows no layout describes: ``keys`` (None: the first row's, so none when
    there is no row) as columns and their headings, whole numbers as counts, booleans as yes
    or no."""
    first = rows[0] if rows else {}
    names = list(first) if keys is None else list(keys)
    columns = tuple(
        Column(key, _kind_of(first.get(key)), label=plain_heading(key, frozenset(names)))
        for key in names
    )
    return Sheet(name, (name, name), columns, tuple(rows))


def _kind_of(value: Any) -> Kind:
    if isinstance(value, bool):
        return Kind.FLAG
    return Kind.COUNT if isinstance(value, int) else Kind.TEXT


def number(value: Any, kind: Kind) -> int | float | Decimal | None:
    """A numeric cell's number (None when blank, or withheld: ``shown_marker``)."""
    if value is None or value == "" or is_marker(value):
        return None
    if kind in (Kind.COUNT, Kind.YEAR):
        return int(value)
    if kind in (Kind.MONEY, Kind.DAYS):
        return Decimal(str(value))
    return float(value)


def show_text(value: Any, column: Column, lang: Lang) -> str | None:
    """A text cell as it reads (None when blank): labels, dates in the language's era."""
    if value is None or value == "":
        return None
    if isinstance(value, Wording):
        return word(value.label, lang)
    if is_marker(value):  # a withheld or erased value reads as the word, whatever its kind
        return str(value)
    kind = column.kind
    if kind is Kind.CODE and column.codes is not None:
        return code_label(column.codes, str(value), lang)
    if kind is Kind.CODES:
        return ", ".join(code_label(column.codes or "", str(item), lang) for item in value)
    if kind is Kind.FLAG:
        return word(CODES["flag"][str(bool(value))], lang)
    if kind is Kind.DATE:
        return show_date(value, lang)
    if kind is Kind.MOMENT:
        return show_moment(value, lang)
    return plain(value)


def plain(value: Any) -> str:
    """Text of a stored value: lists joined with commas, a mapping as ``key: value; ...`` (its
    blank items left out), anything nested as JSON; never Python's own ``None`` or ``{...}``."""
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value if item is not None)
    if isinstance(value, Mapping):
        return "; ".join(
            f"{key}: {_nested(item)}" for key, item in value.items() if item is not None
        )
    return str(value)


def _nested(value: Any) -> str:
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def show_date(value: date | str, lang: Lang) -> str:
    """``15/01/2563`` in Thai, ``2020-01-15`` in English; a moment shows its day."""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return format_buddhist_date(day) if lang is Lang.TH else day.isoformat()


def show_moment(value: datetime | str, lang: Lang) -> str:
    """A transaction time in Thailand's time: ``15/01/2563 14:05`` (Thai) or ISO (English); a
    bare date shows as a date."""
    text = str(value)
    if len(text) <= 10:
        return show_date(text, lang)
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(THAILAND)
    if lang is Lang.EN:
        return local.isoformat(timespec="seconds")
    return f"{format_buddhist_date(local.date())} {local:%H:%M}"


def show_number(value: Any, kind: Kind) -> str | None:
    """A number as a page shows it: ``1,234.50``, ``41.2%``, ``2563``."""
    if is_marker(value):
        return str(value)
    found = number(value, kind)
    if found is None:
        return None
    if kind is Kind.RATIO:
        return f"{float(found):.1%}"
    if kind is Kind.MONEY:
        return f"{found:,.2f}"
    if kind is Kind.DAYS:
        return f"{found:,.1f}"
    if kind is Kind.YEAR:
        return str(found)
    return f"{found:,}"
