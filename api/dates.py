"""Dates in query parameters, as people write them: ISO, or Buddhist era with Thai digits and
month names (``ledger.domain.dates.parse_human_date``); a two-digit year is a 400 naming the
date's rule (``date.two_digit_year``: ``api.request_problems``).

``HumanDate`` is a date; ``HumanMoment`` is an ISO 8601 moment, or a date meaning the end of
that day in Thailand (UTC+7), so "as the ledger knew it on 1 เม.ย. 2562" reads naturally.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from ledger.domain.dates import THAILAND, parse_human_date


def _read_date(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return parse_human_date(value)  # DateInputError, a ValueError: its rule names the refusal


def _read_moment(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    day = _read_date(value)
    return datetime.combine(day + timedelta(days=1), time(), THAILAND) - timedelta(microseconds=1)


HumanDate = Annotated[
    date,
    BeforeValidator(_read_date),
    WithJsonSchema({"type": "string", "examples": ["2019-04-01", "01/04/2562", "1 เม.ย. 2562"]}),
]
"""A date: ISO, or DD/MM/YYYY in the Buddhist era, Thai digits and month names accepted."""

HumanMoment = Annotated[
    datetime,
    BeforeValidator(_read_moment),
    WithJsonSchema({"type": "string", "examples": ["2019-05-02T09:15:00+07:00", "02/05/2562"]}),
]
"""A moment (ISO 8601), or a date meaning the end of that day in Thailand."""
