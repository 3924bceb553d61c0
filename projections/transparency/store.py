"""The transparency log's tables: leaves, subtree nodes, signed checkpoints, its position.

DESIGN.md section 6. Storage, in the ledger's own database (PostgreSQL, or the SQLite file),
tables named after the ledger so several ledgers share one database:

* ``<name>_tlog_leaves``: leaf index, notification id, event hash (the leaf's data), and a copy
  of the event's transaction time (which no signature covers: an auditor compares the two);
* ``<name>_tlog_nodes``: every perfect subtree of level 1 and up, ``(level, node_index, hash)``,
  so appending a leaf writes O(1) rows amortized and any root or proof takes O(log n) lookups,
  never a pass over the leaves;
* ``<name>_tlog_checkpoints``: tree size, root hash, time and the signed note;
* ``<name>_tlog_tracking``: the last notification id and tree size the log has taken in.

``TransparencyStore`` reads them (positions, checkpoints, leaves, roots, inclusion and
consistency proofs) and writes a batch of leaves, nodes and checkpoints with the tracking
position in one transaction. The table layout is read here and by the auditor
(``replay.source``), which shares ``table_names``, ``read_subtrees`` and ``stored_time`` rather
than a copy of them. ``projections.transparency.projection`` fills the tables.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.merkle import (
    Frontier,
    consistency_ranges,
    frontier_nodes,
    gather_subtrees,
    inclusion_ranges,
    range_hashes,
)
from ledger.storage import SCHEMA_LOCK_KEY, ImmediateTransaction, quote_identifier
from projections.transparency.errors import (
    AwaitingCheckpointError,
    LeafNotFoundError,
    NoCheckpointError,
    ProofRangeError,
)


def table_names(ledger_name: str) -> dict[str, str]:
    """The transparency log's table names for a ledger (unquoted, unqualified)."""
    return {
        "leaves": f"{ledger_name}_tlog_leaves",
        "nodes": f"{ledger_name}_tlog_nodes",
        "checkpoints": f"{ledger_name}_tlog_checkpoints",
        "tracking": f"{ledger_name}_tlog_tracking",
    }


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A checkpoint as the log keeps it: the note and the fields it signs."""

    tree_size: int
    root_hash: bytes
    issued_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """Where a notification's event hash sits in the log, and the path to a checkpoint's root."""

    notification_id: int
    leaf_index: int
    event_hash: bytes
    proof: list[bytes]
    checkpoint: StoredCheckpoint


@dataclass(frozen=True, slots=True)
class ConsistencyProof:
    """The proof that an older checkpoint's tree is a prefix of a newer one's."""

    old: StoredCheckpoint
    new: StoredCheckpoint
    proof: list[bytes]


@dataclass
class Batch:
    """What one catch-up writes in one transaction."""

    position: int
    tree_size: int
    leaves: list[tuple[int, int, bytes, str]] = field(default_factory=list)
    nodes: list[tuple[int, int, bytes]] = field(default_factory=list)
    checkpoints: list[StoredCheckpoint] = field(default_factory=list)


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def execute(self, query: Any, params: Any = ...) -> Any: ...
    def executemany(self, query: Any, params_seq: Any) -> Any: ...
    def fetchall(self) -> Any: ...
    def fetchone(self) -> Any: ...


class TransparencyStore:
    """The log's tables in the ledger's database: reads, proofs, and the batch write."""

    def __init__(self, ledger: Ledger) -> None:
        recorder = ledger.recorder
        self.ledger_name = ledger.name
        names = table_names(ledger.name)
        if isinstance(recorder, PostgresApplicationRecorder):
            self._postgres: PostgresApplicationRecorder | None = recorder
            self._sqlite: SQLiteApplicationRecorder | None = None
            schema = quote_identifier(recorder.datastore.schema) + "."
            self._mark = "%s"
            self._blob = "bytea"
            self._time = "timestamptz"
        elif isinstance(recorder, SQLiteApplicationRecorder):
            self._postgres = None
            self._sqlite = recorder
            schema = ""
            self._mark = "?"
            self._blob = "BLOB"
            self._time = "TEXT"
        else:
            raise TypeError(f"no transparency log for {type(recorder).__name__}")
        self.leaves, self.nodes, self.checkpoints_table, self.tracking = (
            schema + quote_identifier(names[key])
            for key in ("leaves", "nodes", "checkpoints", "tracking")
        )
        self._create_tables()

    # Connections.

    @contextmanager
    def _transaction(self, *, commit: bool) -> Iterator[_Cursor]:
        if self._postgres is not None:
            with (
                self._postgres.datastore.get_connection() as connection,
                connection.transaction(force_rollback=not commit),
            ):
                yield connection.cursor(row_factory=tuple_row)
            return
        if self._sqlite is None:
            raise TypeError("the store has neither a PostgreSQL nor an SQLite recorder")
        if not commit:
            with self._sqlite.datastore.transaction(commit=False) as cursor:
                yield cursor.sqlite_cursor
            return
        # A write that reads first must take SQLite's write lock as it begins: upgrading a
        # read lock fails at once while another process writes (ledger.storage).
        with (
            self._sqlite.datastore.get_connection(commit=True) as lite,
            ImmediateTransaction(lite, commit=True) as cursor,
            cursor,
        ):
            yield cursor.sqlite_cursor

    def _sql(self, text: str) -> str:
        return text.replace("?", self._mark)

    def _create_tables(self) -> None:
        blob, time = self._blob, self._time
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.leaves} (leaf_index bigint PRIMARY KEY, "
            f"notification_id bigint NOT NULL UNIQUE, event_hash {blob} NOT NULL, "
            "recorded_at text NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.nodes} (level smallint NOT NULL, "
            f"node_index bigint NOT NULL, hash {blob} NOT NULL, PRIMARY KEY (level, node_index))",
            f"CREATE TABLE IF NOT EXISTS {self.checkpoints_table} (tree_size bigint PRIMARY KEY, "
            f"root_hash {blob} NOT NULL, issued_at {time} NOT NULL, note text NOT NULL)",
            f"CREATE TABLE IF NOT EXISTS {self.tracking} (application_name text PRIMARY KEY, "
            "notification_id bigint NOT NULL, tree_size bigint NOT NULL)",
            f"INSERT INTO {self.tracking} VALUES (?, 0, 0) ON CONFLICT DO NOTHING",
        ]
        with self._transaction(commit=True) as cursor:
            if self._postgres is not None:
                # Concurrent CREATE TABLE IF NOT EXISTS can collide in PostgreSQL's catalogue.
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK_KEY])
            for statement in statements[:-1]:
                cursor.execute(statement)
            cursor.execute(self._sql(statements[-1]), [self.ledger_name])

    # Reading.

    def position(self) -> tuple[int, int]:
        """The last notification id taken in, and the tree size."""
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql(
                    f"SELECT notification_id, tree_size FROM {self.tracking} "
                    "WHERE application_name = ?"
                ),
                [self.ledger_name],
            )
            row = cursor.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def tree_size(self) -> int:
        return self.position()[1]

    def latest_checkpoint(self) -> StoredCheckpoint:
        """The newest checkpoint; ``NoCheckpointError`` when none is signed yet."""
        found = self._select_checkpoints("ORDER BY tree_size DESC LIMIT 1", [])
        if not found:
            raise NoCheckpointError
        return found[0]

    def checkpoint_at(self, tree_size: int) -> StoredCheckpoint | None:
        found = self._select_checkpoints("WHERE tree_size = ?", [tree_size])
        return found[0] if found else None

    def checkpoints(
        self, *, after_size: int = -1, limit: int | None = None
    ) -> list[StoredCheckpoint]:
        """Checkpoints in order of tree size, those larger than ``after_size``."""
        tail = "WHERE tree_size > ? ORDER BY tree_size"
        params: list[Any] = [after_size]
        if limit is not None:
            tail += " LIMIT ?"
            params.append(limit)
        return self._select_checkpoints(tail, params)

    def _select_checkpoints(self, tail: str, params: list[Any]) -> list[StoredCheckpoint]:
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql(
                    "SELECT tree_size, root_hash, issued_at, note "
                    f"FROM {self.checkpoints_table} {tail}"
                ),
                params,
            )
            rows = cursor.fetchall()
        return [
            StoredCheckpoint(int(row[0]), bytes(row[1]), stored_time(row[2]), str(row[3]))
            for row in rows
        ]

    def leaf(self, notification_id: int) -> tuple[int, bytes]:
        """The leaf index and event hash of a notification; ``LeafNotFoundError`` if not logged."""
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql(
                    f"SELECT leaf_index, event_hash FROM {self.leaves} WHERE notification_id = ?"
                ),
                [notification_id],
            )
            row = cursor.fetchone()
        if row is None:
            raise LeafNotFoundError(notification_id)
        return int(row[0]), bytes(row[1])

    def leaf_time(self, leaf_index: int) -> str:
        """The transaction time the log took in with a leaf (ISO 8601 text)."""
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql(f"SELECT recorded_at FROM {self.leaves} WHERE leaf_index = ?"),
                [leaf_index],
            )
            row = cursor.fetchone()
        if row is None:
            raise ProofRangeError(f"the log has no leaf {leaf_index}")
        return str(row[0])

    def leaves_between(self, first_id: int, last_id: int) -> list[tuple[int, int, bytes]]:
        """``(leaf index, notification id, event hash)`` for notification ids in a range."""
        with self._transaction(commit=False) as cursor:
            cursor.execute(
                self._sql(
                    "SELECT leaf_index, notification_id, event_hash "
                    f"FROM {self.leaves} WHERE notification_id BETWEEN ? AND ? "
                    "ORDER BY notification_id"
                ),
                [first_id, last_id],
            )
            rows = cursor.fetchall()
        return [(int(row[0]), int(row[1]), bytes(row[2])) for row in rows]

    def subtree_hashes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """The stored hashes of perfect subtrees ``(level, index)``; level 0 is a leaf hash."""
        try:
            with self._transaction(commit=False) as cursor:

                def query(text: str, params: list[Any]) -> list[Any]:
                    cursor.execute(self._sql(text), params)
                    return list(cursor.fetchall())

                return read_subtrees(query, self.leaves, self.nodes, keys)
        except KeyError as missing:
            raise ProofRangeError(
                f"the log has no subtree {missing.args[0]} (is it caught up?)"
            ) from None

    def range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The Merkle tree hash of each leaf range, from stored subtrees (O(log n) lookups)."""
        return range_hashes(ranges, self.subtree_hashes)

    def root(self, tree_size: int) -> bytes:
        """The root hash of the log's first ``tree_size`` leaves."""
        if not 0 <= tree_size <= self.tree_size():
            raise ProofRangeError(f"the log has fewer than {tree_size} leaves")
        return self.frontier(tree_size).root()

    def frontier(self, tree_size: int) -> Frontier:
        """The right edge of the stored tree at ``tree_size`` leaves, ready to append to."""
        keys = frontier_nodes(tree_size)
        stored = self.subtree_hashes(keys)
        return Frontier(tree_size, [stored[key] for key in keys])

    def inclusion_proof(self, notification_id: int, tree_size: int | None = None) -> InclusionProof:
        """The proof that a notification's event hash is in a checkpoint (the latest by default)."""
        checkpoint = self._checkpoint_for(tree_size)
        index, event_hash = self.leaf(notification_id)
        if index >= checkpoint.tree_size:
            raise AwaitingCheckpointError(notification_id, index, checkpoint.tree_size)
        proof = self.range_hashes(inclusion_ranges(index, checkpoint.tree_size))
        return InclusionProof(notification_id, index, event_hash, proof, checkpoint)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """The proof that checkpoint ``old_size`` is a prefix of checkpoint ``new_size``."""
        new = self._checkpoint_for(new_size)
        old = self._checkpoint_for(old_size)
        if old.tree_size > new.tree_size:
            raise ProofRangeError(f"checkpoint {old.tree_size} is newer than {new.tree_size}")
        proof = self.range_hashes(consistency_ranges(old.tree_size, new.tree_size))
        return ConsistencyProof(old, new, proof)

    def _checkpoint_for(self, tree_size: int | None) -> StoredCheckpoint:
        if tree_size is None:
            return self.latest_checkpoint()
        found = self.checkpoint_at(tree_size)
        if found is None:
            raise ProofRangeError(f"the log signed no checkpoint of size {tree_size}")
        return found

    # Writing.

    def write(self, batch: Batch, *, expected_position: int) -> bool:
        """Write a batch and move the tracking position, in one transaction.

        False (and nothing written) when the position is no longer ``expected_position``:
        another runner got there first.
        """
        with self._transaction(commit=True) as cursor:
            # The tracking row first: it serializes runners before any row can collide.
            cursor.execute(
                self._sql(
                    f"UPDATE {self.tracking} SET notification_id = ?, tree_size = ? "
                    "WHERE application_name = ? AND notification_id = ?"
                ),
                [batch.position, batch.tree_size, self.ledger_name, expected_position],
            )
            if cursor.rowcount != 1:
                raise _PositionMovedError
            self._insert(cursor, batch)
        return True

    def _insert(self, cursor: _Cursor, batch: Batch) -> None:
        if self._postgres is not None and hasattr(cursor, "copy"):
            with cursor.copy(  # COPY: the fast way to write a large catch-up
                f"COPY {self.leaves} (leaf_index, notification_id, event_hash, recorded_at) "
                "FROM STDIN"
            ) as copy:
                for row in batch.leaves:
                    copy.write_row(row)
            with cursor.copy(f"COPY {self.nodes} (level, node_index, hash) FROM STDIN") as copy:
                for node in batch.nodes:
                    copy.write_row(node)
        else:
            cursor.executemany(
                self._sql(f"INSERT INTO {self.leaves} VALUES (?, ?, ?, ?)"),
                batch.leaves,
            )
            cursor.executemany(
                self._sql(f"INSERT INTO {self.nodes} VALUES (?, ?, ?)"),
                batch.nodes,
            )
        cursor.executemany(
            self._sql(f"INSERT INTO {self.checkpoints_table} VALUES (?, ?, ?, ?)"),
            [
                (item.tree_size, item.root_hash, self._time_value(item.issued_at), item.note)
                for item in batch.checkpoints
            ],
        )

    def _time_value(self, moment: datetime) -> datetime | str:
        return moment if self._postgres is not None else moment.isoformat()

    def write_or_report(self, batch: Batch, *, expected_position: int) -> bool:
        """``write``, answering False instead of raising when another runner moved on."""
        try:
            return self.write(batch, expected_position=expected_position)
        except _PositionMovedError:
            return False


class _PositionMovedError(Exception):
    """Internal: the tracking position moved under us (rolls the transaction back)."""


def stored_time(value: Any) -> datetime:
    """A time the log's tables hold, as an aware UTC datetime: PostgreSQL's ``timestamptz``
    arrives as a datetime, SQLite's text and the leaves' ``recorded_at`` as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


Query = Callable[[str, list[Any]], Iterable[Sequence[Any]]]
"""Runs SQL written with ``?`` marks with its parameters and returns the rows."""


def read_subtrees(
    query: Query, leaves_table: str, nodes_table: str, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], bytes]:
    """Perfect subtrees ``(level, index)`` from the log's tables (quoted names), one query for
    the leaves and one for the nodes; ``KeyError`` names one the tables lack."""

    def read_leaves(indexes: list[int]) -> list[tuple[int, bytes]]:
        marks = ", ".join("?" * len(indexes))
        rows = query(
            f"SELECT leaf_index, event_hash FROM {leaves_table} WHERE leaf_index IN ({marks})",
            list(indexes),
        )
        return [(int(row[0]), bytes(row[1])) for row in rows]

    def read_nodes(nodes: list[tuple[int, int]]) -> list[tuple[int, int, bytes]]:
        terms = " OR ".join(["(level = ? AND node_index = ?)"] * len(nodes))
        rows = query(
            f"SELECT level, node_index, hash FROM {nodes_table} WHERE {terms}",
            [value for key in nodes for value in key],
        )
        return [(int(row[0]), int(row[1]), bytes(row[2])) for row in rows]

    return gather_subtrees(keys, read_leaves, read_nodes)


__all__ = [
    "Batch",
    "ConsistencyProof",
    "InclusionProof",
    "Query",
    "StoredCheckpoint",
    "TransparencyStore",
    "read_subtrees",
    "stored_time",
    "table_names",
]
