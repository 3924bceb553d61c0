"""Each stream's hash chain: versions 1, 2, 3... each naming the previous event's hash.

Checking an event yields a fixed-size chain record (stream, version, notification id, the
prev_hash it names, its own hash); ``ChainLinker`` links the records in notification order,
wherever they were checked (chunks come back from worker processes in order).
``check_chain_rows`` is the quick sweep (``chain_only``): each event's hash from its bytes and
its record, with no keys and no signatures.
"""

from __future__ import annotations

import hashlib
import struct
from binascii import hexlify, unhexlify
from collections.abc import Sequence
from operator import itemgetter
from uuid import UUID

from ledger.merkle import HASH_SIZE
from ledger.statement import GENESIS_PREV_HASH, PREV_HASH_KEY
from ledger.stored import StoredEventError, read_signed_state, slice_signed_states
from replay.source import HEADER, PackedRow
from replay.verify.report import Failure

RECORD = struct.Struct("<16sqq32s32sB")
"""A chain record: stream id, version, notification id, prev_hash, event hash, flags."""
HAS_PREV = 1
"""The flag of a record whose prev_hash was read (an unreadable statement names none)."""
ZERO_HASH = bytes(HASH_SIZE)
_GENESIS_PREV = bytes.fromhex(GENESIS_PREV_HASH)


def chain_record(
    stream: bytes, version: int, nid: int, prev_hash: bytes | None, event_hash: bytes | None
) -> bytes:
    """The record of one event; an unreadable one still holds its place in its stream."""
    flags = HAS_PREV if prev_hash is not None else 0
    return RECORD.pack(stream, version, nid, prev_hash or ZERO_HASH, event_hash or ZERO_HASH, flags)


class ChainLinker:
    """Links each stream's events, in notification order, into its hash chain."""

    def __init__(self) -> None:
        self.heads: dict[bytes, tuple[int, bytes]] = {}
        self.failures: list[Failure] = []

    def link(self, records: bytes) -> None:
        heads, failures = self.heads, self.failures
        for stream, version, nid, prev, event_hash, flags in RECORD.iter_unpack(records):
            head = heads.get(stream)
            expected_version, expected_prev = (
                (1, _GENESIS_PREV) if head is None else (head[0] + 1, head[1])
            )
            if version != expected_version:
                kind = "version-gap" if version > expected_version else "version-order"
                failures.append(
                    Failure(
                        nid,
                        kind,
                        f"stream {UUID(bytes=stream)} is at version {expected_version - 1}, "
                        f"this event is version {version}",
                    )
                )
            if flags & HAS_PREV and prev != expected_prev:
                failures.append(
                    Failure(
                        nid,
                        "broken-chain",
                        f"stream {UUID(bytes=stream)} version {version} names prev_hash "
                        f"{prev.hex()[:16]}..., the previous event hashes to "
                        f"{expected_prev.hex()[:16]}...",
                    )
                )
            heads[stream] = (version, event_hash)


def check_chain_rows(rows: Sequence[PackedRow]) -> tuple[list[Failure], bytes]:
    """Chain-only checking: each event's hash from its bytes, and its chain link record.

    The statement is sliced from the stored layout (``ledger.stored``) and its prev_hash found
    by its key (``ledger.statement.PREV_HASH_KEY``), without parsing: this sweep is meant to run
    at the speed the database hands out the rows.
    """
    failures: list[Failure] = []
    records = bytearray()
    pack, sha, position = RECORD.pack, hashlib.sha256, HEADER.unpack_from
    key, after = PREV_HASH_KEY, len(PREV_HASH_KEY)
    sliced = slice_signed_states(map(itemgetter(1), rows))
    for (header, state), fields in zip(rows, sliced, strict=True):
        nid, stream, version = position(header)
        if fields is None:
            try:
                statement, signature, stored_hash, _, _ = read_signed_state(state)
            except StoredEventError as error:
                failures.append(Failure(nid, "malformed", str(error)))
                records += pack(stream, version, nid, ZERO_HASH, ZERO_HASH, 0)
                continue
            claimed = stored_hash.encode("utf-8")
        else:
            statement, signature, claimed = fields[0], fields[1], fields[2]
        event_hash = sha(statement + signature).digest()
        if hexlify(event_hash) != claimed:
            failures.append(Failure(nid, "hash-mismatch", "the stored hash is not the bytes' hash"))
        at = statement.rfind(key) + after
        try:
            prev = unhexlify(statement[at : at + 64]) if at >= after else b""
        except ValueError:
            prev = b""
        if len(prev) != HASH_SIZE:
            failures.append(Failure(nid, "malformed", "the statement names no prev_hash"))
            records += pack(stream, version, nid, ZERO_HASH, event_hash, 0)
            continue
        records += pack(stream, version, nid, prev, event_hash, HAS_PREV)
    return failures, bytes(records)


__all__ = [
    "HAS_PREV",
    "RECORD",
    "ZERO_HASH",
    "ChainLinker",
    "chain_record",
    "check_chain_rows",
]
