"""The projection runner: one transaction per batch, resume after a crash, rebuild and swap."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence

import pytest

from projections.log import LogEvent, follow_log
from projections.store import Cursor, ViewDatabase
from projections.views.runner import ProjectionRunner
from projections.views.stream_heads import StreamHeadsView
from tests.ledger_kit import TAK_LAO, LedgerKit, education_data


class CrashError(Exception):
    """A projection process dying in the middle of a batch."""


class CrashingHeads(StreamHeadsView):
    """The stream-heads view, dying after writing part of its ``crash_at``-th batch."""

    def __init__(self, crash_at: int) -> None:
        self.batches = 0
        self.crash_at = crash_at

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        self.batches += 1
        if self.batches == self.crash_at:
            super().handle(cursor, events[: len(events) // 2], tables)
            raise CrashError
        super().handle(cursor, events, tables)


def _populate(kit: LedgerKit) -> None:
    streams = [kit.open_record() for _ in range(6)]
    streams.append(kit.open_record(kit.other_hr, TAK_LAO))
    for round_ in range(4):
        for stream in streams[: 3 + round_]:
            operator = kit.other_hr if stream == streams[-1] else kit.hr
            kit.submit(
                kit.sign(
                    operator, stream=stream, type="EducationAdded", data=education_data(round_)
                )
            )


def _expected_heads(kit: LedgerKit) -> set[tuple[object, ...]]:
    """The view's rows computed independently, from each stream's own events."""
    rows = set()
    streams = {kit.ledger.registry_id}
    for batch in follow_log(kit.ledger, 0, 1000):
        streams.update(event.stream for event in batch)
    for stream in streams:
        events = kit.ledger.stream_events(stream)
        opening = json.loads(events[0].statement)["data"]
        rows.add(
            (
                str(stream),
                events[0].type,
                len(events),
                events[-1].hash,
                opening.get("lao"),
                opening.get("province"),
                events[-1].notification_id,
            )
        )
    return rows


def _actual_heads(runner: ProjectionRunner) -> set[tuple[object, ...]]:
    with runner.db.transaction() as cursor:
        cursor.execute(
            "SELECT stream, opened_with, version, head_hash, lao, province, notification_id "
            f"FROM {runner.tables()['heads']}"
        )
        return {tuple(row) for row in cursor.fetchall()}


@pytest.fixture
def view_db(kit: LedgerKit) -> Iterator[ViewDatabase]:
    """The views' connection to the ledger's own database."""
    db = ViewDatabase(kit.ledger.settings.database_url)
    yield db
    db.close()


def test_catch_up_builds_the_expected_rows(kit: LedgerKit, view_db: ViewDatabase) -> None:
    """After catching up, every stream's row matches its own events, and tracking is at the end."""
    _populate(kit)
    runner = ProjectionRunner(kit.ledger, view_db, StreamHeadsView(), batch_size=7)

    runner.catch_up()

    assert _expected_heads(kit) == _actual_heads(runner)
    assert kit.event_count() == runner.position()


def test_crash_mid_batch_resumes_to_identical_rows(kit: LedgerKit, view_db: ViewDatabase) -> None:
    """A runner dying inside a batch leaves no half-batch behind; a new one ends identical."""
    _populate(kit)
    crashing = ProjectionRunner(kit.ledger, view_db, CrashingHeads(crash_at=3), batch_size=5)
    with pytest.raises(CrashError):
        crashing.catch_up()
    position_after_crash = crashing.position()

    ProjectionRunner(kit.ledger, view_db, StreamHeadsView(), batch_size=5).catch_up()

    assert 10 == position_after_crash  # two whole batches committed, the third rolled back
    assert _expected_heads(kit) == _actual_heads(crashing)


def test_stopping_between_batches_and_new_events(kit: LedgerKit, view_db: ViewDatabase) -> None:
    """Stopped between batches, then resumed after more events land: nothing lost or doubled."""
    _populate(kit)
    runner = ProjectionRunner(kit.ledger, view_db, StreamHeadsView(), batch_size=4)
    runner.catch_up(max_batches=2)
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))

    ProjectionRunner(kit.ledger, view_db, StreamHeadsView(), batch_size=4).catch_up()

    assert _expected_heads(kit) == _actual_heads(runner)


def test_rebuild_equals_incremental(kit: LedgerKit, view_db: ViewDatabase) -> None:
    """Rebuilding from zero into fresh tables and swapping gives the incremental rows."""
    _populate(kit)
    runner = ProjectionRunner(kit.ledger, view_db, StreamHeadsView(), batch_size=6)
    runner.catch_up()
    incremental = _actual_heads(runner)
    reported: list[tuple[int, int]] = []

    runner.rebuild(progress=lambda done, total: reported.append((done, total)))

    assert incremental == _actual_heads(runner)
    assert kit.event_count() == runner.position()
    assert reported[-1][0] == kit.event_count()
