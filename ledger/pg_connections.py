"""PostgreSQL connections that outlive a database restart.

A restart or failover closes every connection the server held. A connection kept across it (in
the library's pool, or one of our own: the vault's, the views', the access log's) stays closed
on our side until someone uses it, and the request that does fails. The server's shutdown
leaves its mark without any round trip: it sends its last message (57P01, "terminating
connection due to administrator command") and closes the socket, so an idle connection whose
socket is readable is either holding a notification or dead, and libpq tells which by reading
it. ``hung_up`` makes that check (a ``select`` with zero timeout: a few microseconds), and
both kinds of connection are replaced before they are used:

* ``install_pool_check``: the pool checks each connection as it hands it out, and on the first
  dead one sweeps the idle rest (they died together), so no request draws a dead connection;
  while the server cannot be reached a request is refused at once rather than held;
* ``Reconnecting``: one connection of our own, replaced by a new one when it has hung up or
  broke in its last use.

A connection the server could not close (a host that vanished, a cut network) still fails the
one request that uses it, with a connection error that the API answers 503 with Retry-After.
"""

from __future__ import annotations

import select
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.pq import ConnStatus, TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout

SCHEMA_LOCK_KEY = 0x1ED6E5C4E3A
"""The PostgreSQL advisory lock every process takes while it creates tables, indexes, types or
functions: two processes starting at once on one database take turns instead of colliding in
the catalogue ("tuple concurrently updated", a duplicate type name)."""

_READS = 4  # a dead connection: the server's last message, then the end of the stream
_TRIES = 4


def connect(database_url: str, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A new connection to the database a ``postgresql://`` URL names."""
    parts = urlsplit(database_url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or "") or None,
        dbname=unquote(parts.path.lstrip("/")),
        autocommit=autocommit,
    )


def hung_up(connection: psycopg.Connection[Any]) -> bool:
    """Whether the server has closed this idle connection (or it broke), without a round trip."""
    if connection.closed or connection.broken:
        return True
    pgconn = connection.pgconn
    if pgconn.transaction_status != TransactionStatus.IDLE:
        return False  # in a transaction or a query: its user finds out
    for _ in range(_READS):
        readable, _, _ = select.select([pgconn.socket], [], [], 0)
        if not readable:
            return False
        try:
            pgconn.consume_input()
        except psycopg.OperationalError:
            return True
        if pgconn.status == ConnStatus.BAD:
            return True
    return False


class _Outage:
    """Whether the pool's server was found unreachable: then each request tries to connect
    (refused at once while the server is down, so the API answers 503 with Retry-After instead
    of holding the request) until one succeeds."""

    def __init__(self, pool: ConnectionPool[Any]) -> None:
        self._pool = pool
        self.down = False

    def _reachable(self) -> bool:
        given = self._pool.kwargs() if callable(self._pool.kwargs) else self._pool.kwargs
        options = {key: value for key, value in (given or {}).items() if key != "row_factory"}
        try:
            psycopg.connect(**options, connect_timeout=2).close()
        except psycopg.OperationalError:
            self.down = True
            return False
        self.down = False
        return True

    def getconn(self, getconn: Callable[[float | None], Any]) -> Callable[..., Any]:
        """The pool's ``getconn``, refusing at once while the server is down and replacing
        a connection the server closed (with every idle one: they died together)."""

        def checked(timeout: float | None = None) -> Any:
            for _ in range(_TRIES):  # each dead connection drawn makes the pool sweep
                if self.down and not self._reachable():
                    raise PoolTimeout("the database server is unreachable")
                try:
                    connection = getconn(timeout)
                except PoolTimeout:
                    self._reachable()
                    raise
                if not hung_up(connection):
                    return connection
                self._pool.putconn(connection)  # broken: the pool discards it, opens another
                if self._reachable():  # a restart that is over: replace the idle others now
                    self._pool.check()
                # else the idle others stay until the server is back: a connection discarded
                # now is reopened with the pool's backoff (1, 2, 4... s), one found dead
                # later is reopened at once
            raise PoolTimeout("the database server keeps closing connections")

        return checked


def install_pool_check(pool: ConnectionPool[Any]) -> None:
    """Make the pool replace connections the server closed before it hands them out, and
    refuse at once while the server is unreachable.

    Without this the pool hands out a dead connection and the request fails; with the
    library's pre-ping every checkout costs a round trip. While the server is down the pool
    would hold each request until its timeout (30 s), which the library retries ten times.
    psycopg_pool's own ``check`` runs inside its wait for a connection (and backs off between
    failures), so the check wraps ``getconn`` instead, which ``pool.connection()`` calls.
    """
    pool.getconn = _Outage(pool).getconn(pool.getconn)  # type: ignore[method-assign]


class Reconnecting:
    """One connection of our own, replaced by a new one when the server has closed it."""

    def __init__(self, database_url: str, *, autocommit: bool = False) -> None:
        self._url = database_url
        self._autocommit = autocommit
        self._connection = connect(database_url, autocommit=autocommit)

    def get(self) -> psycopg.Connection[Any]:
        """The connection, new if the old one hung up or broke (raises while the server is
        down; the next call tries again)."""
        if hung_up(self._connection):
            self._connection.close()
            self._connection = connect(self._url, autocommit=self._autocommit)
        return self._connection

    def close(self) -> None:
        self._connection.close()


class QmarkCursor:
    """A psycopg cursor taking ``?`` placeholders, as SQLite's do, so one SQL text serves both
    backends (the vault's statements; in a pipeline: synced for ``rowcount``)."""

    def __init__(self, cursor: Any, pipeline: Any = None) -> None:
        self._cursor = cursor
        self._pipeline = pipeline

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(sql.replace("?", "%s"), params)

    def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        self._cursor.executemany(sql.replace("?", "%s"), params)  # pipelined: one round trip

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> Any:
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        if self._pipeline is not None:
            self._pipeline.sync()
        return int(self._cursor.rowcount)
