"""Which table of its database holds a ledger's events: ``<name>_events``, one per ledger.

On PostgreSQL each ledger has always had a table of its own (the eventsourcing library names it
after the application). The library's SQLite recorder used one table, ``stored_events``, whatever
the ledger's name, so two ledgers in one SQLite file read each other's streams: an LAO one of
them registered was registered in both (an organization's stream id is derived from its DLA code
alone), and each one's log, views and transparency log took in the other's events. SQLite files
now get a table per ledger too (``ledger.storage.LedgerSQLiteFactory``).

A file written before keeps being read as it was, nothing moved or copied (its notification ids,
receipts and transparency log stay valid): the ledger whose genesis is the first row of
``stored_events`` keeps that table. Another ledger whose events also sit in it cannot be told
apart from the first one and is refused (``storage.shared_events_table``); any other ledger gets
a table of its own beside it. Only reads here: nothing is created.
"""

from __future__ import annotations

import json
import sqlite3

from ledger.domain.operators import registry_stream_id
from ledger.errors import LedgerError
from ledger.stored import StoredEventError, read_signed_state
from ledger.violations import Violation, rule

SHARED_SQLITE_TABLE = "stored_events"
"""The one events table of SQLite files written before each ledger had its own."""

SHARED_EVENTS_TABLE = rule(
    "storage.shared_events_table",
    "แฟ้ม SQLite นี้เก็บรายการของบัญชี {ledger} ไว้ในตารางรวม stored_events ปนกับรายการของบัญชี "
    "{owner} (แฟ้มจากรุ่นก่อนที่แต่ละบัญชีมีตารางของตนเอง) จึงแยกรายการของสองบัญชีออกจากกันไม่ได้: "
    "บัญชี {owner} ยังเปิดจากแฟ้มนี้ได้ตามเดิม ส่วนบัญชี {ledger} ให้เริ่มใหม่ในแฟ้มของตนเอง",
    "this SQLite file keeps ledger {ledger}'s events in the shared table stored_events, mixed "
    "with ledger {owner}'s (a file from a version before each ledger had its own table), and the "
    "two cannot be told apart: ledger {owner} still opens from this file as before; start ledger "
    "{ledger} again in a file of its own",
)


class SharedEventsTableError(LedgerError):
    """An old SQLite file's shared events table holds this ledger's events after another
    ledger's genesis: opening it would read both ledgers' streams as one."""

    def __init__(self, ledger: str, owner: str | None) -> None:
        self.violations = [
            Violation(SHARED_EVENTS_TABLE, "name", {"ledger": ledger, "owner": owner or "?"})
        ]
        super().__init__(f"{self.violations[0].describe()}")


def events_table_name(ledger_name: str) -> str:
    """The ledger's own events table, as the library's PostgreSQL factory names it."""
    return f"{ledger_name}_events"


def genesis_name(state: bytes) -> str | None:
    """The ledger a stored genesis event names, or None for any other event."""
    try:
        statement = json.loads(read_signed_state(state)[0])
    except (StoredEventError, ValueError):
        return None
    if not isinstance(statement, dict) or statement.get("type") != "LedgerInitialised":
        return None
    data = statement.get("data")
    name = data.get("ledger") if isinstance(data, dict) else None
    return name if isinstance(name, str) else None


def has_table(cursor: sqlite3.Cursor, table: str) -> bool:
    """Whether the SQLite database has this table."""
    found = cursor.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return found is not None


def first_genesis(cursor: sqlite3.Cursor, table: str) -> str | None:
    """The ledger named by the genesis that is the table's first row (None: no such table, an
    empty one, or a first row that is no genesis)."""
    if not has_table(cursor, table):
        return None
    row = cursor.execute(
        f"SELECT state FROM {table} ORDER BY rowid LIMIT 1"  # noqa: S608 (a table name of ours)
    ).fetchone()
    return genesis_name(bytes(row[0])) if row else None


def in_shared_table(cursor: sqlite3.Cursor, ledger_name: str) -> bool:
    """Whether the shared table holds the ledger's operator registry (its genesis and
    enrolments): one read of the table's primary key."""
    if not has_table(cursor, SHARED_SQLITE_TABLE):
        return False
    row = cursor.execute(
        f"SELECT 1 FROM {SHARED_SQLITE_TABLE} WHERE originator_id = ? LIMIT 1",  # noqa: S608
        [registry_stream_id(ledger_name).hex],
    ).fetchone()
    return row is not None


def sqlite_events_table(cursor: sqlite3.Cursor, ledger_name: str) -> str:
    """The table holding (or to hold) the ledger's events in an SQLite file: the shared one
    if the file's first event is the ledger's genesis, else ``<name>_events``; a ledger whose
    events sit in the shared table after another's genesis is refused."""
    owner = first_genesis(cursor, SHARED_SQLITE_TABLE)
    if owner == ledger_name:
        return SHARED_SQLITE_TABLE
    if in_shared_table(cursor, ledger_name):
        raise SharedEventsTableError(ledger_name, owner)
    return events_table_name(ledger_name)


__all__ = [
    "SHARED_EVENTS_TABLE",
    "SHARED_SQLITE_TABLE",
    "SharedEventsTableError",
    "events_table_name",
    "first_genesis",
    "genesis_name",
    "has_table",
    "in_shared_table",
    "sqlite_events_table",
]
