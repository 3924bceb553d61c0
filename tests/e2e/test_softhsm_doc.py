"""docs/personal-data.md's SoftHSM2 set-up ("A SoftHSM2 token of one's own, step by step"),
pasted as written into a fresh folder: a token of one's own, the demo's people kept through it
(the sharded store), the registry read back; run again, it makes no second token; without the
token's settings the file is refused by name and no key folder is made beside it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = "### A SoftHSM2 token of one's own, step by step"


def setup_block() -> str:
    """The section's ```sh block."""
    text = (ROOT / "docs" / "personal-data.md").read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    found = re.search(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert found is not None
    return found.group(1)


def _run(script: str, where: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "SOFTHSM2"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    env["COLUMNS"] = "200"
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail\n{script}"], cwd=where, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_the_softhsm2_setup_works_as_written(tmp_path: Path) -> None:
    first = _run(setup_block(), tmp_path)
    again = _run(setup_block().replace("--no-serve", "--no-serve --help"), tmp_path)
    slots = _run('export SOFTHSM2_CONF="$PWD/var/softhsm/softhsm2.conf"\n'
                 "softhsm2-util --show-slots", tmp_path)  # fmt: skip
    without = _run(
        "ledger record find --person สม --database-url sqlite:///var/token-demo.sqlite", tmp_path
    )

    assert 0 == first.returncode, first.stdout[-2000:] + first.stderr[-2000:]
    assert first.stdout.splitlines()[-3].startswith("\ufeffชื่อ-สกุล")  # the registry's header
    assert 0 == again.returncode, again.stderr[-2000:]
    assert 1 == len(re.findall(r"Label: *ledger-vault *$", slots.stdout, flags=re.MULTILINE))
    assert (tmp_path / "var" / "token-demo-keys.sqlite").exists()
    assert 1 == without.returncode
    assert "vault.key_store_mismatch" in without.stderr + without.stdout
    assert not list((tmp_path / "var").glob("*.vault-keys"))
