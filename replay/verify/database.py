"""Verify one ledger in its database: the driver that runs the checks over all its events.

The main process reads what every check needs (the registry stream, into the key timeline; the
transparency log's position, checkpoints and any leaves past the last event), then hands chunks
of notification ids to worker processes (one per core; each reads its own chunk from the
database) and, as the chunks come back in order, links the chains and assembles the tree.
Last it holds the checkpoints, and those the auditor kept, to the recomputed tree.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ledger.domain.operators import registry_stream_id
from replay.source import CheckpointRow, DatabaseSource, readable
from replay.verify.chains import ChainLinker
from replay.verify.checkpoints import check_checkpoints, check_kept
from replay.verify.chunks import Chunk, ChunkResult, check_chunk, start_worker, work
from replay.verify.events import Settings
from replay.verify.keys import KeyTimeline, build_timeline, describe_anchor, origin_of
from replay.verify.report import Failure, Report
from replay.verify.tree import RecomputedTree

CHUNK_BITS = 13
CHUNK_SIZE = 1 << CHUNK_BITS
"""Events per work unit: a power of two, so a complete chunk is a perfect subtree of the log."""

PARALLEL_THRESHOLD = 4 * CHUNK_SIZE
"""Below this many events, processes cost more to start than they save."""

Progress = Callable[[int, int], None]
"""Called with (the last notification id checked, the last one there is)."""


@dataclass
class _Found:
    """What the main process reads before the events: the keys and the transparency log."""

    last_id: int
    timeline: KeyTimeline
    has_log: bool
    tlog_position: int
    checkpoints: list[CheckpointRow]
    tail_leaves: list[tuple[int, int]]


def verify_database(
    url: str,
    ledger_name: str,
    *,
    workers: int | None = None,
    trust_anchor: bytes | None = None,
    kept: Sequence[str] = (),
    strict: bool = False,
    chain_only: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Report:
    """Verify one ledger in its database; ``workers`` processes (default: one per core).

    ``chain_only`` checks only each event's hash and each stream's chain (a quick sweep):
    no keys, no signatures, no transparency log.
    """
    started = time.perf_counter()
    if chunk_size & (chunk_size - 1):
        raise ValueError("the chunk size is a power of two")
    source = DatabaseSource(url, ledger_name)
    report = Report(ledger=ledger_name)
    found = _read_before(source, ledger_name, trust_anchor)
    timeline = found.timeline
    report.failures.extend(timeline.failures)
    describe_anchor(report, timeline, trust_anchor)
    settings = Settings(dict(timeline.keys), timeline.genesis_id, strict, chain_only)
    last_id = found.last_id
    chunks = [
        (index, 1 + index * chunk_size, min(1 + (index + 1) * chunk_size, last_id + 1))
        for index in range(math.ceil(last_id / chunk_size))
    ]
    linker = ChainLinker()
    tree = RecomputedTree()
    for result in _run_chunks(source, settings, chunks, found.tlog_position, workers):
        report.failures.extend(result.failures)
        linker.link(result.records)
        if not chain_only:
            tree.add_chunk(result)
        report.events += result.count
        if progress is not None:
            progress(result.stop - 1, last_id)
    report.failures.extend(linker.failures)
    report.streams = len(linker.heads)
    if chain_only:
        report.notes.append("chain only: no keys, signatures or transparency log were checked")
    else:
        _check_log(report, tree, found, kept, origin_of(ledger_name, timeline))
    report.sort()
    report.seconds = time.perf_counter() - started
    return report


def _read_before(source: DatabaseSource, ledger_name: str, trust_anchor: bytes | None) -> _Found:
    """The key timeline from the registry stream, and where the transparency log stands."""
    try:
        last_id = source.max_notification_id()
        registry = list(readable(source.stream_events(registry_stream_id(ledger_name))))
        timeline = build_timeline(registry, ledger_name, trust_anchor)
        has_log = source.has_transparency_log()
        return _Found(
            last_id,
            timeline,
            has_log,
            source.transparency_position()[0] if has_log else 0,
            source.checkpoints() if has_log else [],
            source.leaves_after(last_id) if has_log else [],
        )
    finally:
        source.close()


def _check_log(
    report: Report, tree: RecomputedTree, found: _Found, kept: Sequence[str], origin: str | None
) -> None:
    """The recomputed tree against the log's leaves past the events and its checkpoints."""
    tree.finish()
    report.failures.extend(
        Failure(nid, "missing-event", f"the transparency log holds leaf {index} for it")
        for nid, index in found.tail_leaves
    )
    report.transparency_log = found.has_log
    report.tree_size = tree.size
    check_checkpoints(report, tree, found.checkpoints, found.timeline, origin)
    check_kept(report, tree, kept, found.timeline, origin)
    if not found.has_log:
        report.notes.append("no transparency log: checkpoints and leaves were not checked")


def _run_chunks(
    source: DatabaseSource,
    settings: Settings,
    chunks: list[Chunk],
    tlog_position: int,
    workers: int | None,
) -> Iterator[ChunkResult]:
    count = workers or os.cpu_count() or 1
    events = chunks[-1][2] - 1 if chunks else 0
    if count <= 1 or (events < PARALLEL_THRESHOLD and workers is None):
        local = DatabaseSource(source.url, source.ledger_name)
        try:
            for chunk in chunks:
                yield check_chunk(local, settings, chunk, tlog_position)
        finally:
            local.close()
        return
    # Fresh interpreters: the caller may hold database pools and threads that must not fork.
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        count, initializer=start_worker, initargs=(source, settings, tlog_position)
    ) as pool:
        yield from pool.imap(work, chunks)


__all__ = ["CHUNK_SIZE", "PARALLEL_THRESHOLD", "Progress", "verify_database"]
