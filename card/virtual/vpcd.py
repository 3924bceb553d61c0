"""Plugging a virtual card into pcscd through vsmartcard's virtual reader driver (vpcd).

vpcd runs inside pcscd and listens on TCP (35963 for reader slot ``Virtual PCD 00 00``, 35964
for ``... 00 01`` by default); the card connects to it as a client. Each message is a 2-byte
big-endian length and a payload. A 1-byte payload is a control message: ``00`` power off,
``01`` power on, ``02`` reset (no reply to any of them), ``04`` "send your ATR" (reply with it;
pcscd also uses it as its ~0.4 s presence poll, so it arrives at any time). Every longer
payload is an APDU, answered with the response APDU. Closing the connection removes the card.

TCP_QUICKACK: Debian's vpcd (3.3) writes length and payload in two ``send()`` calls; with Nagle
on its side and delayed ACK on ours that costs ~40-50 ms per APDU. Setting TCP_QUICKACK before
each receive (it does not stick) brings an APDU back to ~0.05 ms (shared/notes/card-stack.md).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time

from card.virtual.inprocess import VirtualCard

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 35963

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class CardPulledError(Exception):
    """The connection to vpcd ended (the card was removed, or pcscd went away)."""


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        if hasattr(socket, "TCP_QUICKACK"):
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise CardPulledError
        data += chunk
    return bytes(data)


def serve_connection(connection: socket.socket, card: VirtualCard) -> None:
    """Answer vpcd on ``connection`` until it closes; raises ``CardPulledError`` at the end."""
    while True:
        (size,) = struct.unpack("!H", _receive_exactly(connection, 2))
        message = _receive_exactly(connection, size)
        if size == 1:
            if message[0] == GET_ATR:
                connection.sendall(struct.pack("!H", len(card.atr)) + card.atr)
            else:  # power off, power on, reset: the card forgets its volatile state
                card.reset()
            continue
        response = card.process(message)
        connection.sendall(struct.pack("!H", len(response)) + response)


class VpcdCard:
    """A virtual card inserted into a vpcd reader slot, served on a background thread.

    ``insert()`` connects (retrying while pcscd is not up yet) and ``remove()`` disconnects, which
    pcscd sees as the card leaving the reader. With ``reconnect`` the card re-inserts itself
    after pcscd restarts.
    """

    def __init__(
        self,
        card: VirtualCard,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        reconnect: bool = True,
    ) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.reconnect = reconnect
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._socket: socket.socket | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def insert(self, *, timeout: float = 10.0) -> None:
        """Start serving; return once connected to vpcd (``TimeoutError`` if it never answers)."""
        self._stop.clear()
        self._connected.clear()
        self._thread = threading.Thread(target=self.run, name=f"vpcd-card-{self.port}", daemon=True)
        self._thread.start()
        if not self._connected.wait(timeout):
            self.remove()
            raise TimeoutError(f"vpcd did not accept the card on {self.host}:{self.port}")

    def remove(self) -> None:
        """Pull the card: close the connection and stop serving."""
        self._stop.set()
        with self._lock:
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed by the other side
                    self._socket.shutdown(socket.SHUT_RDWR)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def run(self) -> None:
        """Connect and serve until ``remove()`` (the body of the thread, or of a CLI process)."""
        while not self._stop.is_set():
            try:
                connection = socket.create_connection((self.host, self.port), timeout=2)
            except OSError:
                time.sleep(0.2)  # pcscd (and so vpcd) not up yet
                continue
            connection.settimeout(None)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._socket = connection
            self._connected.set()
            try:
                serve_connection(connection, self.card)
            except (CardPulledError, OSError):
                pass
            finally:
                with self._lock:
                    self._socket = None
                connection.close()
                self.card.reset()
            if not self.reconnect:
                break
            time.sleep(0.2)
        self._connected.clear()
