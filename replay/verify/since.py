"""Re-audit since a kept checkpoint: check only the events the log took in after it.

An auditor who verified the ledger once keeps the checkpoint of that audit (a note signed by the
system key). ``verify_since`` then costs the new events, not the whole log:

* the kept checkpoint must open with the ledger's system key under the log's origin (a forged
  checkpoint, or one of another ledger, is refused);
* the newest checkpoint likewise; the log's stored right edge of the kept tree must fold to the
  kept root, and the RFC 9162 consistency proof from the log's store must show the kept tree is a
  prefix of the newest one (a log rebuilt after an old event was deleted or changed fails here);
* every event in the leaves between the two sizes is checked in full (hash, binding, key as of
  signing time, role, signature, its transparency leaf), and the recomputed leaves appended to
  the kept tree's edge must give the newest checkpoint's root (and each checkpoint's between);
* each stream's chain is linked across the boundary: the last event before the range of every
  stream the range touches is read, checked, and proved to be in the kept tree by an inclusion
  proof against the kept root.

What it cannot see: an old event whose stored bytes were changed (or deleted) while the log's
tree was left alone. Those bytes are not read again, and the log still proves the kept tree;
only a full ``verify_database`` recomputes every old event. The key registry is replayed in full
(it is small) because a new event's signer may have been enrolled at any time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from ledger.domain.operators import registry_stream_id
from ledger.merkle import (
    Frontier,
    consistency_ranges,
    frontier_nodes,
    inclusion_ranges,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from projections.transparency.checkpoints import Checkpoint
from projections.transparency.errors import CheckpointError
from replay.errors import SourceError
from replay.source import CheckpointRow, DatabaseSource, readable
from replay.verify.chains import RECORD, ChainLinker
from replay.verify.checkpoints import open_note
from replay.verify.events import Checker, Settings
from replay.verify.keys import KeyTimeline, build_timeline, describe_anchor, origin_of
from replay.verify.report import Failure, Report

LIMITS_NOTE = (
    "only events after the kept checkpoint were read: an old event changed or deleted in the "
    "database while the log's tree was left alone is found only by a full verify"
)


@dataclass
class SinceResult:
    """A re-audit's report, and what it proved about the two checkpoints."""

    report: Report
    kept: Checkpoint | None = None
    newest: Checkpoint | None = None
    newest_note: str | None = None
    prefix_proven: bool = False
    """The consistency proof shows the kept tree is a prefix of the newest."""
    later_events: int = 0
    """Events the log took in after the newest checkpoint: left for the next audit."""


def verify_since(
    url: str,
    ledger_name: str,
    kept_note: str,
    *,
    trust_anchor: bytes | None = None,
    strict: bool = False,
) -> SinceResult:
    """Verify what the log took in since ``kept_note`` (a checkpoint note kept earlier)."""
    started = time.perf_counter()
    source = DatabaseSource(url, ledger_name)
    result = SinceResult(Report(ledger=ledger_name))
    report = result.report
    try:
        _verify(source, result, kept_note, trust_anchor, strict)
    except SourceError as error:
        report.failures.append(Failure(None, "kept-checkpoint", f"cannot read the log: {error}"))
    finally:
        source.close()
    report.notes.append(LIMITS_NOTE)
    report.sort()
    report.seconds = time.perf_counter() - started
    return result


def _verify(
    source: DatabaseSource,
    result: SinceResult,
    kept_note: str,
    trust_anchor: bytes | None,
    strict: bool,
) -> None:
    report = result.report
    registry = list(readable(source.stream_events(registry_stream_id(source.ledger_name))))
    timeline = build_timeline(registry, source.ledger_name, trust_anchor)
    report.failures.extend(timeline.failures)
    describe_anchor(report, timeline, trust_anchor)
    origin = origin_of(source.ledger_name, timeline)
    report.kept_checkpoints = 1
    try:
        kept = open_note(kept_note, timeline, origin, missing="the ledger has no system key")
    except CheckpointError as error:
        report.failures.append(Failure(None, "kept-checkpoint", f"refused: {error.problem}"))
        return
    result.kept = kept
    if not source.has_transparency_log():
        report.failures.append(Failure(None, "kept-checkpoint", "the ledger has no log"))
        return
    rows = source.checkpoints()
    report.transparency_log = True
    report.checkpoints = len(rows)
    newest = _newest(report, rows, timeline, origin)
    if newest is None:
        return
    note, new = newest
    result.newest, result.newest_note = new, note
    report.tree_size = new.tree_size
    if new.tree_size < kept.tree_size:
        report.failures.append(
            Failure(
                None,
                "kept-checkpoint",
                f"the newest checkpoint covers {new.tree_size} events, fewer than the kept "
                f"{kept.tree_size}: events were removed",
            )
        )
        return
    proof = source.range_hashes(consistency_ranges(kept.tree_size, new.tree_size))
    result.prefix_proven = verify_consistency(
        kept.tree_size, new.tree_size, kept.root_hash, new.root_hash, proof
    )
    if not result.prefix_proven:
        report.failures.append(
            Failure(
                None,
                "kept-checkpoint",
                f"the consistency proof fails: checkpoint {new.tree_size} does not extend the "
                f"kept checkpoint {kept.tree_size} (the log was rewritten)",
            )
        )
    frontier = _kept_edge(source, report, kept)
    if frontier is None:
        return
    settings = Settings(dict(timeline.keys), timeline.genesis_id, strict)
    between = {size: root for size, root, _, _ in rows}
    _check_range(source, result, settings, frontier, between, kept, new)
    result.later_events = max(0, source.max_notification_id() - _last_checked(source, new))


def _newest(
    report: Report, rows: list[CheckpointRow], timeline: KeyTimeline, origin: str | None
) -> tuple[str, Checkpoint] | None:
    """The newest stored checkpoint, opened with the system key; None (and a failure) if bad."""
    if not rows:
        report.failures.append(Failure(None, "checkpoint-signature", "the log has no checkpoint"))
        return None
    size, root, _, note = rows[-1]
    try:
        checkpoint = open_note(note, timeline, origin, missing="the ledger has no system key")
    except CheckpointError as error:
        report.failures.append(
            Failure(None, "checkpoint-signature", f"checkpoint {size}: {error.problem}")
        )
        return None
    if (checkpoint.tree_size, checkpoint.root_hash) != (size, root):
        report.failures.append(
            Failure(
                None, "checkpoint-signature", f"checkpoint {size}: the row differs from its note"
            )
        )
        return None
    return note, checkpoint


def _kept_edge(source: DatabaseSource, report: Report, kept: Checkpoint) -> Frontier | None:
    """The kept tree's right edge from the log's store, which must fold to the kept root."""
    nodes = frontier_nodes(kept.tree_size)
    stored = source.subtree_hashes(nodes)
    frontier = Frontier(kept.tree_size, [stored[node] for node in nodes])
    if frontier.root() == kept.root_hash:
        return frontier
    report.failures.append(
        Failure(
            None,
            "kept-checkpoint",
            f"the log's stored tree no longer has the kept root at size {kept.tree_size} "
            "(the log was rewritten)",
        )
    )
    return None


def _check_range(
    source: DatabaseSource,
    result: SinceResult,
    settings: Settings,
    frontier: Frontier,
    between: dict[int, bytes],
    kept: Checkpoint,
    new: Checkpoint,
) -> None:
    """Check the events of leaves [kept size, newest size) and fold them onto the kept edge."""
    report = result.report
    leaves = source.leaf_rows(kept.tree_size, new.tree_size)
    if [index for index, _, _ in leaves] != list(range(kept.tree_size, new.tree_size)):
        report.failures.append(
            Failure(None, "leaf-mismatch", "the log's leaves between the checkpoints have gaps")
        )
        return
    if not leaves:
        return
    first, last = leaves[0][1], leaves[-1][1]
    checker = Checker(settings, source.packed_leaves(first, last + 1), last)
    rows = source.packed_events(first, last + 1)
    checker.check_rows(rows)
    report.failures.extend(checker.failures)
    report.events = len(rows)
    present = set(checker.ids)
    report.failures.extend(
        Failure(nid, "missing-event", "the log holds a leaf for it, the database no event")
        for _, nid, _ in leaves
        if nid not in present
    )
    leaf_hashes = bytes(checker.leaves)
    for offset in range(0, len(leaf_hashes), 32):
        frontier.append(leaf_hashes[offset : offset + 32])
        stored = between.get(frontier.size)
        if stored is not None and stored != frontier.root():
            report.failures.append(
                Failure(
                    checker.ids[offset // 32],
                    "checkpoint-root",
                    f"the events no longer hash to checkpoint {frontier.size}'s root",
                )
            )
    if frontier.size != new.tree_size:
        report.failures.append(
            Failure(
                None,
                "checkpoint-root",
                f"{frontier.size - kept.tree_size} events recomputed for "
                f"{new.tree_size - kept.tree_size} leaves",
            )
        )
    linker = ChainLinker()
    _seed_heads(source, report, settings, linker, checker, kept)
    linker.link(bytes(checker.records))
    report.failures.extend(linker.failures)
    report.streams = len(linker.heads)


def _seed_heads(
    source: DatabaseSource,
    report: Report,
    settings: Settings,
    linker: ChainLinker,
    checker: Checker,
    kept: Checkpoint,
) -> None:
    """Each touched stream's last event before the range: checked, and proved in the kept tree."""
    first_versions: dict[bytes, int] = {}
    for stream, version, _nid, _prev, _hash, _flags in RECORD.iter_unpack(bytes(checker.records)):
        first_versions.setdefault(stream, version)
    for stream, version in first_versions.items():
        if version <= 1:
            continue
        found = source.stream_event(UUID(bytes=stream), version - 1)
        if found is None:
            continue  # the linker reports the version gap
        before = Checker(settings)
        before.check_row(found)
        report.failures.extend(before.failures)
        nid, event_hash = next(before.event_hashes())
        if not _in_kept_tree(source, kept, nid, event_hash):
            report.failures.append(
                Failure(
                    nid,
                    "kept-checkpoint",
                    f"stream {UUID(bytes=stream)} version {version - 1} is not in the kept "
                    "checkpoint's tree",
                )
            )
        linker.heads[stream] = (version - 1, event_hash)


def _in_kept_tree(source: DatabaseSource, kept: Checkpoint, nid: int, event_hash: bytes) -> bool:
    """An inclusion proof of the event's leaf against the kept root."""
    logged = source.leaves(nid, nid + 1).get(nid)
    if logged is None or logged[0] >= kept.tree_size:
        return False
    index = logged[0]
    proof = source.range_hashes(inclusion_ranges(index, kept.tree_size))
    return verify_inclusion(index, kept.tree_size, leaf_hash(event_hash), proof, kept.root_hash)


def _last_checked(source: DatabaseSource, new: Checkpoint) -> int:
    """The notification id of the newest checkpoint's last leaf (0 for an empty tree)."""
    if new.tree_size == 0:
        return 0
    rows = source.leaf_rows(new.tree_size - 1, new.tree_size)
    return rows[0][1] if rows else 0


__all__ = ["LIMITS_NOTE", "SinceResult", "verify_since"]
