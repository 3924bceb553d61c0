"""The demo's virtual signing cards (``ledger demo``): each holds its operator's enrolled key."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from card.openpgp import OpenPgpCard, OpenPgpCardSigner
from card.readers import open_signing_card
from card.virtual.signing import SigningCardState
from cli.demo import command, loader
from cli.demo.command import DEMO_CARD_PIN, ledger_program, write_demo_cards
from ledger.signing import SoftwareSigner, verify_signature
from ledger.statement import digest


def _keys(directory: Path) -> dict[str, SoftwareSigner]:
    keys = {}
    for name in ("admin", *loader.OPERATORS):
        keys[name] = SoftwareSigner.generate()
        keys[name].to_file(directory / f"{name}.key")
    return keys


def test_each_operator_gets_a_card_signing_with_the_enrolled_key(tmp_path: Path) -> None:
    """A demo card answers with the key file's public key and signs with PIN 123456."""
    keys = _keys(tmp_path)

    write_demo_cards(tmp_path)

    for name, key in keys.items():
        with open_signing_card(f"virtual:{tmp_path / f'{name}.card.json'}") as transport:
            signer = OpenPgpCardSigner(OpenPgpCard(transport), DEMO_CARD_PIN)
            signature = signer.sign(digest(b'{"v":1}'))
        assert key.public_key == signer.public_key
        assert verify_signature(key.public_key, b'{"v":1}', signature)


def test_a_card_with_the_right_key_is_kept_and_a_stale_one_replaced(tmp_path: Path) -> None:
    """Running the demo again keeps a card's counters; a card for an old key is rewritten."""
    keys = _keys(tmp_path)
    write_demo_cards(tmp_path)
    kept = tmp_path / "admin.card.json"
    state = SigningCardState.load(kept)
    state.signatures = 7
    state.save(kept)
    (tmp_path / "hr-tak.key").unlink()
    SoftwareSigner.generate().to_file(tmp_path / "hr-tak.key")

    written = write_demo_cards(tmp_path)

    assert [tmp_path / "hr-tak.card.json"] == written
    assert 7 == SigningCardState.load(kept).signatures
    new_seed = (tmp_path / "hr-tak.key").read_text().strip()
    assert new_seed == SigningCardState.load(tmp_path / "hr-tak.card.json").seed
    assert keys["hr-tak"].public_key != SoftwareSigner(bytes.fromhex(new_seed)).public_key


def test_the_printed_agent_command_runs_the_venv_script_in_a_new_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``make demo`` runs .venv/bin/ledger: the printed agent command names that path."""
    script = tmp_path / ".venv" / "bin" / "ledger"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")

    from_script = ledger_program(str(script), "/usr/bin/python3")
    from_python = ledger_program("-c", str(tmp_path / ".venv" / "bin" / "python"))

    assert ".venv/bin/ledger" == from_script == from_python


def test_the_login_lines_name_the_runnable_agent_command_and_the_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's login lines start the agent as .venv/bin/ledger and open the port it serves on."""
    script = tmp_path / ".venv" / "bin" / "ledger"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script), "demo", "--port", "8011"])
    key = tmp_path / "web-request.key"
    SoftwareSigner.generate().to_file(key)

    command._print_login(Path("var/demo-keys"), key, "http://127.0.0.1:8011")

    printed = capsys.readouterr().out
    assert "     .venv/bin/ledger agent --virtual-card var/demo-keys/hr-nakhonphanom" in printed
    assert "--origin http://127.0.0.1:8011" in printed
    assert "http://127.0.0.1:8011/ " in printed


def test_make_demo_passes_its_port_to_ledger_demo() -> None:
    """``make demo PORT=8011`` runs ``ledger demo --port 8011`` (8000 when not given)."""
    root = Path(__file__).resolve().parents[3]
    run = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "demo", "PORT=8011"],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    default = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "demo"],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip

    assert ".venv/bin/ledger demo --port 8011" in run.stdout
    assert ".venv/bin/ledger demo --port 8000" in default.stdout
