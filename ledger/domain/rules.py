"""Thai rules the ledger checks, as pure functions (DOMAIN.md section 3)."""

from __future__ import annotations


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
