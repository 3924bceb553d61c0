"""The ledger's side of "one active employment per category per person": who a citizen ID's
records are, and one lock for the batches that may give a person a record.

``PersonIndex.find`` answers admission's lookup (``ledger.person_claims``) with the current
state of every readable record whose citizen ID may be the one asked:

- **v1 records** (citizen ID in clear in the log): the streams of the header events
  (``RecordOpened``, and ``EntryCorrected``, whose replacement header may carry a new citizen
  ID) whose stored statement holds ``"cid":"<the ID>","lao":"`` (``HEADER_CID``: the
  header's keys are signed in canonical order, so a signer's own ``"cid"`` never matches).
  ``V1Headers`` keeps them in memory, citizen ID -> streams: the process reads the header
  events of the log once (3,000 records on PostgreSQL: 139 ms), then at a batch's first lookup
  only those appended since (one query: a few ms). Only v1 headers take memory (a ledger with
  a vault takes v2 ones, whose citizen ID is a commitment that nothing here compares).
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
import re
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
from ledger.person_claims import FindPerson
from ledger.pg_connections import Reconnecting
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from ledger.vault_keys import ErasedError

HEADER_TOPICS = (
    "ledger.domain.personnel:PersonnelRecord.RecordOpened",
    "ledger.domain.personnel:PersonnelRecord.EntryCorrected",
)


HEADER_CID = re.compile(rb'\\"cid\\":\\"([0-9]{13})\\",\\"lao\\":\\"')
"""A v1 header's citizen ID in a stored event: the canonical statement is a JSON string inside
the stored state (its quotes escaped), the header's keys in canonical order, so a signer's own
``"cid"`` (followed by ``"key"``) never matches, nor does a v2 header's commitment."""


class V1Headers:
    """The citizen IDs of the v1 headers in the log, read once, then only what was appended
    since: citizen ID -> streams, in memory. The log's ids commit in order (the events table's
    lock), so every event up to the highest id read is committed, and none is missed later."""

    def __init__(self, recorder: Any) -> None:
        self._recorder = recorder
        self._lock = threading.Lock()
        self._seen = 0
        self._streams: dict[str, set[UUID]] = {}
        table = recorder.events_table_name
        self._postgres = isinstance(recorder, PostgresApplicationRecorder)
        if self._postgres:
            names = {
                "schema": sql.Identifier(recorder.datastore.schema),
                "table": sql.Identifier(table),
            }
            self._end: Any = sql.SQL(
                "SELECT COALESCE(max(notification_id), 0) AS n FROM {schema}.{table}"
            ).format(**names)
            self._scan: Any = sql.SQL(
                "SELECT originator_id, state FROM {schema}.{table} WHERE notification_id > %s "
                "AND notification_id <= %s AND topic = ANY(%s)"
            ).format(**names)
        else:
            self._end = f"SELECT COALESCE(max(rowid), 0) FROM {table}"  # noqa: S608 (ours)
            self._scan = (
                f"SELECT originator_id, state FROM {table} "  # noqa: S608 (our table's name)
                "WHERE rowid > ? AND rowid <= ? AND topic IN (?, ?)"
            )

    def streams_of(self, cid: str, *, catch_up: bool = True) -> set[UUID]:
        """The streams with a v1 header (opened or corrected) naming ``cid``; ``catch_up``:
        read what was appended since first (a batch's first lookup)."""
        with self._lock:
            for stream, state in self._appended() if catch_up else ():
                for found in HEADER_CID.finditer(state):
                    self._streams.setdefault(found.group(1).decode(), set()).add(stream)
            return set(self._streams.get(cid, ()))

    def _appended(self) -> list[tuple[UUID, bytes]]:
        """The header events appended since the last read (and the log's end read now)."""
        if self._postgres:
            with self._recorder.datastore.get_connection() as conn, conn.cursor() as cursor:
                cursor.execute(self._end)
                end = int(cursor.fetchone()["n"])
                cursor.execute(self._scan, [self._seen, end, list(HEADER_TOPICS)])
                rows = [(row["originator_id"], bytes(row["state"])) for row in cursor.fetchall()]
        else:
            with self._recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(self._end)
                end = int(cursor.fetchone()[0])
                cursor.execute(self._scan, [self._seen, end, *HEADER_TOPICS])
                rows = [(UUID(str(row[0])), bytes(row[1])) for row in cursor.fetchall()]
        self._seen = max(self._seen, end)
        return rows


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
        self._v1 = V1Headers(recorder)

    def finder(self) -> FindPerson:
        """``find`` for one batch's decision: the log's v1 headers are read up to its end at
        the first lookup only (a batch that may claim a place is decided under the lock, so
        no header is appended meanwhile but the batch's own)."""
        first = [True]

        def find(cid: str) -> Streams:
            caught_up, first[0] = first[0], False
            return self.find(cid, catch_up=caught_up)

        return find

    def find(self, cid: str, *, catch_up: bool = True) -> Streams:
        """The current state of each readable record that may be ``cid``'s."""
        streams = self._v1.streams_of(cid, catch_up=catch_up)
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


__all__ = ["HEADER_CID", "HEADER_TOPICS", "PersonIndex", "PersonLock", "V1Headers", "lock_key"]
