"""The raw bytes of a ledger's events table, to search for a personal value in clear (a v2
statement must leave none there)."""

from __future__ import annotations

import json
import sqlite3

import psycopg

from ledger.settings import LedgerSettings


def events_bytes(settings: LedgerSettings) -> bytes:
    """Every byte of the events table, as a dump of the database would hold it."""
    url = settings.database_url
    if url.startswith("sqlite"):
        with sqlite3.connect(url[len("sqlite:///") :]) as connection:
            rows = connection.execute("SELECT * FROM stored_events").fetchall()
    else:
        with psycopg.connect(url) as connection:
            rows = connection.execute(f"SELECT * FROM {settings.name}_events").fetchall()
    return b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for row in rows
        for value in row
    )


def text_forms(text: str) -> list[bytes]:
    """A text as UTF-8 and as JSON with non-ASCII escaped: either may sit in a stored row."""
    return [text.encode("utf-8"), json.dumps(text).strip('"').encode("ascii")]


def found_in_clear(settings: LedgerSettings, *values: str) -> list[str]:
    """The values that sit in clear somewhere in the events table (none, for v2)."""
    raw = events_bytes(settings)
    return [value for value in values if any(form in raw for form in text_forms(value))]


__all__ = ["events_bytes", "found_in_clear", "text_forms"]
