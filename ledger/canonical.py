"""RFC 8785 (JSON Canonicalization Scheme) for signed statements.

Every party that signs or verifies a statement must compute the very same bytes, so the ledger
serializes statements with JCS. The well-kept ``rfc8785`` package does the work; this module is
the one place the rest of the code depends on, and it turns the package's errors into ours.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import rfc8785

from ledger.violations import rule

# JCS requires numbers representable as IEEE 754 doubles; integers beyond 2**53 lose precision.
MAX_SAFE_INTEGER = 2**53 - 1

MAX_STATEMENT_BYTES = 256 * 1024
"""The largest statement the parser reads (a ก.พ.๗ entry is well under 4 KiB)."""

MAX_NUMBER_DIGITS = 30
"""The longest number token read (Python's int() of thousands of digits costs quadratic time)."""

MAX_DEPTH = 32
"""The deepest nesting of objects and arrays read (a statement nests four levels)."""


TOO_LARGE = rule(
    "statement.too_large",
    "ข้อความที่ลงนามยาวเกิน 256 KiB",
    "a signed statement has at most 256 KiB",
)
NUMBER_TOO_LONG = rule(
    "statement.number_too_long",
    "ตัวเลขในข้อความยาวเกิน 30 หลัก",
    "a number in a statement has at most 30 characters",
)
TOO_DEEP = rule(
    "statement.too_deep",
    "ข้อความซ้อนกันเกิน 32 ชั้น",
    "objects and arrays in a statement nest at most 32 levels",
)
NOT_CANONICAL = rule(
    "statement.not_canonical",
    "ข้อความที่ลงนามต้องเป็น JSON รูปแบบ RFC 8785 (JCS): {problem}",
    "a signed statement is RFC 8785 canonical JSON: {problem}",
)


class CanonicalizationError(ValueError):
    """A value that has no RFC 8785 canonical form (NaN, Infinity, a too-large integer...)."""

    rule_id = "statement.not_canonical"


class HostileInputError(CanonicalizationError):
    """Bytes refused before parsing: too large, a number too long, nesting too deep."""

    def __init__(self, rule_id: str, problem: str) -> None:
        super().__init__(problem)
        self.rule_id = rule_id


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical JSON bytes of a JSON value.

    Raises ``CanonicalizationError`` naming the offending value for NaN, Infinity, integers
    beyond +-(2**53 - 1), non-string object keys and values that are not JSON.
    """
    if _is_plain(value, "$"):
        # No floats and only BMP keys: the standard library's sorted, compact JSON is exactly
        # the JCS form (same escapes, and code-point order equals UTF-16 order within the BMP),
        # and about five times faster than the general implementation.
        try:
            return _dumps_plain(value)
        except UnicodeEncodeError:
            raise CanonicalizationError("a string holds a lone surrogate (not UTF-8)") from None
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as error:
        raise CanonicalizationError(f"cannot canonicalize: {error}") from None


def parse_canonical(raw: bytes) -> Any:
    """Parse JSON bytes and insist that they already are in canonical form.

    A signed statement is stored exactly as signed, so the ledger accepts only bytes that
    re-canonicalize to themselves (this also rejects duplicate object keys and non-UTF-8 input).
    Hostile input (``check_limits``) is refused before any parsing.
    """
    check_limits(raw)
    try:
        text = raw.decode("utf-8")
        try:
            value = _EXACT.decode(text)
            exact = _FOUR_BYTE_UTF8.search(raw) is None
        except _Inexact:
            value, exact = _GENERAL.decode(text), False
    except UnicodeDecodeError as error:
        raise CanonicalizationError(f"statement is not UTF-8: {error.reason}") from None
    except json.JSONDecodeError as error:
        raise CanonicalizationError(f"statement is not JSON: {error}") from None
    except (ValueError, RecursionError):  # the limits above keep these out; never a 500
        raise CanonicalizationError("statement is not JSON the ledger can read") from None
    if exact:
        # What ``canonicalize`` would check value by value is known from the parse itself: no
        # number but safe integers, no character outside the Basic Multilingual Plane. So the
        # fast serialization is exact.
        try:
            again = _dumps_plain(value)
        except UnicodeEncodeError:
            raise CanonicalizationError("a string holds a lone surrogate (not UTF-8)") from None
    else:
        again = canonicalize(value)
    if again != raw:
        raise CanonicalizationError(
            "statement bytes are not RFC 8785 canonical JSON (re-serialize with JCS before signing)"
        )
    return value


def check_limits(raw: bytes) -> None:
    """Refuse bytes too large, with a number token too long or nesting too deep to parse safely.

    Cheap upper bounds first (the size, a long run of number characters where a number may
    stand, the count of opening brackets), so an ordinary statement costs a few C-speed scans;
    only bytes that pass a bound are tokenised exactly, skipping strings, to tell digits and
    brackets inside strings apart.
    """
    if len(raw) > MAX_STATEMENT_BYTES:
        raise HostileInputError(
            "statement.too_large",
            f"a statement has at most {MAX_STATEMENT_BYTES} bytes, this one has {len(raw)}",
        )
    if _may_hold_long_number(raw) or raw.count(b"{") + raw.count(b"[") > MAX_DEPTH:
        _check_tokens(raw)


_NUMBER_CHARACTERS = bytes.maketrans(b"123456789.eE+,[", b"0" * 13 + b"::")
"""Number characters become ``0``; the characters a number can follow (``,`` ``[``) become ``:``."""
_BLANKS_AND_SIGNS = b" \t\n\r-"
_LONG_RUN = b":" + b"0" * (MAX_NUMBER_DIGITS + 1)


def _may_hold_long_number(raw: bytes) -> bool:
    """Whether a number token longer than the limit may stand in ``raw``: after a ``:``, ``,``
    or ``[`` (blanks and signs aside), or at the very start, a run of more number characters
    than allowed. Strings can match too (then the exact check decides); real numbers always do.
    Two C-speed passes, so an ordinary statement costs about a microsecond."""
    marked = b":" + raw.translate(_NUMBER_CHARACTERS, _BLANKS_AND_SIGNS)
    return _LONG_RUN in marked


_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[-+0-9.eE]+|[\[{]|[\]}]')
"""JSON strings (skipped whole), number-like runs and brackets."""


def _check_tokens(raw: bytes) -> None:
    depth = 0
    for token in _TOKENS.finditer(raw):
        first = token.group()[:1]
        if first in (b"{", b"["):
            depth += 1
            if depth > MAX_DEPTH:
                raise HostileInputError(
                    "statement.too_deep", f"objects and arrays nest at most {MAX_DEPTH} levels"
                )
        elif first in (b"}", b"]"):
            depth -= 1
        elif first != b'"' and len(token.group()) > MAX_NUMBER_DIGITS:
            raise HostileInputError(
                "statement.number_too_long", f"a number has at most {MAX_NUMBER_DIGITS} characters"
            )


def _dumps_plain(value: Any) -> bytes:
    """JCS bytes of a value with no floats and only BMP object keys (see ``canonicalize``)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _parse_int(text: str) -> int | float:
    """JSON numbers are IEEE 754 doubles (RFC 8785 section 3.2.2.3): beyond 2**53 read a float."""
    value = int(text)
    return value if abs(value) <= MAX_SAFE_INTEGER else float(text)


def _reject_constant(name: str) -> Any:
    raise CanonicalizationError(f"{name} is not a JSON number")


class _Inexact(Exception):  # noqa: N818 (a signal inside parse_canonical, never raised out)
    """A float, or an integer beyond 2**53: the general (slow) path must handle the value."""


def _exact_int(text: str) -> int:
    value = int(text)
    if abs(value) > MAX_SAFE_INTEGER:
        raise _Inexact
    return value


def _no_float(text: str) -> float:
    raise _Inexact


_FOUR_BYTE_UTF8 = re.compile(rb"[\xf0-\xf4]")
"""A lead byte of a 4-byte UTF-8 sequence: a character outside the BMP."""

_EXACT = json.JSONDecoder(
    parse_int=_exact_int, parse_float=_no_float, parse_constant=_reject_constant
)

_GENERAL = json.JSONDecoder(parse_int=_parse_int, parse_constant=_reject_constant)


def _is_plain(value: Any, path: str) -> bool:
    """Check every value is JSON that JCS can represent (raising, naming where, if not).

    Answer whether the value is "plain": no floats anywhere and no object key outside the
    Basic Multilingual Plane, so the fast standard-library serialization is exact.
    """
    if isinstance(value, str | bool) or value is None:
        return True
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalizationError(
                f"integer at {path} is beyond +-(2**53 - 1) and cannot be represented exactly"
            )
        return True
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise CanonicalizationError(f"{value!r} at {path} is not allowed in canonical JSON")
        return False
    if isinstance(value, dict):
        plain = True
        for key, item in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError(f"object key {key!r} at {path} is not a string")
            if not _is_plain(item, f"{path}.{key}") or (key and max(key) > "\uffff"):
                plain = False
        return plain
    if isinstance(value, list | tuple):
        plain = True
        for index, item in enumerate(value):
            if not _is_plain(item, f"{path}[{index}]"):
                plain = False
        return plain
    raise CanonicalizationError(f"value at {path} of type {type(value).__name__} is not JSON")
