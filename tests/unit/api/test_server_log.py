"""``api.server_log``: the server's access log keeps paths and drops every query string."""

from __future__ import annotations

import logging

from api.server_log import QUERY_MARK, QueryStringDropped, drop_query_strings

CID = "1999900001036"


def _access_record(path: str) -> logging.LogRecord:
    """A record as uvicorn's access logger makes it."""
    args = ("127.0.0.1:5000", "GET", path, "1.1", 200)
    return logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                             args, None)  # fmt: skip


def test_the_query_is_cut_from_uvicorns_path() -> None:
    """``/records?cid=...`` is logged as ``/records?…``; a path without a query is untouched."""
    searched = _access_record(f"/records?cid={CID}&page=2")
    plain = _access_record("/health")

    QueryStringDropped().filter(searched)
    QueryStringDropped().filter(plain)

    assert f'127.0.0.1:5000 - "GET /records{QUERY_MARK} HTTP/1.1" 200' == searched.getMessage()
    assert '127.0.0.1:5000 - "GET /health HTTP/1.1" 200' == plain.getMessage()


def test_a_query_inside_a_whole_line_is_cut() -> None:
    """A server that logs the whole request line as one message loses its query too, encoded
    or not."""
    line = 'GET /verify/ab12?name=%e0%b8%88%e0%b8%b3 HTTP/1.1" 200 and /app/records?q=สม x'
    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, line, None, None)

    QueryStringDropped().filter(record)

    assert f'GET /verify/ab12{QUERY_MARK} HTTP/1.1" 200 and /app/records{QUERY_MARK} x' == (
        record.getMessage()
    )


def test_the_filter_is_installed_once() -> None:
    """Installing twice (two apps in one process) leaves one filter on the logger."""
    logger = logging.getLogger("test.server_log")

    drop_query_strings("test.server_log")
    drop_query_strings("test.server_log")

    assert 1 == sum(isinstance(each, QueryStringDropped) for each in logger.filters)
