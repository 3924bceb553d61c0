"""``ledger demo``: load the made-up demo ledger (``cli.demo.loader``), then serve the API."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.demo import loader
from cli.runtime import DatabaseUrl, build_settings, open_ledger, out
from cli.serve import serve_api


def demo(
    database_url: DatabaseUrl = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo data and exit")
    ] = False,
    keys_dir: Annotated[
        Path, typer.Option(help="Where the demo operators' key files are written")
    ] = Path("var/demo-keys"),
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Load demo operators and signed events (made-up people), then serve the API.

    Without --database-url the demo uses its own SQLite file, var/demo.sqlite.
    """
    settings = build_settings(database_url or "sqlite:///var/demo.sqlite", "demo", existing=False)
    with open_ledger(settings) as ledger:
        summary = loader.load(ledger, keys_dir)
    for line in summary:
        out.print(line)
    if not no_serve:
        serve_api(settings, host=host, port=port)
