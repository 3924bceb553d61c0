"""The transparency log: every notification's event hash, in log order, as a Merkle tree leaf.

DESIGN.md section 6: a projection of the notification log into an RFC 9162 Merkle tree, with
signed checkpoints (C2SP signed notes, ``projections.transparency.checkpoints``) every N events
or T seconds, and inclusion and consistency proofs for anyone who holds a checkpoint.

Storage, in the ledger's own database (PostgreSQL, or the SQLite file), tables named after the
ledger so several ledgers share one database:

* ``<name>_tlog_leaves``: leaf index, notification id, event hash (the leaf's data), and a copy
  of the event's transaction time (which no signature covers: an auditor compares the two);
* ``<name>_tlog_nodes``: every perfect subtree of level 1 and up, ``(level, node_index, hash)``,
  so appending a leaf writes O(1) rows amortized and any root or proof takes O(log n) lookups,
  never a pass over the leaves;
* ``<name>_tlog_checkpoints``: tree size, root hash, time and the signed note;
* ``<name>_tlog_tracking``: the last notification id and tree size the log has taken in.

``TransparencyProjection.catch_up`` reads a batch of notifications, extends the tree in memory
(``ledger.merkle.Frontier``), signs the checkpoints that fall due, and writes leaves, nodes,
checkpoints and the tracking position in one transaction: a crash loses nothing and doubles
nothing, and a second runner that lost the race rolls back and reloads. Rebuilding from zero
gives the same leaves and nodes (and the same checkpoints for the same clock).

The log refuses to certify an event whose stored hash is not ``sha256(statement || signature)``:
``CorruptEventError`` stops the projection instead of publishing a tampered log.

Why not pymerkle (7.0, evaluated for this): it stores only the leaves and recomputes subtree
roots from them, with an in-process LRU cache, so a proof after a restart rehashes up to the
whole tree; its SQLite backend keeps its own connection, so its rows cannot share a transaction
with the tracking position, and it has no PostgreSQL backend; and it is GPL-3.0-or-later, which
a proprietary ledger cannot link. The tree itself is ``ledger.merkle`` (RFC 9162, pure).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.merkle import (
    Frontier,
    consistency_ranges,
    frontier_nodes,
    inclusion_ranges,
    leaf_hash,
    perfect_nodes,
    range_hash,
)
from ledger.signing import Signer
from ledger.statement import key_id_of
from ledger.stored import StoredEventError, read_signed_state
from projections.transparency.checkpoints import log_origin, new_checkpoint, sign_checkpoint
from projections.transparency.errors import (
    CorruptEventError,
    LeafNotFoundError,
    NoCheckpointError,
    ProofRangeError,
    SystemKeyError,
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


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the log signs: every ``every_events`` new events, or ``every_seconds`` if any is new."""

    every_events: int = 1000
    every_seconds: float = 60.0


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


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class TransparencyStore:
    """The log's tables in the ledger's database: reads, proofs, and the batch write."""

    def __init__(self, ledger: Ledger) -> None:
        recorder = ledger.recorder
        self.ledger_name = ledger.name
        names = table_names(ledger.name)
        if isinstance(recorder, PostgresApplicationRecorder):
            self._postgres: PostgresApplicationRecorder | None = recorder
            self._sqlite: SQLiteApplicationRecorder | None = None
            schema = _quote(recorder.datastore.schema) + "."
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
            schema + _quote(names[key]) for key in ("leaves", "nodes", "checkpoints", "tracking")
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
        with self._sqlite.datastore.transaction(commit=commit) as cursor:
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
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.tracking])
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
            StoredCheckpoint(int(row[0]), bytes(row[1]), _as_datetime(row[2]), str(row[3]))
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
        wanted = sorted(set(keys))
        found: dict[tuple[int, int], bytes] = {}
        leaves = [index for level, index in wanted if level == 0]
        nodes = [(level, index) for level, index in wanted if level > 0]
        with self._transaction(commit=False) as cursor:
            if leaves:
                marks = ", ".join("?" * len(leaves))
                cursor.execute(
                    self._sql(
                        f"SELECT leaf_index, event_hash FROM {self.leaves} "
                        f"WHERE leaf_index IN ({marks})"
                    ),
                    leaves,
                )
                for row in cursor.fetchall():
                    found[(0, int(row[0]))] = leaf_hash(bytes(row[1]))
            if nodes:
                terms = " OR ".join(["(level = ? AND node_index = ?)"] * len(nodes))
                cursor.execute(
                    self._sql(f"SELECT level, node_index, hash FROM {self.nodes} WHERE {terms}"),
                    [value for key in nodes for value in key],
                )
                for row in cursor.fetchall():
                    found[(int(row[0]), int(row[1]))] = bytes(row[2])
        missing = [key for key in wanted if key not in found]
        if missing:
            raise ProofRangeError(f"the log has no subtree {missing[0]} (is it caught up?)")
        return found

    def range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The Merkle tree hash of each leaf range, from stored subtrees (O(log n) lookups)."""
        keys = [key for start, end in ranges for key in perfect_nodes(start, end)]
        stored = self.subtree_hashes(keys)

        def node(level: int, index: int) -> bytes:
            return stored[(level, index)]

        return [range_hash(start, end, node) for start, end in ranges]

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
            raise ProofRangeError(
                f"notification {notification_id} is leaf {index}, after checkpoint "
                f"{checkpoint.tree_size}: wait for the next checkpoint"
            )
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


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).astimezone(UTC)


class TransparencyProjection:
    """Feeds the notification log into the transparency log and signs its checkpoints."""

    def __init__(
        self,
        ledger: Ledger,
        signer: Signer,
        *,
        policy: CheckpointPolicy | None = None,
        store: TransparencyStore | None = None,
        clock: Callable[[], datetime] | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.ledger = ledger
        self.store = store or TransparencyStore(ledger)
        self.policy = policy or CheckpointPolicy()
        self.batch_size = batch_size
        self._signer = signer
        self._clock = clock or (lambda: datetime.now(UTC))
        self._frontier: Frontier | None = None
        self._origin: str | None = None
        self._checked = ledger.mapper.cipher is None and ledger.mapper.compressor is None

    @property
    def origin(self) -> str:
        """The log's origin and key name, from the genesis (checks the signer is the system key)."""
        if self._origin is None:
            registry = self.ledger.registry()
            if registry is None:
                raise SystemKeyError("the ledger has no genesis, so no system key")
            if key_id_of(self._signer.public_key) != registry.system_key_id:
                raise SystemKeyError(
                    f"the key given is {key_id_of(self._signer.public_key)}, the ledger's "
                    f"system key is {registry.system_key_id}"
                )
            self._origin = log_origin(self.ledger.name, registry.system_key_id)
        return self._origin

    def catch_up(self) -> int:
        """Take in one batch of new notifications (and due checkpoints); return how many."""
        position, tree_size = self.store.position()
        notifications = self.ledger.recorder.select_notifications(
            start=position, limit=self.batch_size, inclusive_of_start=False
        )
        if notifications or tree_size:
            self._check_signer()
        last = self._last_checkpoint()
        if not notifications and not self._time_is_due(tree_size, last):
            return 0
        frontier = self._frontier_at(tree_size)
        batch = Batch(position=position, tree_size=tree_size)
        try:
            for notification in notifications:
                self._append(frontier, batch, notification)
                if frontier.size % self.policy.every_events == 0:
                    batch.checkpoints.append(self._checkpoint(frontier))
            newest = batch.checkpoints[-1] if batch.checkpoints else last
            if self._time_is_due(frontier.size, newest, batch):
                batch.checkpoints.append(self._checkpoint(frontier))
            batch.tree_size = frontier.size
            if not self.store.write_or_report(batch, expected_position=position):
                self._frontier = None  # another runner moved on: reload next time
                return 0
        except BaseException:
            self._frontier = None
            raise
        self._frontier = frontier
        return len(notifications)

    def _check_signer(self) -> None:
        """Refuse a key that is not the system key before doing any work (``origin`` checks)."""
        _ = self.origin

    def run(self, stop: threading.Event, *, poll_seconds: float = 1.0) -> None:
        """Catch up, then keep following the log until ``stop`` is set."""
        while not stop.is_set():
            if self.catch_up() < self.batch_size:
                stop.wait(poll_seconds)

    def _last_checkpoint(self) -> StoredCheckpoint | None:
        try:
            return self.store.latest_checkpoint()
        except NoCheckpointError:
            return None

    def _time_is_due(
        self, tree_size: int, last: StoredCheckpoint | None, batch: Batch | None = None
    ) -> bool:
        """T seconds since the last checkpoint (before the first: since the first event was
        recorded), and something new to sign. Batch sizes never move a checkpoint."""
        if tree_size == 0 or (last is not None and last.tree_size >= tree_size):
            return False
        if last is not None:
            since = last.issued_at
        elif batch is not None and batch.leaves and batch.leaves[0][0] == 0:
            since = _as_datetime(batch.leaves[0][3])
        else:
            since = _as_datetime(self.store.leaf_time(0))
        return (self._clock() - since).total_seconds() >= self.policy.every_seconds

    def _frontier_at(self, tree_size: int) -> Frontier:
        cached = self._frontier
        if cached is not None and cached.size == tree_size:
            return Frontier(cached.size, cached.edge())
        return self.store.frontier(tree_size)

    def _append(self, frontier: Frontier, batch: Batch, notification: Notification) -> None:
        event_hash, recorded_at = self._event_hash(notification)
        index = frontier.size
        batch.leaves.append((index, notification.id, event_hash, recorded_at))
        batch.nodes.extend(frontier.append(leaf_hash(event_hash)))
        batch.position = notification.id

    def _event_hash(self, notification: Notification) -> tuple[bytes, str]:
        """The event hash (checked to be the hash of what was signed) and transaction time."""
        try:
            if self._checked:
                statement, signature, claimed, recorded_at, _ = read_signed_state(
                    notification.state
                )
            else:  # an encrypted or compressed store: let the library decode it
                event: Any = self.ledger.mapper.to_domain_event(notification)
                statement = str(event.statement).encode("utf-8")
                signature = bytes.fromhex(event.signature)
                claimed = str(event.hash)
                recorded_at = event.timestamp.isoformat()
        except (StoredEventError, AttributeError, ValueError) as error:
            raise CorruptEventError(notification.id, str(error)) from None
        actual = hashlib.sha256(statement + signature).digest()
        if actual.hex() != claimed:
            raise CorruptEventError(
                notification.id, "its stored hash is not sha256(statement || signature)"
            )
        return actual, recorded_at

    def _checkpoint(self, frontier: Frontier) -> StoredCheckpoint:
        checkpoint = new_checkpoint(self.origin, frontier.size, frontier.root(), self._clock())
        note = sign_checkpoint(checkpoint, self._signer)
        return StoredCheckpoint(
            checkpoint.tree_size, checkpoint.root_hash, checkpoint.issued_at, note
        )


__all__ = [
    "Batch",
    "CheckpointPolicy",
    "ConsistencyProof",
    "InclusionProof",
    "StoredCheckpoint",
    "TransparencyProjection",
    "TransparencyStore",
    "table_names",
]
