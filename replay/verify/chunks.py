"""One chunk of notification ids, checked in a worker process: the unit of parallel work.

Each worker reads its own chunk from the database (a ``DatabaseSource`` pickles as its URL),
checks its events (``replay.verify.events``, or only their chains) and its transparency leaves,
and sends back what the main process needs to link the chains and build the tree: failures,
chain records, leaf ids and, for a complete chunk, the levels of its perfect subtree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ledger.merkle import subtree_levels
from replay.source import HEADER, DatabaseSource, PackedRow
from replay.verify.chains import check_chain_rows
from replay.verify.events import Checker, Settings
from replay.verify.report import Failure

Chunk = tuple[int, int, int]
"""(chunk index, first notification id, stop): the ids ``[first, stop)``."""


@dataclass
class ChunkResult:
    """What one chunk of notification ids gave: failures, chain records, leaves, subtree levels."""

    index: int
    first: int
    stop: int
    count: int
    complete: bool
    failures: list[Failure]
    records: bytes
    ids: bytes
    levels: list[bytes]


def check_chunk(
    source: DatabaseSource, settings: Settings, chunk: Chunk, tlog_position: int
) -> ChunkResult:
    """Check the events with notification ids in one chunk (and their transparency leaves)."""
    index, first, stop = chunk
    rows = source.packed_events(first, stop)
    if settings.chain_only:
        failures, records = check_chain_rows(rows)
        failures.extend(_gaps(rows, first, stop))
        return ChunkResult(index, first, stop, len(rows), False, failures, records, b"", [b""])
    logged = (
        source.packed_leaves(first, min(stop, tlog_position + 1)) if tlog_position >= first else {}
    )
    checker = Checker(settings, logged, tlog_position)
    checker.check_rows(rows)
    failures = checker.failures
    complete = len(rows) == stop - first
    failures.extend(_gaps(rows, first, stop))
    leaves = bytes(checker.leaves)
    levels = subtree_levels(leaves) if complete else [leaves]
    records, ids = bytes(checker.records), checker.ids.tobytes()
    return ChunkResult(index, first, stop, len(rows), complete, failures, records, ids, levels)


def _gaps(rows: Sequence[PackedRow], first: int, stop: int) -> list[Failure]:
    """The notification ids in ``[first, stop)`` that no row holds."""
    if len(rows) == stop - first:
        return []
    present = {HEADER.unpack_from(header)[0] for header, _ in rows}
    return [
        Failure(nid, "missing-event", "no stored event has this notification id")
        for nid in range(first, stop)
        if nid not in present
    ]


# Worker processes: each keeps its source and settings, given once when the pool starts.

_WORKER: dict[str, Any] = {}


def start_worker(source: DatabaseSource, settings: Settings, tlog_position: int) -> None:
    """The pool's initializer: what every chunk of this process is checked with."""
    _WORKER.update(source=source, settings=settings, tlog_position=tlog_position)


def work(chunk: Chunk) -> ChunkResult:
    """Check one chunk in a worker process."""
    return check_chunk(_WORKER["source"], _WORKER["settings"], chunk, _WORKER["tlog_position"])


__all__ = ["Chunk", "ChunkResult", "check_chunk", "start_worker", "work"]
