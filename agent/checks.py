"""The agent's checks of a sign request, made on showing it and again on signing it.

A request must be signed by a request key the agent trusts, unexpired and not valid for too
long, from an origin on the allowlist, with a nonce not used before; the form that confirms it
must carry the page's CSRF token, and a browser's ``Origin`` header, when it sends one, must be
the request's origin (showing) or the agent's own (confirming). Each refusal names its rule in
Thai and English, and nothing is signed.
"""

from __future__ import annotations

import hashlib
import hmac

from agent.config import AgentConfig
from agent.nonces import UsedNonces
from ledger.sign_requests import SignRequest, SignRequestError, read_request

MAX_LIFETIME_SECONDS = 900
"""A request valid for longer is refused: used nonces live in memory only, so a long-lived
request could be replayed after the agent restarts."""


class Refusal(Exception):  # noqa: N818 (a page the operator reads, not a failure)
    """A request the agent will not sign, with the reason in Thai and English."""

    def __init__(self, th: str, en: str, status: int = 400) -> None:
        super().__init__(en)
        self.th = th
        self.en = en
        self.status = status
        self.request: SignRequest | None = None
        """Set once the request passed the trust, origin and nonce checks: the opener is told."""


def check_request(config: AgentConfig, nonces: UsedNonces, wire: str | None) -> SignRequest:
    """The request ``wire`` carries, once every check passed; else ``Refusal``."""
    if not wire:
        raise Refusal("ไม่มีคำขอลงนามมากับหน้านี้", "no sign request came with this page")
    now = config.clock()
    try:
        request = read_request(wire, config.trusted_keys, now=now)
    except SignRequestError as error:
        raise Refusal(error.thai, error.reason) from None
    if request.expires_at - now > MAX_LIFETIME_SECONDS:
        raise Refusal(
            f"คำขอลงนามมีอายุนานเกิน {MAX_LIFETIME_SECONDS // 60} นาที",
            f"the sign request is valid for more than {MAX_LIFETIME_SECONDS // 60} minutes",
        )
    if request.origin not in config.origins:
        raise Refusal(
            f"เว็บไซต์ {request.origin} ไม่อยู่ในรายการที่เครื่องนี้อนุญาตให้ขอลงนาม",
            f"the origin {request.origin} is not on this agent's allowlist",
        )
    if nonces.is_used(request.nonce):
        raise Refusal("คำขอลงนามนี้ถูกใช้ไปแล้ว (ส่งซ้ำ)", "this sign request was already used (a replay)")
    return request


def check_sender(origin_header: str | None, expected: frozenset[str]) -> None:
    """A browser names the page that sent a form in ``Origin``; it must be one expected."""
    if origin_header is None or origin_header == "null":
        return
    if origin_header.lower().rstrip("/") not in expected:
        raise Refusal(
            f"คำขอนี้ส่งมาจากหน้าเว็บอื่น ({origin_header})",
            f"this form was sent from another page ({origin_header})",
        )


def csrf_token(secret: bytes, request: SignRequest) -> str:
    """The token the agent's own page carries for ``request``: no other page can compute it."""
    message = b"ledger agent confirm\n" + request.nonce.encode("ascii")
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def check_csrf(secret: bytes, request: SignRequest, token: str | None) -> None:
    if token is None or not hmac.compare_digest(
        token.encode(), csrf_token(secret, request).encode()
    ):
        raise Refusal(
            "แบบฟอร์มนี้ไม่ได้มาจากหน้าลงนามของเครื่องนี้ (โทเคนป้องกันการปลอมแปลงไม่ถูกต้อง)",
            "this form did not come from this agent's signing page (the CSRF token is wrong)",
            status=403,
        )
