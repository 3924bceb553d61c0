"""Finding a person as people type them: a citizen ID, a name; and the Thai order of names.

* A citizen ID may be typed with Thai digits (๑๒๓...), spaces or dashes (``1-2345-67890-12-1``);
  it is read as 13 ASCII digits whose check digit must match (``search.cid_invalid`` otherwise),
  so a typing error is told at once instead of answering "nobody".
* A name is compared after ``name_key``: Unicode NFC, invisible characters (zero-width spaces,
  joiners, soft hyphens) taken away, white space collapsed, case folded (for English names) and
  Thai tone marks ignored (่ ้ ๊ ๋ are often typed wrongly, and never tell two people apart in
  a search). One word matches the start of the first or the last name; two words match the
  start of the first name and of the last name.
* ``thai_sort_key`` orders names as Thai dictionaries and directories do: by consonant first
  (a leading vowel เ แ โ ใ ไ is read after the consonant it precedes), tone marks only to break
  ties; Latin names after Thai ones.
"""

from __future__ import annotations

import re
import unicodedata

from ledger.domain.rules import THAI_DIGITS, is_valid_cid
from ledger.errors import LedgerError, VaultNeededError
from ledger.violations import Violation, rule

CID_INVALID = rule(
    "search.cid_invalid",
    "เลขประจำตัวประชาชนต้องมี 13 หลักและเลขตรวจสอบถูกต้อง",
    "a citizen ID is 13 digits with a valid check digit",
)
NAME_EMPTY = rule(
    "search.name_empty",
    "ชื่อที่ค้นหาว่างเมื่อไม่นับช่องว่างและอักขระที่มองไม่เห็น",
    "the name searched for is empty once spaces and invisible characters are taken away",
)
NO_CRITERION = rule(
    "search.no_criterion",
    "ระบุเลขประจำตัวประชาชน (cid) หรือชื่อ (name) ที่ต้องการค้นหา",
    "give a citizen ID (cid) or a name (name) to search for",
)


SEARCH_VAULT_NEEDED = rule(
    "search.vault_needed",
    "ค้นหาด้วยเลขประจำตัวประชาชนหรือชื่อไม่ได้: ระเบียนที่ลงนามรุ่น 2 เก็บค่าเหล่านี้ไว้ในห้องเก็บ"
    "ข้อมูลส่วนบุคคล (vault) ซึ่งยังไม่ได้ตั้งค่าให้เซิร์ฟเวอร์หรือคำสั่งนี้ (LEDGER_VAULT_KEY_DIR หรือ "
    "LEDGER_VAULT_PKCS11_MODULE)",
    "searching by citizen ID or name needs the personal-data vault: v2 records keep these values "
    "in the vault, which this server or command is not configured with (LEDGER_VAULT_KEY_DIR or "
    "LEDGER_VAULT_PKCS11_MODULE)",
)


class SearchVaultNeededError(VaultNeededError):
    """A search by citizen ID or name over v2 records with no vault: it would answer "nobody"
    for people who are there, so it is refused instead (503 on the API: the server's setup)."""

    def __init__(self, field: str = "query") -> None:
        broken = Violation(SEARCH_VAULT_NEEDED, field)
        LedgerError.__init__(self, broken.describe())
        self.stream = ""
        self.violations = [broken]


class QueryError(LedgerError):
    """A search the ledger cannot run as asked, naming the rule and the query parameter."""

    def __init__(self, broken: Violation) -> None:
        super().__init__(broken.describe())
        self.violations = [broken]


RANGE_REVERSED = rule(
    "query.range_reversed",
    "ช่วงกลับด้าน: {last_name} ({last}) ต้องไม่มาก่อน {first_name} ({first})",
    "the range is reversed: {last_name} ({last}) may not come before {first_name} ({first})",
)


def check_range(first_name: str, first: int | None, last_name: str, last: int | None) -> None:
    """``QueryError`` (``query.range_reversed``, on the range's end) when a range of years
    ends before it starts: it would answer nothing, as if nothing were there."""
    if first is not None and last is not None and last < first:
        names = {"first_name": first_name, "last_name": last_name}
        details = names | {"first": str(first), "last": str(last)}
        raise QueryError(Violation(RANGE_REVERSED, f"query.{last_name}", details))


_CID_SEPARATORS = re.compile(r"[\s\-]")


def read_cid(text: str, field: str = "query.cid") -> str:
    """The citizen ID typed as ``text`` (Thai digits, spaces and dashes allowed), as 13 ASCII
    digits; ``QueryError`` (``search.cid_invalid``) unless its check digit matches."""
    cid = _CID_SEPARATORS.sub("", unicodedata.normalize("NFC", text)).translate(THAI_DIGITS)
    if not is_valid_cid(cid):
        raise QueryError(Violation(CID_INVALID, field))
    return cid


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u034f\u200b\u200c\u200d\u2060\ufeff"))
_TONE_MARKS = dict.fromkeys(map(ord, "\u0e48\u0e49\u0e4a\u0e4b"))
_SPACES = re.compile(r"\s+")


def name_key(text: str) -> str:
    """``text`` as names are compared: NFC, no invisible characters, single spaces, case folded,
    no Thai tone marks."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE).translate(_TONE_MARKS)
    return _SPACES.sub(" ", text).strip().casefold()


def read_name(text: str, field: str = "query.name") -> tuple[str, ...]:
    """The words of a name searched for (``name_key``), one or two of them; ``QueryError``
    (``search.name_empty``) when nothing is left to search for."""
    words = tuple(name_key(text).split(" "))
    if words == ("",):
        raise QueryError(Violation(NAME_EMPTY, field))
    return words if len(words) <= 2 else (words[0], " ".join(words[1:]))


def name_matches(words: tuple[str, ...], first_name: str | None, last_name: str | None) -> bool:
    """Whether a person's name matches the words of ``read_name`` (prefixes, see the module)."""
    first, last = name_key(first_name or ""), name_key(last_name or "")
    if len(words) == 1:
        return bool(first.startswith(words[0]) or last.startswith(words[0]))
    return first.startswith(words[0]) and last.startswith(words[1])


_LEADING_VOWELS = "\u0e40\u0e41\u0e42\u0e43\u0e44"  # เ แ โ ใ ไ
_SWAP = re.compile(f"([{_LEADING_VOWELS}])([\u0e01-\u0e2e])")
_SECONDARY = dict.fromkeys(map(ord, "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"))
"""Marks that only break ties: ็ ่ ้ ๊ ๋ ์ ํ ๎."""


def thai_sort_key(text: str) -> tuple[int, str, str]:
    """A key that orders names the Thai way (see the module): Thai before Latin, then by
    consonants with leading vowels moved after them, then by the marks."""
    folded = unicodedata.normalize("NFC", text).translate(_INVISIBLE).casefold().strip()
    reordered = _SWAP.sub(r"\2\1", folded)
    is_latin = not folded or not ("\u0e00" <= folded[0] <= "\u0e7f")
    return (int(is_latin), reordered.translate(_SECONDARY), reordered)


__all__ = [
    "CID_INVALID",
    "NAME_EMPTY",
    "NO_CRITERION",
    "RANGE_REVERSED",
    "SEARCH_VAULT_NEEDED",
    "QueryError",
    "SearchVaultNeededError",
    "check_range",
    "name_key",
    "name_matches",
    "read_cid",
    "read_name",
    "thai_sort_key",
]
