"""The stored layout of a signed event: the one reader of its bytes, without the domain.

The transparency log, the projections and the auditor tools read millions of stored events and
need only what was signed: the statement bytes, the signature, the claimed event hash and the
transaction time. The library stores each event as JSON (``JSONTranscoder``)::

    {"timestamp":{"_type_":"datetime_iso","_data_":"..."},["originator_topic":"...",]
     "statement":"<the canonical statement, as a JSON string>","signature":"<hex>","hash":"<hex>"}

This module is the only one that knows that layout (as the library's ``Mapper`` owns encoding
and decoding; everyone else calls it): ``read_signed_state`` reads one state,
``slice_signed_states`` a batch of them for the auditor's hot loop, and ``SIGNED_FIELD_PATHS``
tells a database that extracts the fields itself where they are. Slicing the layout is several
times faster than parsing it (the statement's many escaped quotes are slow for the JSON parser);
anything laid out otherwise goes to a full JSON parse, and a state that is not a signed event's
raises ``StoredEventError``. (An encrypted or compressed event store would need its cipher
first; the ledger uses neither.)
"""

from __future__ import annotations

import json
import re
from binascii import unhexlify
from collections.abc import Iterable, Iterator
from typing import Any

_HEAD = re.compile(
    rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9A-Za-z:.+\-]{1,64})"\}'
    rb'(?:,"originator_topic":"([A-Za-z0-9_.:]{1,300})")?,"statement":"'
)
_TAIL_SIZE = 219
"""``","signature":"`` (15 bytes), 128 hex digits, ``","hash":"`` (10), 64 hex digits, ``"}``."""
_HASH_HEX = re.compile(rb"[0-9a-f]{64}")

SignedState = tuple[bytes, bytes, str, str, str | None]
"""(statement bytes as signed, signature bytes, claimed event hash, recorded_at ISO text, the
aggregate topic a stream's first event names, else None)."""

SlicedState = tuple[bytes, bytes, bytes, bytes, bytes | None]
"""A ``SignedState`` as sliced, its text fields left as the stored ASCII bytes: (statement,
signature, claimed event hash in hex, recorded_at, aggregate topic or None)."""

SIGNED_FIELD_PATHS: tuple[tuple[str, ...], ...] = (
    ("statement",),
    ("signature",),
    ("hash",),
    ("timestamp", "_data_"),
)
"""Where the statement, signature, hash and transaction time sit in the stored JSON object, for
a database that takes them out itself (PostgreSQL's ``->>``, in ``projections.log``)."""


class StoredEventError(ValueError):
    """A stored event whose state is not a signed event's (unreadable, or fields missing)."""


def read_signed_state(state: bytes) -> SignedState:
    """The signed fields of a stored event's state; ``StoredEventError`` when it has none."""
    sliced = next(slice_signed_states((state,)))
    if sliced is not None and _HASH_HEX.fullmatch(sliced[2]):
        statement, signature, claimed, recorded_at, origin = sliced
        return (
            statement,
            signature,
            claimed.decode("ascii"),
            recorded_at.decode("ascii"),
            None if origin is None else origin.decode("ascii"),
        )
    return _read_slowly(state)


def slice_signed_states(states: Iterable[bytes]) -> Iterator[SlicedState | None]:
    """The signed fields of each state sliced from the layout above; None for a state laid out
    otherwise (``read_signed_state`` parses it, or says what is wrong with it).

    One call for a batch, so that a verifier reading a million states adds no Python call per
    state. The statement is unescaped only when its sole escapes are ``\\"``: a canonical
    statement's own escapes show as a doubled backslash once embedded, so this covers every
    statement the ledger writes, and anything else goes to the JSON parser. Unlike the parser it
    passes raw control characters and invalid UTF-8 through: such bytes are not a canonical
    statement, so whoever reads the statement next rejects them anyway. The signature's hex is
    checked here; the claimed hash's is left to the caller, who compares it with the hash it
    computes.
    """
    head_match = _HEAD.match
    for state in states:
        head = head_match(state)
        end = len(state) - _TAIL_SIZE
        if (
            head is None
            or head.end() > end
            or state[end : end + 15] != b'","signature":"'
            or state[end + 143 : end + 153] != b'","hash":"'
            or state[end + 217 :] != b'"}'
        ):
            yield None
            continue
        raw = state[head.end() : end]
        text = raw.replace(b'\\"', b'"')
        if b"\\" in text or raw.count(b'"') != len(raw) - len(text):
            yield None
            continue
        try:
            signature = unhexlify(state[end + 15 : end + 143])
        except ValueError:
            yield None
            continue
        yield text, signature, state[end + 153 : end + 217], head.group(1), head.group(2)


def _read_slowly(state: bytes) -> SignedState:
    try:
        value: Any = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        raise StoredEventError("the stored state is not JSON") from None
    if not isinstance(value, dict):
        raise StoredEventError("the stored state is not a JSON object")
    statement, signature, claimed = (value.get(key) for key in ("statement", "signature", "hash"))
    timestamp = value.get("timestamp")
    recorded_at = timestamp.get("_data_") if isinstance(timestamp, dict) else None
    if not (isinstance(statement, str) and isinstance(signature, str)):
        raise StoredEventError("the stored event has no statement and signature")
    if not (isinstance(claimed, str) and isinstance(recorded_at, str)):
        raise StoredEventError("the stored event has no hash or no timestamp")
    origin = value.get("originator_topic")
    if origin is not None and not isinstance(origin, str):
        raise StoredEventError("the stored aggregate topic is not text")
    try:
        raw_signature = bytes.fromhex(signature)
        raw_statement = statement.encode("utf-8")
    except (ValueError, UnicodeEncodeError):
        raise StoredEventError(
            "the stored signature is not hex, or the statement not UTF-8"
        ) from None
    return raw_statement, raw_signature, claimed, recorded_at, origin


def event_class_name(topic: str) -> str:
    """The event class a stored topic names (``module:Aggregate.Event`` -> ``Event``)."""
    return topic.rpartition(":")[2].rpartition(".")[2]


__all__ = [
    "SIGNED_FIELD_PATHS",
    "SignedState",
    "SlicedState",
    "StoredEventError",
    "event_class_name",
    "read_signed_state",
    "slice_signed_states",
]
