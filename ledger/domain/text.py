"""What a name or a free text may hold before it is signed forever.

Names end up in every registry, report, spreadsheet and printed ก.พ.๗, and cannot be edited
afterwards, only corrected by a later event. So the gate refuses text a person cannot see or
that changes how the text around it shows:

* text not in Unicode NFC (clients normalise before signing, so the same name always has the
  same bytes and the same hash; the ledger only checks);
* control characters (a name with U+0001 broke every XLSX download of its period); free text
  may hold line breaks;
* bidirectional controls (a right-to-left override can make ``txt.exe`` read ``exe.txt``);
* text that is empty once invisible characters (zero-width spaces, joiners, soft hyphens,
  format characters) and white space are taken away;
* combining marks that follow no base character (a Thai vowel or tone mark must sit on a
  consonant), or more than three of them stacked on one base;
* in one line of text (a name, a title, a number, an issuer), white space before or after it
  or two white spaces in a row: ``"ทดสอบ  "`` and ``"ทดสอบ"`` would be two names in every
  registry and search. Clients tidy one-line text before signing (``tidy_line``); free text
  keeps its spacing;
* in a person's name (prefix, first or last name), anything but letters, their marks, spaces
  and ``. - ' ( )``: ``นาย =cmd|1`` or ``สมชาย2`` is no one's name, and a name that begins with
  ``=`` is a formula in a spreadsheet (reports neutralise such cells anyway).

Each check returns the violated rule, or None; ``text_violation`` runs them in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ledger.violations import Rule, rule

NOT_NFC = rule(
    "text.not_nfc",
    "ข้อความต้องอยู่ในรูป Unicode NFC (ให้โปรแกรมปรับรูปก่อนลงนาม)",
    "text must be in Unicode NFC (normalise it before signing)",
)
CONTROL_CHARACTER = rule(
    "text.control_character",
    "ข้อความมีอักขระควบคุม ({code}) ซึ่งมองไม่เห็น",
    "the text holds a control character ({code}), which cannot be seen",
)
BIDI_CONTROL = rule(
    "text.bidi_control",
    "ข้อความมีอักขระกำหนดทิศทาง ({code}) ซึ่งเปลี่ยนการแสดงผลของข้อความ",
    "the text holds a bidirectional control ({code}), which changes how it shows",
)
INVISIBLE_ONLY = rule(
    "text.empty",
    "ข้อความว่างเมื่อไม่นับอักขระที่มองไม่เห็น",
    "the text is empty once invisible characters are taken away",
)
DANGLING_MARK = rule(
    "text.dangling_mark",
    "สระหรือวรรณยุกต์ ({code}) ต้องตามหลังพยัญชนะ",
    "a combining mark ({code}) must follow a base character",
)
STACKED_MARKS = rule(
    "text.stacked_marks",
    "มีสระหรือวรรณยุกต์ซ้อนกันเกินสามตัว",
    "more than three combining marks are stacked on one character",
)
STRAY_SPACE = rule(
    "text.stray_space",
    "ข้อความบรรทัดเดียว (เช่น ชื่อ) ต้องไม่มีช่องว่างนำหน้าหรือต่อท้าย และไม่มีช่องว่างติดกันเกินหนึ่งตัว",
    "one-line text (a name, a title) may not begin or end with white space, nor hold two white "
    "spaces in a row",
)
NAME_CHARACTER = rule(
    "text.name_character",
    "ชื่อบุคคลมีได้เฉพาะตัวอักษร สระ วรรณยุกต์ ช่องว่าง และเครื่องหมาย . - ' ( ) (พบ {code})",
    "a person's name holds only letters, their marks, spaces and . - ' ( ) (found {code})",
)

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_INVISIBLE = frozenset(
    "\u00ad\u034f\u115f\u1160\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
)
_MAX_MARKS = 3


def _code(character: str) -> str:
    return f"U+{ord(character):04X}"


_THAI_MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
_BASES = "!-~\u0e01-\u0e30\u0e32\u0e33\u0e3f-\u0e46\u0e4f-\u0e5b"  # ASCII, Thai non-marks
_UNIT = f"[{_BASES}]++[{_THAI_MARKS}]{{0,{_MAX_MARKS}}}"  # a base and the marks on it
_PLAIN_LINE = re.compile(f"{_UNIT}(?: ?+{_UNIT})*+")
_PLAIN_LINES = re.compile(f"(?:[ \n]*+{_UNIT})*+[ \n]*+")
"""Text made only of printable ASCII and Thai, each Thai mark on a base character (a letter,
digit or sign) and at most three stacked: what nearly every name and reason is; one line also
begins and ends with a base and holds single spaces only. Possessive quantifiers, so the match
never backtracks."""
_SPACE_RUN = re.compile(r"\s\s")
_NAME_BASES = (
    "A-Za-z.'()\\-\u0e01-\u0e30\u0e32\u0e33\u0e40-\u0e46"  # Latin, Thai letters; . - ' ( )
)
_NAME_UNIT = f"[{_NAME_BASES}]++[{_THAI_MARKS}]{{0,{_MAX_MARKS}}}"
_PLAIN_NAME = re.compile(f"{_NAME_UNIT}(?: ?+{_NAME_UNIT})*+")
"""A one-line text of Latin and Thai letters (no Thai digit or sign) and ``. - ' ( )``: what
nearly every person's name is."""
_NAME_PUNCTUATION = frozenset(" .-'()\u2019")


def text_violation(
    text: str, *, multiline: bool = False, person_name: bool = False
) -> tuple[Rule, dict[str, str]] | None:
    """The first rule ``text`` breaks, with its details; None for acceptable text."""
    plain = _plain(multiline=multiline, person_name=person_name)
    if plain.fullmatch(text) and text.strip() and unicodedata.is_normalized("NFC", text):
        return None  # the gate's common case, told at C speed, several times faster than below
    return first_violation(text, multiline=multiline, person_name=person_name)


def _plain(*, multiline: bool, person_name: bool) -> re.Pattern[str]:
    if person_name:
        return _PLAIN_NAME
    return _PLAIN_LINES if multiline else _PLAIN_LINE


def all_plain(texts: Sequence[str], *, multiline: bool = False, person_name: bool = False) -> bool:
    """True when every text passes ``text_violation``'s fast path, told in one match of them
    joined by spaces (a space keeps each text's marks on its own letters and, being a starter
    that composes with nothing, its NFC its own). False says only: check them one by one."""
    joined = " ".join(texts)
    plain = _plain(multiline=multiline, person_name=person_name)
    return (
        plain.fullmatch(joined) is not None
        and "" not in map(str.strip, texts)
        and unicodedata.is_normalized("NFC", joined)
    )


def first_violation(
    text: str, *, multiline: bool = False, person_name: bool = False
) -> tuple[Rule, dict[str, str]] | None:
    """``text_violation`` without the fast path: each rule in order, character by character."""
    if not unicodedata.is_normalized("NFC", text):
        return NOT_NFC, {}
    allowed_controls = "\n" if multiline else ""
    for character in text:
        if character in _BIDI:
            return BIDI_CONTROL, {"code": _code(character)}
        category = unicodedata.category(character)
        if category == "Cc" and character not in allowed_controls:
            return CONTROL_CHARACTER, {"code": _code(character)}
    marks = _mark_violation(text)
    if marks is not None:
        return marks
    if not any(_is_visible(character) for character in text):
        return INVISIBLE_ONLY, {}
    if not multiline and (
        text[0].isspace() or text[-1].isspace() or _SPACE_RUN.search(text) is not None
    ):
        return STRAY_SPACE, {}
    if person_name:
        for character in text:
            if (
                character not in _NAME_PUNCTUATION
                and unicodedata.category(character)[0] not in "LM"
            ):
                return NAME_CHARACTER, {"code": _code(character)}
    return None


def tidy_line(text: str) -> str:
    """One line of text as a client signs it: no white space around it, and each run of white
    space inside it one space (what ``STRAY_SPACE`` asks)."""
    return " ".join(text.split()) if text.strip() else text


def _is_visible(character: str) -> bool:
    if character in _INVISIBLE or character.isspace():
        return False
    return unicodedata.category(character) not in ("Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp")


def _mark_violation(text: str) -> tuple[Rule, dict[str, str]] | None:
    stacked = 0
    previous_is_base = False
    for character in text:
        if unicodedata.category(character) in ("Mn", "Me"):
            if not previous_is_base:
                return DANGLING_MARK, {"code": _code(character)}
            stacked += 1
            if stacked > _MAX_MARKS:
                return STACKED_MARKS, {}
            continue
        stacked = 0
        previous_is_base = unicodedata.category(character)[0] in ("L", "N", "S", "P")
    return None


NOT_PLAIN_DECIMAL = rule(
    "money.not_plain_decimal",
    'จำนวนเงินต้องเขียนเป็นตัวเลขทศนิยมธรรมดา เช่น "1250.50" (ไม่ใช้เลขยกกำลัง)',
    'an amount is a plain decimal string such as "1250.50" (no exponent)',
)

PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,13}(?:\.[0-9]{1,2})?")
"""How money is written in a statement: digits, optionally two decimals, no sign but minus."""


def is_plain_decimal(text: str) -> bool:
    """True for ``"1250.50"``-style money; False for ``"1e5"``, ``" 12"``, ``"1,000"``."""
    return PLAIN_DECIMAL.fullmatch(text) is not None


__all__ = [
    "PLAIN_DECIMAL",
    "all_plain",
    "first_violation",
    "is_plain_decimal",
    "text_violation",
    "tidy_line",
]
