"""Finding a person as people type them: citizen IDs, names, and the Thai order of names."""

from __future__ import annotations

import pytest

from ledger.domain.search import QueryError, name_matches, read_cid, read_name, thai_sort_key
from tests.people import made_up_cid

CID = made_up_cid(5)


def test_a_citizen_id_in_thai_digits_with_dashes() -> None:
    typed = CID.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    typed = f"{typed[:1]}-{typed[1:5]}-{typed[5:10]} {typed[10:]}"

    assert CID == read_cid(typed)


@pytest.mark.parametrize("typed", ["", "123", CID[:12] + str((int(CID[12]) + 1) % 10), CID + "0"])
def test_a_citizen_id_that_cannot_be_is_refused_by_its_rule(typed: str) -> None:
    with pytest.raises(QueryError) as refused:
        read_cid(typed)

    assert ["search.cid_invalid"] == [violation.id for violation in refused.value.violations]


def test_names_as_typed() -> None:
    assert ("สมชาย",) == read_name(" ส\u200bมชาย ")
    assert ("สม", "ใจดี") == read_name("สม   ใจดี")
    assert ("mary", "de la cruz") == read_name("Mary De La Cruz")
    with pytest.raises(QueryError):
        read_name(" \u200b ")


@pytest.mark.parametrize(
    ("typed", "first", "last", "matches"),
    [
        ("สม", "สมชาย", "ใจดี", True),
        ("ใจ", "สมชาย", "ใจดี", True),
        ("ชาย", "สมชาย", "ใจดี", False),  # a prefix, not anywhere in the name
        ("สม ใจ", "สมชาย", "ใจดี", True),
        ("ใจ สม", "สมชาย", "ใจดี", False),
        ("นอง", "น้อง", "ทดสอบ", True),  # tone marks aside
        ("SOM", "Somchai", None, True),
    ],
)
def test_name_matches(typed: str, first: str, last: str | None, matches: bool) -> None:
    assert matches == name_matches(read_name(typed), first, last)


def test_the_thai_order_of_names() -> None:
    """By consonant first (a leading vowel after it), tone marks only to break ties, Latin last."""
    names = ["Anan", "ไก่", "ขวัญ", "เก่ง", "กา", "ก้าน", "กาน", "ก"]

    assert ["ก", "กา", "กาน", "ก้าน", "เก่ง", "ไก่", "ขวัญ", "Anan"] == sorted(names, key=thai_sort_key)
