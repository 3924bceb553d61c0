"""Request bodies past a size limit are refused with 413 before they are read into memory.

An ASGI middleware, so it sees the body as it streams in: a declared ``Content-Length`` over
the limit is refused at once (nothing is read), and a body sent without one (chunked) is
counted as it arrives and refused as soon as it passes the limit. Limits are per path prefix:
a batch of statements may be large, one statement is small, anything else is small too.

The refusal is problem JSON, for the API's clients; a limit may name a ``page`` instead, the
refusal as an HTML page (the web application's pages: a person never sees JSON). The page is
made from the request's scope alone (its headers, the language cookie), since the body is
never read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_TYPE_BASE
from ledger.violations import rule

BODY_TOO_LARGE = rule(
    "http.body_too_large",
    "ข้อมูลที่ส่งมีขนาดเกิน {limit} ไบต์",
    "the request body is larger than {limit} bytes",
)


RefusalPage = Callable[[Scope, int], bytes]
"""The refusal as an HTML page (UTF-8), from the request's scope and the limit in bytes."""


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest body accepted on paths starting with ``prefix``; ``page``: answer a refusal
    with this HTML page instead of problem JSON."""

    prefix: str
    max_bytes: int
    page: RefusalPage | None = None


class _TooLargeError(Exception):
    """The body passed its limit while streaming in."""


class BodySizeLimit:
    """Refuse request bodies larger than the first matching ``BodyLimit`` (else ``default``)."""

    def __init__(self, app: ASGIApp, limits: Sequence[BodyLimit], default: int) -> None:
        self.app = app
        self.limits = sorted(limits, key=lambda limit: len(limit.prefix), reverse=True)
        self.default = default

    def limit_for(self, path: str) -> int:
        return self.rule_for(path).max_bytes

    def rule_for(self, path: str) -> BodyLimit:
        """The first limit whose prefix the path falls under (else the default, as JSON)."""
        for limit in self.limits:
            if path == limit.prefix or path.startswith(limit.prefix.rstrip("/") + "/"):
                return limit
        return BodyLimit("", self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope["path"])
        limit = rule.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, scope, rule)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await _refuse(send, scope, rule)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, scope: Scope, rule: BodyLimit) -> None:
    if rule.page is not None:
        body, media_type = rule.page(scope, rule.max_bytes), b"text/html; charset=utf-8"
    else:
        body, media_type = _problem(rule.max_bytes), b"application/problem+json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", media_type),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _problem(limit: int) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_TYPE_BASE + "body-too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"the body is larger than {limit} bytes",
            "rule": BODY_TOO_LARGE.id,
            "title_th": "ข้อมูลที่ส่งใหญ่เกินไป",
            "errors": [
                {
                    "rule": BODY_TOO_LARGE.id,
                    "field": "body",
                    "th": BODY_TOO_LARGE.th.format(limit=f"{limit:,}"),
                    "en": BODY_TOO_LARGE.en.format(limit=f"{limit:,}"),
                }
            ],
        },
        ensure_ascii=False,
    ).encode("utf-8")


__all__ = ["BODY_TOO_LARGE", "BodyLimit", "BodySizeLimit", "RefusalPage"]
