"""``ledger project ...``: keep the read models (views) current.

``catch-up`` applies every event recorded since each view's position (``--follow`` keeps doing
it, for a worker process), first rebuilding any view built by another version of its code
(``View.version``: an upgrade needs no ``rebuild`` by hand); ``rebuild NAME`` replays the whole
log into fresh tables and swaps them in; ``list`` shows each view, its position and the log's
end, and a view that the next catch-up will rebuild. Views live in the ledger's
own database; a batch of view rows and the views' positions commit together, so a killed
process resumes where it stopped, nothing lost or doubled.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out
from projections.log import log_end
from projections.views.catalogue import VIEW_NAMES, Projections
from projections.views.runner import DEFAULT_BATCH_SIZE
from projections.views.runner import Progress as ProgressCallback

project_app = typer.Typer(
    help="Keep the read models (registry, certification, KPIs, e-Plan...) current.",
    no_args_is_help=True,
)

BatchSize = Annotated[
    int, typer.Option(min=1, max=100_000, help="Events per transaction (one batch)")
]


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """A rich progress bar counting events (quiet when the output is not a terminal)."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=out,
        transient=False,
    )
    with bar:
        bar.add_task(description, total=None)
        yield bar


def _reporter(bar: Progress) -> ProgressCallback:
    task = bar.tasks[0].id

    def report(done: int, total: int) -> None:
        bar.update(task, completed=done, total=max(total, done))

    return report


@project_app.command("list")
def list_views(database_url: DatabaseUrl = None, name: LedgerName = None) -> None:
    """Each view, the notification id it is current up to, and the log's end."""
    with (
        open_ledger(build_settings(database_url, name)) as ledger,
        Projections.open(ledger) as views,
    ):
        positions = views.runner.positions()
        built = views.runner.versions()
        end = log_end(ledger)
    out.print(f"log end: {end}")
    for view in VIEW_NAMES:
        behind = end - positions[view]
        version = views.runner.view(view).version
        stale = (
            f"  built by version {built.get(view, 0)}, code is {version}: the next catch-up "
            "rebuilds it"
            if built.get(view, 0) != version
            else ""
        )
        out.print(
            f"  {view:<14} at {positions[view]:>10}  ({behind} behind){stale}", highlight=False
        )


@project_app.command("catch-up")
def catch_up(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep following the log until stopped (SIGTERM)")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.05, help="With --follow: seconds between polls")
    ] = 1.0,
) -> None:
    """Apply every event recorded since each view's position, in batches."""
    stop = threading.Event()

    def stop_on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stop_on_signal)
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger, Projections.open(ledger, batch_size=batch_size) as views:
        try:
            with progress_bar("catching up") as bar:
                rebuilt = views.upgrade(_reporter(bar))
                done = views.catch_up(_reporter(bar))
            for view, events in rebuilt.items():
                out.print(f"view {view} was built by another version: rebuilt from {events} events")
            out.print(f"{done} events applied to {len(VIEW_NAMES)} views")
            while follow and not stop.wait(interval):
                applied = views.catch_up()
                if applied:
                    out.print(f"{applied} events applied", highlight=False)
        except KeyboardInterrupt:
            pass


@project_app.command("rebuild")
def rebuild(
    view: Annotated[str, typer.Argument(help=f"The view: {', '.join(VIEW_NAMES)}")],
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
) -> None:
    """Rebuild a view from zero into fresh tables, then swap them in (readers never see a
    half-built view)."""
    if view not in VIEW_NAMES:
        fail(f"no view named {view!r}; the views are {', '.join(VIEW_NAMES)}")
    settings = build_settings(database_url, name)
    with (
        open_ledger(settings) as ledger,
        Projections.open(ledger, batch_size=batch_size) as views,
        progress_bar(f"rebuilding {view}") as bar,
    ):
        done = views.rebuild(view, _reporter(bar))
    out.print(f"view {view} rebuilt from {done} events and swapped in")
