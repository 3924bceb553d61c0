"""A view's version: a database built by another version of the view's code rebuilds it on the
next catch-up (``ViewsRunner.upgrade``), once, whoever opens it first; an unchanged version
never does. On both backends (``kit``: real SQLite and real PostgreSQL)."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.log import LogEvent, log_end
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.store import Cursor, ViewDatabase
from projections.views.catalogue import Projections, all_views
from projections.views.registry import RegistryView
from projections.views.runner import View, ViewsRunner, versions_table
from tests import domain_data as d
from tests.integration.test_erasure import _person
from tests.ledger_kit import LedgerKit, build_kit


class KindsV1(View):
    """Each stream's latest event type, as its first version folded it: as signed."""

    name = "kinds"
    version = 1
    handled: ClassVar[list[int]] = []  # every notification id handed to any instance

    def table_definitions(self) -> Mapping[str, str]:
        return {"kinds": "stream TEXT PRIMARY KEY, kind TEXT NOT NULL"}

    def fold(self, type_: str) -> str:
        return type_

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        type(self).handled.extend(event.notification_id for event in events)
        rows = [(str(event.stream), self.fold(event.type)) for event in events]
        cursor.upsert(tables["kinds"], ("stream", "kind"), rows, ("stream",))


class KindsV2(KindsV1):
    """Its second version: the type in lower case (a change of folding, so a new version)."""

    version = 2
    handled: ClassVar[list[int]] = []

    def fold(self, type_: str) -> str:
        return type_.lower()


def _kinds(runner: ViewsRunner) -> set[str]:
    with runner.db.transaction() as cursor:
        cursor.execute(f"SELECT kind FROM {runner.tables_of(runner.view('kinds'))['kinds']}")
        return {row[0] for row in cursor.fetchall()}


def _records(kit: LedgerKit, count: int = 3) -> None:
    for _ in range(count):
        kit.open_record()


@pytest.fixture
def dbs(kit: LedgerKit) -> Iterator[list[ViewDatabase]]:
    """Three connections of their own to the ledger's database, as separate processes hold."""
    opened = [ViewDatabase(kit.ledger.settings.database_url) for _ in range(3)]
    yield opened
    for db in opened:
        db.close()


@pytest.fixture(autouse=True)
def _spies() -> None:
    KindsV1.handled.clear()
    KindsV2.handled.clear()


def test_a_bumped_version_rebuilds_on_the_next_catch_up(
    kit: LedgerKit, dbs: list[ViewDatabase], caplog: pytest.LogCaptureFixture
) -> None:
    """Built by version 1, opened by version 2: the next catch-up replays the whole log into
    the new code's rows, records version 2, and says so in one line naming no one."""
    _records(kit)
    ViewsRunner(kit.ledger, dbs[0], [KindsV1()]).catch_up()
    assert {"RecordOpened"} <= _kinds(ViewsRunner(kit.ledger, dbs[0], [KindsV1()]))
    _records(kit, 2)
    runner = ViewsRunner(kit.ledger, dbs[1], [KindsV2()])

    with caplog.at_level(logging.WARNING, logger="projections.views.runner"):
        read = runner.catch_up()

    events = kit.event_count()
    assert all(kind == kind.lower() for kind in _kinds(runner))
    assert "recordopened" in _kinds(runner)
    assert {"kinds": 2} == {k: v for k, v in runner.versions().items() if k == "kinds"}
    assert events == runner.position("kinds")
    assert list(range(1, events + 1)) == sorted(set(KindsV2.handled))  # from the first event
    assert events <= read
    [line] = [r.getMessage() for r in caplog.records if "kinds" in r.getMessage()]
    assert f"view kinds rebuilt from version 1 to version 2: {events} events" == line


def test_an_unchanged_version_does_not_rebuild(kit: LedgerKit, dbs: list[ViewDatabase]) -> None:
    """Opened again by the same version: only the new events are folded, the position moves on."""
    _records(kit)
    ViewsRunner(kit.ledger, dbs[0], [KindsV1()]).catch_up()
    caught_up = kit.event_count()
    _records(kit, 1)
    KindsV1.handled.clear()
    runner = ViewsRunner(kit.ledger, dbs[1], [KindsV1()])

    assert {} == runner.upgrade()
    runner.catch_up()

    assert list(range(caught_up + 1, kit.event_count() + 1)) == KindsV1.handled
    assert 1 == runner.versions()["kinds"]


def test_an_old_database_without_versions_rebuilds_once(
    kit: LedgerKit, dbs: list[ViewDatabase]
) -> None:
    """A database built before versions were kept (no versions table): each view counts as
    version 0, so the first catch-up rebuilds it, and the next one does not."""
    _records(kit)
    ViewsRunner(kit.ledger, dbs[0], [KindsV1()]).catch_up()
    with dbs[0].schema_change() as cursor:
        cursor.execute(f"DROP TABLE {versions_table(kit.ledger.settings.name)}")
    KindsV1.handled.clear()

    first = ViewsRunner(kit.ledger, dbs[1], [KindsV1()]).upgrade()
    second = ViewsRunner(kit.ledger, dbs[2], [KindsV1()]).upgrade()

    assert {"kinds": kit.event_count()} == first
    assert {} == second
    assert kit.event_count() == len(KindsV1.handled)  # one replay, not two


def test_two_processes_opening_at_once_rebuild_once(
    kit: LedgerKit, dbs: list[ViewDatabase]
) -> None:
    """Two runners of version 2, each on its own connection, start together on a database built
    by version 1: one rebuilds while the other waits, then finds the view current."""
    _records(kit, 6)
    ViewsRunner(kit.ledger, dbs[0], [KindsV1()]).catch_up()
    connections = [dbs[1], dbs[2]]
    start = threading.Barrier(2)
    rebuilt: list[dict[str, int]] = []
    failed: list[BaseException] = []

    def open_and_catch_up(db: ViewDatabase) -> None:
        try:
            runner = ViewsRunner(kit.ledger, db, [KindsV2()], batch_size=2)
            start.wait(timeout=30)
            rebuilt.append(runner.upgrade(lambda done, total: time.sleep(0.05)))  # a long one
            runner.catch_up()
        except BaseException as error:  # the test reports it
            failed.append(error)

    threads = [threading.Thread(target=open_and_catch_up, args=(db,)) for db in connections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [] == failed
    assert [{}, {"kinds": kit.event_count()}] == sorted(rebuilt, key=len)
    assert kit.event_count() == len(KindsV2.handled)  # one replay between them
    assert "recordopened" in _kinds(ViewsRunner(kit.ledger, dbs[0], [KindsV2()]))


class PreErasureRegistry(RegistryView):
    """The registry view as it folded before erasures were marked (version 1)."""

    version = 1

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        super().handle(cursor, [e for e in events if e.type != "PersonErased"], tables)


def test_the_registry_built_before_erasures_were_marked_is_rebuilt(
    backend_url: str, tmp_path: Path
) -> None:
    """A registry caught up by the code before erasure marking shows an erased person as not
    erased; the first catch-up of today's code rebuilds it, and she reads erased."""
    settings = LedgerSettings(
        database_url=backend_url,
        name=f"t{uuid.uuid4().hex[:12]}",
        vault_key_dir=tmp_path / "vault-keys",
    )
    ledger = Ledger(settings)
    try:
        kit = build_kit(ledger)
        erased = _person(kit, 711)
        kit.emit(kit.hr, erased, "PersonErased", d.ERASURE)
        others = [view for view in all_views() if view.name != "registry"]
        with Projections(ledger, ViewDatabase(backend_url), [PreErasureRegistry(), *others]) as old:
            old.catch_up()
            before = {e.stream: e.erased for e in Reports(old).registry(EVERYWHERE).rows}

        with Projections.open(ledger) as projections:
            rebuilt = projections.upgrade()
            projections.catch_up()
            after = {e.stream: e.erased for e in Reports(projections).registry(EVERYWHERE).rows}
            versions = projections.runner.versions()
        end = log_end(ledger)
    finally:
        ledger.close()

    assert (False, True) == (before[str(erased)], after[str(erased)])
    assert {"registry": end} == rebuilt  # the other views' versions did not change
    assert RegistryView.version == versions["registry"] == 2
