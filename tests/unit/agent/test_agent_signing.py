"""The signing agent signs what it shows, on the card, and answers exactly the asking origin."""

from __future__ import annotations

import hashlib

import nacl.signing
import pytest

from ledger.sign_requests import SignRequest, b64decode
from ledger.signing import session_message, verify_signature
from tests.unit.agent.agent_kit import (
    ORIGIN,
    World,
    answer_of,
    csrf_of,
    make_world,
    statement_payload,
)


@pytest.fixture
def world() -> World:
    return make_world()


def test_a_statement_is_shown_in_thai_with_buddhist_era_dates(world: World) -> None:
    """The page names the event in Thai, every field by its Thai label, dates in BE."""
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id), ORIGIN))

    page = world.show(wire)

    assert 200 == page.status_code, page.text
    assert '<html lang="th">' in page.text
    assert "เพิ่มรายการตำแหน่งและอัตราเงินเดือน" in page.text
    assert "ทะเบียนประวัติ (ก.พ.๗)" in page.text
    assert "0b6f6d2e-6f1c-4a53-9f0e-6c1d2b3a4f5e" in page.text
    assert "1 ต.ค. 2569" in page.text  # effective 2026-10-01
    assert "25 มี.ค. 2562" in page.text  # the nested order's date, 2019-03-25
    assert "อัตราเงินเดือน (บาท)" in page.text
    assert "19,500.00" in page.text
    assert "คำสั่ง (เอกสารอ้างอิง)" in page.text
    assert "เลขที่" in page.text
    assert "123/2562" in page.text
    assert '<label for="pin">รหัส PIN</label>' in page.text
    assert 'id="pin" name="pin" type="password"' in page.text
    assert 0 == world.state.signatures


def test_the_right_pin_signs_and_answers_exactly_the_origin(world: World) -> None:
    """The answer page posts to the request's origin a signature of the statement's bytes."""
    payload = statement_payload(world.key_id)
    request = SignRequest.new("statement", payload, ORIGIN)

    answered = world.confirm(world.wire(request))

    assert 200 == answered.status_code, answered.text
    origin, message = answer_of(answered.text)
    assert ORIGIN == origin
    assert "ledger-agent" == message["type"]
    assert "signed" == message["outcome"]
    assert request.nonce == message["nonce"]
    assert world.key_id == message["key_id"]
    assert world.public_key.hex() == message["public_key"]
    assert verify_signature(world.public_key, payload, b64decode(message["signature"]))
    assert 1 == world.state.signatures


def test_a_login_is_shown_as_such_and_signed_as_a_session_answer(world: World) -> None:
    """A login reads "เข้าสู่ระบบ <origin>"; its signature is a session answer, no statement's."""
    request = SignRequest.login(ORIGIN)
    wire = world.wire(request)

    shown = world.show(wire)
    answered = world.confirm(wire)

    assert f"เข้าสู่ระบบ {ORIGIN}" in shown.text
    _, message = answer_of(answered.text)
    signature = b64decode(message["signature"])
    digest = hashlib.sha256(session_message(request.payload)).digest()
    nacl.signing.VerifyKey(world.public_key).verify(digest, signature)
    assert not verify_signature(world.public_key, request.payload, signature)
    assert 1 == world.state.signatures


def test_a_wrong_pin_shows_the_tries_left_and_the_right_one_then_signs(world: World) -> None:
    """A wrong PIN costs a try, shown in Thai; the request is still good for the right PIN."""
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id), ORIGIN))

    wrong = world.confirm(wire, pin="000000")
    right = world.confirm(wire)

    assert 400 == wrong.status_code
    assert "รหัส PIN ไม่ถูกต้อง เหลือโอกาสอีก 2 ครั้ง" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert "signed" == answer_of(right.text)[1]["outcome"]
    assert 1 == world.state.signatures


def test_thai_digits_in_the_pin_are_read_as_digits(world: World) -> None:
    """A PIN typed with Thai digits (๑๒๓๔๕๖) is the same PIN."""
    wire = world.wire(SignRequest.login(ORIGIN))

    answered = world.confirm(wire, pin="๑๒๓๔๕๖")

    assert "signed" == answer_of(answered.text)[1]["outcome"]


def test_a_blocked_card_says_so_and_signs_nothing(world: World) -> None:
    """Three wrong PINs block the card; the page then says it is blocked."""
    wire = world.wire(SignRequest.login(ORIGIN))
    for _ in range(3):
        world.confirm(wire, pin="999999")

    blocked = world.confirm(wire)

    assert 403 == blocked.status_code
    assert "บัตรถูกระงับ" in blocked.text
    assert 0 == world.state.signatures


def test_cancel_answers_cancelled_and_uses_up_the_request(world: World) -> None:
    """Cancel posts outcome "cancelled" to the origin; the request cannot be signed afterwards."""
    wire = world.wire(SignRequest.login(ORIGIN))

    cancelled = world.confirm(wire, pin="", action="cancel")
    again = world.show(wire)

    origin, message = answer_of(cancelled.text)
    assert (ORIGIN, "cancelled", None) == (origin, message["outcome"], message["signature"])
    assert 400 == again.status_code
    assert 0 == world.state.signatures


def test_an_empty_pin_asks_for_it_and_costs_no_try(world: World) -> None:
    """Confirming with no PIN shows the form again, the card untouched."""
    wire = world.wire(SignRequest.login(ORIGIN))

    empty = world.confirm(wire, pin="  ")

    assert "กรุณากรอกรหัส PIN" in empty.text
    assert (3, 0) == (world.state.pin_tries, world.state.signatures)


def test_the_csrf_token_is_the_pages_own(world: World) -> None:
    """Each request's page has its own token, and a token from another page does not fit."""
    first = world.show(world.wire(SignRequest.login(ORIGIN)))
    second = world.show(world.wire(SignRequest.login(ORIGIN)))

    assert csrf_of(first.text) != csrf_of(second.text)
    assert csrf_of(first.text)
