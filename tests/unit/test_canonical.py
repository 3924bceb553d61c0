"""RFC 8785 canonical JSON: the RFC's own examples and properties."""

from __future__ import annotations

import contextlib
import json
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.canonical import CanonicalizationError, canonicalize, parse_canonical

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical number text.
NUMBER_EXAMPLES = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBER_EXAMPLES)
def test_numbers_follow_ecmascript(bits: str, expected: str) -> None:
    """Each RFC 8785 Appendix B double serializes as ECMAScript's Number-to-String does."""
    value = struct.unpack(">d", bytes.fromhex(bits))[0]

    actual = canonicalize(value)

    assert expected.encode() == actual


def test_rfc_section_3_2_2_example() -> None:
    """The RFC's worked example of number and string serialization is reproduced byte for byte."""
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()

    actual = canonicalize(json.loads(source))

    assert expected == actual


def test_keys_sort_by_utf16_code_units() -> None:
    """Object keys sort by UTF-16 code units (RFC 8785 section 3.2.3), not by code points."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }

    keys = list(json.loads(canonicalize(value)).keys())

    assert ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"] == keys


def test_thai_text_is_kept_as_utf8() -> None:
    """Thai characters are written as UTF-8, not as \\u escapes."""
    actual = canonicalize({"name": "สมชาย ใจดี"})

    assert '{"name":"สมชาย ใจดี"}'.encode() == actual


@pytest.mark.parametrize(
    ("value", "named"),
    [
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        ({"a": [1, 2**53]}, "$.a[1]"),
        ({"a": -(2**60)}, "$.a"),
        ({1: "x"}, "key 1"),
        ({"a": {1, 2}}, "$.a"),
    ],
)
def test_values_without_canonical_form_are_rejected(value: object, named: str) -> None:
    """NaN, Infinity, integers beyond 2**53 and non-JSON values raise an error naming them."""
    with pytest.raises(CanonicalizationError, match=named.replace("[", r"\[").replace("$", r"\$")):
        canonicalize(value)


def test_parse_rejects_non_canonical_bytes() -> None:
    """Bytes that are valid JSON but not in canonical form are refused."""
    with pytest.raises(CanonicalizationError, match="not RFC 8785 canonical"):
        parse_canonical(b'{"b": 1, "a": 2}')


def test_parse_rejects_duplicate_keys() -> None:
    """A duplicated key cannot survive re-canonicalization, so it is refused."""
    with pytest.raises(CanonicalizationError):
        parse_canonical(b'{"a":1,"a":1}')


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_is_a_fixed_point(value: object) -> None:
    """Canonicalizing the parse of a canonical form gives the same bytes back."""
    canonical = canonicalize(value)

    again = canonicalize(parse_canonical(canonical))

    assert canonical == again


@given(json_values)
def test_fast_path_equals_the_reference_implementation(value: object) -> None:
    """Whatever path canonicalize takes, its bytes equal the rfc8785 reference implementation."""
    import rfc8785

    assert rfc8785.dumps(value) == canonicalize(value)


@given(
    st.dictionaries(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=20) | st.integers(-1000, 1000),
        max_size=6,
    )
)
def test_thai_emoji_and_controls_match_the_reference(value: dict[str, object]) -> None:
    """Keys and strings with Thai, emoji (outside the BMP) and control characters match rfc8785."""
    import rfc8785

    assert rfc8785.dumps(value) == canonicalize(value)


def _reference_accepts(raw: bytes) -> bool:
    """The rule parse_canonical implements, by the reference implementation: JSON numbers are
    doubles, and the bytes must be the rfc8785 form of what they parse to."""
    import json

    import rfc8785

    def double_int(text: str) -> int | float:
        number = int(text)
        return number if abs(number) < 2**53 else float(text)

    try:
        value = json.loads(raw.decode("utf-8"), parse_int=double_int)
        return bool(rfc8785.dumps(value) == raw)
    except (ValueError, rfc8785.CanonicalizationError):
        return False


@given(
    st.dictionaries(
        st.text(alphabet=st.characters(codec="utf-8"), max_size=6),
        json_values | st.integers(min_value=2**53 - 2, max_value=2**64),
        max_size=6,
    )
)
def test_parse_accepts_exactly_what_the_reference_accepts(value: dict[str, object]) -> None:
    """Whichever of its paths decides, parse_canonical accepts a spelling of a value (canonical,
    spaced, ASCII-escaped, keys in code-point order) exactly when the reference does."""
    import json

    import rfc8785

    spellings = [
        json.dumps(value, ensure_ascii=False, sort_keys=True).encode(),
        json.dumps(value, ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode(),
        json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode(),
    ]
    with contextlib.suppress(rfc8785.CanonicalizationError):  # beyond 2**53: no exact form
        spellings.append(rfc8785.dumps(value))
    for spelling in spellings:
        try:
            parse_canonical(spelling)
            accepted = True
        except CanonicalizationError:
            accepted = False
        assert _reference_accepts(spelling) == accepted, spelling


@pytest.mark.parametrize(
    ("raw", "rule_id"),
    [
        (b'{"a":' + b"1" * 5000 + b"}", "statement.number_too_long"),
        (b'{"a":' + b"1" * 31 + b"}", "statement.number_too_long"),
        (b"[" * 100_000 + b"]" * 100_000, "statement.too_deep"),
        (b"[" * 40 + b"]" * 40, "statement.too_deep"),
        (b'{"a":"' + b"x" * (256 * 1024) + b'"}', "statement.too_large"),
    ],
)
def test_hostile_input_is_refused_before_parsing(raw: bytes, rule_id: str) -> None:
    """Huge numbers, deep nesting and oversized bytes are refused with their rule, not parsed."""
    with pytest.raises(CanonicalizationError) as refused:
        parse_canonical(raw)

    assert rule_id == refused.value.rule_id


def test_digits_and_brackets_inside_strings_are_not_counted() -> None:
    """A string of many digits or brackets is text, not a number or nesting."""
    raw = canonicalize({"a": "1" * 40, "b": "[" * 40, "c": [[[1]]]})

    assert {"a": "1" * 40, "b": "[" * 40, "c": [[[1]]]} == parse_canonical(raw)


def test_nesting_at_the_limit_is_read() -> None:
    """32 levels of nesting are still read."""
    raw = b"[" * 32 + b"]" * 32

    assert parse_canonical(raw) is not None
