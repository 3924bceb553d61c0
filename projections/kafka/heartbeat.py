"""A heartbeat file for container healthchecks of long-running loops (publisher, consumers).

A process can be alive and stuck; a file the loop touches every few seconds lets a healthcheck
tell a working loop from a hung one without any port to probe.
"""

from __future__ import annotations

import time
from pathlib import Path


class Heartbeat:
    """Touches ``path`` at most once per ``interval`` seconds (does nothing without a path)."""

    def __init__(self, path: str | None, interval: float = 5.0) -> None:
        self._path = Path(path) if path else None
        self._interval = interval
        self._last = 0.0

    def beat(self) -> None:
        if self._path is None:
            return
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._path.touch()
            self._last = now
