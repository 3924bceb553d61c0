"""Reading the printed documents back: their text with pdftotext, their first page as a PNG
with pdftoppm (poppler-utils, installed by scripts/ensure-browser.sh) into
var/screenshots/<test>/, to be looked at."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def pdf_text(pdf: bytes) -> str:
    """The PDF's text in content order (``-raw``: what a search or a copy sees)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", file.name, "-"],
            check=True,
            capture_output=True,
        )
    return done.stdout.decode("utf-8")


def screenshot(pdf: bytes, test: str, name: str = "page-1") -> Path:
    """The first page rendered to ``var/screenshots/<test>/<name>.png`` (its path)."""
    folder = SCREENSHOTS / test
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            source,
            folder / name,
        ],
        check=True,
        capture_output=True,
    )
    return folder / f"{name}.png"
