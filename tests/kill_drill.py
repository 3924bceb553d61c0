"""Kill drills: a long-running ``ledger`` process killed with SIGKILL while a writer appends.

``Zygote`` starts ``ledger`` commands as forked processes of a warm parent
(``tests.process_zygote``), so a restart costs milliseconds, not the seconds of imports a busy
machine takes. ``Writer`` keeps appending record streams to the ledger from a thread.
``kill_repeatedly`` starts the command, waits until it has made progress, lets it run a random
while longer, kills it with SIGKILL, and does it again; the drill then starts the command a last
time and waits for it to catch up.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.kafka_kit import signed_stream
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit

ROOT = Path(__file__).resolve().parents[1]


def _state(pid: int) -> str | None:
    """The process's state letter (``Z``: exited, not yet reaped), None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


class Zygote:
    """The warm parent: forks a child per ``ledger`` command and reaps it."""

    def __init__(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.process_zygote"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None
        assert stdout is not None
        with self._lock:
            stdin.write(json.dumps(request) + "\n")
            stdin.flush()
            line = stdout.readline()
        if not line:
            raise RuntimeError(f"the zygote exited with {self._process.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def start(self, argv: Sequence[str], log: Path, env: dict[str, str] | None = None) -> Child:
        """Run ``ledger ARGV`` in a new process, its output appended to ``log``."""
        answer = self._ask({"argv": list(argv), "log": str(log), "env": env or {}})
        return Child(self, int(answer["pid"]), log)

    def reap(self, pid: int) -> int:
        return int(self._ask({"wait": pid})["code"])

    def close(self) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.close()
        self._process.wait(10)


@dataclass
class Child:
    """One ``ledger`` process the zygote forked."""

    zygote: Zygote
    pid: int
    log: Path

    def running(self) -> bool:
        return _state(self.pid) not in (None, "Z")

    def kill(self) -> int:
        """SIGKILL (``kill -9``); the exit code (-9)."""
        os.kill(self.pid, signal.SIGKILL)
        return self.wait(10)

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as an operator or a service manager stops it; the exit code."""
        os.kill(self.pid, signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                self.zygote.reap(self.pid)
                pytest.fail(f"pid {self.pid} did not exit within {timeout} s:\n{self.output()}")
            time.sleep(0.02)
        return self.zygote.reap(self.pid)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="session")
def zygote() -> Iterator[Zygote]:
    parent = Zygote()
    yield parent
    parent.close()


class Writer(threading.Thread):
    """Appends record streams of ``per_stream`` events to the ledger until stopped."""

    def __init__(self, kit: LedgerKit, *, per_stream: int = 5, pause: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.kit = kit
        self.per_stream = per_stream
        self.pause = pause
        self.written = 0
        self.error: BaseException | None = None
        self._halt = threading.Event()
        self._streams = 0

    def run(self) -> None:
        try:
            while not self._halt.is_set():
                n = self._streams
                operator, scope = (
                    (self.kit.hr, NAKHON_PHANOM_LAO) if n % 2 == 0 else (self.kit.other_hr, TAK_LAO)
                )
                items = signed_stream(operator, scope, self.per_stream, 50_000 + n)
                self.written += len(self.kit.ledger.submit_batch(items))
                self._streams += 1
                self._halt.wait(self.pause)
        except BaseException as error:  # reported by finish()
            self.error = error

    def finish(self) -> int:
        """Stop appending; how many events were written (raises what the writer met)."""
        self._halt.set()
        self.join(60)
        if self.error is not None:
            raise self.error
        return self.written


@dataclass
class Drill:
    """What the kills found: the process's progress and the log's end at each kill."""

    seed: int
    at_kill: list[int] = field(default_factory=list)
    log_end_at_kill: list[int] = field(default_factory=list)
    codes: list[int] = field(default_factory=list)

    def report(self, what: str, written: int, seconds: float) -> str:
        """One line for the test's output (``pytest -s``): the numbers a drill is judged by."""
        line = (
            f"{what}: {len(self.codes)} kills at {self.at_kill} (log end then: "
            f"{self.log_end_at_kill}), {written} events written meanwhile, caught up "
            f"{seconds:.1f} s after the writer stopped (seed {self.seed})"
        )
        print(line)
        return line


def kill_repeatedly(
    zygote: Zygote,
    argv: Sequence[str],
    logs: Path,
    *,
    progress: Callable[[], int],
    log_end: Callable[[], int],
    kills: int,
    seed: int,
    env: dict[str, str] | None = None,
    max_delay: float = 0.4,
) -> Drill:
    """Start ``ledger ARGV``, wait until ``progress()`` moves, run a random while longer
    (up to ``max_delay`` s), SIGKILL it; ``kills`` times."""
    rng = random.Random(seed)
    drill = Drill(seed)
    for number in range(kills):
        before = progress()
        child = zygote.start(argv, logs / f"run{number}.log", env)
        deadline = time.monotonic() + 60
        while progress() <= before:
            if not child.running() or time.monotonic() > deadline:
                pytest.fail(f"the process made no progress (seed {seed}):\n{child.output()}")
            time.sleep(0.02)
        time.sleep(rng.uniform(0, max_delay))
        drill.log_end_at_kill.append(log_end())
        drill.codes.append(child.kill())
        drill.at_kill.append(progress())
    return drill


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition()`` held (fails the test after ``timeout``)."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            pytest.fail(f"{what}: not within {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - began
