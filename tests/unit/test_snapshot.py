"""The snapshot's definition (docs/domain.md, "The snapshot"): leaves, their order, the root."""

from __future__ import annotations

import hashlib
import uuid

from ledger.domain.snapshot import LaoSnapshot, SnapshotLeaf
from ledger.merkle import EMPTY_ROOT, leaf_hash, node_hash, verify_inclusion

A = uuid.UUID("00000000-0000-4000-8000-000000000001")
B = uuid.UUID("0fffffff-0000-4000-8000-000000000000")
C = uuid.UUID("f0000000-0000-4000-8000-000000000000")
H1, H2, H3 = "1" * 64, "2" * 64, "a" * 64


def test_a_leaf_is_stream_version_and_hash_in_ascii() -> None:
    """A leaf's data is "<stream uuid>:<version>:<hash>", the uuid lowercase and hyphenated."""
    leaf = SnapshotLeaf(uuid.UUID(str(C).upper()), 12, H3)

    assert f"f0000000-0000-4000-8000-000000000000:12:{H3}".encode("ascii") == leaf.encode()


def test_leaves_go_in_ascending_order_of_stream_id() -> None:
    """Whatever order the records come in, the tree holds them by stream id."""
    leaves = [SnapshotLeaf(C, 1, H3), SnapshotLeaf(A, 4, H1), SnapshotLeaf(B, 2, H2)]

    snapshot = LaoSnapshot.of("6480101", 42, leaves)

    assert [A, B, C] == [leaf.stream for leaf in snapshot.leaves]
    assert sorted(str(s) for s in (A, B, C)) == [str(leaf.stream) for leaf in snapshot.leaves]
    assert (42, 3) == (snapshot.position, snapshot.record_count)


def test_the_root_is_the_rfc_9162_tree_hash_of_the_leaves() -> None:
    """Three leaves: the root hashes the first two's node with the third leaf, in hex."""
    snapshot = LaoSnapshot.of(
        "6480101", 7, [SnapshotLeaf(C, 1, H3), SnapshotLeaf(A, 4, H1), SnapshotLeaf(B, 2, H2)]
    )
    a, b, c = (
        leaf_hash(f"{s}:{v}:{h}".encode()) for s, v, h in ((A, 4, H1), (B, 2, H2), (C, 1, H3))
    )

    assert node_hash(node_hash(a, b), c).hex() == snapshot.root


def test_the_version_is_part_of_the_leaf() -> None:
    """The same head hash at another version is another snapshot."""
    one = LaoSnapshot.of("6480101", 7, [SnapshotLeaf(A, 4, H1)])
    other = LaoSnapshot.of("6480101", 7, [SnapshotLeaf(A, 5, H1)])

    assert one.root != other.root


def test_an_lao_holding_nothing_has_the_empty_trees_root() -> None:
    """No records: the root is SHA-256 of the empty string, the count 0."""
    snapshot = LaoSnapshot.of("6480101", 3, [])

    assert (EMPTY_ROOT.hex(), 0) == (snapshot.root, snapshot.record_count)
    assert hashlib.sha256(b"").hexdigest() == snapshot.root


def test_every_covered_record_has_a_verifiable_inclusion_proof() -> None:
    """Each leaf's proof checks against the root with ledger.merkle.verify_inclusion."""
    streams = [uuid.UUID(int=n * 7919) for n in range(1, 8)]
    snapshot = LaoSnapshot.of(
        "6480101", 99, [SnapshotLeaf(s, n, H2) for n, s in enumerate(streams, 1)]
    )
    root = bytes.fromhex(snapshot.root)

    verdicts = []
    for stream in streams:
        index = snapshot.index_of(stream)
        assert index is not None
        leaf = leaf_hash(snapshot.leaves[index].encode())
        verdicts.append(verify_inclusion(index, 7, leaf, snapshot.inclusion_proof(index), root))

    assert all(verdicts)
    assert snapshot.index_of(uuid.uuid4()) is None
