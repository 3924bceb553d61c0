"""The agent's pages: a sign request shown in Thai, the PIN asked, the answer posted back.

``POST /sign`` (form field ``request``: the wire form the web application posted into the
popup it opened) checks the request (``agent.checks``), parses what will be signed
(``agent.display``), checks the card holds the key the statement names, and shows it with a
PIN form. ``POST /sign/confirm`` (request, CSRF token, PIN, action) runs the same checks again,
has the card sign (``agent.card_signing``) and answers with a page whose script posts
``AgentAnswer.to_message()`` to the opener at exactly the request's origin, then closes; the
cancel button answers ``cancelled``. A wrong PIN shows the tries left and the form again.
Refusals are pages naming the rule in Thai and English; nothing is signed in any of them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException

from agent.card_signing import WrongPin, another_key, card_key, sign_on_card
from agent.checks import Refusal, check_csrf, check_request, check_sender, csrf_token
from agent.config import AgentConfig
from agent.display import StatementView, statement_view
from agent.guard import Guard
from agent.nonces import UsedNonces
from ledger.sign_requests import AgentAnswer, SignRequest, encode_signature
from ledger.statement import key_id_of

STATIC = Path(__file__).resolve().parent / "static"
_TEMPLATES = Environment(
    loader=PackageLoader("agent", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)

FormText = Annotated[str | None, Form()]


class Agent:
    """One running agent: its configuration, the nonces it used, its CSRF secret."""

    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.nonces = UsedNonces(config.clock)
        self.secret = secrets.token_bytes(32)

    def page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = _TEMPLATES.get_template(template).render(config=self.config, **context)
        return HTMLResponse(html, status_code=status)

    def view(self, request: SignRequest) -> StatementView | None:
        """The statement as the operator reads it (None for a login); refuses what cannot be
        shown, and a statement in another person's name when card presence is on."""
        if request.kind == "login":
            return None
        view = statement_view(request.payload, request.disclosures)
        presence = self.config.presence
        # A record owner signs with no citizen ID (her key is enrolled by her record): her
        # statement is bound to this card by its key id, which the card must hold to sign it
        # (``sign_on_card``), and the presence check still reads her ID card before signing.
        named = view.signer_cid
        if presence is not None and named is not None and named != presence.enrolled_cid:
            raise Refusal(
                "ข้อความนี้ลงนามในนามบุคคลอื่น ไม่ใช่ผู้ที่ขึ้นทะเบียนกับบัตรนี้",
                "this statement names another signer than the one enrolled with this card",
                status=403,
            )
        return view

    def sign_form(
        self,
        request: SignRequest,
        wire: str,
        *,
        error: str | None = None,
        tries_left: int | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        view = self.view(request)
        key_id = key_id_of(card_key(self.config))
        if view is not None and view.key_id != key_id:
            raise another_key(view.key_id, key_id)
        return self.page(
            "sign.html",
            status,
            request=request,
            view=view,
            wire=wire,
            csrf=csrf_token(self.secret, request),
            card_key_id=key_id,
            error=error,
            tries_left=tries_left,
        )

    def answer(self, request: SignRequest, answer: AgentAnswer) -> HTMLResponse:
        message = json.dumps(answer.to_message(), separators=(",", ":"))
        return self.page("answer.html", request=request, answer=answer, message=message)


def create_agent_app(config: AgentConfig) -> FastAPI:
    """The agent as an ASGI app; ``uvicorn.run(app, host="127.0.0.1", port=config.port)``."""
    agent = Agent(config)
    app = FastAPI(title="ledger agent", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.agent = agent
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_handlers(app, agent)
    _add_routes(app, agent)
    app.add_middleware(Guard, hosts=config.hosts)
    return app


def _add_handlers(app: FastAPI, agent: Agent) -> None:
    @app.exception_handler(Refusal)
    async def refused(request: Request, refusal: Exception) -> HTMLResponse:
        assert isinstance(refusal, Refusal)  # noqa: S101 (registered for Refusal only)
        told = refusal.request
        message = None
        if told is not None:
            message = json.dumps(AgentAnswer(told.nonce, "cancelled").to_message())
        return agent.page(
            "refused.html", refusal.status, refusal=refusal, request=told, message=message
        )

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, error: Exception) -> HTMLResponse:
        refusal = Refusal("แบบฟอร์มที่ส่งมาไม่ครบหรือไม่ถูกต้อง", "the form sent is incomplete")
        return agent.page("refused.html", 400, refusal=refusal)

    @app.exception_handler(HTTPException)
    async def not_here(request: Request, error: Exception) -> HTMLResponse:
        status = error.status_code if isinstance(error, HTTPException) else 400
        refusal = Refusal("ไม่มีหน้านี้ในตัวลงนาม", "the signing agent has no such page", status)
        return agent.page("refused.html", status, refusal=refusal)


def _add_routes(app: FastAPI, agent: Agent) -> None:
    config = agent.config

    @app.get("/", response_class=HTMLResponse)
    def index() -> HTMLResponse:
        return agent.page("index.html")

    @app.get("/health", response_class=PlainTextResponse)
    def health() -> PlainTextResponse:
        """That the agent listens, for the pages' ``signing.js`` to ask before it opens the
        popup (a ``no-cors`` fetch: it learns only that something answered). It says nothing
        else, and the ``Guard``'s Host check and headers apply as to every route."""
        return PlainTextResponse("ok\n")

    @app.get("/sign", response_class=HTMLResponse)
    def sign_without_request() -> HTMLResponse:
        raise Refusal(
            "เปิดหน้านี้จากระบบทะเบียนเมื่อต้องการลงนาม (คำขอลงนามส่งมาทางแบบฟอร์มเท่านั้น)",
            "open this page from the records application when signing (requests come by POST)",
        )

    @app.post("/sign", response_class=HTMLResponse)
    def show(http: Request, request: FormText = None) -> HTMLResponse:
        sign_request = check_request(config, agent.nonces, request)
        check_sender(http.headers.get("origin"), frozenset({sign_request.origin}))
        with _told_to_opener(sign_request):
            return agent.sign_form(sign_request, request or "")

    @app.post("/sign/confirm", response_class=HTMLResponse)
    def confirm(
        http: Request,
        request: FormText = None,
        csrf: FormText = None,
        pin: FormText = None,
        action: FormText = None,
    ) -> HTMLResponse:
        sign_request = check_request(config, agent.nonces, request)
        check_sender(http.headers.get("origin"), config.own_origins)
        check_csrf(agent.secret, sign_request, csrf)
        with _told_to_opener(sign_request):
            view = agent.view(sign_request)
            if action == "cancel":
                agent.nonces.claim(sign_request.nonce, sign_request.expires_at)
                return agent.answer(sign_request, AgentAnswer(sign_request.nonce, "cancelled"))
            if not (pin or "").strip():
                return agent.sign_form(sign_request, request or "", error="empty", status=400)
            return _sign(agent, sign_request, request or "", pin or "", view)


@contextmanager
def _told_to_opener(request: SignRequest) -> Iterator[None]:
    """A refusal of a request that passed the trust, origin and nonce checks also answers the
    opener "cancelled" (so its page stops waiting); the popup stays open with the reason."""
    try:
        yield
    except Refusal as refusal:
        refusal.request = request
        raise


def _sign(
    agent: Agent, request: SignRequest, wire: str, pin: str, view: StatementView | None
) -> HTMLResponse:
    """Claim the nonce, have the card sign, answer; a wrong PIN gives the nonce back."""
    if not agent.nonces.claim(request.nonce, request.expires_at):
        raise Refusal("คำขอลงนามนี้ถูกใช้ไปแล้ว (ส่งซ้ำ)", "this sign request was already used")
    try:
        signed = sign_on_card(
            agent.config, request, pin, expected_key_id=view.key_id if view else None
        )
    except WrongPin as wrong:
        agent.nonces.release(request.nonce)
        return agent.sign_form(
            request, wire, error="wrong_pin", tries_left=wrong.tries_left, status=400
        )
    except Refusal:
        agent.nonces.release(request.nonce)
        raise
    answer = AgentAnswer(
        nonce=request.nonce,
        outcome="signed",
        key_id=signed.key_id,
        public_key=signed.public_key.hex(),
        signature=encode_signature(signed.signature),
    )
    return agent.answer(request, answer)
