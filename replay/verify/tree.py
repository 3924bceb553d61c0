"""The Merkle tree recomputed from the events, to hold the transparency log's checkpoints to.

Chunks of ``2**k`` notification ids come back in order; while every chunk is complete, each
brings the levels of its perfect subtree, so the whole tree needs only its top levels computed
here. Roots and consistency proofs at any size are folds of stored perfect subtrees
(``ledger.merkle.range_hash``), as in the log's own store.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable

from ledger.merkle import EMPTY_ROOT, HASH_SIZE, consistency_ranges, parent_level, range_hash
from replay.verify.chunks import ChunkResult


class RecomputedTree:
    """The Merkle tree recomputed from the events, kept as whole levels of node hashes."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = [bytearray()]
        self.ids = array("q")
        self._aligned = True

    @property
    def size(self) -> int:
        return len(self.levels[0]) // HASH_SIZE

    def add_chunk(self, result: ChunkResult) -> None:
        """Add a chunk's leaves; while every chunk is complete, also its subtree levels."""
        self.ids.frombytes(result.ids)
        if self._aligned and result.complete:
            for level, hashes in enumerate(result.levels):
                if level == len(self.levels):
                    self.levels.append(bytearray())
                self.levels[level] += hashes
        else:
            self._aligned = False
            self.levels[0] += result.levels[0]

    def add_leaves(self, leaves: bytes, ids: Iterable[int]) -> None:
        self._aligned = False
        self.levels[0] += leaves
        self.ids.extend(ids)

    def finish(self) -> None:
        """Complete the upper levels (and all of them if a chunk was incomplete)."""
        if not self._aligned:
            del self.levels[1:]
        while len(self.levels[-1]) >= 2 * HASH_SIZE:
            self.levels.append(bytearray(parent_level(self.levels[-1])))

    def node(self, level: int, index: int) -> bytes:
        return bytes(self.levels[level][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def root(self, size: int) -> bytes:
        if size == 0:
            return EMPTY_ROOT
        return range_hash(0, size, self.node)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return [range_hash(a, b, self.node) for a, b in consistency_ranges(old_size, new_size)]

    def notification_id(self, size: int) -> int | None:
        """The notification id of the last leaf of a tree of ``size`` leaves."""
        return self.ids[size - 1] if 0 < size <= len(self.ids) else None


__all__ = ["RecomputedTree"]
