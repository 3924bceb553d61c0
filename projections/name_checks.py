"""How often the public certificate check has tested a typed name, shared by all processes.

``GET /verify/{code}?name=`` and the page ``/app/verify/{code}?name=`` tell whether a typed
name is the certificate holder's. Without a limit a caller could try names one after another
until one matches, so each try is counted against the certificate's code and against the
client's address, and refused once either has had its share of the window
(``api.name_checks`` sets the numbers and answers 429). The counts live in the ledger's
database, beside the request nonces and the access log (table ``<ledger>_name_checks``), so
the several worker processes of a deployment share them; an in-memory count would give each
worker its own share.

A row is one try: the counted key and the second it came. Keys are SHA-256 digests
(``code:<hex>``, ``client:<address>``), so the table keeps no client address in clear, and
rows older than the longest window are swept now and then. Two tries racing in two processes
may both be admitted at the edge of a limit (each counts before the other writes): the limit
is a brake on guessing, one or two tries over in a race does not open it. Like the access
log, this is not part of the signed ledger.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from projections.store import ViewDatabase

SWEEP_EVERY = 64
"""Every this many admitted tries, rows older than the window are deleted."""


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``tries`` for ``key`` within any ``window`` seconds."""

    key: str
    tries: int
    window: int


@dataclass(frozen=True, slots=True)
class Refused:
    """The limit that refused a try, and how many seconds until its oldest try leaves it."""

    limit: Limit
    wait: int


class NameChecks:
    """The counted name tries of one ledger (the table made when opened)."""

    def __init__(
        self, database_url: str, ledger_name: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._database = ViewDatabase(database_url)
        self._clock = clock
        self._admitted = itertools.count(1)
        self.table = f"{ledger_name}_name_checks"
        with self._database.schema_change() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT NOT NULL, at BIGINT NOT NULL)"
            )
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_key ON {self.table} (key, at)")

    def close(self) -> None:
        self._database.close()

    def admit(self, limits: Sequence[Limit]) -> Refused | None:
        """Count one try against every limit, or none when one of them is used up (that one
        returned, with the wait)."""
        now = int(self._clock())
        with self._database.transaction() as cursor:
            for limit in limits:
                cursor.execute(
                    f"SELECT COUNT(*), MIN(at) FROM {self.table} WHERE key = ? AND at > ?",
                    [_digest(limit.key), now - limit.window],
                )
                row = cursor.fetchone()
                count, oldest = (int(row[0]), row[1]) if row else (0, None)
                if count >= limit.tries and oldest is not None:
                    return Refused(limit, max(1, int(oldest) + limit.window - now))
            if next(self._admitted) % SWEEP_EVERY == 0:
                longest = max(limit.window for limit in limits)
                cursor.execute(f"DELETE FROM {self.table} WHERE at <= ?", [now - longest])
            for limit in limits:
                cursor.execute(
                    f"INSERT INTO {self.table} (key, at) VALUES (?, ?)", [_digest(limit.key), now]
                )
        return None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


__all__ = ["Limit", "NameChecks", "Refused"]
