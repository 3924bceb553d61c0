"""The ledger's side of "one active employment per category per person": who a citizen ID's
records are, and one lock for the batches that may give a person a record.

``PersonIndex.find`` answers admission's lookup (``ledger.person_claims``) with the current
state of every readable record whose citizen ID may be the one asked:

- **v1 records** (citizen ID in clear in the log): the streams of the header events
  (``RecordOpened``, and ``EntryCorrected``, whose replacement header may carry a new citizen
  ID) whose stored statement holds ``"cid":"<the ID>","lao":"`` (the header's keys are
  signed in canonical order, so a signer's own ``"cid"`` never matches). It scans those events
  of the events table; the header events are a small share of the log, but the scan grows with
  the records kept (a v1 ledger; a ledger with a vault takes v2 headers, whose citizen ID is a
  commitment that nothing here compares).
- **v2 records**: the vault's keyed citizen-ID index (``Vault.subjects_of``,
  ``ledger.vault_search``): the bucket of the ID under the search key, then the tags under each
  person's data key. An erased person's rows are gone with their key, so an erased record is
  never found, and holds no place (docs/personal-data.md, "Erasure"): a new record may be
  opened for the same citizen ID.

Each answer is a filter: the rule compares each found record's own citizen ID and category.

**Concurrency.** Admission reads the answer before the events' transaction, so two writers
opening the same person at once would each find nothing and both commit. ``PersonLock`` makes
such batches take turns: a batch holding a statement that may claim a place
(``ledger.domain.persons.may_claim``: an opening, a re-entry, an arrival, an appeal, a header
correction) is decided and committed under it, from before its lookup to after its commit;
the next one's lookup then sees what the first committed. In one process a thread lock; on
PostgreSQL also a session advisory lock (``pg_advisory_lock``) on a connection of its own, so
every process writing the ledger takes turns. Other batches never wait for it. A holder waits
for the events table's lock like any writer, and no writer holding that lock waits for this
one, so the two never deadlock. A SQLite ledger is written by one process (other processes on
the same file are not serialised here).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from ledger.admission import LoadStreams, Streams
from ledger.disclosed import VaultPort
from ledger.domain.persons import may_claim
from ledger.pg_connections import Reconnecting
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from ledger.vault_keys import ErasedError

HEADER_TOPICS = (
    "ledger.domain.personnel:PersonnelRecord.RecordOpened",
    "ledger.domain.personnel:PersonnelRecord.EntryCorrected",
)


def header_pattern(cid: str) -> bytes:
    """The bytes a stored header event of ``cid`` holds: its canonical statement is a JSON
    string inside the stored state, so its quotes are escaped."""
    return b'\\"cid\\":\\"' + cid.encode("ascii") + b'\\",\\"lao\\":\\"'


class PersonIndex:
    """The records of a citizen ID, v1 and v2, read as admission checks them."""

    def __init__(
        self,
        recorder: Any,
        vault: VaultPort | None,
        load_streams: LoadStreams,
        settings: LedgerSettings,
    ) -> None:
        self.lock = PersonLock(settings)
        self._recorder = recorder
        self._vault = vault
        self._load_streams = load_streams
        table = recorder.events_table_name
        if isinstance(recorder, PostgresApplicationRecorder):
            self._postgres = True
            self._scan: Any = sql.SQL(
                "SELECT DISTINCT originator_id FROM {schema}.{table} "
                "WHERE topic = ANY(%s) AND position(%s::bytea in state) > 0"
            ).format(schema=sql.Identifier(recorder.datastore.schema), table=sql.Identifier(table))
        else:
            self._postgres = False
            self._scan = (
                f"SELECT DISTINCT originator_id FROM {table} "  # noqa: S608 (our table's name)
                f"WHERE topic IN (?, ?) AND instr(state, ?) > 0"
            )

    def find(self, cid: str) -> Streams:
        """The current state of each readable record that may be ``cid``'s."""
        streams = self._v1_streams(cid)
        if self._vault is not None:
            streams |= {UUID(subject) for subject in self._vault.subjects_of(cid)}
        if not streams:
            return {}
        try:
            return self._load_streams(streams)
        except ErasedError:  # one erased since it was found: read the others one by one
            found: Streams = {}
            for stream in streams:
                try:
                    found.update(self._load_streams({stream}))
                except ErasedError:
                    continue
            return found

    def close(self) -> None:
        self.lock.close()

    def _v1_streams(self, cid: str) -> set[UUID]:
        pattern = header_pattern(cid)
        if self._postgres:
            with self._recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
                cursor.execute(self._scan, [list(HEADER_TOPICS), pattern])
                return {row["originator_id"] for row in cursor.fetchall()}
        with self._recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._scan, [*HEADER_TOPICS, pattern])
            return {UUID(str(row[0])) for row in cursor.fetchall()}


def lock_key(settings: LedgerSettings) -> int:
    """The advisory lock's key: of the ledger (its name and schema), a signed 64-bit int."""
    schema = parse_qs(urlsplit(settings.database_url).query).get("schema", [""])[0]
    text = f"thai-lgov-ledger person claims\n{schema}\n{settings.name}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big", signed=True)


class PersonLock:
    """The turns of the batches that may give a person a record (the module's text)."""

    def __init__(self, settings: LedgerSettings) -> None:
        self._thread_lock = threading.Lock()
        self._key = lock_key(settings)
        scheme = urlsplit(settings.database_url).scheme
        self._url = settings.database_url if scheme in ("postgresql", "postgres") else None
        self._connection: Reconnecting | None = None
        self.turns = 0

    @contextmanager
    def serialised(self, signed: Sequence[SignedStatement]) -> Iterator[None]:
        """Hold the lock around the block when a statement of ``signed`` may claim a place."""
        if not any(may_claim(item.statement.type, item.statement.data) for item in signed):
            yield
            return
        with self._thread_lock:
            self.turns += 1
            if self._url is None:
                yield
                return
            self._advisory("SELECT pg_advisory_lock(%s)")
            try:
                yield
            finally:
                with contextlib.suppress(psycopg.Error):  # a broken session released it
                    self._advisory("SELECT pg_advisory_unlock(%s)")

    def _advisory(self, statement: str) -> None:
        if self._connection is None and self._url is not None:
            self._connection = Reconnecting(self._url, autocommit=True)
        if self._connection is not None:
            self._connection.get().execute(statement, (self._key,))

    def close(self) -> None:
        with self._thread_lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


__all__ = ["HEADER_TOPICS", "PersonIndex", "PersonLock", "header_pattern", "lock_key"]
