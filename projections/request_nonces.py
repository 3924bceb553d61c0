"""One-time nonces of the web application's sign requests, shared by all its processes.

The web application hands each login or statement ``SignRequest`` a random nonce and accepts
one answer per nonce. With several server processes behind one origin (the deployment runs the
application with several workers), the page that issued a request and the POST that answers it
may reach different processes, so the nonces live in the ledger's database, beside the access
log: table ``<ledger>_request_nonces``, one row per request waiting for its answer.

``spend`` deletes the row and says whether it was there: of two answers racing with the same
nonce, in one process or two, exactly one finds it (a DELETE takes the row's lock on
PostgreSQL; SQLite writes one at a time). Expired rows are swept now and then by ``issue``.
Like the access log, this is not part of the signed ledger.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from projections.store import ViewDatabase

SWEEP_EVERY = 64
"""Every this many issued nonces, the expired ones are deleted."""


class RequestNonces:
    """The open nonces of one ledger's web application (made when opened)."""

    def __init__(
        self, database_url: str, ledger_name: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._database = ViewDatabase(database_url)
        self._clock = clock
        self._issued = itertools.count(1)
        self.table = f"{ledger_name}_request_nonces"
        with self._database.schema_change() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                "nonce TEXT PRIMARY KEY, expires_at BIGINT NOT NULL)"
            )

    def open_count(self) -> int:
        """How many nonces wait for an answer (expired ones not yet swept included)."""
        with self._database.transaction() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.table}")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._database.close()

    def issue(self, nonce: str, expires_at: int) -> None:
        """Remember a nonce until ``expires_at`` (Unix seconds)."""
        with self._database.transaction() as cursor:
            if next(self._issued) % SWEEP_EVERY == 0:
                cursor.execute(
                    f"DELETE FROM {self.table} WHERE expires_at < ?", [int(self._clock())]
                )
            cursor.execute(
                f"INSERT INTO {self.table} (nonce, expires_at) VALUES (?, ?)", [nonce, expires_at]
            )

    def spend(self, nonce: str) -> bool:
        """True once for a nonce issued and not expired; False ever after, in every process."""
        with self._database.transaction() as cursor:
            cursor.execute(
                f"DELETE FROM {self.table} WHERE nonce = ? RETURNING expires_at", [nonce]
            )
            row = cursor.fetchone()
        return row is not None and int(row[0]) >= self._clock()


__all__ = ["RequestNonces"]
