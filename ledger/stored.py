"""Reading the signed fields of a stored event straight from its bytes, without the domain.

The transparency log and the auditor tools read millions of stored events and need only what was
signed: the statement bytes, the signature, the claimed event hash and the transaction time.
The library stores each event as JSON (``JSONTranscoder``)::

    {"timestamp":{"_type_":"datetime_iso","_data_":"..."},["originator_topic":"...",]
     "statement":"<the canonical statement, as a JSON string>","signature":"<hex>","hash":"<hex>"}

``read_signed_state`` slices that layout directly (several times faster than parsing it: the
statement's many escaped quotes are slow for the JSON parser) and falls back to a full JSON
parse for anything else. It raises ``StoredEventError`` for a state that is not a signed event.
(An encrypted or compressed event store would need its cipher first; the ledger uses neither.)
"""

from __future__ import annotations

import json
import re
from typing import Any

_HEAD = re.compile(
    rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9A-Za-z:.+\-]{1,64})"\}'
    rb'(?:,"originator_topic":"([A-Za-z0-9_.:]{1,300})")?,"statement":"'
)
_TAIL = re.compile(rb'","signature":"([0-9a-f]{128})","hash":"([0-9a-f]{64})"\}')
_TAIL_SIZE = 219

SignedState = tuple[bytes, bytes, str, str, str | None]
"""(statement bytes as signed, signature bytes, claimed event hash, recorded_at ISO text, the
aggregate topic a stream's first event names, else None)."""


class StoredEventError(ValueError):
    """A stored event whose state is not a signed event's (unreadable, or fields missing)."""


def read_signed_state(state: bytes) -> SignedState:
    """The signed fields of a stored event's state; ``StoredEventError`` when it has none."""
    head = _HEAD.match(state)
    if head is not None:
        tail = _TAIL.match(state, len(state) - _TAIL_SIZE)
        if tail is not None and head.end() <= len(state) - _TAIL_SIZE:
            statement = _unescape(state[head.end() : len(state) - _TAIL_SIZE])
            if statement is not None:
                return (
                    statement,
                    bytes.fromhex(tail.group(1).decode("ascii")),
                    tail.group(2).decode("ascii"),
                    head.group(1).decode("ascii"),
                    None if head.group(2) is None else head.group(2).decode("ascii"),
                )
    return _read_slowly(state)


def _unescape(raw: bytes) -> bytes | None:
    """The bytes of a JSON string's body whose only escapes are ``\\"``, else None.

    A canonical statement's own escapes show as a doubled backslash once embedded, so this
    covers every statement the ledger writes; anything else goes to the JSON parser. Unlike the
    parser it passes raw control characters and invalid UTF-8 through: such bytes are not a
    canonical statement, so whoever reads the statement next rejects them anyway.
    """
    if b"\\\\" in raw or raw.count(b'"') != raw.count(b'\\"'):
        return None
    text = raw.replace(b'\\"', b'"')
    return None if b"\\" in text else text


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


__all__ = ["SignedState", "StoredEventError", "event_class_name", "read_signed_state"]
