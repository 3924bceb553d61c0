"""Rebuilding views from zero equals catching them up incrementally; a projection process
killed between batches resumes to identical views, nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from projections.log import read_log
from projections.views.catalogue import VIEW_NAMES, Projections
from tests.ledger_kit import LedgerKit
from tests.projection_world import build_projection_world
from tests.view_tables import snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def projections(kit: LedgerKit) -> Iterator[Projections]:
    """The kit's views, in its own database, caught up in small batches."""
    opened = Projections.open(kit.ledger)
    opened.runner.batch_size = 5
    yield opened
    opened.close()


def test_rebuild_equals_incremental(kit: LedgerKit, projections: Projections) -> None:
    """Views caught up in small batches, part way and then again, equal views rebuilt from
    zero into fresh tables and swapped in."""
    projections.catch_up()  # the operators only
    build_projection_world(kit)
    projections.catch_up()
    incremental = snapshot(projections)

    for name in VIEW_NAMES:
        projections.rebuild(name)

    assert incremental == snapshot(projections)
    assert {kit.event_count()} == set(projections.runner.positions().values())


def test_a_killed_projection_process_resumes_to_identical_views(
    kit: LedgerKit, projections: Projections
) -> None:
    """SIGKILL between batches: every committed batch stays, none is applied twice, and a
    new process finishes with exactly the views of a rebuild from zero."""
    build_projection_world(kit)
    settings = kit.ledger.settings
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.projection_worker", settings.database_url, settings.name,
         "7", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert worker.stdout is not None
    announced = [worker.stdout.readline().split() for _ in range(3)]
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    at_kill = projections.runner.positions()

    projections.catch_up()
    resumed = snapshot(projections)
    for name in VIEW_NAMES:
        projections.rebuild(name)

    assert [["batch", "7"], ["batch", "14"], ["batch", "21"]] == [line[:2] for line in announced]
    assert {21} == set(at_kill.values())
    assert resumed == snapshot(projections)


def test_concurrent_runners_apply_each_batch_once(kit: LedgerKit, projections: Projections) -> None:
    """Two runners of the same views racing in threads end with the same views as one."""
    import threading

    build_projection_world(kit)
    other = Projections.open(kit.ledger)
    other.runner.batch_size = 3
    threads = [threading.Thread(target=p.catch_up) for p in (projections, other)]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    raced = snapshot(projections)
    other.close()
    for name in VIEW_NAMES:
        projections.rebuild(name)

    assert raced == snapshot(projections)


def test_handlers_are_idempotent(
    kit: LedgerKit, projections: Projections, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Applying the whole log to every view a second time leaves the same rows (the COPY
    fast path meets existing keys and falls back to the idempotent insert)."""
    monkeypatch.setattr("projections.store._COPY_AT_LEAST", 1)
    build_projection_world(kit)
    projections.catch_up()
    once = snapshot(projections)
    events = read_log(kit.ledger, 0, 10_000)

    with projections.db.transaction() as cursor:
        for view in projections.runner.views:
            view.handle(cursor, events, projections.tables(view.name))

    assert once == snapshot(projections)
