"""The RFC 9162 Merkle tree: known RFC 6962 vectors, then every tree size up to 64.

For every size, every leaf index and every pair of sizes, each valid proof verifies, and every
one-bit change (of each proof element, the leaf hash and the roots), a wrong index, a wrong size,
a truncated or an extended proof is rejected. Verification never raises.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterator, Sequence

import pytest

from ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    consistency_ranges,
    frontier_nodes,
    gather_subtrees,
    inclusion_proof,
    inclusion_ranges,
    leaf_hash,
    node_hash,
    parent_level,
    perfect_nodes,
    range_hash,
    range_hashes,
    root_hash,
    subtree_levels,
    verify_consistency,
    verify_inclusion,
)

# The 8-leaf test tree of RFC 6962 implementations (certificate-transparency), roots of sizes 0-8.
CT_LEAVES = [
    bytes.fromhex(text)
    for text in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

MAX_SIZE = 64
SIZES = range(1, MAX_SIZE + 1)


class Tree:
    """A randomized tree of ``MAX_SIZE`` leaves, its prefixes' roots and its leaf hashes."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.leaves = [rng.randbytes(rng.randrange(0, 40)) for _ in range(MAX_SIZE)]
        self.hashes = [leaf_hash(data) for data in self.leaves]
        self.roots = [root_hash(self.leaves[:size]) for size in range(MAX_SIZE + 1)]
        self.rng = rng

    def inclusion(self, index: int, size: int) -> list[bytes]:
        return inclusion_proof(self.leaves[:size], index)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return consistency_proof(self.leaves[:new_size], old_size)


@functools.cache
def flipped(value: bytes) -> tuple[bytes, ...]:
    """``value`` with each one of its bits flipped in turn (hashes recur across proofs: cached)."""
    changes = []
    for bit in range(len(value) * 8):
        changed = bytearray(value)
        changed[bit >> 3] ^= 1 << (bit & 7)
        changes.append(bytes(changed))
    return tuple(changes)


def with_element_flipped(proof: list[bytes]) -> Iterator[list[bytes]]:
    """Every proof that differs from ``proof`` in exactly one bit."""
    for position, element in enumerate(proof):
        head, tail = proof[:position], proof[position + 1 :]
        for changed in flipped(element):
            yield [*head, changed, *tail]


def misshapen(proof: list[bytes], rng: random.Random) -> Iterator[list[bytes]]:
    """The proof truncated at either end and extended at either end."""
    if proof:
        yield proof[:-1]
        yield proof[1:]
    extra = rng.randbytes(32)
    yield [*proof, extra]
    yield [extra, *proof]
    if proof:
        yield [*proof, proof[-1]]
        yield [proof[0], *proof]


# Known answers.


def test_known_roots_of_the_rfc6962_test_tree() -> None:
    """The roots of the 8-leaf test tree at sizes 0 to 8 are the published ones."""
    expected = CT_ROOTS

    actual = [root_hash(CT_LEAVES[:size]).hex() for size in range(9)]

    assert expected == actual


def test_known_inclusion_proofs() -> None:
    """Inclusion proofs in the test tree are the published ones, and they verify."""
    for index, size, expected in CT_INCLUSION:
        proof = inclusion_proof(CT_LEAVES[:size], index)

        assert expected == [item.hex() for item in proof]
        root = bytes.fromhex(CT_ROOTS[size])
        assert verify_inclusion(index, size, leaf_hash(CT_LEAVES[index]), proof, root)


def test_known_consistency_proofs() -> None:
    """Consistency proofs in the test tree are the published ones, and they verify."""
    for old_size, new_size, expected in CT_CONSISTENCY:
        proof = consistency_proof(CT_LEAVES[:new_size], old_size)

        assert expected == [item.hex() for item in proof]
        old_root, new_root = bytes.fromhex(CT_ROOTS[old_size]), bytes.fromhex(CT_ROOTS[new_size])
        assert verify_consistency(old_size, new_size, old_root, new_root, proof)


def test_empty_tree_root_is_the_hash_of_nothing() -> None:
    """The empty tree's root is SHA-256 of the empty string."""
    assert bytes.fromhex(CT_ROOTS[0]) == root_hash([]) == EMPTY_ROOT


def test_leaves_and_nodes_are_hashed_apart() -> None:
    """A leaf holding two hashes never collides with the node over them (0x00 / 0x01 prefixes)."""
    left, right = leaf_hash(b"a"), leaf_hash(b"b")

    assert leaf_hash(left + right) != node_hash(left, right)


def test_generating_a_proof_outside_the_tree_is_an_error() -> None:
    """Asking for the proof of a leaf or size the tree does not have raises ValueError."""
    with pytest.raises(ValueError, match="outside"):
        inclusion_proof(CT_LEAVES, 8)
    with pytest.raises(ValueError, match="outside"):
        consistency_proof(CT_LEAVES, 9)


# Every size up to 64: inclusion.


@pytest.mark.parametrize("size", SIZES)
def test_every_inclusion_proof_verifies(size: int) -> None:
    """Each leaf's proof in a randomized tree of this size verifies against its root."""
    tree = Tree(size)

    verdicts = [
        verify_inclusion(
            index, size, tree.hashes[index], tree.inclusion(index, size), tree.roots[size]
        )
        for index in range(size)
    ]

    assert [True] * size == verdicts


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_rejects_every_one_bit_change(size: int) -> None:
    """Flipping any single bit of any proof element, the leaf hash or the root is rejected."""
    tree = Tree(size)
    root = tree.roots[size]

    accepted = []
    for index in range(size):
        proof, leaf = tree.inclusion(index, size), tree.hashes[index]
        for changed in with_element_flipped(proof):
            if verify_inclusion(index, size, leaf, changed, root):
                accepted.append((index, "proof"))
        for changed_leaf in flipped(leaf):
            if verify_inclusion(index, size, changed_leaf, proof, root):
                accepted.append((index, "leaf"))
        for changed_root in flipped(root):
            if verify_inclusion(index, size, leaf, proof, changed_root):
                accepted.append((index, "root"))

    assert [] == accepted


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_rejects_a_wrong_index(size: int) -> None:
    """A proof checked at any other index (with either leaf's hash) is rejected."""
    tree = Tree(size)
    root = tree.roots[size]

    accepted = []
    for index in range(size):
        proof = tree.inclusion(index, size)
        for other in [-1, *range(size + 2)]:
            if other == index:
                continue
            for leaf in {tree.hashes[index], tree.hashes[other % size]}:
                if verify_inclusion(other, size, leaf, proof, root):
                    accepted.append((index, other))

    assert [] == accepted


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_rejects_a_wrong_size(size: int) -> None:
    """A proof checked against the tree head of any other size is rejected."""
    tree = Tree(size)

    accepted = []
    for index in range(size):
        proof, leaf = tree.inclusion(index, size), tree.hashes[index]
        for other in range(MAX_SIZE + 1):
            if other != size and verify_inclusion(index, other, leaf, proof, tree.roots[other]):
                accepted.append((index, other))
        if verify_inclusion(index, size + MAX_SIZE, leaf, proof, tree.roots[size]):
            accepted.append((index, size + MAX_SIZE))

    assert [] == accepted


@pytest.mark.parametrize("size", SIZES)
def test_inclusion_rejects_truncated_and_extended_proofs(size: int) -> None:
    """A proof missing an element at either end, or with one added, is rejected."""
    tree = Tree(size)
    root = tree.roots[size]

    accepted = []
    for index in range(size):
        proof = tree.inclusion(index, size)
        for changed in misshapen(proof, tree.rng):
            if verify_inclusion(index, size, tree.hashes[index], changed, root):
                accepted.append((index, len(changed)))

    assert [] == accepted


# Every pair of sizes up to 64: consistency.


@pytest.mark.parametrize("new_size", SIZES)
def test_every_consistency_proof_verifies(new_size: int) -> None:
    """The proof from every smaller size (0 included) to this size verifies."""
    tree = Tree(new_size)

    verdicts = [
        verify_consistency(
            old_size,
            new_size,
            tree.roots[old_size],
            tree.roots[new_size],
            tree.consistency(old_size, new_size),
        )
        for old_size in range(new_size + 1)
    ]

    assert [True] * (new_size + 1) == verdicts


@pytest.mark.parametrize("new_size", SIZES)
def test_consistency_rejects_every_one_bit_change(new_size: int) -> None:
    """Flipping any single bit of any proof element or of either root is rejected."""
    tree = Tree(new_size)
    new_root = tree.roots[new_size]

    accepted = []
    for old_size in range(new_size + 1):
        old_root, proof = tree.roots[old_size], tree.consistency(old_size, new_size)
        for changed in with_element_flipped(proof):
            if verify_consistency(old_size, new_size, old_root, new_root, changed):
                accepted.append((old_size, "proof"))
        for changed_old in flipped(old_root):
            if verify_consistency(old_size, new_size, changed_old, new_root, proof):
                accepted.append((old_size, "old root"))
        if old_size == 0:
            continue  # the empty tree is a prefix of every tree: no new root is wrong for it
        for changed_new in flipped(new_root):
            if verify_consistency(old_size, new_size, old_root, changed_new, proof):
                accepted.append((old_size, "new root"))

    assert [] == accepted


@pytest.mark.parametrize("new_size", SIZES)
def test_consistency_rejects_wrong_sizes(new_size: int) -> None:
    """A proof checked for any other old or new size, with that size's root, is rejected."""
    # Claims that need no proof are left out: the empty tree is a prefix of every tree and every
    # tree is consistent with itself, so those claims hold with the empty proof.
    tree = Tree(new_size)

    accepted = []
    for old_size in range(new_size + 1):
        proof = tree.consistency(old_size, new_size)
        for old, new in [(other, new_size) for other in range(MAX_SIZE + 1)] + [
            (old_size, other) for other in range(old_size, MAX_SIZE + 1)
        ]:
            if (old, new) == (old_size, new_size) or needs_no_proof(old, new, proof):
                continue
            if verify_consistency(old, new, tree.roots[old], tree.roots[new], proof):
                accepted.append((old_size, new_size, old, new))

    assert [] == accepted


def needs_no_proof(old_size: int, new_size: int, proof: list[bytes]) -> bool:
    """True for the claims the empty proof settles: from the empty tree, or a tree to itself."""
    return not proof and (old_size == 0 or old_size == new_size)


@pytest.mark.parametrize("new_size", SIZES)
def test_consistency_rejects_truncated_and_extended_proofs(new_size: int) -> None:
    """A proof missing an element at either end, or with one added, is rejected."""
    tree = Tree(new_size)

    accepted = []
    for old_size in range(new_size + 1):
        proof = tree.consistency(old_size, new_size)
        for changed in misshapen(proof, tree.rng):
            if verify_consistency(
                old_size, new_size, tree.roots[old_size], tree.roots[new_size], changed
            ):
                accepted.append((old_size, len(changed)))

    assert [] == accepted


# Malformed input.

GOOD = leaf_hash(b"x")
MALFORMED_VALUES: list[object] = [
    None,
    "0" * 64,
    GOOD.hex(),
    bytearray(GOOD),
    GOOD[:31],
    GOOD + b"\x00",
    b"",
    -1,
    1.0,
    True,
    [GOOD],
    object(),
]


@pytest.mark.parametrize("bad", MALFORMED_VALUES, ids=repr)
def test_inclusion_verification_never_raises(bad: object) -> None:
    """Any malformed index, size, leaf, proof element or root gives False, never an exception."""
    proof = inclusion_proof(CT_LEAVES, 3)
    leaf, root = leaf_hash(CT_LEAVES[3]), bytes.fromhex(CT_ROOTS[8])

    verdicts = [
        verify_inclusion(bad, 8, leaf, proof, root),  # type: ignore[arg-type]
        verify_inclusion(3, bad, leaf, proof, root),  # type: ignore[arg-type]
        verify_inclusion(3, 8, bad, proof, root),  # type: ignore[arg-type]
        verify_inclusion(3, 8, leaf, bad, root),  # type: ignore[arg-type]
        verify_inclusion(3, 8, leaf, [proof[0], bad, proof[2]], root),  # type: ignore[list-item]
        verify_inclusion(3, 8, leaf, proof, bad),  # type: ignore[arg-type]
    ]

    assert [False] * 6 == verdicts


@pytest.mark.parametrize("bad", MALFORMED_VALUES, ids=repr)
def test_consistency_verification_never_raises(bad: object) -> None:
    """Any malformed size, root or proof element gives False, never an exception."""
    proof = consistency_proof(CT_LEAVES, 6)
    old, new = bytes.fromhex(CT_ROOTS[6]), bytes.fromhex(CT_ROOTS[8])

    verdicts = [
        verify_consistency(bad, 8, old, new, proof),  # type: ignore[arg-type]
        verify_consistency(6, bad, old, new, proof),  # type: ignore[arg-type]
        verify_consistency(6, 8, bad, new, proof),  # type: ignore[arg-type]
        verify_consistency(6, 8, old, bad, proof),  # type: ignore[arg-type]
        verify_consistency(6, 8, old, new, bad),  # type: ignore[arg-type]
        verify_consistency(6, 8, old, new, [bad, *proof[1:]]),  # type: ignore[list-item]
    ]

    assert [False] * 6 == verdicts


def test_consistency_from_the_empty_tree_needs_the_empty_root() -> None:
    """The empty tree is a prefix of every tree, and only the empty root stands for it."""
    root = bytes.fromhex(CT_ROOTS[8])

    assert verify_consistency(0, 8, EMPTY_ROOT, root, [])
    assert not verify_consistency(0, 8, root, root, [])


# The stored tree's building blocks.


def test_frontier_gives_the_root_at_every_size() -> None:
    """Appending leaf hashes one by one, the frontier's root is the tree's root at each size."""
    tree = Tree(7)
    frontier = Frontier()

    roots = [frontier.root()]
    for item in tree.hashes:
        frontier.append(item)
        roots.append(frontier.root())

    assert tree.roots == roots


def test_stored_subtrees_answer_proofs_without_the_leaves() -> None:
    """Perfect subtrees reported by the frontier answer every proof of the in-memory functions."""
    tree = Tree(11)
    stored: dict[tuple[int, int], bytes] = {}
    frontier = Frontier()
    for position, item in enumerate(tree.hashes):
        stored[(0, position)] = item
        for level, index, value in frontier.append(item):
            stored[(level, index)] = value

    def node(level: int, index: int) -> bytes:
        return stored[(level, index)]

    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            expected = tree.inclusion(index, size)
            actual = [range_hash(a, b, node) for a, b in inclusion_ranges(index, size)]
            assert expected == actual
        for old_size in range(size + 1):
            expected = tree.consistency(old_size, size)
            actual = [range_hash(a, b, node) for a, b in consistency_ranges(old_size, size)]
            assert expected == actual


def test_frontier_resumes_from_its_stored_edge() -> None:
    """A frontier rebuilt from the stored edge of size n continues exactly like the original."""
    tree = Tree(13)
    original = Frontier()
    stored: dict[tuple[int, int], bytes] = {}
    for position, item in enumerate(tree.hashes[:37]):
        stored[(0, position)] = item
        for level, index, value in original.append(item):
            stored[(level, index)] = value

    resumed = Frontier(37, [stored[key] for key in frontier_nodes(37)])
    for item in tree.hashes[37:]:
        assert original.append(item) == resumed.append(item)

    assert original.root() == resumed.root() == tree.roots[MAX_SIZE]


def test_unaligned_ranges_are_refused() -> None:
    """A leaf range that is not a run of aligned perfect subtrees is refused."""
    with pytest.raises(ValueError, match="aligned"):
        perfect_nodes(3, 7)


class Store:
    """The transparency log's tables in memory: every leaf's data and every node of level 1 up."""

    def __init__(self, tree: Tree) -> None:
        self.leaves = dict(enumerate(tree.leaves))
        self.nodes: dict[tuple[int, int], bytes] = {}
        frontier = Frontier()
        for item in tree.hashes:
            for level, index, value in frontier.append(item):
                self.nodes[(level, index)] = value
        self.lookups = 0

    def read_leaves(self, indexes: list[int]) -> list[tuple[int, bytes]]:
        return [(index, self.leaves[index]) for index in indexes if index in self.leaves]

    def read_nodes(self, keys: list[tuple[int, int]]) -> list[tuple[int, int, bytes]]:
        return [(*key, self.nodes[key]) for key in keys if key in self.nodes]

    def subtrees(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        self.lookups += 1
        return gather_subtrees(keys, self.read_leaves, self.read_nodes)


def test_range_hashes_from_a_store_make_every_proof() -> None:
    """Proofs built from a store's leaves and nodes equal the proofs over the leaves."""
    tree = Tree(17)
    store = Store(tree)

    for size in range(1, MAX_SIZE + 1):
        for index in range(size):
            assert tree.inclusion(index, size) == range_hashes(
                inclusion_ranges(index, size), store.subtrees
            )
        for old_size in range(size + 1):
            assert tree.consistency(old_size, size) == range_hashes(
                consistency_ranges(old_size, size), store.subtrees
            )


def test_range_hashes_look_up_the_store_once() -> None:
    """All the ranges of a proof are read from the store in one lookup."""
    store = Store(Tree(18))

    range_hashes(inclusion_ranges(5, MAX_SIZE), store.subtrees)

    assert 1 == store.lookups


def test_gathered_leaves_are_hashed_and_nodes_taken_as_stored() -> None:
    """Level 0 is the hash of the leaf's data; higher levels are the stored node hashes."""
    tree = Tree(19)
    store = Store(tree)

    found = gather_subtrees([(0, 3), (2, 1), (0, 3)], store.read_leaves, store.read_nodes)

    assert {(0, 3): tree.hashes[3], (2, 1): store.nodes[(2, 1)]} == found


def test_a_subtree_the_store_lacks_is_named() -> None:
    """A subtree missing from the store raises KeyError naming it."""
    store = Store(Tree(20))

    with pytest.raises(KeyError, match=r"\(7, 0\)"):
        gather_subtrees([(0, 1), (7, 0)], store.read_leaves, store.read_nodes)


@pytest.mark.parametrize("count", [1, 2, 8, 32])
def test_subtree_levels_end_in_the_root(count: int) -> None:
    """Over a power-of-two count of leaves, the top level is the root of those leaves."""
    tree = Tree(21)

    levels = subtree_levels(b"".join(tree.hashes[:count]))

    assert [tree.roots[count]] == [levels[-1]]
    assert [count >> level for level in range(len(levels))] == [len(x) // 32 for x in levels]


def test_a_parent_level_pairs_whole_pairs_from_the_first_asked() -> None:
    """Each pair from the first asked has its parent; an unpaired last hash has none yet."""
    hashes = Tree(22).hashes[:7]

    parents = parent_level(b"".join(hashes), first_pair=1)

    assert node_hash(hashes[2], hashes[3]) + node_hash(hashes[4], hashes[5]) == parents
