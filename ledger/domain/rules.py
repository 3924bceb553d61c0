"""Thai rules the ledger checks, as pure functions (DOMAIN.md section 3)."""

from __future__ import annotations

from datetime import date


def is_valid_cid(cid: str) -> bool:
    """True for a 13-digit Thai citizen ID whose check digit matches.

    ``S = sum(d_i * (14 - i) for i in 1..12)``; the check digit is ``(11 - S mod 11) mod 10``.
    The checksum does not prove that the ID was ever issued.
    """
    if len(cid) != 13 or not cid.isascii() or not cid.isdigit():
        return False
    return cid_check_digit(cid[:12]) == int(cid[12])


def cid_check_digit(first_twelve: str) -> int:
    """The check digit that completes the first 12 digits of a citizen ID."""
    if len(first_twelve) != 12 or not first_twelve.isascii() or not first_twelve.isdigit():
        raise ValueError("a citizen ID's first part is 12 ASCII digits")
    total = sum(int(digit) * (13 - index) for index, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


BUDDHIST_ERA_OFFSET = 543
"""พ.ศ. = ค.ศ. + 543."""


def parse_date(text: str) -> date:
    """Read a date as users write it: ISO ``YYYY-MM-DD`` or ``DD/MM/YYYY``, CE or Buddhist era.

    A year of 2400 or more is taken as Buddhist era (พ.ศ.) and converted; Thai digits are
    accepted. Raises ``ValueError`` naming the text when it is not a date.
    """
    normalised = text.strip().translate(THAI_DIGITS)
    try:
        if "/" in normalised:
            day_s, month_s, year_s = normalised.split("/")
            year, month, day = int(year_s), int(month_s), int(day_s)
        else:
            year_s, month_s, day_s = normalised.split("-")
            year, month, day = int(year_s), int(month_s), int(day_s)
        if year >= 2400:
            year -= BUDDHIST_ERA_OFFSET
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY, CE or BE)"
        ) from None


def format_buddhist_date(day: date) -> str:
    """``DD/MM/YYYY`` in Buddhist era, as Thai forms show dates (e.g. 01/04/2562)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}"


THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
