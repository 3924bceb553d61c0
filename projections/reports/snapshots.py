"""The snapshots an LAO submitted for certification: which submission named a root, and what
that snapshot covers.

A certification names a snapshot root (``ledger.domain.snapshot``). These reads find the
submission that named it among the LAO's certification cycles (the view lists the cycles; each
cycle's stream remembers every root submitted with its log position), and recompute the
snapshot at that position from the log, so a certifier sees exactly which records, at which
versions and event hashes, the root covers, and can check any one with an inclusion proof.
A submission made before submissions named a position cannot be recomputed: it is not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.certification import CertificationCycle
from ledger.domain.snapshot import LaoSnapshot
from ledger.errors import SnapshotNotFoundError
from projections.views.certification import CycleRow


@dataclass(frozen=True, slots=True)
class SubmittedSnapshot:
    """A snapshot an LAO submitted: the cycle whose submission named it, and the snapshot."""

    cycle: str
    snapshot: LaoSnapshot


def submitted_snapshot(
    ledger: Ledger, lao: str, cycles: Sequence[CycleRow], root: str
) -> SubmittedSnapshot:
    """The snapshot of ``lao`` a submission in one of its ``cycles`` named by ``root`` (the
    latest cycle first); ``SnapshotNotFoundError`` when none did."""
    for row in sorted(cycles, key=lambda found: found.cycle, reverse=True):
        cycle = ledger.aggregate(UUID(row.stream))
        position = cycle.submissions.get(root) if isinstance(cycle, CertificationCycle) else None
        if position is None:
            continue
        snapshot = ledger.snapshot(lao, position)
        if snapshot is not None and snapshot.root == root:
            return SubmittedSnapshot(row.cycle, snapshot)
    raise SnapshotNotFoundError(f"no submission of LAO {lao} named root {root}")


__all__ = ["SubmittedSnapshot", "submitted_snapshot"]
