"""The stream-heads view: each stream's current version and head hash, with its LAO.

Certification snapshots are Merkle roots over the latest event hashes of an LAO's records;
this view is where those hashes are read from, and it answers "what changed since" cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from projections.log import LogEvent
from projections.runner import View
from projections.store import Cursor


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
        latest: dict[str, list[Any]] = {}
        for event in events:
            stream = str(event.stream)
            data = event.data
            lao, province = data.get("lao"), data.get("province")
            known = latest.get(stream)
            opened_with = event.type if event.version == 1 else None
            if known is not None:
                opened_with = known[1] or opened_with
                lao = lao if isinstance(lao, str) else known[4]
                province = province if isinstance(province, str) else known[5]
            latest[stream] = [
                stream,
                opened_with,
                event.version,
                event.hash,
                lao if isinstance(lao, str) else None,
                province if isinstance(province, str) else None,
                event.notification_id,
                event.recorded_at.isoformat(),
            ]
        table = tables["heads"]
        cursor.executemany(
            f"INSERT INTO {table} (stream, opened_with, version, head_hash, lao, province, "
            "notification_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (stream) DO UPDATE SET "
            f"opened_with = COALESCE({table}.opened_with, excluded.opened_with), "
            "version = excluded.version, head_hash = excluded.head_hash, "
            f"lao = COALESCE(excluded.lao, {table}.lao), "
            f"province = COALESCE(excluded.province, {table}.province), "
            "notification_id = excluded.notification_id, recorded_at = excluded.recorded_at "
            f"WHERE excluded.version > {table}.version",
            list(latest.values()),
        )
