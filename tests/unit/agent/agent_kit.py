"""A signing agent on a virtual card in process, a request key, and statements to sign."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import httpx
import nacl.signing
from fastapi.testclient import TestClient

from agent.app import create_agent_app
from agent.config import AgentConfig, Presence
from card.apdu import Transport
from card.virtual.inprocess import InProcessTransport
from card.virtual.signing import SigningCardState, VirtualSigningCard, state_with_key
from ledger.commitments import Disclosure, commit_statement_data
from ledger.domain.dates import THAILAND
from ledger.sign_requests import SignRequest
from ledger.statement import SignerRef, build_statement, key_id_of

ORIGIN = "http://127.0.0.1:8000"
AGENT = "http://127.0.0.1:8765"
PIN = "123456"
SIGNER_CID = "1999900000111"
"""The made-up holder of the sample ID card ``somying`` (card/virtual/samples)."""


@dataclass
class World:
    """An agent app, its virtual card and the web application's request key."""

    request_key: nacl.signing.SigningKey
    card: VirtualSigningCard
    client: TestClient
    seed: bytes = field(default=b"")

    @property
    def state(self) -> SigningCardState:
        return self.card.state

    @property
    def public_key(self) -> bytes:
        return bytes(nacl.signing.SigningKey(self.seed).verify_key)

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def wire(self, request: SignRequest, key: nacl.signing.SigningKey | None = None) -> str:
        return request.to_wire(key or self.request_key)

    def show(self, wire: str, **headers: str) -> httpx.Response:
        return self.client.post("/sign", data={"request": wire}, headers=headers)

    def confirm(self, wire: str, pin: str = PIN, **fields: str) -> httpx.Response:
        shown = self.show(wire)
        token = csrf_of(shown.text) if shown.status_code < 500 else ""
        data = {"request": wire, "csrf": token, "pin": pin, "action": "sign", **fields}
        return self.client.post("/sign/confirm", data=data)


def make_world(presence: Presence | None = None, **config: Any) -> World:
    seed = nacl.signing.SigningKey.generate().encode()
    card = VirtualSigningCard(state_with_key(seed, pin=PIN))

    @contextmanager
    def open_card() -> Iterator[Transport]:
        transport = InProcessTransport(card, "virtual (test)")
        try:
            yield transport
        finally:
            transport.close()

    request_key = nacl.signing.SigningKey.generate()
    config.setdefault("origins", (ORIGIN,))
    settings = AgentConfig(
        trusted_keys=(bytes(request_key.verify_key),),
        open_card=open_card,
        card_name="virtual (test)",
        presence=presence,
        **config,
    )
    client = TestClient(create_agent_app(settings), base_url=AGENT)
    return World(request_key, card, client, seed)


def statement_payload(
    key_id: str,
    data: dict[str, Any] | None = None,
    *,
    event_type: str = "PositionSalaryEntryAdded",
    cid: str = SIGNER_CID,
) -> bytes:
    """A salary entry effective 1 October 2026 (2569), its order of 25 March 2019 (2562)."""
    statement = build_statement(
        stream=uuid.UUID("0b6f6d2e-6f1c-4a53-9f0e-6c1d2b3a4f5e"),
        expected_version=4,
        prev_hash="ab" * 32,
        type=event_type,
        data=data
        if data is not None
        else {
            "movement_type": "เลื่อนขั้นเงินเดือน",
            "position_no": "00-0102-001",
            "position_title": "นักวิเคราะห์นโยบายและแผน",
            "level": "ชำนาญการ",
            "salary": "19500.00",
            "order": {"number": "123/2562", "date": "2019-03-25", "issuer": "นายกเทศมนตรี"},
        },
        effective=date(2026, 10, 1),
        signer=SignerRef(cid=cid, key=key_id),
        signed_at=datetime(2026, 9, 30, 10, 0, tzinfo=THAILAND),
    )
    return statement.canonical_bytes()


NAME_CHANGE = {
    "prefix": "นางสาว",
    "first_name": "วาสนาทดสอบ",
    "last_name": "ใจงามทดสอบ",
    "reason": "สมรส",
}
"""A made-up name change: every field personal, so a v2 statement commits them all."""


def v2_payload(
    key_id: str,
    event_type: str = "NameChanged",
    data: dict[str, Any] | None = None,
    cid: str | None = SIGNER_CID,
) -> tuple[bytes, dict[str, Disclosure]]:
    """A v2 statement's bytes (its personal fields committed, fresh salts) for ``key_id`` (a
    record owner's, enrolled by her record, with ``cid`` None), and its disclosures."""
    stream = uuid.UUID("0b6f6d2e-6f1c-4a53-9f0e-6c1d2b3a4f5e")
    committed, disclosures = commit_statement_data(event_type, stream, data or NAME_CHANGE)
    statement = build_statement(
        stream=stream, expected_version=4, prev_hash="ab" * 32, type=event_type,
        data=committed, effective=date(2026, 10, 1),
        signer=SignerRef(cid=cid, key=key_id),
        signed_at=datetime(2026, 9, 30, 10, 0, tzinfo=THAILAND), v=2,
    )  # fmt: skip
    return statement.canonical_bytes(), disclosures


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    return found.group(1) if found else ""


def answer_of(page: str) -> tuple[str, dict[str, Any]]:
    """The origin the answer page posts to, and the message it posts."""
    found = re.search(r'id="answer" data-origin="([^"]*)" data-message="([^"]*)"', page)
    assert found is not None, page
    return html.unescape(found.group(1)), json.loads(html.unescape(found.group(2)))
