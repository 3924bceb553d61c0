"""The projection runner: follows the notification log and keeps a view's tables current.

Each batch of events is applied and the view's tracking position is moved in the same
transaction, so a crash never loses or doubles an event: after a restart the runner resumes
from the last committed position. ``rebuild`` replays the whole log into fresh tables and swaps
them in atomically, so readers never see a half-built view.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import ClassVar

from ledger.application import Ledger
from projections.log import LogEvent, log_end, read_log
from projections.store import Cursor, ViewDatabase

Progress = Callable[[int, int], None]
"""Called with (events done, events to do) after each batch."""

REBUILD_SUFFIX = "__rebuild"


class View(ABC):
    """A read model: the tables it owns and how a batch of events changes their rows.

    Handlers must be idempotent (applying an event twice leaves the same rows), and they must
    advance over events they do not care about simply by ignoring them.
    """

    name: ClassVar[str]

    @abstractmethod
    def table_definitions(self) -> Mapping[str, str]:
        """Each table's short name -> its column definitions (the inside of CREATE TABLE)."""

    @abstractmethod
    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        """Apply a batch of events; ``tables`` maps short names to the real table names."""


class ProjectionRunner:
    """Runs one view over one ledger's log, writing into ``db``."""

    def __init__(
        self, ledger: Ledger, db: ViewDatabase, view: View, *, batch_size: int = 2000
    ) -> None:
        self.ledger = ledger
        self.db = db
        self.view = view
        self.batch_size = batch_size
        self._prefix = f"{ledger.settings.name}_{view.name}"
        self._tracking = f"{ledger.settings.name}_projection_tracking"
        with db.transaction() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self._tracking} "
                "(view TEXT PRIMARY KEY, position BIGINT NOT NULL)"
            )
            self._create_tables(cursor, "")

    def tables(self, suffix: str = "") -> dict[str, str]:
        """The real table names of the view (``suffix`` names the tables of a rebuild)."""
        return {short: f"{self._prefix}_{short}{suffix}" for short in self.view.table_definitions()}

    def position(self, suffix: str = "") -> int:
        """The notification id up to which the view is current."""
        with self.db.transaction() as cursor:
            return self._position(cursor, suffix)

    def catch_up(self, progress: Progress | None = None, *, max_batches: int | None = None) -> int:
        """Apply every event recorded so far; return how many events were read."""
        return self._run("", progress, max_batches)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Replay the whole log into fresh tables, then swap them in and drop the old ones."""
        with self.db.transaction() as cursor:
            for table in self.tables(REBUILD_SUFFIX).values():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"DELETE FROM {self._tracking} WHERE view = ?", [self._key(REBUILD_SUFFIX)]
            )
            self._create_tables(cursor, REBUILD_SUFFIX)
        done = self._run(REBUILD_SUFFIX, progress, None)
        with self.db.transaction() as cursor:
            position = self._position(cursor, REBUILD_SUFFIX)
            for short, table in self.tables().items():
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(
                    f"ALTER TABLE {self.tables(REBUILD_SUFFIX)[short]} RENAME TO {table}"
                )
            self._set_position(cursor, "", position)
            cursor.execute(
                f"DELETE FROM {self._tracking} WHERE view = ?", [self._key(REBUILD_SUFFIX)]
            )
        return done + self.catch_up()

    def _run(self, suffix: str, progress: Progress | None, max_batches: int | None) -> int:
        tables = self.tables(suffix)
        position = self.position(suffix)
        end = log_end(self.ledger)
        done = 0
        batches = 0
        while max_batches is None or batches < max_batches:
            events = read_log(self.ledger, position, self.batch_size)
            if not events:
                break
            with self.db.transaction() as cursor:
                self.view.handle(cursor, events, tables)
                position = events[-1].notification_id
                self._set_position(cursor, suffix, position)
            done += len(events)
            batches += 1
            if progress is not None:
                progress(done, max(end, position) - position + done)
        return done

    def _create_tables(self, cursor: Cursor, suffix: str) -> None:
        definitions = self.view.table_definitions()
        for short, table in self.tables(suffix).items():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({definitions[short]})")

    def _key(self, suffix: str) -> str:
        return self.view.name + suffix

    def _position(self, cursor: Cursor, suffix: str) -> int:
        cursor.execute(f"SELECT position FROM {self._tracking} WHERE view = ?", [self._key(suffix)])
        row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _set_position(self, cursor: Cursor, suffix: str, position: int) -> None:
        cursor.execute(
            f"INSERT INTO {self._tracking} (view, position) VALUES (?, ?) "
            "ON CONFLICT (view) DO UPDATE SET position = excluded.position",
            [self._key(suffix), position],
        )
