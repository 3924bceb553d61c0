"""The heartbeat file the publisher's and consumers' container healthchecks watch."""

from __future__ import annotations

import os
from pathlib import Path

from projections.kafka.heartbeat import Heartbeat


def test_heartbeat_touches_its_file_at_most_once_per_interval(tmp_path: Path) -> None:
    """The first beat creates the file; beats within the interval leave it alone."""
    path = tmp_path / "alive"
    heartbeat = Heartbeat(str(path), interval=60)

    heartbeat.beat()
    os.utime(path, (0, 0))
    heartbeat.beat()

    assert 0 == path.stat().st_mtime


def test_heartbeat_without_a_path_writes_nothing(tmp_path: Path) -> None:
    """With no health file configured, beating is a no-op."""
    Heartbeat(None).beat()

    assert [] == list(tmp_path.iterdir())
