"""The transparency log projection, on PostgreSQL and SQLite: leaves, checkpoints, proofs, crashes.

Each notification's event hash is a leaf in log order; checkpoints are C2SP notes signed by the
system key every N events or T seconds; a batch is written with its tracking position in one
transaction, so a crash loses nothing and a rerun equals a rebuild from zero.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ledger.application import Ledger
from ledger.merkle import leaf_hash, root_hash, verify_consistency, verify_inclusion
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.stored import read_signed_state
from projections.transparency.checkpoints import (
    log_origin,
    open_checkpoint,
    read_verifier_key,
    verifier_key,
)
from projections.transparency.errors import (
    CorruptEventError,
    LeafNotFoundError,
    ProofRangeError,
    SystemKeyError,
)
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from projections.transparency.store import Batch, TransparencyStore
from tests.audit_kit import Clock, drop_log, log_rows, populate, replace_in_state, run_log
from tests.ledger_kit import LedgerKit, build_kit, education_data


class FailingSigner:
    """The system key, until it has signed ``allowed`` times: then it fails (a crash)."""

    def __init__(self, signer: SoftwareSigner, allowed: int) -> None:
        self._signer = signer
        self._allowed = allowed

    @property
    def public_key(self) -> bytes:
        return self._signer.public_key

    def sign(self, message: bytes) -> bytes:
        if self._allowed == 0:
            raise RuntimeError("the signing token was pulled out")
        self._allowed -= 1
        return self._signer.sign(message)


def event_hashes(kit: LedgerKit) -> list[bytes]:
    """Every stored event hash, in notification order."""
    notifications = kit.ledger.recorder.select_notifications(start=1, limit=10_000)
    return [bytes.fromhex(read_signed_state(n.state)[2]) for n in notifications]


def test_every_event_becomes_a_leaf_in_log_order(kit: LedgerKit) -> None:
    """The leaves are the event hashes in notification order, and the tree is theirs."""
    populate(kit, records=2, entries=2)

    projection = run_log(kit)

    store = projection.store
    hashes = event_hashes(kit)
    assert hashes == [leaf[2] for leaf in store.leaves_between(1, len(hashes))]
    assert root_hash(hashes) == store.root(len(hashes))


def test_checkpoints_are_signed_every_n_events(kit: LedgerKit) -> None:
    """With N = 5, checkpoints land at every multiple of 5 the log has reached."""
    populate(kit, records=2, entries=2)
    total = kit.event_count()

    projection = run_log(kit, every_events=5)

    expected = list(range(5, total + 1, 5))
    assert expected == [cp.tree_size for cp in projection.store.checkpoints()]


def test_sealing_signs_one_checkpoint_covering_everything(kit: LedgerKit) -> None:
    """``seal`` (``transparency run --once``, the demo) leaves no event outside every checkpoint,
    and signs nothing more while nothing new was recorded."""
    populate(kit, records=2, entries=2)
    projection = TransparencyProjection(
        kit.ledger, kit.system.signer, policy=CheckpointPolicy(every_events=5)
    )

    sealed = projection.seal()
    again = projection.seal()

    total = kit.event_count()
    sizes = [cp.tree_size for cp in projection.store.checkpoints()]
    assert sealed is not None
    assert sealed.tree_size == total
    assert sizes == sorted({*range(5, total + 1, 5), total})
    assert again == sealed
    assert open_checkpoint(sealed.note, kit.system.signer.public_key).root_hash == (
        root_hash(event_hashes(kit))
    )


def test_a_checkpoint_falls_due_after_t_seconds(kit: LedgerKit) -> None:
    """Below N new events, a checkpoint comes T seconds after the last, if anything is new."""
    clock = Clock(now=datetime.now(UTC), step=timedelta(0))
    projection = TransparencyProjection(
        kit.ledger,
        kit.system.signer,
        policy=CheckpointPolicy(every_events=1000, every_seconds=60),
        clock=clock,
    )

    sizes, first = [], kit.event_count() + 1  # the first record's opening is event ``first``
    for seconds, new_record in [(0, False), (61, True), (10, True), (61, False), (61, False)]:
        clock.now += timedelta(seconds=seconds)
        if new_record:
            kit.open_record()
        projection.catch_up()
        sizes.append([cp.tree_size for cp in projection.store.checkpoints()])

    assert [[], [first], [first], [first, first + 1], [first, first + 1]] == sizes


def test_checkpoints_are_c2sp_notes_of_the_system_key(kit: LedgerKit) -> None:
    """Checkpoints open with the system key under the log's origin; the verifier key agrees."""
    populate(kit, records=1, entries=1)
    projection = run_log(kit, every_events=3)
    registry = kit.ledger.registry()
    assert registry is not None
    origin = log_origin(kit.ledger.name, registry.system_key_id)

    opened = [
        open_checkpoint(cp.note, kit.system.signer.public_key, origin)
        for cp in projection.store.checkpoints()
    ]

    assert [(cp.tree_size, cp.root_hash) for cp in projection.store.checkpoints()] == [
        (cp.tree_size, cp.root_hash) for cp in opened
    ]
    name, key = read_verifier_key(verifier_key(origin, kit.system.signer.public_key))
    assert (origin, kit.system.signer.public_key) == (name, key)


def test_a_crash_mid_batch_writes_nothing_and_the_rerun_equals_a_rebuild(kit: LedgerKit) -> None:
    """A batch that dies while signing leaves no row; the rerun's rows equal a rebuild's."""
    populate(kit, records=2, entries=2)
    crashing = TransparencyProjection(
        kit.ledger,
        FailingSigner(kit.system.signer, allowed=1),
        policy=CheckpointPolicy(every_events=4, every_seconds=3600),
        clock=Clock(),
    )
    with pytest.raises(RuntimeError, match="pulled out"):
        crashing.catch_up()
    assert (0, 0) == crashing.store.position()
    assert [] == crashing.store.leaves_between(1, 1000)

    run_log(kit, every_events=4, clock=Clock())
    resumed = log_rows(kit.ledger)
    drop_log(kit.ledger)
    run_log(kit, every_events=4, clock=Clock())
    rebuilt = log_rows(kit.ledger)

    assert rebuilt == resumed


def test_small_batches_give_the_same_log_as_one_big_batch(kit: LedgerKit) -> None:
    """Taking the log in batches of 3 gives the same tree and checkpoints as all at once."""
    populate(kit, records=2, entries=2)
    run_log(kit, every_events=4, clock=Clock(step=timedelta(0)), batch_size=3)
    in_batches = log_rows(kit.ledger)
    drop_log(kit.ledger)

    run_log(kit, every_events=4, clock=Clock(step=timedelta(0)))

    assert in_batches == log_rows(kit.ledger)


def test_a_runner_that_lost_the_race_writes_nothing(kit: LedgerKit) -> None:
    """A batch computed from a stale position is refused whole; the winner's rows stand."""
    store = TransparencyStore(kit.ledger)
    run_log(kit, every_events=100)
    before = log_rows(kit.ledger)
    stale = Batch(position=0, tree_size=1, leaves=[(0, 1, bytes(32), "2026-01-01T00:00:00")])

    written = store.write_or_report(stale, expected_position=0)

    assert not written
    assert before == log_rows(kit.ledger)


def test_two_runners_interleaving_never_double_a_leaf(kit: LedgerKit) -> None:
    """Two projections taking turns on one ledger build exactly one leaf per event."""
    populate(kit, records=2, entries=1)
    first, second = (
        TransparencyProjection(
            kit.ledger,
            kit.system.signer,
            policy=CheckpointPolicy(every_events=3, every_seconds=3600),
            clock=Clock(step=timedelta(0)),
            batch_size=2,
        )
        for _ in range(2)
    )

    while first.catch_up() + second.catch_up():
        pass

    hashes = event_hashes(kit)
    assert hashes == [leaf[2] for leaf in first.store.leaves_between(1, 1000)]
    assert root_hash(hashes) == first.store.root(len(hashes))


def test_a_tampered_stored_hash_stops_the_log(kit: LedgerKit) -> None:
    """An event whose stored hash is not its bytes' hash stops the log before its batch."""
    projection = run_log(kit)
    stream = kit.open_record()
    tampered = kit.ledger.stream_events(stream)[0]
    replace_in_state(kit.ledger, tampered.notification_id, b'"hash":"', b'"hash":"0')
    replace_in_state(
        kit.ledger, tampered.notification_id, tampered.hash[-1:].encode() + b'"}', b'"}'
    )

    with pytest.raises(CorruptEventError) as caught:
        projection.catch_up()

    assert tampered.notification_id == caught.value.notification_id
    assert tampered.notification_id - 1 == projection.store.tree_size()


def test_only_the_system_key_signs_checkpoints(kit: LedgerKit) -> None:
    """A projection given any other key refuses to start signing."""
    projection = TransparencyProjection(kit.ledger, kit.admin.signer)

    with pytest.raises(SystemKeyError, match="system key"):
        projection.catch_up()


def test_every_proof_the_log_serves_verifies(kit: LedgerKit) -> None:
    """Every inclusion and consistency proof the log serves verifies against signed roots."""
    populate(kit, records=2, entries=2)
    store = run_log(kit, every_events=5).store
    checkpoints = store.checkpoints()
    latest = checkpoints[-1]

    for nid in range(1, latest.tree_size + 1):
        proof = store.inclusion_proof(nid)
        assert verify_inclusion(
            proof.leaf_index, latest.tree_size, leaf_hash(proof.event_hash), proof.proof,
            latest.root_hash,
        )  # fmt: skip
    for old in checkpoints:
        for new in checkpoints[checkpoints.index(old) :]:
            answer = store.consistency_proof(old.tree_size, new.tree_size)
            assert verify_consistency(
                old.tree_size, new.tree_size, old.root_hash, new.root_hash, answer.proof
            )


def test_proofs_outside_the_log_are_refused(kit: LedgerKit) -> None:
    """An unlogged notification, one past the latest checkpoint, an unsigned size: no proof."""
    populate(kit, records=1, entries=2)
    store = run_log(kit, every_events=5).store
    beyond = store.tree_size()

    with pytest.raises(LeafNotFoundError):
        store.inclusion_proof(beyond + 50)
    with pytest.raises(ProofRangeError, match="next checkpoint"):
        store.inclusion_proof(beyond)
    with pytest.raises(ProofRangeError, match="no checkpoint of size"):
        store.consistency_proof(1)


def test_the_log_keeps_one_node_per_completed_subtree(kit: LedgerKit) -> None:
    """Appending n leaves stores exactly n - popcount(n) interior nodes: O(1) per append."""
    populate(kit, records=2, entries=3)

    projection = run_log(kit)

    size = projection.store.tree_size()
    nodes = log_rows(kit.ledger)[projection.store.nodes]
    assert size - bin(size).count("1") == len(nodes)


def test_run_follows_the_log_until_stopped(kit: LedgerKit) -> None:
    """``run`` keeps taking in new events until it is told to stop."""
    projection = TransparencyProjection(
        kit.ledger, kit.system.signer, policy=CheckpointPolicy(every_events=2)
    )
    stop = threading.Event()
    worker = threading.Thread(target=projection.run, args=(stop,), kwargs={"poll_seconds": 0.05})
    worker.start()
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))

    try:
        for _ in range(200):
            if projection.store.tree_size() == kit.event_count():
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)

    assert kit.event_count() == projection.store.tree_size()
    assert not worker.is_alive()


@pytest.mark.postgres
def test_two_ledgers_share_a_database_without_sharing_a_log(postgres_url: str) -> None:
    """Logs are named after their ledgers: two ledgers in one database keep separate trees."""
    ledgers = [
        Ledger(LedgerSettings(database_url=postgres_url, name=f"n{uuid.uuid4().hex[:8]}"))
        for _ in range(2)
    ]
    try:
        kits = [build_kit(ledger) for ledger in ledgers]
        built = kits[0].event_count()  # each kit's own events
        kits[0].open_record()
        sizes = [run_log(kit).store.tree_size() for kit in kits]
    finally:
        for ledger in ledgers:
            ledger.close()

    assert [built + 1, built] == sizes
