"""Projection catch-up: the ledger's runner against eventsourcing's ProjectionRunner, same log.

Run with ``python bench/projections.py [--events N]`` (default 1,000,000). In one run, on this
machine's PostgreSQL, it:

1. creates a database of its own (``bench_projections_<random>``, dropped at the end unless
   ``--keep``) holding a ledger initialised the normal way and N signed events: personnel
   records of 20 events each (opening, education and position-and-salary entries), their
   streams interleaved, signed in a process pool and bulk-loaded with COPY exactly as the
   library stores them (``bench/audit.py``'s generator);
2. catches up every view of the ledger (``projections.views.catalogue.VIEW_CLASSES``:
   registry, audit trail, stream heads, positions, organizations, certification, leave, Section 35,
   e-Plan) with ``projections.views.runner.ViewsRunner``: one pass over the log, a batch of events
   and the views' positions committed together;
3. runs the same views, the same handlers and the same tables (prefixed ``lib_``), under the
   library's ``eventsourcing.projection.ProjectionRunner``: its subscription to the
   application's log, a ``Projection`` whose ``process_event`` applies each event to the views
   and records its tracking position through the view's ``PostgresTrackingRecorder``, in one
   transaction per event, which is how the library's runner works. It is timed over the first
   ``--baseline-events`` events (default 20,000) so the run stays short: the rate is steady.

It prints events per second of both and their ratio (targets: at least 20,000 events/s and at
least 10x the library's runner). It always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any, ClassVar

if __package__ in (None, ""):  # run as a script: make the project and bench/audit.py importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(1, str(Path(__file__).resolve().parent))

import audit as log_generator  # bench/audit.py: the 1M-event generator
import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection, ProjectionRunner
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.domain.signed import SignedAggregate
from ledger.settings import LedgerSettings
from projections.log import LogEvent
from projections.rows import utc_text
from projections.store import ViewDatabase, postgres_cursor
from projections.views.catalogue import Projections, all_views
from projections.views.runner import View, view_tables

TARGET_RATE = 20_000
TARGET_RATIO = 10.0
LEDGER = log_generator.LEDGER  # "bench": its events table is bench_events
BASELINE_PREFIX = "lib"


class Bench(Application[uuid.UUID]):
    """The library's view of the benchmark ledger: its application reads ``bench_events``."""

    name = LEDGER


class LibraryViews(PostgresTrackingRecorder):
    """The ledger's views as the library's materialised view: a tracking recorder that applies
    each event to every view and records its tracking position in the same transaction."""

    views: ClassVar[list[View]] = []

    def apply(self, event: LogEvent, tracking: Tracking) -> None:
        with (
            self.datastore.get_connection() as connection,
            connection.transaction(),
            connection.cursor(row_factory=tuple_row) as rows,
            connection.cursor() as tracked,
        ):
            cursor = postgres_cursor(rows)
            for view in self.views:
                view.handle(cursor, [event], view_tables(BASELINE_PREFIX, view))
            self._insert_tracking(tracked, tracking)


class ViewsProjection(Projection[LibraryViews]):
    """Applies each domain event the library's runner hands it to the views."""

    name = "libviews"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        if not isinstance(domain_event, SignedAggregate.Event):
            raise TypeError(f"{type(domain_event).__name__} is not a signed ledger event")
        self.view.apply(
            LogEvent(
                notification_id=tracking.notification_id,
                stream=domain_event.originator_id,
                version=domain_event.originator_version,
                type=type(domain_event).__name__,
                canonical=domain_event.statement,
                signature=domain_event.signature,
                hash=domain_event.hash,
                recorded_at=domain_event.timestamp,
                stream_text=str(domain_event.originator_id),
                recorded_text=utc_text(domain_event.timestamp),
            ),
            tracking,
        )


def run_ours(url: str, batch_size: int) -> tuple[int, float]:
    """Our runner: every view, one pass over the whole log."""
    ledger = Ledger(LedgerSettings(database_url=url, name=LEDGER))
    projections = Projections(ledger, ViewDatabase(url), batch_size=batch_size)
    try:
        t0 = time.perf_counter()
        done = projections.catch_up()
        return done, time.perf_counter() - t0
    finally:
        projections.close()
        ledger.close()


def run_library(url: str, events: int) -> tuple[int, float]:
    """The library's runner over the same views, until it has tracked ``events`` events."""
    views = all_views()
    with psycopg.connect(url, autocommit=True) as connection:
        for view in views:
            tables = view_tables(BASELINE_PREFIX, view)
            definitions = view.table_definitions()
            for short, table in tables.items():
                connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({definitions[short]})")
            for short, indexes in view.index_definitions().items():
                for number, columns in enumerate(indexes):
                    connection.execute(
                        f"CREATE INDEX IF NOT EXISTS {tables[short]}_i{number} "
                        f"ON {tables[short]} ({columns})"
                    )
    LibraryViews.views = views
    parts = psycopg.conninfo.conninfo_to_dict(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(parts["dbname"]),
        "POSTGRES_HOST": str(parts.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(parts.get("port", "5432")),
        "POSTGRES_USER": str(parts.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(parts.get("password", "")),
        "CREATE_TABLE": "n",  # the ledger's events table is there
        "LIBVIEWS_CREATE_TABLE": "y",  # the tracking table is the library's
    }
    t0 = time.perf_counter()
    with ProjectionRunner(
        application_class=Bench,
        projection_class=ViewsProjection,
        view_class=LibraryViews,
        env=env,
    ) as runner:
        runner.wait(events, timeout=3600)
        seconds = time.perf_counter() - t0
    return events, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--baseline-events", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=50_000)
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"projection benchmark: {args.events:,} events, {cores} cores")
    bench = log_generator.Bench(args.server, args.events, args.keep)
    bench.database = f"bench_projections_{uuid.uuid4().hex[:8]}"
    bench.url = f"{args.server}/{bench.database}"
    with bench:
        _, signing, vacuum = bench.populate(cores)
        print(
            f"  log: {args.events:,} signed events generated and loaded in {signing:.1f} s "
            f"(bench/audit.py's generator, COPY), vacuum {vacuum:.1f} s"
        )
        ours, ours_seconds = run_ours(bench.url, args.batch_size)
        ours_rate = ours / ours_seconds
        print(
            f"  ledger ViewsRunner: {ours:,} events into {len(all_views())} views in "
            f"{ours_seconds:.1f} s = {ours_rate:,.0f} events/s (batches of {args.batch_size:,})"
        )
        baseline = min(args.baseline_events, args.events)
        lib, lib_seconds = run_library(bench.url, baseline)
        lib_rate = lib / lib_seconds
        print(
            f"  eventsourcing ProjectionRunner: {lib:,} events into the same views in "
            f"{lib_seconds:.1f} s = {lib_rate:,.0f} events/s (one transaction per event)"
        )
    ratio = ours_rate / lib_rate
    print()
    print(
        f"  rate:  {ours_rate:,.0f} events/s (target {TARGET_RATE:,}) "
        f"{'PASS' if ours_rate >= TARGET_RATE else 'BELOW'}"
    )
    print(
        f"  ratio: {ratio:.1f}x the library's runner (target {TARGET_RATIO:.0f}x) "
        f"{'PASS' if ratio >= TARGET_RATIO else 'BELOW'}"
    )


if __name__ == "__main__":
    main()
