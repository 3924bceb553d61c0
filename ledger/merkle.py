"""The Merkle tree of RFC 9162 section 2.1 (the RFC 6962 tree): hashes, proofs, verification.

The transparency log (``projections.transparency.projection``) appends each event hash as a
leaf; auditors check inclusion and consistency proofs with the functions here and nothing else, so
this module is pure: no I/O, no state beyond the objects it returns.

Two layers:

* the stable functions of DESIGN.md section 8 (``leaf_hash``, ``node_hash``, ``root_hash``,
  ``inclusion_proof``, ``consistency_proof``, ``verify_inclusion``, ``verify_consistency``) over an
  in-memory list of leaves (raw data, hashed here);
* the pieces a stored tree needs to append and prove in O(log n) without rehashing its leaves:
  ``Frontier`` (the right edge of the tree: append a leaf hash, learn which perfect subtrees it
  completed, get the root at any size), ``inclusion_ranges`` / ``consistency_ranges`` (which leaf
  ranges a proof is made of) and ``perfect_nodes`` / ``range_hash`` (a range as a fold of the
  stored perfect subtrees). A perfect subtree is named ``(level, index)``: the hash of leaves
  ``index * 2**level`` up to ``(index + 1) * 2**level``; level 0 is a leaf hash;
* the same over a store (``gather_subtrees``, ``range_hashes``: the transparency log's tables,
  read by the log's store and by the auditor alike) and over whole levels of concatenated hashes
  (``parent_level``, ``subtree_levels``: the auditor recomputing the tree from the events).

Verification returns False for every malformed or wrong input (wrong types, sizes, lengths,
truncated or extended proofs) and never raises.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

HASH_SIZE = 32
"""Bytes in a SHA-256 hash: every leaf hash, node hash, root and proof element."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: the hash of the empty string (RFC 9162 section 2.1.1)."""

_sha256 = hashlib.sha256

NodeLookup = Callable[[int, int], bytes]
"""Returns the stored hash of the perfect subtree ``(level, index)``."""

SubtreeLookup = Callable[[Sequence[tuple[int, int]]], Mapping[tuple[int, int], bytes]]
"""Returns the stored hashes of many perfect subtrees ``(level, index)`` at once."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf holding ``data``: ``SHA-256(0x00 || data)``."""
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``SHA-256(0x01 || left || right)``."""
    return _sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` >= 2): the left subtree's size."""
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a list of leaves (raw data); the empty tree's is ``EMPTY_ROOT``."""
    frontier = Frontier()
    for data in leaves:
        frontier.append(leaf_hash(data))
    return frontier.root()


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``leaves`` (RFC 9162 section 2.1.3.1)."""
    size = len(leaves)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    hashes = [leaf_hash(data) for data in leaves]
    return [_subtree_root(hashes, start, end) for start, end in inclusion_ranges(index, size)]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the first ``old_size`` leaves are a prefix of ``leaves`` (section 2.1.4.1).

    Empty when ``old_size`` is 0 or the whole tree (nothing to prove).
    """
    new_size = len(leaves)
    if not 0 <= old_size <= new_size:
        raise ValueError(f"old size {old_size} is outside 0..{new_size}")
    hashes = [leaf_hash(data) for data in leaves]
    return [
        _subtree_root(hashes, start, end) for start, end in consistency_ranges(old_size, new_size)
    ]


def _subtree_root(hashes: Sequence[bytes], start: int, end: int) -> bytes:
    frontier = Frontier()
    for item in hashes[start:end]:
        frontier.append(item)
    return frontier.root()


# Which leaf ranges a proof is made of.


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[start, end)`` whose hashes form leaf ``index``'s path, leaf end first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    ranges = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes prove ``old_size`` consistent with ``new_size`` (SUBPROOF)."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"old size {old_size} is outside 0..{new_size}")
    if old_size in (0, new_size):
        return []
    ranges = []
    start, old, new, whole = 0, old_size, new_size, True
    while old != new:
        k = split_point(new)
        if old <= k:
            ranges.append((start + k, start + new))
            new = k
        else:
            ranges.append((start, start + k))
            start += k
            old -= k
            new -= k
            whole = False
    if not whole:
        ranges.append((start, start + new))
    ranges.reverse()
    return ranges


def perfect_nodes(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` that make up leaves ``[start, end)``, left first.

    Every range in an RFC 9162 proof starts at a multiple of a power of two at least as large as
    the range, so it is a run of aligned perfect subtrees of decreasing size.
    """
    if not 0 <= start < end:
        raise ValueError(f"empty or negative leaf range [{start}, {end})")
    nodes = []
    position = start
    for level in range((end - start).bit_length() - 1, -1, -1):
        width = 1 << level
        if (end - position) & width:
            if position % width:
                raise ValueError(f"leaf range [{start}, {end}) is not aligned to its subtrees")
            nodes.append((level, position >> level))
            position += width
    return nodes


def range_hash(start: int, end: int, node: NodeLookup) -> bytes:
    """The Merkle tree hash of leaves ``[start, end)`` from stored perfect subtrees."""
    hashes = [node(level, index) for level, index in perfect_nodes(start, end)]
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_hashes(ranges: Sequence[tuple[int, int]], lookup: SubtreeLookup) -> list[bytes]:
    """The Merkle tree hash of each leaf range (a proof's ranges) from a store: one lookup of all
    the perfect subtrees the ranges are made of, O(log n) of them per range."""
    stored = lookup([key for start, end in ranges for key in perfect_nodes(start, end)])

    def node(level: int, index: int) -> bytes:
        return stored[(level, index)]

    return [range_hash(start, end, node) for start, end in ranges]


def gather_subtrees(
    keys: Iterable[tuple[int, int]],
    read_leaves: Callable[[list[int]], Iterable[tuple[int, bytes]]],
    read_nodes: Callable[[list[tuple[int, int]]], Iterable[tuple[int, int, bytes]]],
) -> dict[tuple[int, int], bytes]:
    """The hashes of perfect subtrees ``(level, index)`` from a store that keeps every leaf's data
    and every perfect subtree of level 1 and up (as the transparency log's tables do).

    ``read_leaves`` gives ``(leaf index, data)`` for leaf indexes (hashed here: level 0 is a
    leaf hash), ``read_nodes`` gives ``(level, index, hash)`` for subtrees of level 1 and up.
    ``KeyError`` names the first subtree the store does not hold.
    """
    wanted = sorted(set(keys))
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in wanted if level == 0]
    nodes = [(level, index) for level, index in wanted if level > 0]
    if leaves:
        found.update(((0, index), leaf_hash(data)) for index, data in read_leaves(leaves))
    if nodes:
        found.update(((level, index), value) for level, index, value in read_nodes(nodes))
    for key in wanted:
        if key not in found:
            raise KeyError(key)
    return found


def parent_level(hashes: bytes | bytearray, first_pair: int = 0) -> bytes:
    """The node hashes one level up from a level of node hashes (``HASH_SIZE`` bytes each, side
    by side): the parent of each pair from pair ``first_pair`` on. An unpaired last hash has no
    parent yet."""
    width = 2 * HASH_SIZE
    parents = bytearray()
    with memoryview(hashes) as view:
        for start in range(first_pair * width, len(hashes) // width * width, width):
            parents += _sha256(b"\x01" + view[start : start + width]).digest()
    return bytes(parents)


def subtree_levels(leaves: bytes) -> list[bytes]:
    """Every level of the tree over these leaf hashes (side by side), leaves first, up to a
    single hash: whole pairs only, so for a power-of-two count the levels of a perfect subtree."""
    levels = [leaves]
    while len(levels[-1]) >= 2 * HASH_SIZE:
        levels.append(parent_level(levels[-1]))
    return levels


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """The perfect subtrees ``(level, index)`` on the right edge of a tree of ``size`` leaves."""
    return perfect_nodes(0, size) if size else []


class Frontier:
    """The right edge of a growing tree: its perfect subtrees, largest first.

    ``append`` takes a leaf hash and returns the perfect subtrees of level 1 and up that the leaf
    completed, as ``(level, index, hash)``; a store keeps those (with the leaf hashes) and can then
    answer any root or proof with O(log n) lookups. ``root`` folds the edge into the tree's root.
    """

    __slots__ = ("_hashes", "_levels", "size")

    def __init__(self, size: int = 0, edge: Sequence[bytes] = ()) -> None:
        """A tree of ``size`` leaves whose right edge is ``edge`` (see ``frontier_nodes``)."""
        levels = [level for level, _ in frontier_nodes(size)]
        if len(levels) != len(edge) or any(len(item) != HASH_SIZE for item in edge):
            raise ValueError(f"a tree of {size} leaves has {len(levels)} edge hashes")
        self.size = size
        self._levels = levels
        self._hashes = list(edge)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash; return the perfect subtrees (level >= 1) it completed."""
        levels, hashes = self._levels, self._hashes
        completed: list[tuple[int, int, bytes]] = []
        level, value = 0, leaf
        self.size += 1
        size = self.size
        while levels and levels[-1] == level:
            levels.pop()
            value = _sha256(b"\x01" + hashes.pop() + value).digest()
            level += 1
            completed.append((level, (size >> level) - 1, value))
        levels.append(level)
        hashes.append(value)
        return completed

    def root(self) -> bytes:
        """The root hash of the tree as it stands."""
        hashes = self._hashes
        if not hashes:
            return EMPTY_ROOT
        result = hashes[-1]
        for left in reversed(hashes[:-1]):
            result = _sha256(b"\x01" + left + result).digest()
        return result

    def edge(self) -> list[bytes]:
        """The hashes of the right edge, largest subtree first."""
        return list(self._hashes)


# Verification (RFC 9162 sections 2.1.3.2 and 2.1.4.2): False for anything wrong, never raises.


def _is_size(value: object) -> bool:
    return type(value) is int and value >= 0


def _is_hash(value: object) -> bool:
    return type(value) is bytes and len(value) == HASH_SIZE


def verify_inclusion(
    index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` puts the leaf hash at ``index`` in the tree of ``size`` and ``root``."""
    if not (_is_size(index) and _is_size(size) and _is_hash(leaf_hash) and _is_hash(root)):
        return False
    if not isinstance(proof, list | tuple) or index >= size:
        return False
    fn, sn = index, size - 1
    result = leaf_hash
    for item in proof:
        if sn == 0 or type(item) is not bytes or len(item) != HASH_SIZE:
            return False  # a proof longer than the path, or not made of hashes
        if fn & 1 or fn == sn:
            result = _sha256(b"\x01" + item + result).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            result = _sha256(b"\x01" + result + item).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and result == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True when ``proof`` shows the tree of ``old_size`` with ``old_root`` is a prefix of the
    tree of ``new_size`` with ``new_root``."""
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root)):
        return False
    if not (_is_hash(new_root) and isinstance(proof, list | tuple)) or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = path[0]
    if type(first) is not bytes or len(first) != HASH_SIZE:
        return False
    old_result = new_result = first
    for item in path[1:]:
        if sn == 0 or type(item) is not bytes or len(item) != HASH_SIZE:
            return False
        if fn & 1 or fn == sn:
            old_result = _sha256(b"\x01" + item + old_result).digest()
            new_result = _sha256(b"\x01" + item + new_result).digest()
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            new_result = _sha256(b"\x01" + new_result + item).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and old_result == old_root and new_result == new_root


__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "consistency_proof",
    "consistency_ranges",
    "frontier_nodes",
    "gather_subtrees",
    "inclusion_proof",
    "inclusion_ranges",
    "leaf_hash",
    "node_hash",
    "parent_level",
    "perfect_nodes",
    "range_hash",
    "range_hashes",
    "root_hash",
    "split_point",
    "subtree_levels",
    "verify_consistency",
    "verify_inclusion",
]
