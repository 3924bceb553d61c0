"""Kill drills: each long-running process killed with ``kill -9`` while a writer keeps appending.

The views runner (``ledger project catch-up --follow``) and the transparency log (``ledger
transparency run``) run as real processes against the ledger's database, on PostgreSQL and on
SQLite, and are killed at random points several times, then restarted once more and left to
catch up. Afterwards the views must equal a rebuild from zero, and the transparency log must
be the events' hashes in log order with every checkpoint's root the tree at its size and each
checkpoint consistent with the one before: nothing lost, nothing doubled. The random seed is in
every failure message. (The publisher and the API are killed in test_kafka.py and the API
tests; the consumer's drill is in test_kill_drills_kafka.py.)
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from ledger.merkle import leaf_hash, root_hash, verify_consistency, verify_inclusion
from ledger.stored import read_signed_state
from projections.log import log_end
from projections.transparency.store import TransparencyStore
from projections.views.catalogue import VIEW_NAMES, Projections
from replay.verify import verify_database
from tests.kill_drill import Writer, Zygote, kill_repeatedly, wait_until
from tests.kill_drill import zygote as zygote  # the warm parent the drills fork from
from tests.ledger_kit import LedgerKit
from tests.projection_world import build_projection_world
from tests.view_tables import snapshot

pytestmark = pytest.mark.slow

KILLS = 4


def _database_options(kit: LedgerKit) -> list[str]:
    settings = kit.ledger.settings
    return ["--database-url", settings.database_url, "--name", settings.name]


def test_views_runner_killed_four_times_ends_equal_to_a_rebuild(
    kit: LedgerKit, zygote: Zygote, tmp_path: Path
) -> None:
    """``project catch-up --follow`` killed four times mid-stream, restarted, caught up: its
    views equal every view rebuilt from zero, and every view is at the log's end."""
    build_projection_world(kit)
    seed = random.randrange(1_000_000)
    projections = Projections.open(kit.ledger)  # the tables exist before the first process
    writer = Writer(kit)
    writer.start()
    argv = ["project", "catch-up", "--follow", "--interval", "0.05", "--batch-size", "20",
            *_database_options(kit)]  # fmt: skip

    def progress() -> int:
        return min(projections.runner.positions().values())

    drill = kill_repeatedly(
        zygote, argv, tmp_path, progress=progress, log_end=kit.event_count, kills=KILLS, seed=seed
    )
    follower = zygote.start(argv, tmp_path / "last.log")
    written = writer.finish()
    end = log_end(kit.ledger)
    seconds = wait_until(lambda: progress() == end, 60, f"views caught up (seed {seed})")
    code = follower.stop()
    caught_up = snapshot(projections)
    for name in VIEW_NAMES:
        projections.rebuild(name)
    rebuilt = snapshot(projections)
    projections.close()
    drill.report("views runner", written, seconds)

    assert [-9] * KILLS == drill.codes, seed
    assert 0 == code, follower.output()
    assert sorted(drill.at_kill) == drill.at_kill, seed
    assert rebuilt == caught_up, seed


def _event_hashes(kit: LedgerKit) -> list[bytes]:
    notifications = kit.ledger.recorder.select_notifications(start=1, limit=100_000)
    return [bytes.fromhex(read_signed_state(n.state)[2]) for n in notifications]


def test_transparency_log_killed_four_times_stays_consistent(
    kit: LedgerKit, zygote: Zygote, tmp_path: Path
) -> None:
    """``transparency run`` killed four times mid-stream, restarted, caught up: the leaves are
    the event hashes in log order, a checkpoint at every 5 events and no other, each one's root
    the tree at its size, each consistent with the one before, and the auditor agrees."""
    seed = random.randrange(1_000_000)
    key = tmp_path / "system.key"
    kit.system.signer.to_file(key)
    store = TransparencyStore(kit.ledger)
    writer = Writer(kit)
    writer.start()
    argv = ["transparency", "run", "--system-key", str(key), "--every-events", "5",
            "--every-seconds", "3600", "--poll-seconds", "0.05",
            *_database_options(kit)]  # fmt: skip
    drill = kill_repeatedly(
        zygote, argv, tmp_path, progress=store.tree_size, log_end=kit.event_count, kills=KILLS,
        seed=seed,
    )  # fmt: skip
    follower = zygote.start(argv, tmp_path / "last.log")
    written = writer.finish()
    end = kit.event_count()
    seconds = wait_until(lambda: store.tree_size() == end, 60, f"log caught up (seed {seed})")
    code = follower.stop()
    hashes = _event_hashes(kit)
    checkpoints = store.checkpoints()
    drill.report(f"transparency log ({len(checkpoints)} checkpoints)", written, seconds)

    assert [-9] * KILLS == drill.codes, seed
    assert 0 == code, follower.output()
    assert hashes == [leaf[2] for leaf in store.leaves_between(1, end)], seed
    assert list(range(5, end + 1, 5)) == [c.tree_size for c in checkpoints], seed
    for checkpoint in checkpoints:
        assert root_hash(hashes[: checkpoint.tree_size]) == checkpoint.root_hash, seed
        assert store.root(checkpoint.tree_size) == checkpoint.root_hash, seed
    for old, new in itertools.pairwise(checkpoints):
        proof = store.consistency_proof(old.tree_size, new.tree_size).proof
        assert verify_consistency(
            old.tree_size, new.tree_size, old.root_hash, new.root_hash, proof
        ), seed
    for nid in random.Random(seed).sample(range(1, checkpoints[-1].tree_size + 1), 20):
        included = store.inclusion_proof(nid)
        assert verify_inclusion(
            included.leaf_index, included.checkpoint.tree_size, leaf_hash(included.event_hash),
            included.proof, included.checkpoint.root_hash,
        ), seed  # fmt: skip
    report = verify_database(kit.ledger.settings.database_url, kit.ledger.name, workers=1)
    assert ([], end) == (report.failures, report.tree_size), seed
