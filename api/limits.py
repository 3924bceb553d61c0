"""Request bodies past a size limit are refused with 413 before they are read into memory.

An ASGI middleware, so it sees the body as it streams in: a declared ``Content-Length`` over
the limit is refused at once (nothing is read), and a body sent without one (chunked) is
counted as it arrives and refused as soon as it passes the limit. Limits are per path prefix:
a batch of statements may be large, one statement is small, anything else is small too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger.violations import rule

BODY_TOO_LARGE = rule(
    "http.body_too_large",
    "ข้อมูลที่ส่งมีขนาดเกิน {limit} ไบต์",
    "the request body is larger than {limit} bytes",
)


@dataclass(frozen=True, slots=True)
class BodyLimit:
    """The largest body accepted on paths starting with ``prefix``."""

    prefix: str
    max_bytes: int


class _TooLargeError(Exception):
    """The body passed its limit while streaming in."""


class BodySizeLimit:
    """Refuse request bodies larger than the first matching ``BodyLimit`` (else ``default``)."""

    def __init__(self, app: ASGIApp, limits: Sequence[BodyLimit], default: int) -> None:
        self.app = app
        self.limits = sorted(limits, key=lambda limit: len(limit.prefix), reverse=True)
        self.default = default

    def limit_for(self, path: str) -> int:
        for limit in self.limits:
            if path == limit.prefix or path.startswith(limit.prefix.rstrip("/") + "/"):
                return limit.max_bytes
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
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
                await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
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
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["BodyLimit", "BodySizeLimit"]
