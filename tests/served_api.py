"""The API served by a real uvicorn process on a free loopback port, for tests that need one."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
UVICORN = [sys.executable, "-m", "uvicorn", "--factory", "api.main:create_app_from_env",
           "--host", "127.0.0.1", "--port", "0"]  # fmt: skip
"""uvicorn serving the app of the ledger that ``LEDGER_DATABASE_URL`` and ``LEDGER_NAME`` name."""

_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


def _wait_for_port(log: Path, process: subprocess.Popen[bytes], deadline: float) -> int:
    while time.monotonic() < deadline:
        found = _LISTENING.search(log.read_text(errors="replace"))
        if found:
            return int(found.group(1))
        if process.poll() is not None:
            pytest.fail(f"uvicorn exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.05)
    pytest.fail(f"uvicorn did not start listening:\n{log.read_text()}")


def wait_for_health(base_url: str, deadline: float) -> httpx.Response:
    while True:
        try:
            return httpx.get(f"{base_url}/health", timeout=2)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextmanager
def listening(command: list[str], env: dict[str, str], log: Path) -> Iterator[str]:
    """``command`` (a server on port 0: the OS picks a free one, uvicorn logs which) running
    until the block ends; its base URL."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        port = _wait_for_port(log, process, time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
