"""The README's commands, run as written in a fresh copy of the repository.

A newcomer pastes the README's shell blocks in order after ``make demo``; so does this test. The
copy holds exactly the repository's tracked files (what a clone holds, with this working tree's
edits, so a README change is tested before it is committed). The one liberty: ``make``'s
installation step is not repeated (it takes a minute and needs PyPI); the copy's ``.venv`` is a
fresh virtual environment that sees this environment's installed packages and the copy's own
code, with the ``ledger`` command installed as pip would. CI's ``make test`` on a clean
checkout exercises the installation itself.

Every block fenced as ``sh`` runs (``text`` blocks are synopses: syntax, not commands); ``make
demo`` runs in the background while the rest run, and ``make test`` (this suite) is not run from
inside itself. A block passes when it exits 0 under ``set -euo pipefail``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_URL = "http://127.0.0.1:8000"
SET_UP = ("make demo", "make test")
"""Lines the test leaves out: the demo (already running) and the test suite (this one)."""


def shell_blocks(readme: str) -> list[tuple[int, str]]:
    """Each ```sh block of the README: the line it starts on and its text."""
    blocks = []
    for match in re.finditer(r"^```sh\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL):
        line = readme.count("\n", 0, match.start()) + 1
        blocks.append((line, match.group(1)))
    return blocks


def _copy_repository(into: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)


def _environment(clone: Path) -> None:
    """``.venv`` as ``make`` leaves it: the packages, the ``ledger`` command, the stamp."""
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next(venv.glob("lib/python3*/site-packages"))
    (site / "outer.pth").write_text(
        f"{clone}\n{sysconfig.get_paths()['purelib']}\n{sysconfig.get_paths()['platlib']}\n"
    )
    script = venv / "bin" / "ledger"
    script.write_text(f"#!{venv}/bin/python\nfrom cli.main import main\nmain()\n")
    script.chmod(0o755)
    stamp = venv / ".installed"
    stamp.touch()
    os.utime(clone / "pyproject.toml", (time.time() - 60, time.time() - 60))


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("fresh-clone")
    _copy_repository(where)
    _environment(where)
    return where


def _environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PYTHON"))}
    env["COLUMNS"] = "120"
    return env


@pytest.fixture(scope="module")
def demo(clone: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``make demo`` in the copy, running until the module's tests are done."""
    try:
        httpx.get(f"{DEMO_URL}/health", timeout=1)
        pytest.fail(f"something already listens on {DEMO_URL}: the README's demo needs it")
    except httpx.TransportError:
        pass
    log = (clone / "demo.log").open("wb")
    process = subprocess.Popen(
        ["make", "demo"], cwd=clone, stdout=log, stderr=subprocess.STDOUT,
        env=_environ(), start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{DEMO_URL}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"make demo did not serve: {(clone / 'demo.log').read_text()[-2000:]}")
        time.sleep(0.5)
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def test_the_readme_has_the_two_commands_first() -> None:
    """The first shell block is the set-up: ``make demo`` and ``make test``."""
    first = shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))[0][1]
    assert ["make demo", "make test"] == [line.split("#")[0].strip() for line in first.splitlines()]


def test_every_shell_block_of_the_readme_works_as_written(
    clone: Path, demo: subprocess.Popen[bytes]
) -> None:
    """The ```sh blocks, pasted in order into one shell in the copy (what one block sets, such
    as the activated environment or ``$TOKEN``, the next has), all exit 0."""
    script = ["set -euo pipefail"]
    for line, block in shell_blocks((clone / "README.md").read_text(encoding="utf-8")):
        script.append(f'echo "=== README line {line}" >&2')
        script.extend(x for x in block.splitlines() if not x.startswith(SET_UP))
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)], cwd=clone, env=_environ(), capture_output=True,
        timeout=600,
    )  # fmt: skip
    output = (done.stdout + done.stderr).decode(errors="replace")
    assert demo.poll() is None, "the demo server stopped while the README's commands ran"
    failures = [] if done.returncode == 0 else [output.rsplit("=== ", 1)[-1][-3000:]]
    assert [] == failures, "\n\n".join(failures)
