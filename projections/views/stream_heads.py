"""The stream-heads view: each stream's current version and head hash, with its LAO.

Certification snapshots are Merkle roots over the latest event hashes of an LAO's records;
this view is where those hashes are read from, and it answers "what changed since" cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from projections.log import LogEvent
from projections.store import Cursor
from projections.views.runner import View


class StreamHeadsView(View):
    """stream -> opening type, version, head hash, LAO and province, last log position."""

    name = "stream_heads"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "heads": (
                "stream TEXT PRIMARY KEY, opened_with TEXT, version BIGINT NOT NULL, "
                "head_hash TEXT NOT NULL, lao TEXT, province TEXT, "
                "notification_id BIGINT NOT NULL, recorded_at TEXT NOT NULL"
            )
        }

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        # One row per stream: its last event of the batch, the type that opened it (if in
        # the batch) and the last LAO and province an event of the batch named.
        last: dict[str, LogEvent] = {}
        opened: dict[str, str] = {}
        places: dict[str, tuple[Any, Any]] = {}
        for event in events:
            stream = event.stream_text
            last[stream] = event
            if event.version == 1:
                opened[stream] = event.type
            if '"lao":' in event.canonical or '"province":' in event.canonical:
                data = event.data
                lao, province = data.get("lao"), data.get("province")
                known = places.get(stream, (None, None))
                places[stream] = (
                    lao if isinstance(lao, str) else known[0],
                    province if isinstance(province, str) else known[1],
                )
        latest = [
            [
                stream,
                opened.get(stream),
                event.version,
                event.hash,
                *places.get(stream, (None, None)),
                event.notification_id,
                event.recorded_at.isoformat(),
            ]
            for stream, event in last.items()
        ]
        table = tables["heads"]
        cursor.upsert(
            table,
            (
                "stream",
                "opened_with",
                "version",
                "head_hash",
                "lao",
                "province",
                "notification_id",
                "recorded_at",
            ),
            latest,
            key=("stream",),
            update={
                "opened_with": f"COALESCE({table}.opened_with, excluded.opened_with)",
                "version": "excluded.version",
                "head_hash": "excluded.head_hash",
                "lao": f"COALESCE(excluded.lao, {table}.lao)",
                "province": f"COALESCE(excluded.province, {table}.province)",
                "notification_id": "excluded.notification_id",
                "recorded_at": "excluded.recorded_at",
            },
            only_if=f"excluded.version > {table}.version",
        )
