"""How views write the values they share: transaction times, dates, money, JSON payloads.

Views keep every value in a form both PostgreSQL and SQLite store and compare the same way:
transaction times as fixed-width UTC text (so text order is time order), dates as ISO text,
money as decimal text (exact), flags as 0/1, small structured values as compact JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from ledger.domain.dates import THAILAND


def utc_text(moment: datetime) -> str:
    """``2019-04-01T02:15:00.000000Z``: fixed width, so comparing the text compares the time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_utc_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def thai_day(text: str | None) -> date | None:
    """The calendar day in Thailand (UTC+7) of a transaction time written by ``utc_text``: the
    day on which a deadline (31 July, 15 August) is met or missed."""
    return None if text is None else from_utc_text(text).astimezone(THAILAND).date()


def day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def to_day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def money(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def dumps(value: Any) -> str:
    """Compact JSON with Thai text kept readable."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)
