"""The signing agent refuses forged, stale, misdirected or replayed requests; nothing is signed."""

from __future__ import annotations

from pathlib import Path

import nacl.signing
import pytest

from agent.config import Presence
from card.readers import read_citizen_id
from ledger.sign_requests import SignRequest
from tests.cards import person_file
from tests.unit.agent.agent_kit import (
    ORIGIN,
    SIGNER_CID,
    World,
    answer_of,
    csrf_of,
    make_world,
    statement_payload,
    v2_payload,
)


@pytest.fixture
def world() -> World:
    return make_world()


def test_garbage_is_refused_in_thai_and_english(world: World) -> None:
    """A request that is no wire form at all is refused, naming why, in both languages."""
    refused = world.show("not-a-request")

    assert 400 == refused.status_code
    assert "อ่านคำขอลงนามไม่ได้" in refused.text
    assert "the sign request is unreadable" in refused.text
    assert "ไม่มีสิ่งใดถูกลงนาม" in refused.text


def test_a_request_signed_by_an_untrusted_key_is_refused(world: World) -> None:
    """A request key the agent was not given is not trusted, however well formed its request."""
    stranger = nacl.signing.SigningKey.generate()
    wire = world.wire(SignRequest.login(ORIGIN), key=stranger)

    shown = world.show(wire)
    confirmed = world.client.post("/sign/confirm", data={"request": wire, "pin": "123456"})

    assert "ไม่ได้ลงนามโดยเซิร์ฟเวอร์ที่เครื่องนี้เชื่อถือ" in shown.text
    assert 'id="answer"' not in shown.text  # nobody is told anything about a forged request
    assert 400 == confirmed.status_code
    assert 0 == world.state.signatures


def test_an_expired_request_is_refused(world: World) -> None:
    """A request past its expiry is refused on showing."""
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id), ORIGIN, ttl=-5))

    refused = world.show(wire)

    assert 400 == refused.status_code
    assert "หมดอายุ" in refused.text


def test_a_request_valid_for_too_long_is_refused(world: World) -> None:
    """A request valid for hours could outlive the agent's memory of nonces: refused."""
    wire = world.wire(SignRequest.login(ORIGIN, ttl=7200))

    assert "มีอายุนานเกิน 15 นาที" in world.show(wire).text


def test_an_origin_not_on_the_allowlist_is_refused(world: World) -> None:
    """A request for another origin is refused, naming the origin, even from a trusted key."""
    wire = world.wire(SignRequest.login("https://evil.example"))

    refused = world.show(wire)

    assert 400 == refused.status_code
    assert "https://evil.example ไม่อยู่ในรายการ" in refused.text


def test_a_replayed_request_is_refused_and_signs_once(world: World) -> None:
    """Once signed, the same request is refused on showing and on confirming."""
    wire = world.wire(SignRequest.login(ORIGIN))
    shown = world.show(wire)
    world.client.post(
        "/sign/confirm", data={"request": wire, "csrf": csrf_of(shown.text), "pin": "123456"}
    )

    again = world.show(wire)
    confirmed_again = world.client.post(
        "/sign/confirm", data={"request": wire, "csrf": csrf_of(shown.text), "pin": "123456"}
    )

    assert "ถูกใช้ไปแล้ว" in again.text
    assert 'id="answer"' not in again.text
    assert "ถูกใช้ไปแล้ว" in confirmed_again.text
    assert 1 == world.state.signatures


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1:9999", "localhost", ""])
def test_a_foreign_host_header_is_refused(world: World, host: str) -> None:
    """DNS rebinding: any Host but 127.0.0.1:port or localhost:port gets 421, signing nothing."""
    wire = world.wire(SignRequest.login(ORIGIN))

    refused = world.client.post("/sign", data={"request": wire}, headers={"host": host})

    assert 421 == refused.status_code
    assert "DENY" == refused.headers["x-frame-options"]
    assert 0 == world.state.signatures


def test_localhost_is_answered_and_every_page_forbids_framing(world: World) -> None:
    """localhost:port works as well; every answer carries the browser protections."""
    answered = world.client.get("/", headers={"host": "localhost:8765"})

    assert 200 == answered.status_code
    assert ORIGIN in answered.text
    assert "DENY" == answered.headers["x-frame-options"]
    assert "frame-ancestors 'none'" in answered.headers["content-security-policy"]
    assert "default-src 'self'" in answered.headers["content-security-policy"]
    assert "no-referrer" == answered.headers["referrer-policy"]
    assert "no-store" == answered.headers["cache-control"]


def test_a_statement_for_another_key_is_refused(world: World) -> None:
    """The statement names a key the card does not hold: refused on showing and confirming."""
    wire = world.wire(SignRequest.new("statement", statement_payload("0123456789abcdef"), ORIGIN))

    shown = world.show(wire)
    confirmed = world.client.post("/sign/confirm", data={"request": wire, "pin": "123456"})

    assert 400 == shown.status_code
    assert "เป็นของกุญแจ 0123456789abcdef" in shown.text
    assert "this statement is for key 0123456789abcdef" in shown.text
    assert (ORIGIN, "cancelled") == (answer_of(shown.text)[0], answer_of(shown.text)[1]["outcome"])
    assert 'data-stay="true"' in shown.text  # the popup stays open with the reason
    assert 403 == confirmed.status_code  # no page of its own: no CSRF token
    assert 0 == world.state.signatures


def test_confirming_without_the_csrf_token_is_refused(world: World) -> None:
    """A form posted to /sign/confirm by any other page lacks the token: refused, 403."""
    wire = world.wire(SignRequest.login(ORIGIN))

    missing = world.client.post("/sign/confirm", data={"request": wire, "pin": "123456"})
    forged = world.client.post(
        "/sign/confirm", data={"request": wire, "pin": "123456", "csrf": "00" * 32}
    )

    assert (403, 403) == (missing.status_code, forged.status_code)
    assert "โทเคนป้องกันการปลอมแปลงไม่ถูกต้อง" in missing.text
    assert 0 == world.state.signatures


def test_a_confirmation_sent_from_another_page_is_refused(world: World) -> None:
    """Confirming is the agent's own page's act: a browser's Origin of another site is refused."""
    wire = world.wire(SignRequest.login(ORIGIN))
    token = csrf_of(world.show(wire).text)

    refused = world.client.post(
        "/sign/confirm",
        data={"request": wire, "csrf": token, "pin": "123456"},
        headers={"origin": ORIGIN},
    )

    assert 400 == refused.status_code
    assert "ส่งมาจากหน้าเว็บอื่น" in refused.text
    assert 0 == world.state.signatures


def test_a_request_posted_by_another_site_than_its_origin_is_refused(world: World) -> None:
    """The popup's form must come from the request's own origin."""
    wire = world.wire(SignRequest.login(ORIGIN))

    refused = world.show(wire, origin="https://elsewhere.example")

    assert 400 == refused.status_code


def test_text_that_cannot_be_seen_is_refused(world: World) -> None:
    """A right-to-left override in a field would make the page lie: refused, not shown."""
    data = {
        "movement_type": "เลื่อนขั้น\u202e",
        "position_no": "1",
        "position_title": "ครู",
        "level": "ครูผู้ช่วย",
        "salary": "15000.00",
        "order": {"number": "1/2562", "date": "2019-03-25", "issuer": "นายก"},
    }
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id, data), ORIGIN))

    refused = world.show(wire)

    assert 400 == refused.status_code
    assert "U+202E" in refused.text


def test_a_payload_that_is_no_statement_is_refused(world: World) -> None:
    """Bytes that are not a canonical statement are refused as unreadable."""
    wire = world.wire(SignRequest.new("statement", b'{"b": 1, "a": 2}', ORIGIN))

    refused = world.show(wire)

    assert 400 == refused.status_code
    assert "อ่านข้อความที่ขอให้ลงนามไม่ได้" in refused.text


def test_a_missing_form_field_is_a_thai_page_not_a_traceback(world: World) -> None:
    """No request field at all: a 400 page in Thai; GET /sign says to open it from the app."""
    posted = world.client.post("/sign", data={})
    got = world.client.get("/sign")

    assert 400 == posted.status_code
    assert "ไม่มีคำขอลงนาม" in posted.text
    assert 400 == got.status_code
    assert "เปิดหน้านี้จากระบบทะเบียน" in got.text


def test_with_presence_the_enrolled_id_card_must_be_in_the_reader(tmp_path: Path) -> None:
    """Card presence on: another person's ID card in the reader signs nothing; theirs signs."""
    reader = {"name": f"virtual:{person_file(tmp_path, 'malee')}"}
    presence = Presence(
        read_cid=lambda: read_citizen_id(reader["name"]),
        enrolled_cid=SIGNER_CID,
        reader="virtual ID reader",
    )
    world = make_world(presence=presence)
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id), ORIGIN))

    refused = world.confirm(wire)
    reader["name"] = f"virtual:{person_file(tmp_path, 'somying')}"
    signed = world.confirm(wire)

    assert 403 == refused.status_code
    assert "บัตรประชาชนในเครื่องอ่านไม่ใช่ของผู้ที่ขึ้นทะเบียน" in refused.text
    assert "signed" == answer_of(signed.text)[1]["outcome"]
    assert (1, 3) == (world.state.signatures, world.state.pin_tries)


def test_with_presence_a_statement_in_another_name_is_refused(tmp_path: Path) -> None:
    """The statement's signer must be the enrolled citizen when presence is on."""
    presence = Presence(read_cid=lambda: SIGNER_CID, enrolled_cid=SIGNER_CID, reader="r")
    world = make_world(presence=presence)
    payload = statement_payload(world.key_id, cid="1999900000137")

    refused = world.show(world.wire(SignRequest.new("statement", payload, ORIGIN)))

    assert 403 == refused.status_code
    assert "ในนามบุคคลอื่น" in refused.text


def test_with_presence_a_record_owner_signs_with_no_citizen_id(tmp_path: Path) -> None:
    """A record owner's statement names no citizen ID (her key is enrolled by her record): it
    shows her as the record owner with her key, never a citizen ID, and is bound to the card
    by its key id; her ID card must still be in the reader."""
    presence = Presence(read_cid=lambda: SIGNER_CID, enrolled_cid=SIGNER_CID, reader="r")
    world = make_world(presence=presence)
    request = {"section": "general", "proposal": "ขอแก้ไขนามสกุลหลังสมรส"}
    payload, disclosures = v2_payload(world.key_id, "ChangeRequestedByOwner", request, cid=None)
    wire = world.wire(SignRequest.new("statement", payload, ORIGIN, disclosures=disclosures))

    shown = world.show(wire)
    signed = world.confirm(wire)

    assert 200 == shown.status_code, shown.text
    assert "เจ้าของประวัติ" in shown.text
    assert "เลขประจำตัวประชาชน" not in shown.text
    assert "signed" == answer_of(signed.text)[1]["outcome"]


def test_health_answers_only_on_the_agents_own_host(world: World) -> None:
    """GET /health says the agent listens (signing.js's probe); a foreign Host still gets 421."""
    ok = world.client.get("/health")
    rebound = world.client.get("/health", headers={"host": "evil.example:8765"})

    assert (200, "ok\n") == (ok.status_code, ok.text)
    assert "no-store" == ok.headers["cache-control"]
    assert 421 == rebound.status_code
