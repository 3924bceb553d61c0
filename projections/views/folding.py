"""Folding a batch of events into one row per stream: load once, change in log order, write once.

Most views keep one row per stream (a position, a certification cycle, a plan). ``StreamRows``
loads the rows a batch touches in one query, lets the handler change them as plain dicts, and
writes the changed ones back in one upsert. Each row carries the version of the last event
applied to it, so an event applied twice changes nothing (``is_new``): handlers stay idempotent.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor


class StreamRows:
    """The rows of ``table`` (keyed by ``stream``, with a ``version`` column) a batch touches."""

    def __init__(
        self, cursor: Cursor, table: str, columns: Sequence[str], streams: Collection[str]
    ) -> None:
        if columns[0] != "stream" or "version" not in columns:
            raise ValueError("a stream table starts with its stream and has a version")
        self.cursor = cursor
        self.table = table
        self.columns = tuple(columns)
        self.rows: dict[str, dict[str, Any]] = {
            row[0]: dict(zip(self.columns, row, strict=True))
            for row in cursor.select_in(table, self.columns, "stream", streams)
        }
        self.changed: set[str] = set()

    def get(self, stream: str) -> dict[str, Any] | None:
        return self.rows.get(stream)

    def is_new(self, event: LogEvent) -> bool:
        """True when ``event`` is not applied to its stream's row yet."""
        row = self.rows.get(str(event.stream))
        return row is None or event.version > int(row["version"])

    def create(self, event: LogEvent, values: dict[str, Any]) -> dict[str, Any]:
        """A new row for the event's stream: every column None but the given values."""
        row = dict.fromkeys(self.columns)
        row.update(values, stream=str(event.stream), version=event.version)
        self.rows[str(event.stream)] = row
        self.changed.add(str(event.stream))
        return row

    def touch(self, event: LogEvent) -> dict[str, Any]:
        """The event's stream's row, marked as applied up to the event."""
        row = self.rows[str(event.stream)]
        row["version"] = event.version
        self.changed.add(str(event.stream))
        return row

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows.values())

    def write(self) -> None:
        self.cursor.upsert(
            self.table,
            self.columns,
            [tuple(self.rows[s][c] for c in self.columns) for s in sorted(self.changed)],
            key=("stream",),
        )


def streams_of(events: Sequence[LogEvent], types: Collection[str]) -> set[str]:
    """The streams of the events of the given types."""
    return {str(event.stream) for event in events if event.type in types}
