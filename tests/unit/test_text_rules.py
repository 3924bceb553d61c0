"""What names and free text may hold (ledger.domain.text) and how money is written."""

from __future__ import annotations

import unicodedata

import pytest

from ledger.domain.text import is_plain_decimal, text_violation, tidy_line


@pytest.mark.parametrize(
    "text",
    ["สมชาย", "ที่ปรึกษา", "นางสาวมาลี ใจดี", "Somchai Jaidee", "กำนัน", "ผู้ใหญ่บ้าน", "ฤๅษี"],
)
def test_ordinary_thai_and_english_names_pass(text: str) -> None:
    """Names with Thai vowels and tone marks on their consonants are accepted."""
    assert text_violation(text) is None


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("สม\x01ชาย", "text.control_character"),
        ("\u200b", "text.empty"),
        ("\u200b \u200d\ufeff", "text.empty"),
        ("\u0e48\u0e49", "text.dangling_mark"),
        (" \u0e34", "text.dangling_mark"),
        ("abc\u202etxt.exe", "text.bidi_control"),
        ("ก\u2066x", "text.bidi_control"),
        ("ก\u0e48\u0e48\u0e48\u0e48", "text.stacked_marks"),
        (unicodedata.normalize("NFD", "Café"), "text.not_nfc"),
        ("line\nbreak", "text.control_character"),
    ],
)
def test_text_that_hides_or_breaks_is_refused(text: str, rule_id: str) -> None:
    """Control characters, invisible-only text, dangling or stacked marks, bidi controls and
    non-NFC text are refused, each with its rule."""
    found = text_violation(text)

    assert found is not None
    assert rule_id == found[0].id


def test_free_text_may_hold_line_breaks() -> None:
    """A multi-line reason is fine; its other control characters are not."""
    assert text_violation("บรรทัดแรก\nบรรทัดสอง", multiline=True) is None
    assert text_violation("a\x07b", multiline=True) is not None


def test_a_refusal_names_the_character() -> None:
    """The details name the offending code point (never the text itself: it may be a name)."""
    found = text_violation("สม\x01ชาย")

    assert found is not None
    assert {"code": "U+0001"} == found[1]


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1250.50", True),
        ("0", True),
        ("100000", True),
        ("1e5", False),
        ("1E5", False),
        (" 12", False),
        ("1,000", False),
        ("12.345", False),
        ("", False),
        ("NaN", False),
        ("Infinity", False),
        ("๑๒", False),
    ],
)
def test_money_is_a_plain_decimal(text: str, ok: bool) -> None:
    """Money is digits with at most two decimals: no exponent, separator, blank or Thai digit."""
    assert ok == is_plain_decimal(text)


@pytest.mark.parametrize("text", ["ทดสอบ  ", " ทดสอบ", "ทด  สอบ", "ทด\u00a0 สอบ", "ทดสอบ\u00a0"])
def test_stray_white_space_in_one_line_is_refused(text: str) -> None:
    """A name with white space around it or two in a row is text.stray_space; free text may
    keep its spacing, and one space between words is a name."""
    found = text_violation(text)

    assert found is not None
    assert "text.stray_space" == found[0].id
    assert text_violation(text, multiline=True) is None
    assert text_violation(tidy_line(text)) is None


def test_tidy_line_trims_and_collapses_white_space() -> None:
    """What clients sign: "  นาง  สาว  " becomes "นาง สาว"; blank stays blank (the gate
    refuses it as text.empty rather than a client signing "")."""
    assert "นาง สาว" == tidy_line("  นาง \u00a0 สาว  ")
    assert "   " == tidy_line("   ")
    assert "text.empty" == text_violation("   ")[0].id  # type: ignore[index]


@pytest.mark.parametrize(
    "name", ["สมชาย", "ณ อยุธยา", "ว่าที่ร้อยตรี", "พ.ต.ท.", "O'Brien", "Smith-Jones", "Müller", "ฯพณฯ"]
)
def test_a_person_may_be_named_in_letters_and_a_few_signs(name: str) -> None:
    """Thai and Latin letters with their marks, spaces and . - ' ( ) make a person's name."""
    assert text_violation(name, person_name=True) is None


@pytest.mark.parametrize(
    ("name", "code"),
    [("=cmd|1", "U+003D"), ("สมชาย2", "U+0032"), ("สมชาย๒", "U+0E52"), ("@สมชาย", "U+0040"),
     ("สม|ชาย", "U+007C"), ("+66", "U+002B")],
)  # fmt: skip
def test_digits_and_signs_are_no_ones_name(name: str, code: str) -> None:
    """A digit (Thai or Arabic) or a sign such as ``= + @ |`` in a person's name is
    text.name_character, naming the first such character; the same text is a fine title."""
    found = text_violation(name, person_name=True)

    assert found is not None
    assert ("text.name_character", {"code": code}) == (found[0].id, found[1])
    assert text_violation(name) is None
