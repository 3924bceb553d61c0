"""The virtual PC/SC stack for tests and benchmarks: Debian's pcscd with vpcd, started and stopped.

``Pcscd`` runs ``pcscd --foreground`` with a reader configuration of its own (a vpcd entry for
the chosen port), waits until pcscd lists the two virtual readers, and stops the daemon by its
PID. pcscd allows one instance per host, so ``Pcscd`` refuses to start beside a pcscd it did not
start, and ``stack_lock`` serialises test sessions on one machine. pcscd's log is written at its
default (error) level, never with ``--apdu``: APDUs carry citizen IDs and names.

vpcd binds its two ports on every address when pcscd loads it, and gives up for good if either is
taken. Tests and benchmarks therefore use ``STACK_PORT``, below Linux's ephemeral range (32768 to
60999 by default), where no outgoing connection of a busy test run can be holding it; vsmartcard's
own default, 35963, is inside that range (a CI run lost its card tests to a connection that
happened to take 35963). ``Pcscd.start`` also waits for the ports to be free and retries pcscd
if vpcd still found one taken.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from card.errors import CardError
from card.pcsc import PcscContext

PCSCD = Path("/usr/sbin/pcscd")
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_PID_FILE = Path("/run/pcscd/pcscd.pid")
LOCK_FILE = Path("/tmp/thai-lgov-ledger-pcscd.lock")  # noqa: S108 - a lock shared by sessions
READER_SLOTS = ("Virtual PCD 00 00", "Virtual PCD 00 01")
STACK_PORT = 29863  # slot 00; slot 01 is 29864; both below the ephemeral port range
IN_USE = "Address already in use"
INSTALL_HINT = "run `make services` (scripts/ensure-card-stack.sh installs the card stack)"


class StackError(CardError):
    """A part of the virtual card stack is missing or will not start."""


def missing_components() -> list[str]:
    """What the stack needs and this machine lacks, each with where it comes from."""
    missing = []
    if not PCSCD.exists():
        missing.append(f"pcscd ({PCSCD}, Debian package pcscd)")
    if not VPCD_DRIVER.exists():
        missing.append(f"the vpcd driver ({VPCD_DRIVER}, Debian package vsmartcard-vpcd)")
    return missing


def running_pcscd() -> int | None:
    """The PID of a pcscd already running on this host, if any (zombies do not count)."""
    try:
        pid = int(SYSTEM_PID_FILE.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    if "pcscd" not in status.split("\n", 1)[0] or "\nState:\tZ" in status:
        return None
    return pid


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM pcscd when the process that started it dies (a killed test run)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def write_vpcd_config(directory: Path, port: int) -> Path:
    """A reader.conf.d directory with one vpcd entry: slots on ``port`` and ``port + 1``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "vpcd").write_text(
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {VPCD_DRIVER}\n"
        f"CHANNELID    0x{port:04X}\n",
        encoding="ascii",
    )
    return directory


def port_taken(port: int) -> bool:
    """Whether vpcd could not bind ``port`` now: it binds every address with SO_REUSEADDR."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - the same bind vpcd makes, then closed
        except OSError:
            return True
    return False


def wait_for_ports(ports: tuple[int, ...], deadline: float) -> None:
    """Wait until no socket holds any of ``ports``, or raise ``StackError`` at ``deadline``."""
    while True:
        taken = [port for port in ports if port_taken(port)]
        if not taken:
            return
        if time.monotonic() > deadline:
            raise StackError(
                f"vpcd's port {', '.join(map(str, taken))} is taken by another process "
                f"(`ss -tanp | grep :{taken[0]}` shows which); pcscd cannot start vpcd on it"
            )
        time.sleep(0.2)


@contextmanager
def stack_lock(timeout: float) -> Iterator[None]:
    """Hold the host-wide lock of the card stack (one pcscd per host), waiting up to ``timeout``."""
    LOCK_FILE.touch(exist_ok=True)
    with LOCK_FILE.open("r+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StackError(
                        f"another test session holds the card stack ({LOCK_FILE}) "
                        f"for more than {timeout:g} s"
                    ) from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Pcscd:
    """pcscd in the foreground with vpcd on ``port`` (slot 00) and ``port + 1`` (slot 01)."""

    def __init__(self, workdir: Path, *, port: int = STACK_PORT) -> None:
        self.workdir = workdir
        self.port = port
        self.log_path = workdir / "pcscd.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.readers = READER_SLOTS

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def start(self, *, timeout: float = 10.0, port_wait: float = 60.0) -> None:
        """Start pcscd and wait until it lists both virtual readers.

        The ports are waited for (up to ``port_wait`` seconds) before pcscd starts, and pcscd is
        started again while vpcd reports a port taken: a connection can take one in between.
        """
        missing = missing_components()
        if missing:
            raise StackError(
                f"the card stack is not installed: missing {'; '.join(missing)}; {INSTALL_HINT}"
            )
        other = running_pcscd()
        if other is not None:
            raise StackError(
                f"another pcscd (pid {other}) is running; only one can run per host. Stop it "
                "(the card tests and benchmark start their own in the foreground)"
            )
        config = write_vpcd_config(self.workdir / "reader.conf.d", self.port)
        ports_deadline = time.monotonic() + port_wait
        while True:
            wait_for_ports((self.port, self.port + 1), ports_deadline)
            if self._run(config, timeout):
                return
            if IN_USE not in self.log_tail() or time.monotonic() > ports_deadline:
                raise StackError(
                    f"pcscd did not list the vpcd readers within {timeout:g} s: {self.log_tail()}"
                )

    def _run(self, config: Path, timeout: float) -> bool:
        """Run pcscd once: whether it listed both readers in ``timeout`` (if not, it is stopped)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own arguments
                [str(PCSCD), "--foreground", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,  # only prctl between fork and exec
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackError(f"pcscd exited with {self.process.returncode}: {self.log_tail()}")
            if IN_USE in self.log_tail():
                break  # vpcd gave up on a taken port; it does not try again
            try:
                with PcscContext() as context:
                    if set(READER_SLOTS) <= set(context.readers()):
                        return True
            except CardError:
                pass  # not listening yet
            time.sleep(0.05)
        self.stop()
        return False

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop pcscd by its PID: SIGTERM, then SIGKILL if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        self.process = None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:]) or "(empty log)"

    def __enter__(self) -> Pcscd:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
