"""Thai rules the ledger checks, as pure functions (DOMAIN.md section 3).

Other tools call ``is_valid_cid``, ``retirement_date`` and ``fiscal_year`` directly (DESIGN.md
section 8): keep their names and meaning. Dates are stored as ISO Gregorian (CE) dates and shown
in the Buddhist era (พ.ศ.); fiscal years (ปีงบประมาณ) are named by their Buddhist-era year.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum

# Citizen ID (เลขประจำตัวประชาชน).


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


# Buddhist era (พุทธศักราช) and Thai digits.

BUDDHIST_ERA_OFFSET = 543
"""พ.ศ. = ค.ศ. + 543."""

NEW_YEAR_REFORM_BE = 2484
"""The first Buddhist-era year that began on 1 January (1941). Until then the Thai year began on
1 April, so January to March of an earlier BE year fall in the next Gregorian year [GK]."""

_NEW_YEAR_REFORM_CE = NEW_YEAR_REFORM_BE - BUDDHIST_ERA_OFFSET  # 1941

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
"""Translation table from Thai digits (๐-๙) to ASCII digits."""

_TO_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def to_buddhist_year(ce_year: int) -> int:
    """The Buddhist-era number of a Gregorian year (2019 -> 2562)."""
    return ce_year + BUDDHIST_ERA_OFFSET


def from_buddhist_year(be_year: int) -> int:
    """The Gregorian number of a Buddhist-era year (2562 -> 2019)."""
    return be_year - BUDDHIST_ERA_OFFSET


def buddhist_year_of(day: date) -> int:
    """The Buddhist-era year a date belongs to, as Thai documents of its time wrote it.

    Before 1941 January to March belonged to the BE year that had begun the April before,
    so 15 January 1940 is in BE 2482, not 2483.
    """
    if day.year < _NEW_YEAR_REFORM_CE and day.month <= 3:
        return day.year + BUDDHIST_ERA_OFFSET - 1
    return day.year + BUDDHIST_ERA_OFFSET


def from_buddhist_date(be_year: int, month: int, day: int) -> date:
    """The Gregorian date of a day written in the Buddhist era (with the pre-2484 rule).

    Raises ``ValueError`` for an impossible date.
    """
    ce_year = be_year - BUDDHIST_ERA_OFFSET
    if be_year < NEW_YEAR_REFORM_BE and month <= 3:
        ce_year += 1
    return date(ce_year, month, day)


def to_thai_digits(text: str) -> str:
    """Write every ASCII digit of ``text`` as a Thai digit ("2562" -> "๒๕๖๒")."""
    return text.translate(_TO_THAI_DIGITS)


def to_ascii_digits(text: str) -> str:
    """Write every Thai digit of ``text`` as an ASCII digit ("๒๕๖๒" -> "2562")."""
    return text.translate(THAI_DIGITS)


BUDDHIST_YEARS_FROM = 2400
"""The first year number read as Buddhist era in these records (2400 BE is 1857 CE)."""


def is_buddhist_year(year: int) -> bool:
    """True for a year number that can only be Buddhist era in these records (2400 to 2600)."""
    return 2400 <= year <= 2600


def parse_date(text: str) -> date:
    """Read a date as users write it: ``DD/MM/YYYY`` in the Buddhist era (พ.ศ.) or ISO
    ``YYYY-MM-DD`` in the common era; the form says the era, never the number (as
    ``ledger.domain.dates.parse_human_date``, which reads more forms and names its rules).
    Thai digits are accepted. Raises ``ValueError`` naming the text when it is not a date.
    """
    normalised = to_ascii_digits(text.strip())
    try:
        if "/" in normalised:
            day_s, month_s, year_s = normalised.split("/")
            year, month, day = int(year_s), int(month_s), int(day_s)
            if year < BUDDHIST_YEARS_FROM:  # a common-era year in a Buddhist-era form
                raise ValueError(text)
            return from_buddhist_date(year, month, day)
        year_s, month_s, day_s = normalised.split("-")
        year, month, day = int(year_s), int(month_s), int(day_s)
        if year >= BUDDHIST_YEARS_FROM:  # a Buddhist-era year in a common-era form
            raise ValueError(text)
        return date(year, month, day)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (use DD/MM/YYYY in BE or YYYY-MM-DD in CE)"
        ) from None


def format_buddhist_date(day: date) -> str:
    """``DD/MM/YYYY`` in Buddhist era, as Thai forms show dates (e.g. 01/04/2562)."""
    return f"{day.day:02d}/{day.month:02d}/{buddhist_year_of(day)}"


# Fiscal year (ปีงบประมาณ): 1 October to 30 September, named by the BE year in which it ends.


def fiscal_year(day: date) -> int:
    """The Buddhist-era year in which the fiscal year containing ``day`` ends.

    FY2563 runs from 1 October 2562 to 30 September 2563 (1 Oct 2019 - 30 Sep 2020).
    """
    return day.year + BUDDHIST_ERA_OFFSET + (1 if day.month >= 10 else 0)


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """The first and last day of fiscal year ``year`` (Buddhist era)."""
    end = year - BUDDHIST_ERA_OFFSET
    return date(end - 1, 10, 1), date(end, 9, 30)


# Retirement (เกษียณอายุราชการ).


def full_years(birth_date: date, years: int) -> date:
    """The day someone born on ``birth_date`` reaches ``years`` full years: the day before that
    birthday (Cabinet circular นร ๐๒๐๕/ว ๔๒, 13 March 2538). Someone born on 29 February whose
    birthday falls in a common year has that birthday on 1 March."""
    year = birth_date.year + years
    if birth_date.month == 2 and birth_date.day == 29 and not _is_leap(year):
        birthday = date(year, 3, 1)
    else:
        birthday = birth_date.replace(year=year)
    return birthday - timedelta(days=1)


def sixty_full_years(birth_date: date) -> date:
    """The day someone reaches 60 full years: the day before the 60th birthday."""
    return full_years(birth_date, 60)


def retirement_date(birth_date: date) -> date:
    """The last day in service: 30 September of the fiscal year in which 60 full years fall.

    Born 1 October 2492 -> 60 full years on 30 September 2552 -> last day 30 September 2552;
    born 2 October 2492 -> 60 full years on 1 October 2552 (FY2553) -> 30 September 2553.
    """
    full = sixty_full_years(birth_date)
    return date(full.year + (1 if full.month >= 10 else 0), 9, 30)


def separation_date(birth_date: date) -> date:
    """The day retirement takes effect: 1 October after the last day in service."""
    return retirement_date(birth_date) + timedelta(days=1)


def retirement_fiscal_year(birth_date: date) -> int:
    """The fiscal year (Buddhist era) at whose end someone born on ``birth_date`` retires."""
    return fiscal_year(retirement_date(birth_date))


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


# Salary rounds (การเลื่อนเงินเดือน): twice per fiscal year [GK].


class SalaryRound(IntEnum):
    """The two salary-promotion rounds of a fiscal year."""

    APRIL = 1  # ครั้งที่ ๑: 1 เมษายน, for performance 1 October - 31 March
    OCTOBER = 2  # ครั้งที่ ๒: 1 ตุลาคม, for performance 1 April - 30 September


def salary_round_date(year: int, salary_round: SalaryRound) -> date:
    """The effective date of a round of fiscal year ``year`` (Buddhist era).

    The October round rewards the fiscal year's second half and takes effect on 1 October,
    the first day of the next fiscal year: round 2 of FY2562 is 1 October 2562.
    """
    ce = year - BUDDHIST_ERA_OFFSET
    return date(ce, 4, 1) if salary_round is SalaryRound.APRIL else date(ce, 10, 1)


def salary_round_of(day: date) -> tuple[int, SalaryRound] | None:
    """The (fiscal year, round) whose effective date is ``day``, or None on any other day."""
    if day.day != 1 or day.month not in (4, 10):
        return None
    salary_round = SalaryRound.APRIL if day.month == 4 else SalaryRound.OCTOBER
    return day.year + BUDDHIST_ERA_OFFSET, salary_round


def next_salary_round(day: date) -> tuple[int, SalaryRound]:
    """The first round taking effect on or after ``day``."""
    year = day.year + BUDDHIST_ERA_OFFSET
    for candidate in (
        (year, SalaryRound.APRIL),
        (year, SalaryRound.OCTOBER),
        (year + 1, SalaryRound.APRIL),
    ):
        if salary_round_date(*candidate) >= day:
            return candidate
    raise AssertionError("unreachable: 1 April of the next year is always later")
