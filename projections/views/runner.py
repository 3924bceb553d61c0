"""The projection runner: follows the notification log and keeps views' tables current.

Each batch of events is applied and the views' tracking positions are moved in the same
transaction, so a crash never loses or doubles an event: after a restart the runner resumes
from the last committed position. The position is read inside that transaction, under a lock
per view (PostgreSQL: advisory locks; SQLite: the write lock ``BEGIN IMMEDIATE`` takes), so two
runners of the same views, in threads or processes, never apply a batch twice, while runners of
different views work side by side (``projections.parallel``).

``ViewsRunner`` feeds several views from one pass over the log: each batch is read and decoded
once and handed to every view (each view only the events after its own position, so views that
are behind, a freshly added one say, catch up in the same pass). ``ProjectionRunner`` runs one
view. ``rebuild`` replays the whole log into fresh tables, creates their indexes, and swaps them
in atomically, so readers never see a half-built view.

Each view declares a ``version`` (bumped whenever its tables or its folding change), and the
version a view was built with is kept beside its position (``<ledger>_projection_versions``).
The first catch-up of a runner rebuilds every view whose stored version differs from its code's
(``upgrade``; a view built before versions were kept counts as version 0), one process at a
time (``ViewDatabase.exclusive``): a new release never serves rows folded by the old code.
"""

from __future__ import annotations

import logging
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from ledger.application import Ledger
from projections.log import LogEvent, log_end, read_log
from projections.store import Cursor, ViewDatabase

Progress = Callable[[int, int], None]
"""Called with (events done, events to do) after each batch."""

log = logging.getLogger(__name__)

REBUILD_SUFFIX = "__rebuild"
DEFAULT_BATCH_SIZE = 20_000


class View(ABC):
    """A read model: the tables it owns and how a batch of events changes their rows.

    Handlers must be idempotent (applying an event twice leaves the same rows), and they must
    advance over events they do not care about simply by ignoring them.
    """

    name: ClassVar[str]
    version: ClassVar[int] = 1
    """The version of the view's tables and of how it folds events. Bump it whenever either
    changes (a column, a table, an event handled differently or newly handled): a database built
    with another version rebuilds the view on its next catch-up (``ViewsRunner.upgrade``), so
    rows folded by the old code are never served."""

    @abstractmethod
    def table_definitions(self) -> Mapping[str, str]:
        """Each table's short name -> its column definitions (the inside of CREATE TABLE)."""

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        """Each table's short name -> the column lists of its secondary indexes."""
        return {}

    @abstractmethod
    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        """Apply a batch of events; ``tables`` maps short names to the real table names."""


def view_tables(ledger_name: str, view: View, suffix: str = "") -> dict[str, str]:
    """The real table names of a view of the ledger (``suffix`` names a rebuild's tables)."""
    prefix = f"{ledger_name}_{view.name}"
    return {short: f"{prefix}_{short}{suffix}" for short in view.table_definitions()}


def tracking_table(ledger_name: str) -> str:
    return f"{ledger_name}_projection_tracking"


def versions_table(ledger_name: str) -> str:
    """Each view's name -> the ``View.version`` its tables were built with."""
    return f"{ledger_name}_projection_versions"


class ViewsRunner:
    """Runs several views over one ledger's log in one pass, writing into ``db``."""

    def __init__(
        self,
        ledger: Ledger,
        db: ViewDatabase,
        views: Sequence[View],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        names = [view.name for view in views]
        if len(set(names)) != len(names):
            raise ValueError(f"views named twice: {names}")
        self.ledger = ledger
        self.db = db
        self.views = list(views)
        self.batch_size = batch_size
        self._tracking = tracking_table(ledger.settings.name)
        self._versions = versions_table(ledger.settings.name)
        self._rebuild_lock = f"{ledger.settings.name}_views_rebuild"
        self._upgraded = False
        self._lock_keys = sorted(
            zlib.crc32(f"{self._tracking}:{name}".encode()) for name in sorted(set(names))
        )
        with db.schema_change() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self._tracking} "
                "(view TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self._versions} "
                "(view TEXT PRIMARY KEY, version INTEGER NOT NULL)"
            )
            for view in self.views:
                self._create_tables(cursor, view, "")
                self._create_indexes(cursor, view, "")
                if not self._tracked(cursor, view.name):  # nothing folded yet: nothing stale
                    cursor.execute(
                        f"INSERT INTO {self._versions} (view, version) VALUES (?, ?) "
                        "ON CONFLICT (view) DO NOTHING",
                        [view.name, view.version],
                    )

    def view(self, name: str) -> View:
        for view in self.views:
            if view.name == name:
                return view
        raise KeyError(name)

    def tables_of(self, view: View, suffix: str = "") -> dict[str, str]:
        return view_tables(self.ledger.settings.name, view, suffix)

    def position(self, key: str) -> int:
        """The notification id up to which ``key`` (a view's name, or a rebuild's) is current."""
        with self.db.transaction() as cursor:
            return self._position(cursor, key)

    def positions(self) -> dict[str, int]:
        """Each view's name -> the notification id up to which it is current."""
        with self.db.transaction() as cursor:
            return {view.name: self._position(cursor, view.name) for view in self.views}

    def versions(self) -> dict[str, int]:
        """Each view's name -> the version its tables were built with (0: before versions)."""
        with self.db.transaction() as cursor:
            return self._stored_versions(cursor)

    def catch_up(self, progress: Progress | None = None, *, max_batches: int | None = None) -> int:
        """Apply every event recorded so far to every view, first rebuilding the outdated ones
        (``upgrade``); return how many events were read."""
        rebuilt = sum(self.upgrade(progress).values())
        return rebuilt + self._run([(view, "") for view in self.views], progress, max_batches)

    def upgrade(self, progress: Progress | None = None) -> dict[str, int]:
        """Rebuild every view whose stored version differs from its code's ``View.version``
        (checked once per runner: a process's code does not change); return each rebuilt view's
        name -> the events it replayed. Under ``ViewDatabase.exclusive``, so of two processes
        starting at once one rebuilds and the other, once it has waited, finds nothing to do."""
        if self._upgraded:
            return {}
        rebuilt: dict[str, int] = {}
        if self._outdated():
            with self.db.exclusive(self._rebuild_lock):
                for view, stored in self._outdated():  # again: another may have rebuilt them
                    rebuilt[view.name] = self._rebuild(view, progress)
                    log.warning(  # seen without any logging set up: the operator knows
                        "view %s rebuilt from version %d to version %d: %d events",
                        view.name,
                        stored,
                        view.version,
                        rebuilt[view.name],
                    )
        self._upgraded = True
        return rebuilt

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        """Replay the whole log into fresh tables of view ``name``, then swap them in (and
        record the code's version of the view with its position)."""
        view = self.view(name)
        with self.db.exclusive(self._rebuild_lock):
            return self._rebuild(view, progress)

    def _outdated(self) -> list[tuple[View, int]]:
        stored = self.versions()
        return [
            (view, stored.get(view.name, 0))
            for view in self.views
            if stored.get(view.name, 0) != view.version
        ]

    def _rebuild(self, view: View, progress: Progress | None) -> int:
        name = view.name
        key = name + REBUILD_SUFFIX
        with self.db.schema_change() as cursor:
            for table in self.tables_of(view, REBUILD_SUFFIX).values():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"DELETE FROM {self._tracking} WHERE view = ?", [key])
            self._create_tables(cursor, view, REBUILD_SUFFIX)
        done = self._run([(view, REBUILD_SUFFIX)], progress, None)
        with self.db.transaction() as cursor:
            self._lock(cursor)
            position = self._position(cursor, key)
            fresh = self.tables_of(view, REBUILD_SUFFIX)
            for short, table in self.tables_of(view).items():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"ALTER TABLE {fresh[short]} RENAME TO {table}")
            self._create_indexes(cursor, view, "")
            self._set_position(cursor, name, position)
            cursor.execute(f"DELETE FROM {self._tracking} WHERE view = ?", [key])
            cursor.execute(
                f"INSERT INTO {self._versions} (view, version) VALUES (?, ?) "
                "ON CONFLICT (view) DO UPDATE SET version = excluded.version",
                [name, view.version],
            )
        return done + self._run([(view, "")], None, None)

    def _run(
        self,
        members: Sequence[tuple[View, str]],
        progress: Progress | None,
        max_batches: int | None,
    ) -> int:
        end = log_end(self.ledger)
        start: int | None = None
        done = 0
        batches = 0
        while max_batches is None or batches < max_batches:
            with self.db.transaction() as cursor:
                self._lock(cursor)
                positions = [self._position(cursor, view.name + suffix) for view, suffix in members]
                lowest = min(positions)
                start = lowest if start is None else start
                events = read_log(self.ledger, lowest, self.batch_size)
                if not events:
                    break
                last = events[-1].notification_id
                for (view, suffix), position in zip(members, positions, strict=True):
                    mine = (
                        events
                        if position == lowest
                        else [event for event in events if event.notification_id > position]
                    )
                    if mine:
                        view.handle(cursor, mine, self.tables_of(view, suffix))
                    if last > position:
                        self._set_position(cursor, view.name + suffix, last)
            done += len(events)
            batches += 1
            if progress is not None:
                progress(done, max(end, last) - start)
        return done

    def _lock(self, cursor: Cursor) -> None:
        """Serialize runners of the same views: one advisory lock per view, taken in name
        order (so runners of disjoint views, in parallel processes, never wait for each
        other); SQLite's BEGIN IMMEDIATE already serializes every writer."""
        if cursor.dialect == "postgresql":
            for key in self._lock_keys:
                cursor.execute("SELECT pg_advisory_xact_lock(?)", [key])

    def _create_tables(self, cursor: Cursor, view: View, suffix: str) -> None:
        definitions = view.table_definitions()
        for short, table in self.tables_of(view, suffix).items():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({definitions[short]})")

    def _create_indexes(self, cursor: Cursor, view: View, suffix: str) -> None:
        tables = self.tables_of(view, suffix)
        for short, indexes in view.index_definitions().items():
            for number, columns in enumerate(indexes):
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {tables[short]}_i{number} "
                    f"ON {tables[short]} ({columns})"
                )

    def _tracked(self, cursor: Cursor, key: str) -> bool:
        cursor.execute(f"SELECT 1 FROM {self._tracking} WHERE view = ?", [key])
        return cursor.fetchone() is not None

    def _stored_versions(self, cursor: Cursor) -> dict[str, int]:
        cursor.execute(f"SELECT view, version FROM {self._versions}")
        return {str(view): int(version) for view, version in cursor.fetchall()}

    def _position(self, cursor: Cursor, key: str) -> int:
        cursor.execute(f"SELECT position FROM {self._tracking} WHERE view = ?", [key])
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _set_position(self, cursor: Cursor, key: str, position: int) -> None:
        cursor.execute(
            f"INSERT INTO {self._tracking} (view, position) VALUES (?, ?) "
            "ON CONFLICT (view) DO UPDATE SET position = excluded.position",
            [key, position],
        )


class ProjectionRunner:
    """Runs one view over one ledger's log, writing into ``db``."""

    def __init__(
        self,
        ledger: Ledger,
        db: ViewDatabase,
        view: View,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        self.ledger = ledger
        self.db = db
        self.view = view
        self._runner = ViewsRunner(ledger, db, [view], batch_size=batch_size)

    @property
    def batch_size(self) -> int:
        return self._runner.batch_size

    def tables(self, suffix: str = "") -> dict[str, str]:
        """The real table names of the view (``suffix`` names the tables of a rebuild)."""
        return self._runner.tables_of(self.view, suffix)

    def position(self, suffix: str = "") -> int:
        """The notification id up to which the view is current."""
        return self._runner.position(self.view.name + suffix)

    def catch_up(self, progress: Progress | None = None, *, max_batches: int | None = None) -> int:
        """Apply every event recorded so far; return how many events were read."""
        return self._runner.catch_up(progress, max_batches=max_batches)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Replay the whole log into fresh tables, then swap them in and drop the old ones."""
        return self._runner.rebuild(self.view.name, progress)
