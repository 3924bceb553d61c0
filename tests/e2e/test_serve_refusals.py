"""``ledger serve`` opens the ledger before it binds its port: a ledger that cannot be served
for a catalogued reason is said as every command says it (the rule's id, Thai and English),
exit 1 within seconds, no traceback and no Python exception name; a good one serves."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.browser_kit import LEDGER, environment, free_port, running
from tests.conftest import NO_VAULT
from tests.integration.test_ledgers_in_one_file import bare_kit, move_to_shared_table
from tests.ledger_kit import build_kit


def _serve(url: str, name: str, port: int) -> list[str]:
    return [*LEDGER, "serve", "--database-url", url, "--name", name, "--port", str(port)]


def _refused(url: str, name: str, **settings: str) -> tuple[subprocess.CompletedProcess[str], int]:
    """``ledger serve`` run to its end (a server that started would time out here)."""
    port = free_port()
    done = subprocess.run(
        _serve(url, name, port), env=environment(**settings), capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    return done, port


def _never_bound(port: int) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)


def _made(path: Path, name: str, **settings: object) -> str:
    """A ledger in the SQLite file ``path`` with its first events; its URL."""
    url = f"sqlite:///{path}"
    build_kit(Ledger(LedgerSettings(database_url=url, name=name, **settings))).ledger.close()
    return url


@pytest.mark.parametrize(
    ("env", "rule"),
    [
        ({"vault_key_db": "sqlite:///keys.sqlite"}, "settings.vault_key_db_alone"),
        ({"vault_pkcs11_module": "/usr/lib/softhsm/libsofthsm2.so"},
         "settings.vault_token_incomplete"),
    ],
)  # fmt: skip
def test_a_half_configured_vault_is_said_before_serving(
    tmp_path: Path, env: dict[str, str], rule: str
) -> None:
    started = time.monotonic()
    done, port = _refused(f"sqlite:///{tmp_path / 'l.sqlite'}", "served", **env)

    _said(done, rule, "ห้องเก็บข้อมูลส่วนบุคคล", "LEDGER_VAULT_")
    assert time.monotonic() - started < 20
    assert "ValueError" not in done.stderr
    _never_bound(port)


def test_a_vault_opened_with_another_key_store_is_said_before_serving(tmp_path: Path) -> None:
    """Made with one key folder, served with another: the app would answer 503 to every
    personal read; the command refuses to start instead, naming the setting."""
    url = _made(tmp_path / "l.sqlite", "served", vault_key_dir=tmp_path / "made-keys")

    done, port = _refused(url, "served", vault_key_dir=str(tmp_path / "other-keys"))

    _said(done, "vault.key_store_mismatch", "ที่เก็บกุญแจเดิม", "LEDGER_VAULT_KEY_DIR")
    assert "KeyStoreMismatchError" not in done.stderr
    assert not (tmp_path / "other-keys").exists()
    _never_bound(port)


def test_a_second_ledger_in_an_old_shared_events_table_is_said_before_serving(
    tmp_path: Path,
) -> None:
    """An old file whose shared ``stored_events`` holds ledger B's events after A's."""
    path = tmp_path / "old.sqlite"
    first, second = f"a{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}"
    _made(path, first, **NO_VAULT)
    move_to_shared_table(path, f"{first}_events")
    url = f"sqlite:///{path}"
    bare_kit(Ledger(LedgerSettings(database_url=url, name=second, **NO_VAULT))).ledger.close()
    move_to_shared_table(path, f"{second}_events")

    done, port = _refused(url, second, vault_beside_sqlite="false")

    _said(done, "storage.shared_events_table")
    assert "SharedEventsTableError" not in done.stderr
    assert "cannot open the ledger database" not in done.stderr
    _never_bound(port)


def test_a_good_ledger_still_serves(tmp_path: Path) -> None:
    url = _made(tmp_path / "l.sqlite", "served")
    port = free_port()

    log = tmp_path / "serve.log"
    with running(
        _serve(url, "served", port), environment(), log, f"http://127.0.0.1:{port}/health"
    ):
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=5)

    assert 200 == health.status_code
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")


def _said(done: subprocess.CompletedProcess[str], rule: str, *words: str) -> None:
    """Exit 1, the rule's id and Thai and English words on standard error, no traceback."""
    assert 1 == done.returncode, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"[{rule}]" in done.stderr, done.stderr[-2000:]
    assert all(word in done.stderr for word in words), done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert "Uvicorn running" not in done.stderr + done.stdout
