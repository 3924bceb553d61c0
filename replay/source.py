"""Read-only access to a ledger's stored events and transparency log, straight from its database.

The auditor reads the tables directly (one plain connection per process, no ledger application,
nothing created), so it can check a database it does not trust and run in several processes:
a ``DatabaseSource`` pickles as its URL and ledger name and connects lazily in each process.

Rows come back as ``(notification id, stream id as 16 bytes, version, topic, state)``. Table names
follow the eventsourcing library's recorders: ``<name>_events`` in PostgreSQL (in the URL's
``?schema=``, else ``public``) and in SQLite, where a file written before each ledger had its own
table keeps its first ledger's events in ``stored_events`` (``ledger.events_tables``); the
transparency log's tables are those of ``projections.transparency.store``, whose readers of them
this module shares.
``decode_row`` takes a row's signed fields out of its stored state (``ledger.stored``).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit
from uuid import UUID

import psycopg

from ledger.events_tables import SharedEventsTableError, sqlite_events_table
from ledger.merkle import range_hashes
from ledger.storage import quote_identifier
from ledger.stored import StoredEventError, read_signed_state
from projections.transparency.store import read_subtrees, stored_time, table_names
from replay.errors import SourceError

RawRow = tuple[int, bytes, int, str, bytes]
"""(notification id, stream id as 16 raw bytes, stream version, topic, stored state)."""

PackedRow = tuple[bytes, bytes]
"""(position header, stored state): the header is the notification id and the version as 8-byte
big-endian integers around the 16-byte stream id, then the topic in UTF-8. One column instead of
four is read about twice as fast, which matters at millions of events."""

HEADER = struct.Struct(">q16sq")
"""The position at the start of a packed row's header: (notification id, stream id, version);
the topic follows from byte ``HEADER.size`` on. One ``unpack_from`` per row, in the hot loops."""


def unpack_row(header: bytes, state: bytes) -> RawRow:
    """A packed row as a ``RawRow``."""
    nid, stream, version = HEADER.unpack_from(header)
    return (nid, stream, version, header[HEADER.size :].decode("utf-8"), state)


CheckpointRow = tuple[int, bytes, datetime, str]
"""(tree size, root hash, issued at, signed note) as the log's table holds them."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """A stored event's position and signed fields (from a database row or a bundle line)."""

    notification_id: int
    stream: bytes
    version: int
    topic: str
    statement: bytes
    signature: bytes
    claimed_hash: str
    recorded_at: str


def decode_row(row: RawRow) -> Decoded:
    """A database row's signed fields; ``ledger.stored.StoredEventError`` when it has none."""
    nid, stream, version, topic, state = row
    statement, signature, claimed, recorded_at, _ = read_signed_state(state)
    return Decoded(nid, stream, version, topic, statement, signature, claimed, recorded_at)


def readable(rows: Iterable[RawRow]) -> Iterator[Decoded]:
    """The rows' signed fields, leaving out the rows that have none (the verifier names those)."""
    for row in rows:
        try:
            yield decode_row(row)
        except StoredEventError:
            continue


class DatabaseSource:
    """One ledger's tables in PostgreSQL or SQLite, read-only."""

    def __init__(self, url: str, ledger_name: str) -> None:
        self.url = url
        self.ledger_name = ledger_name
        parts = urlsplit(url)
        self.is_postgres = parts.scheme in ("postgresql", "postgres")
        names = table_names(ledger_name)
        if self.is_postgres:
            schema = parse_qs(parts.query).get("schema", [""])[0] or "public"
            prefix = quote_identifier(schema) + "."
            self._conninfo = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
            self.events_table = prefix + quote_identifier(f"{ledger_name}_events")
            self._schema = schema
        elif parts.scheme == "sqlite" and url.startswith("sqlite:///"):
            path = unquote(url[len("sqlite:///") :])
            if path == ":memory:" or not Path(path).exists():
                raise SourceError(f"no SQLite ledger at {path}")
            prefix = ""
            self._conninfo = f"file:{Path(path).resolve()}?mode=ro"
            self.events_table = quote_identifier(self._sqlite_table(ledger_name))
            self._schema = ""
        else:
            raise SourceError(f"unsupported database URL {parts.scheme}://...")
        self._tlog = {key: prefix + quote_identifier(value) for key, value in names.items()}
        self._tlog_names = names
        self._connection: Any = None

    def _sqlite_table(self, ledger_name: str) -> str:
        """The ledger's events table in the SQLite file (``ledger.events_tables``)."""
        try:
            with closing(sqlite3.connect(self._conninfo, uri=True)) as connection:
                return sqlite_events_table(connection.cursor(), ledger_name)
        except (sqlite3.Error, SharedEventsTableError) as error:
            raise SourceError(str(error).strip()) from None

    def __getstate__(self) -> dict[str, Any]:
        return {"url": self.url, "ledger_name": self.ledger_name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["url"], state["ledger_name"])  # type: ignore[misc]

    # Connection.

    def _cursor(self) -> Any:
        if self._connection is None:
            try:
                if self.is_postgres:
                    self._connection = psycopg.connect(self._conninfo, autocommit=True)
                else:
                    self._connection = sqlite3.connect(
                        self._conninfo, uri=True, check_same_thread=False
                    )
            except (psycopg.Error, sqlite3.Error) as error:
                raise SourceError(str(error).strip()) from None
        if self.is_postgres:
            return self._connection.cursor(binary=True)
        return self._connection.cursor()

    def _query(self, text: str, params: Sequence[Any] = ()) -> list[Any]:
        sql = text.replace("?", "%s") if self.is_postgres else text
        cursor = self._cursor()
        try:
            cursor.execute(sql, list(params))
            return list(cursor.fetchall())
        except (psycopg.Error, sqlite3.Error) as error:
            raise SourceError(str(error).strip()) from None
        finally:
            cursor.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # Events.

    def max_notification_id(self) -> int:
        id_column = "notification_id" if self.is_postgres else "rowid"
        rows = self._query(f"SELECT max({id_column}) FROM {self.events_table}")  # noqa: S608
        return int(rows[0][0] or 0)

    def event_count(self) -> int:
        rows = self._query(f"SELECT count(*) FROM {self.events_table}")  # noqa: S608
        return int(rows[0][0])

    def events(self, first: int, stop: int) -> list[RawRow]:
        """Events with notification ids in ``[first, stop)``, in notification order."""
        return self._select_events("WHERE {id} >= ? AND {id} < ? ORDER BY {id}", [first, stop])

    def packed_events(self, first: int, stop: int) -> list[PackedRow]:
        """Events with notification ids in ``[first, stop)``, packed (see ``PackedRow``)."""
        if self.is_postgres:
            return [
                (bytes(row[0]), bytes(row[1]))
                for row in self._query(
                    "SELECT int8send(notification_id) || uuid_send(originator_id) || "  # noqa: S608
                    "int8send(originator_version) || convert_to(topic, 'UTF8'), state "
                    f"FROM {self.events_table} WHERE notification_id >= ? "
                    "AND notification_id < ? ORDER BY notification_id",
                    [first, stop],
                )
            ]
        return [
            (
                nid.to_bytes(8, "big") + stream + version.to_bytes(8, "big") + topic.encode(),
                state,
            )
            for nid, stream, version, topic, state in self.events(first, stop)
        ]

    def stream_events(self, stream: UUID) -> list[RawRow]:
        """Every event of one stream, in version order."""
        key: Any = stream if self.is_postgres else stream.hex
        return self._select_events("WHERE originator_id = ? ORDER BY originator_version", [key])

    def stream_event(self, stream: UUID, version: int) -> RawRow | None:
        """One event of a stream, by version; None when the stream has no such version."""
        key: Any = stream if self.is_postgres else stream.hex
        found = self._select_events(
            "WHERE originator_id = ? AND originator_version = ?", [key, version]
        )
        return found[0] if found else None

    def events_by_ids(self, ids: Sequence[int]) -> list[RawRow]:
        """The events with these notification ids, in notification order."""
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        return self._select_events(f"WHERE {{id}} IN ({marks}) ORDER BY {{id}}", list(ids))

    def first_events(self, streams: Sequence[UUID]) -> list[RawRow]:
        """The first event (version 1) of each given stream, in notification order."""
        found: list[RawRow] = []
        for start in range(0, len(streams), 1000):
            keys = [s if self.is_postgres else s.hex for s in streams[start : start + 1000]]
            marks = ", ".join("?" * len(keys))
            found.extend(
                self._select_events(
                    f"WHERE originator_version = 1 AND originator_id IN ({marks}) ORDER BY {{id}}",
                    keys,
                )
            )
        return sorted(found)

    def notification_ids_mentioning(self, needle: bytes) -> list[int]:
        """Notification ids whose stored state holds these bytes (a coarse pre-filter)."""
        if self.is_postgres:
            sql = (
                f"SELECT notification_id FROM {self.events_table} "  # noqa: S608
                "WHERE position(?::bytea in state) > 0 ORDER BY notification_id"
            )
        else:
            sql = (
                f"SELECT rowid FROM {self.events_table} "  # noqa: S608
                "WHERE instr(state, ?) > 0 ORDER BY rowid"
            )
        return [int(row[0]) for row in self._query(sql, [needle])]

    def _select_events(self, tail: str, params: list[Any]) -> list[RawRow]:
        if self.is_postgres:
            columns = "notification_id, uuid_send(originator_id), originator_version, topic, state"
            id_column = "notification_id"
        else:
            columns = "rowid, originator_id, originator_version, topic, state"
            id_column = "rowid"
        rows = self._query(
            f"SELECT {columns} FROM {self.events_table} " + tail.format(id=id_column),  # noqa: S608
            params,
        )
        if self.is_postgres:
            return [(row[0], bytes(row[1]), row[2], row[3], bytes(row[4])) for row in rows]
        return [(row[0], bytes.fromhex(row[1]), row[2], row[3], bytes(row[4])) for row in rows]

    # The transparency log.

    def has_transparency_log(self) -> bool:
        if self.is_postgres:
            rows = self._query(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = ? AND table_name = ?",
                [self._schema, self._tlog_names["tracking"]],
            )
        else:
            rows = self._query(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                [self._tlog_names["tracking"]],
            )
        return bool(rows[0][0])

    def transparency_position(self) -> tuple[int, int]:
        """The last notification id the log took in, and its tree size."""
        rows = self._query(
            f"SELECT notification_id, tree_size FROM {self._tlog['tracking']} "  # noqa: S608
            "WHERE application_name = ?",
            [self.ledger_name],
        )
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def leaves(self, first: int, stop: int) -> dict[int, tuple[int, bytes, str]]:
        """The log's leaves for notification ids in ``[first, stop)``, by notification id:
        (leaf index, event hash, the transaction time the log took in)."""
        rows = self._query(
            "SELECT notification_id, leaf_index, event_hash, recorded_at "  # noqa: S608
            f"FROM {self._tlog['leaves']} WHERE notification_id >= ? AND notification_id < ?",
            [first, stop],
        )
        return {int(row[0]): (int(row[1]), bytes(row[2]), str(row[3])) for row in rows}

    def packed_leaves(self, first: int, stop: int) -> dict[int, bytes]:
        """The log's leaves for notification ids in ``[first, stop)``, by notification id: the
        event hash (32 bytes) then the transaction time the log took in (UTF-8)."""
        if self.is_postgres:
            rows = self._query(
                "SELECT notification_id, event_hash || convert_to(recorded_at, 'UTF8') "  # noqa: S608
                f"FROM {self._tlog['leaves']} WHERE notification_id >= ? AND notification_id < ?",
                [first, stop],
            )
            return {int(row[0]): bytes(row[1]) for row in rows}
        return {
            nid: event_hash + recorded_at.encode("utf-8")
            for nid, (_, event_hash, recorded_at) in self.leaves(first, stop).items()
        }

    def subtree_hashes(self, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        """Stored perfect subtrees ``(level, index)`` of the log (level 0: leaf hashes)."""
        try:
            return read_subtrees(self._query, self._tlog["leaves"], self._tlog["nodes"], keys)
        except KeyError as missing:
            raise SourceError(f"the transparency log has no subtree {missing.args[0]}") from None

    def range_hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        """The Merkle tree hash of each leaf range, from the stored subtrees."""
        return range_hashes(ranges, self.subtree_hashes)

    def leaf_rows(self, first_index: int, stop_index: int) -> list[tuple[int, int, bytes]]:
        """``(leaf index, notification id, event hash)`` for leaf indexes in a range."""
        rows = self._query(
            f"SELECT leaf_index, notification_id, event_hash FROM {self._tlog['leaves']} "  # noqa: S608
            "WHERE leaf_index >= ? AND leaf_index < ? ORDER BY leaf_index",
            [first_index, stop_index],
        )
        return [(int(row[0]), int(row[1]), bytes(row[2])) for row in rows]

    def leaves_after(self, notification_id: int) -> list[tuple[int, int]]:
        """``(notification id, leaf index)`` of leaves naming notification ids beyond one."""
        rows = self._query(
            f"SELECT notification_id, leaf_index FROM {self._tlog['leaves']} "  # noqa: S608
            "WHERE notification_id > ? ORDER BY notification_id",
            [notification_id],
        )
        return [(int(row[0]), int(row[1])) for row in rows]

    def checkpoints(self) -> list[CheckpointRow]:
        rows = self._query(
            f"SELECT tree_size, root_hash, issued_at, note FROM {self._tlog['checkpoints']} "  # noqa: S608
            "ORDER BY tree_size"
        )
        return [(int(row[0]), bytes(row[1]), stored_time(row[2]), str(row[3])) for row in rows]


__all__ = [
    "HEADER",
    "CheckpointRow",
    "DatabaseSource",
    "Decoded",
    "PackedRow",
    "RawRow",
    "decode_row",
    "readable",
    "unpack_row",
]
