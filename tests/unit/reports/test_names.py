"""A name joined for a report (``full_name``): prefix on the first name, then the last name;
an erased or withheld name is shown by its marker once, never a marker per part."""

from __future__ import annotations

from projections.personal import ERASED, WITHHELD
from projections.reports.names import full_name


def test_a_name_is_joined_and_a_marker_shown_once() -> None:
    assert "นางสาวสมหญิง ใจดีทดสอบ" == full_name("นางสาว", "สมหญิง", "ใจดีทดสอบ")
    assert "สมหญิง" == full_name(None, "สมหญิง", None)
    assert full_name(None, None, None) is None
    assert ERASED == full_name(ERASED, ERASED, ERASED)
    assert ERASED == full_name(None, ERASED, ERASED)  # no prefix signed
    assert WITHHELD == full_name(WITHHELD, WITHHELD, WITHHELD)
    assert ERASED == full_name(WITHHELD, ERASED, "ใจดีทดสอบ")  # erased wins, no part shown
