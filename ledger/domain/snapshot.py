"""What an LAO certifies: the snapshot of its records at a log position, and its Merkle root.

The definition, which auditors recompute from the log alone (docs/domain.md, "The snapshot"):

* the snapshot of LAO X at log position P (a notification id) covers every personnel record X
  held at P: opened there (``RecordOpened`` naming X) or transferred in (``TransferredIn`` after
  a ``TransferredOut`` naming X as ``to_lao``), and not moved on to another LAO by a
  ``TransferredIn`` recorded at or before P. Custody moves at ``TransferredIn``: a record in
  transit (transferred out, not yet in) is still held by the LAO it is leaving;
* each covered record gives one leaf, the ASCII text ``"<stream uuid>:<version>:<hash>"`` of
  its latest event with notification id <= P (the uuid in its canonical lowercase, hyphenated
  form; the hash as the event's 64 hex digits);
* the leaves go in ascending order of stream id (the uuid's text and its 128-bit value sort
  alike); the root is their RFC 9162 Merkle tree hash (``ledger.merkle.root_hash``) in hex, the
  empty tree's root when X held nothing; ``record_count`` is the number of leaves.

The domain only compares: the ledger computes snapshots from its log (``ledger.snapshots``) and
hands the checks a ``SnapshotAt`` through their ``CheckContext``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from uuid import UUID

from ledger.merkle import inclusion_proof, root_hash


@dataclass(frozen=True, slots=True)
class SnapshotLeaf:
    """One covered record: its stream, and the version and hash of its latest event at P."""

    stream: UUID
    version: int
    hash: str

    def encode(self) -> bytes:
        """The leaf's data in the tree: ``"<stream uuid>:<version>:<hash>"`` in ASCII."""
        return f"{self.stream}:{self.version}:{self.hash}".encode("ascii")


@dataclass(frozen=True)
class LaoSnapshot:
    """The snapshot of one LAO's records at one log position (leaves in tree order)."""

    lao: str
    position: int
    leaves: tuple[SnapshotLeaf, ...]
    root: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", root_hash([leaf.encode() for leaf in self.leaves]).hex())

    @classmethod
    def of(cls, lao: str, position: int, leaves: Iterable[SnapshotLeaf]) -> LaoSnapshot:
        """The snapshot of ``leaves`` in any order (put in tree order here)."""
        ordered = sorted(leaves, key=lambda leaf: leaf.stream.int)
        return cls(lao, position, tuple(ordered))

    @property
    def record_count(self) -> int:
        return len(self.leaves)

    @property
    def streams(self) -> frozenset[UUID]:
        return frozenset(leaf.stream for leaf in self.leaves)

    def index_of(self, stream: UUID) -> int | None:
        """The leaf index of ``stream``'s leaf, None when the snapshot does not cover it."""
        for index, leaf in enumerate(self.leaves):
            if leaf.stream == stream:
                return index
        return None

    def inclusion_proof(self, index: int) -> list[bytes]:
        """The RFC 9162 audit path of leaf ``index`` (``ledger.merkle.verify_inclusion`` checks
        it against the root with the leaf's ``ledger.merkle.leaf_hash``)."""
        return inclusion_proof([leaf.encode() for leaf in self.leaves], index)


SnapshotAt = Callable[[str, int], LaoSnapshot | None]
"""The ledger's port for the domain: the snapshot of LAO ``lao`` at log position ``position``,
or None when the log has not reached that position."""


__all__ = ["LaoSnapshot", "SnapshotAt", "SnapshotLeaf"]
