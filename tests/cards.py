"""Made-up card holders and transports for the card tests (PDPA: nobody here exists).

``person_file`` writes a person file for the virtual Thai ID card, starting from a sample and
changing what a test needs (another citizen ID, an expired card, a broken photo).
``ReplayTransport`` plays back a recorded APDU trace and insists that the reader sends exactly
the recorded commands; ``RecordingTransport`` makes such traces; ``PullingTransport`` pulls the
card out after a number of exchanges.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from card.apdu import Transport, hexdump, unhex

SAMPLES = Path(__file__).resolve().parent.parent / "card" / "virtual" / "samples"
SAMPLE_PHOTO = SAMPLES / "photo.jpg"
TRACES = Path(__file__).resolve().parent / "unit" / "data"


def sample(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def person_file(
    directory: Path, name: str = "somying", *, photo: bytes | None = None, **changes: Any
) -> Path:
    """A person file like sample ``name`` with ``changes``; ``photo`` replaces the JPEG."""
    data = sample(name)
    data.update(changes)
    photo_path = directory / f"{name}-photo.jpg"
    photo_path.write_bytes(photo if photo is not None else SAMPLE_PHOTO.read_bytes())
    data["photo"] = photo_path.name
    path = directory / f"{name}-{len(list(directory.iterdir()))}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


class ReplayTransport:
    """Plays back a trace of ``> command`` / ``< response`` lines recorded from a card."""

    def __init__(self, trace: Path) -> None:
        lines = [
            line.strip()
            for line in trace.read_text(encoding="ascii").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        self._atr = unhex(lines[0].removeprefix("ATR "))
        self._exchanges = [
            (unhex(lines[i][1:]), unhex(lines[i + 1][1:])) for i in range(1, len(lines), 2)
        ]
        self.position = 0

    @property
    def reader(self) -> str:
        return "replay"

    @property
    def atr(self) -> bytes:
        return self._atr

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        expected, response = self._exchanges[self.position]
        if apdu != expected:
            raise AssertionError(
                f"exchange {self.position} ({during}): sent {hexdump(apdu)}, "
                f"the trace has {hexdump(expected)}"
            )
        self.position += 1
        return response

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()

    @property
    def is_exhausted(self) -> bool:
        return self.position == len(self._exchanges)


class RecordingTransport:
    """Wraps a transport and writes every exchange in the trace format ``ReplayTransport`` reads."""

    def __init__(self, inner: Transport, comment: str) -> None:
        self.inner = inner
        self.lines = [f"# {comment}", f"ATR {hexdump(inner.atr)}"]

    @property
    def reader(self) -> str:
        return self.inner.reader

    @property
    def atr(self) -> bytes:
        return self.inner.atr

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        response = self.inner.transmit(apdu, during=during)
        self.lines += [f"> {hexdump(apdu)}", f"< {hexdump(response)}"]
        return response

    def transaction(self) -> AbstractContextManager[None]:
        return self.inner.transaction()

    def save(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n", encoding="ascii")


class PullingTransport:
    """Passes exchanges through, and calls ``pull`` (removing the card) before exchange ``at``."""

    def __init__(self, inner: Transport, at: int, pull: Callable[[], None]) -> None:
        self.inner = inner
        self.at = at
        self.pull = pull
        self.count = 0

    @property
    def reader(self) -> str:
        return self.inner.reader

    @property
    def atr(self) -> bytes:
        return self.inner.atr

    def transmit(self, apdu: bytes, *, during: str) -> bytes:
        self.count += 1
        if self.count == self.at:
            self.pull()
        return self.inner.transmit(apdu, during=during)

    def transaction(self) -> AbstractContextManager[None]:
        return self.inner.transaction()
