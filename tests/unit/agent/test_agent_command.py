"""``ledger agent``: its options, its startup lines, and the app it serves on a virtual card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nacl.signing
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from card.virtual.signing import SigningCardState, state_with_key
from cli import agent as agent_command
from cli.main import app
from ledger.sign_requests import SignRequest
from ledger.statement import key_id_of
from tests.cards import person_file
from tests.unit.agent.agent_kit import AGENT, ORIGIN, PIN, SIGNER_CID, answer_of, csrf_of

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``ledger agent`` hands uvicorn, instead of serving it."""
    captured: dict[str, Any] = {}

    def run(application: Any, **options: Any) -> None:
        captured.update(options, app=application)

    monkeypatch.setattr(agent_command.uvicorn, "run", run)
    return captured


def test_the_agent_starts_on_loopback_and_signs_on_its_virtual_card(
    tmp_path: Path, served: dict[str, Any]
) -> None:
    """It says (Thai first) where it listens and whom it trusts; its app signs on the card."""
    request_key = nacl.signing.SigningKey.generate()
    public = bytes(request_key.verify_key)
    (tmp_path / "request.pub").write_text(f"# the web app's request key\n{public.hex()}\n")
    card = tmp_path / "hr.card.json"
    state_with_key(bytes(32), pin=PIN).save(card)

    result = runner.invoke(
        app,
        [
            "agent", "--trust-key-file", str(tmp_path / "request.pub"),
            "--origin", ORIGIN + "/", "--virtual-card", str(card),
        ],
    )  # fmt: skip
    client = TestClient(served["app"], base_url=AGENT)
    wire = SignRequest.login(ORIGIN).to_wire(request_key)
    token = csrf_of(client.post("/sign", data={"request": wire}).text)
    answered = client.post("/sign/confirm", data={"request": wire, "csrf": token, "pin": PIN})

    assert 0 == result.exit_code, result.output
    assert result.output.startswith("ตัวลงนามรับคำขอที่ http://127.0.0.1:8765")
    assert f"allowed origins: {ORIGIN}\n" in result.output
    assert key_id_of(public) in result.output
    assert ("127.0.0.1", 8765, False) == (served["host"], served["port"], served["access_log"])
    assert "signed" == answer_of(answered.text)[1]["outcome"]
    assert 1 == SigningCardState.load(card).signatures


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--virtual-card", "x.json"], "give the web application's request key"),
        (["--trust-key", "abcd", "--reader", "r"], "64 hex characters"),
        (["--trust-key", "00" * 32], "give exactly one signing card"),
        (["--trust-key", "00" * 32, "--reader", "r", "--origin", "ftp://x"], "is not an origin"),
        (["--trust-key", "00" * 32, "--reader", "r", "--presence"], "--presence needs --cid"),
    ],
)
def test_bad_options_exit_with_one_line(
    served: dict[str, Any], arguments: list[str], message: str
) -> None:
    """Missing or malformed options name what to give; nothing is served."""
    result = runner.invoke(app, ["agent", *arguments])

    assert 1 == result.exit_code
    assert message in result.output
    assert "app" not in served


def test_presence_takes_the_virtual_id_card_of_the_enrolled_citizen(
    tmp_path: Path, served: dict[str, Any]
) -> None:
    """--presence with --cid and a virtual ID card: signing needs that citizen's card present."""
    request_key = nacl.signing.SigningKey.generate()
    card = tmp_path / "hr.card.json"
    state_with_key(bytes(32), pin=PIN).save(card)
    id_card = person_file(tmp_path, "somying")  # the made-up holder of SIGNER_CID

    result = runner.invoke(
        app,
        [
            "agent", "--trust-key", bytes(request_key.verify_key).hex(), "--origin", ORIGIN,
            "--virtual-card", str(card), "--presence", "--cid", SIGNER_CID,
            "--virtual-id-card", str(id_card),
        ],
    )  # fmt: skip
    client = TestClient(served["app"], base_url=AGENT)
    wire = SignRequest.login(ORIGIN).to_wire(request_key)
    token = csrf_of(client.post("/sign", data={"request": wire}).text)
    answered = client.post("/sign/confirm", data={"request": wire, "csrf": token, "pin": PIN})

    assert 0 == result.exit_code, result.output
    assert f"ID card required in: virtual:{id_card}" in result.output
    assert "signed" == answer_of(answered.text)[1]["outcome"]
