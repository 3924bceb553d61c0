"""The transparency log's checkpoints against the recomputed tree, and those the auditor kept.

Every checkpoint's signature (the genesis system key, under the log's origin), its root against
the Merkle tree recomputed from the events, and a consistency proof between each two
consecutive checkpoints; then checkpoints the auditor kept from earlier: a rewritten log no
longer hashes to them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.merkle import verify_consistency
from projections.transparency.checkpoints import Checkpoint, open_checkpoint
from projections.transparency.errors import CheckpointError
from replay.source import CheckpointRow
from replay.verify.keys import KeyTimeline
from replay.verify.report import Failure, Report
from replay.verify.tree import RecomputedTree


def open_note(note: str, timeline: KeyTimeline, origin: str | None, *, missing: str) -> Checkpoint:
    """A signed checkpoint note opened with the log's system key and origin; ``CheckpointError``
    when it does not verify, or (saying ``missing``) when the ledger has no system key."""
    system = timeline.system_key
    if system is None or origin is None:
        raise CheckpointError(missing)
    return open_checkpoint(note, system.public_key, origin)


def check_checkpoints(
    report: Report,
    tree: RecomputedTree,
    rows: Sequence[CheckpointRow],
    timeline: KeyTimeline,
    origin: str | None,
) -> list[Checkpoint]:
    """Each checkpoint's signature, root and consistency with the one before; the good ones."""
    verified: list[Checkpoint] = []
    previous: Checkpoint | None = None
    for size, root, _issued, note in rows:
        where = tree.notification_id(min(size, tree.size)) if size else None
        checkpoint = _open_row(report, where, (size, root, note), timeline, origin)
        if checkpoint is None:
            continue
        if size > tree.size:
            report.failures.append(
                Failure(
                    where,
                    "checkpoint-root",
                    f"checkpoint {size} covers more events than the log holds ({tree.size})",
                )
            )
        elif tree.root(size) != checkpoint.root_hash:
            report.failures.append(
                Failure(
                    where,
                    "checkpoint-root",
                    f"the first {size} events no longer hash to checkpoint {size}'s root",
                )
            )
        if previous is not None and size <= tree.size:
            proof = tree.consistency(previous.tree_size, size)
            if not verify_consistency(
                previous.tree_size, size, previous.root_hash, checkpoint.root_hash, proof
            ):
                report.failures.append(
                    Failure(
                        where,
                        "checkpoint-inconsistent",
                        f"checkpoint {size} does not extend checkpoint {previous.tree_size}",
                    )
                )
        previous = checkpoint
        verified.append(checkpoint)
    report.checkpoints = len(rows)
    return verified


def _open_row(
    report: Report,
    where: int | None,
    row: tuple[int, bytes, str],
    timeline: KeyTimeline,
    origin: str | None,
) -> Checkpoint | None:
    """A stored checkpoint's signed note, opened and matched to its row; None if it fails."""
    size, root, note = row
    try:
        checkpoint = open_note(note, timeline, origin, missing="no system key to check")
    except CheckpointError as error:
        problem = error.problem
    else:
        if (checkpoint.tree_size, checkpoint.root_hash) == (size, root):
            return checkpoint
        problem = "the stored size or root differs from the signed note"
    report.failures.append(Failure(where, "checkpoint-signature", f"checkpoint {size}: {problem}"))
    return None


def check_kept(
    report: Report,
    tree: RecomputedTree,
    kept: Sequence[str],
    timeline: KeyTimeline,
    origin: str | None,
) -> None:
    """Checkpoints the auditor kept: signed by the log, and still the log's root at their size."""
    report.kept_checkpoints = len(kept)
    for note in kept:
        try:
            checkpoint = open_note(
                note, timeline, origin, missing="the ledger has no system key to check it with"
            )
        except CheckpointError as error:
            report.failures.append(Failure(None, "kept-checkpoint", error.problem))
            continue
        size = checkpoint.tree_size
        if size > tree.size:
            report.failures.append(
                Failure(
                    tree.notification_id(tree.size),
                    "kept-checkpoint",
                    f"the kept checkpoint covers {size} events, the log now holds {tree.size}: "
                    "events were removed",
                )
            )
        elif tree.root(size) != checkpoint.root_hash:
            report.failures.append(
                Failure(
                    tree.notification_id(size),
                    "kept-checkpoint",
                    f"the log was rewritten: its first {size} events no longer hash to the root "
                    f"of the checkpoint signed at {checkpoint.issued_at.isoformat()}",
                )
            )


__all__ = ["check_checkpoints", "check_kept", "open_note"]
