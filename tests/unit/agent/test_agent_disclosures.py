"""A v2 statement in the agent: the disclosed values shown where the commitments stand, each
checked against its commitment first; a disclosure missing, extra or wrong is refused, and so
are disclosures beside a v1 statement. Nothing is signed in any refusal."""

from __future__ import annotations

import json

import pytest

from agent.checks import csrf_token
from ledger.commitments import Disclosure
from ledger.sign_requests import SignRequest
from tests.unit.agent.agent_kit import (
    NAME_CHANGE,
    ORIGIN,
    PIN,
    World,
    answer_of,
    make_world,
    statement_payload,
    v2_payload,
)


@pytest.fixture
def world() -> World:
    return make_world()


def test_the_disclosed_values_are_shown_in_place_of_the_commitments(world: World) -> None:
    payload, disclosures = v2_payload(world.key_id)
    wire = world.wire(SignRequest.new("statement", payload, ORIGIN, disclosures=disclosures))

    shown = world.show(wire)

    assert 200 == shown.status_code, shown.text
    assert "ชื่อ" in shown.text
    for value in ("วาสนาทดสอบ", "ใจงามทดสอบ", "นางสาว", "สมรส"):
        assert f"<td>{value}</td>" in shown.text
    assert "<td></td>" not in shown.text.split("<tbody>")[1].split("</tbody>")[0]
    assert "ไม่เปิดเผย" not in shown.text
    assert "withheld" not in shown.text
    commitment = json.loads(payload)["data"]["first_name"]["commitment"]
    assert f"<code>{commitment}</code>" in shown.text  # only in the folded technical details
    signed = world.confirm(wire)
    assert "signed" == answer_of(signed.text)[1]["outcome"]


def test_a_correction_of_a_v2_entry_shows_its_replacement_values(world: World) -> None:
    data = {"supersedes": 3, "reason": "พิมพ์ชื่อผิด", "replacement": NAME_CHANGE}
    payload, disclosures = v2_payload(world.key_id, "EntryCorrected", data)
    assert set(disclosures) == {f"replacement.{name}" for name in NAME_CHANGE}
    wire = world.wire(SignRequest.new("statement", payload, ORIGIN, disclosures=disclosures))

    shown = world.show(wire)

    assert 200 == shown.status_code, shown.text
    assert "<td>วาสนาทดสอบ</td>" in shown.text


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ("missing", "personal.disclosure_missing"),
        ("extra", "personal.disclosure_extra"),
        ("wrong", "personal.disclosure_wrong"),
        ("none", "personal.disclosure_missing"),
    ],
)
def test_a_disclosure_that_does_not_fit_is_refused(world: World, change: str, rule: str) -> None:
    payload, disclosures = v2_payload(world.key_id)
    sent: dict[str, Disclosure] | None = dict(disclosures)
    assert sent is not None
    if change == "missing":
        del sent["last_name"]
    elif change == "extra":
        sent["cid"] = Disclosure("1999900000111", bytes(32))
    elif change == "wrong":
        sent["first_name"] = Disclosure("ปลอมทดสอบ", disclosures["first_name"].salt)
    else:
        sent = None
    request = SignRequest.new("statement", payload, ORIGIN, disclosures=sent)
    wire = world.wire(request)
    token = csrf_token(world.client.app.state.agent.secret, request)  # as if shown

    shown = world.show(wire)
    confirmed = world.client.post(
        "/sign/confirm", data={"request": wire, "csrf": token, "pin": PIN, "action": "sign"}
    )

    assert 400 == shown.status_code
    assert "ข้อมูลส่วนบุคคลที่ส่งมาให้แสดงไม่ตรงกับข้อความที่จะลงนาม จึงไม่ลงนาม" in shown.text
    assert rule in shown.text
    assert "ปลอมทดสอบ" not in shown.text
    assert "cancelled" == answer_of(shown.text)[1]["outcome"]  # the page stops waiting
    assert 400 == confirmed.status_code
    assert 0 == world.state.signatures


def test_disclosures_beside_a_v1_statement_are_refused(world: World) -> None:
    payload = statement_payload(world.key_id)
    sent = {"first_name": Disclosure("วาสนาทดสอบ", bytes(32))}
    wire = world.wire(SignRequest.new("statement", payload, ORIGIN, disclosures=sent))

    refused = world.show(wire)

    assert 400 == refused.status_code
    assert "ข้อความรุ่น 1 ไม่มีค่าผูกมัด" in refused.text
    assert 0 == world.state.signatures


def test_a_v1_statement_reads_as_before(world: World) -> None:
    wire = world.wire(SignRequest.new("statement", statement_payload(world.key_id), ORIGIN))

    shown = world.show(wire)

    assert 200 == shown.status_code
    assert "รุ่นของข้อความ" not in shown.text
