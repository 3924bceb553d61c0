"""Reading a stored event's signed fields: the fast slice agrees with a full JSON parse."""

from __future__ import annotations

import json

import pytest

from ledger.stored import (
    SIGNED_FIELD_PATHS,
    StoredEventError,
    _read_slowly,
    event_class_name,
    read_signed_state,
    slice_signed_states,
)

SIGNATURE = "ab" * 64
HASH = "cd" * 32


def state(statement: str, *, topic: str | None = None, **extra: object) -> bytes:
    """A stored state laid out as the library writes it."""
    value: dict[str, object] = {
        "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-05T09:00:00.123456+00:00"}
    }
    if topic is not None:
        value["originator_topic"] = topic
    value.update(statement=statement, signature=SIGNATURE, hash=HASH, **extra)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


STATEMENTS = [
    '{"data":{"province":"นครพนม"},"type":"RecordOpened","v":1}',
    '{"data":{"note":"a \\"quoted\\" word"},"v":1}',
    '{"data":{"path":"C:\\\\records"},"v":1}',
    '{"data":{"lines":"one\\ntwo\\u0007"},"v":1}',
    '{"data":{"emoji":"😀"},"v":1}',
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_fast_read_agrees_with_a_full_parse(statement: str) -> None:
    """Quotes, backslashes, control escapes and non-BMP text: both readers give the same."""
    stored = state(statement, topic="ledger.domain.personnel:PersonnelRecord")

    fast = read_signed_state(stored)

    assert _read_slowly(stored) == fast
    assert statement.encode("utf-8") == fast[0]
    assert ("ledger.domain.personnel:PersonnelRecord", bytes.fromhex(SIGNATURE)) == (
        fast[4],
        fast[1],
    )


def test_a_later_event_names_no_aggregate_topic() -> None:
    """Only a stream's first event carries the aggregate topic."""
    assert None is read_signed_state(state(STATEMENTS[0]))[4]


def test_other_layouts_are_read_by_the_full_parse() -> None:
    """Fields in another order, or an extra field, still read correctly."""
    stored = json.dumps(
        {
            "hash": HASH,
            "signature": SIGNATURE,
            "statement": STATEMENTS[0],
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-05T09:00:00+00:00"},
        },
        ensure_ascii=False,
    ).encode("utf-8")

    assert STATEMENTS[0].encode("utf-8") == read_signed_state(stored)[0]


@pytest.mark.parametrize(
    "stored",
    [
        b"not json",
        b"[1, 2]",
        b'{"statement": "x"}',
        state(STATEMENTS[0]).replace(SIGNATURE.encode(), b"zz" * 64),
        b'{"timestamp":{"_data_":"x"},"statement":1,"signature":"ab","hash":"cd"}',
    ],
)
def test_a_state_that_is_not_a_signed_event_is_refused(stored: bytes) -> None:
    """Not JSON, not an object, missing or mistyped fields: StoredEventError."""
    with pytest.raises(StoredEventError):
        read_signed_state(stored)


def test_the_event_class_is_the_last_part_of_a_topic() -> None:
    """``module:Aggregate.Event`` names the event class ``Event``."""
    assert "RecordOpened" == event_class_name(
        "ledger.domain.personnel:PersonnelRecord.RecordOpened"
    )


def test_a_batch_is_sliced_as_each_state_is_read() -> None:
    """Each state of a batch in the library's layout gives read_signed_state's fields, as bytes."""
    plain = [text for text in STATEMENTS if "\\" not in text]  # no escapes of its own
    states = [state(text, topic="ledger.domain.personnel:PersonnelRecord") for text in plain]

    sliced = list(slice_signed_states(states))

    for stored, fields in zip(states, sliced, strict=True):
        statement, signature, claimed, recorded_at, origin = read_signed_state(stored)
        assert fields is not None
        assert (statement, signature) == fields[:2]
        assert (claimed, recorded_at, origin) == tuple(
            None if item is None else item.decode("ascii") for item in fields[2:]
        )


@pytest.mark.parametrize(
    "stored",
    [
        state(STATEMENTS[0], extra="field"),
        state(STATEMENTS[1]),
        state(STATEMENTS[2]),
        state(STATEMENTS[0]).replace(SIGNATURE.encode(), b"zz" * 64),
        b"not json",
    ],
)
def test_a_state_laid_out_otherwise_is_left_to_the_full_read(stored: bytes) -> None:
    """An extra field, a statement with escapes of its own, a signature not in hex: None."""
    assert [None] == list(slice_signed_states([stored]))


def test_the_field_paths_find_the_signed_fields() -> None:
    """SIGNED_FIELD_PATHS lead to the statement, signature, hash and time in the stored JSON."""
    value = json.loads(state(STATEMENTS[0]))
    found = []
    for path in SIGNED_FIELD_PATHS:
        item = value
        for key in path:
            item = item[key]
        found.append(item)

    assert [STATEMENTS[0], SIGNATURE, HASH, "2026-01-05T09:00:00.123456+00:00"] == found
