"""The server's access log writes paths, never query strings (PDPA).

uvicorn logs every request as ``client - "GET /records?cid=1999900001036 HTTP/1.1" 200`` on the
``uvicorn.access`` logger: a query may carry a citizen ID or a name (an old client's
``GET /records?cid=``, ``/verify/{code}?name=``, a bookmarked ``/app/records?q=``), and an
access log is kept, rotated and shipped with far less care than the database. So the app drops
the query from every access line: the path (our paths carry record ids and codes, never a name
or a citizen ID) and ``?…`` when there was a query. Dropping it whole is the one rule that needs
no list of sensitive keys to keep up to date, and survives any encoding (plain, ``%e0%b8...``,
``+`` for spaces). The filter sits on the logger, so every handler a log configuration gives it
(uvicorn's default, ``--log-config``, a JSON formatter) receives the line already cut.

``drop_query_strings()`` is called by the app's lifespan, after uvicorn has configured logging
(``ledger serve``, ``ledger demo`` and ``uvicorn --factory ...`` alike); calling it again adds
nothing.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
QUERY_MARK = "?…"
"""What stands for a query that was dropped: the line still says there was one."""
_QUERY = re.compile(r"(/[^\s?\"]*)\?[^\s\"]*")
"""A path followed by its query, within a string that may hold more (``GET /p?q HTTP/1.1``)."""


class QueryStringDropped(logging.Filter):
    """Cuts the query off every path in an access log record: its arguments and its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = _without_query(record.msg)
        return True


def _without_query(value: object) -> object:
    """A path (uvicorn's argument) loses all after its ``?``; a longer text each path's query."""
    if not isinstance(value, str) or "?" not in value:
        return value
    if value.startswith("/"):
        return value.split("?", 1)[0] + QUERY_MARK
    return _QUERY.sub(lambda found: found.group(1) + QUERY_MARK, value)


def drop_query_strings(logger_name: str = ACCESS_LOGGER) -> None:
    """Install the filter on the server's access logger, once."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(installed, QueryStringDropped) for installed in logger.filters):
        logger.addFilter(QueryStringDropped())


__all__ = ["ACCESS_LOGGER", "QueryStringDropped", "drop_query_strings"]
