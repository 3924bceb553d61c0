"""vpcd's ports: why the card stack uses ports below the ephemeral range, and the wait for them.

A CI run lost its card tests when an outgoing connection of the busy run had been given 35963,
vsmartcard's default port, as its local port: vpcd's bind failed and pcscd never listed the
readers. These tests show that an ordinary client connection blocks vpcd's bind, that the stack's
port is outside the range such connections are given, and that the wait names a taken port.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from card.virtual.stack import STACK_PORT, StackError, port_taken, wait_for_ports


def test_a_client_connections_local_port_blocks_vpcds_bind() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        with socket.create_connection(server.getsockname()) as client:
            local_port = client.getsockname()[1]
            assert port_taken(local_port)
            assert port_taken(server.getsockname()[1])
        server_port = server.getsockname()[1]
    assert not port_taken(server_port)


def test_the_stack_ports_are_below_the_ephemeral_range() -> None:
    low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert STACK_PORT + 1 < low, f"{STACK_PORT} is inside this machine's range {low}-{high}"
    assert 1024 < STACK_PORT


def test_the_wait_names_a_port_still_taken_at_the_deadline() -> None:
    with socket.create_server(("0.0.0.0", 0)) as server:  # noqa: S104 - a test listener
        port = server.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StackError, match=f"port {port} is taken"):
            wait_for_ports((port,), deadline=started + 0.5)
        assert time.monotonic() - started >= 0.5
    wait_for_ports((port,), deadline=time.monotonic())  # free now: returns at once
