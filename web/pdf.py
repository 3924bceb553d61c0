"""HTML to PDF for the printed documents (the ก.พ.๗, certificates), through Debian's Chromium.

Why Chromium and not WeasyPrint (docs/documents.md has the comparison): both shape Thai with
HarfBuzz, so tone marks and vowels stack right on paper, but a Thai syllable is often several
glyphs in one cluster (ำ becomes นิคหิต + สระอา, a tone mark moves over a vowel), and WeasyPrint
writes one Unicode string per glyph in the font's ToUnicode map, taken from the first cluster the
glyph was met in; the text of its PDFs then reads back wrong (``ดำรง`` extracts as ``ดารง``,
``ผู้`` as ``ผุ้``), so a search, a copy, a screen reader or ``pdftotext`` sees other words than
the paper shows. Chromium's PDF backend (Skia) writes the text of such clusters as
``/ActualText`` and tags the PDF, so the words read back exactly. Chromium is already what the
browser tests use (``scripts/ensure-browser.sh`` installs it with the Thai fonts).

Each document is a self-contained HTML page (styles, the font's ``@font-face`` pointing at the
installed fonts-thai-tlwg file, the QR code as inline SVG): it is written to a private temporary
directory and printed with ``--print-to-pdf`` by a headless Chromium with its own throwaway
profile, no network, no header or footer (which would print the URL and a Christian-era date).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM_ENV = "LEDGER_CHROMIUM"
"""Environment variable naming the Chromium binary (default: ``chromium`` on the PATH)."""

TIMEOUT_SECONDS = 90.0

FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
"""Debian's fonts-thai-tlwg: Laksaman (the free TH Sarabun PSK derivative, GPL-2+ with the
font exception, so embedding it in a PDF is allowed)."""


class PdfError(Exception):
    """The PDF could not be made (no Chromium, or it failed)."""


def chromium_binary() -> str:
    """The Chromium to print with, or ``PdfError`` when none is installed."""
    named = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(named).exists() and shutil.which(named) is None:
        raise PdfError(f"no Chromium at {named}: run scripts/ensure-browser.sh")
    return named


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML page (its ``@page`` rule sets size and margins)."""
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="ledger-pdf-") as work:
        folder = Path(work)
        page, out = folder / "document.html", folder / "document.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            binary,
            "--headless",
            "--no-sandbox",  # the server may run as root in a container
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            subprocess.run(  # noqa: S603 (a fixed command; the page is our own file)
                command,
                check=True,
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                env={**os.environ, "HOME": work},
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise PdfError(
                f"Chromium could not print the document: {type(error).__name__}"
            ) from None
        if not out.exists() or out.stat().st_size == 0:
            raise PdfError("Chromium printed no PDF")
        return out.read_bytes()


def font_face_css() -> str:
    """The ``@font-face`` rules of the documents' Thai font (regular and bold), from the
    installed files, so the PDF embeds exactly that font."""
    faces = []
    for weight, style, name in (
        ("normal", "normal", "Laksaman.ttf"),
        ("bold", "normal", "Laksaman-Bold.ttf"),
        ("normal", "italic", "Laksaman-Italic.ttf"),
    ):
        faces.append(
            '@font-face { font-family: "Laksaman"; '
            f"font-weight: {weight}; font-style: {style}; "
            f'src: url("{(FONT_DIR / name).as_uri()}"); }}'
        )
    return "\n".join(faces)
