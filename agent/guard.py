"""The agent's guard around every response: the Host header and the browser's protections.

The agent listens on 127.0.0.1, but a web page elsewhere can point a name it controls at
127.0.0.1 (DNS rebinding) and then talk to the agent as a same-origin page; its requests carry
that name in ``Host``, so anything but ``127.0.0.1:<port>`` or ``localhost:<port>`` is refused
(421). Every answer forbids framing (clickjacking the PIN page), loads nothing from elsewhere,
sends no referrer (the page's URL never leaves the PC) and is never cached (it shows what was
signed).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
MISDIRECTED = (
    "ตัวลงนามตอบเฉพาะที่อยู่ 127.0.0.1 หรือ localhost ของเครื่องนี้\n"
    "The signing agent answers only to 127.0.0.1 or localhost on this PC (Host header refused).\n"
)


class Guard:
    """ASGI middleware: refuse a foreign ``Host``; add ``SECURITY_HEADERS`` to every answer."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts = [v for k, v in scope["headers"] if k == b"host"]
        host = hosts[0].decode("latin-1").lower() if len(hosts) == 1 else ""
        if host not in self.hosts:
            response = PlainTextResponse(MISDIRECTED, status_code=421, headers=SECURITY_HEADERS)
            await response(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_guarded)
