"""``ledger transparency``: run the transparency log, show its latest checkpoint and its key.

The log's checkpoints are signed by the ledger's system key (the key ``ledger init`` enrolled at
genesis). Only the process running the log needs it: ``--system-key FILE``, or the
``LEDGER_SYSTEM_KEY_FILE`` setting. ``run`` follows the notification log until interrupted
(``--once`` catches up and exits); ``checkpoint`` prints the latest signed note, for auditors to
keep; ``key`` prints the verifier key standard transparency-log tools take.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from cli.options import load_key
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, fail_on, open_ledger, out
from projections.transparency.checkpoints import log_origin, verifier_key
from projections.transparency.errors import ProjectionError
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from projections.transparency.store import TransparencyStore

transparency_app = typer.Typer(
    help="The Merkle transparency log: run it, print its checkpoint and verifier key.",
    no_args_is_help=True,
)


@transparency_app.command("run")
def run(
    system_key: Annotated[
        Path | None,
        typer.Option(help="The system key file (default: LEDGER_SYSTEM_KEY_FILE)"),
    ] = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Catch up, sign a checkpoint covering everything, exit"),
    ] = False,
    every_events: Annotated[
        int | None, typer.Option(min=1, help="Checkpoint every N events (default: setting)")
    ] = None,
    every_seconds: Annotated[
        float | None, typer.Option(min=0.001, help="... or every T seconds (default: setting)")
    ] = None,
    poll_seconds: Annotated[float, typer.Option(min=0.01, help="Pause when caught up")] = 1.0,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Take every notification into the log and sign checkpoints every N events or T seconds."""
    settings = build_settings(database_url, name)
    key_file = system_key or settings.system_key_file
    if key_file is None:
        fail("give --system-key FILE or set LEDGER_SYSTEM_KEY_FILE: checkpoints are signed")
    signer = load_key(key_file)
    policy = CheckpointPolicy(
        every_events=every_events or settings.checkpoint_every_events,
        every_seconds=every_seconds or settings.checkpoint_every_seconds,
    )
    with open_ledger(settings) as ledger:
        projection = TransparencyProjection(ledger, signer, policy=policy)
        with fail_on(ProjectionError):
            if once:
                projection.seal()
            else:
                stop = threading.Event()

                def interrupted(signum: int, frame: FrameType | None) -> None:
                    stop.set()

                signal.signal(signal.SIGTERM, interrupted)
                signal.signal(signal.SIGINT, interrupted)
                out.print(f"following ledger {settings.name} (Ctrl-C stops)")
                projection.run(stop, poll_seconds=poll_seconds)
        size = projection.store.tree_size()
        checkpoints = len(projection.store.checkpoints())
    out.print(f"transparency log of {settings.name}: {size} leaves, {checkpoints} checkpoints")


@transparency_app.command("checkpoint")
def checkpoint(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Print the latest signed checkpoint (a C2SP signed note): keep it to audit later."""
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger, fail_on(ProjectionError):
        note = TransparencyStore(ledger).latest_checkpoint().note
    typer.echo(note, nl=False)


@transparency_app.command("key")
def key(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Print the log's verifier key (name+keyid+key), as standard note tools take it."""
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger:
        registry = ledger.registry()
        if registry is None:
            fail("the ledger is not initialised: run `ledger init` first")
        enrolment = registry.enrolment(registry.system_key_id)
        if enrolment is None:
            fail("the ledger's genesis enrols no system key")
        origin = log_origin(settings.name, registry.system_key_id)
        typer.echo(verifier_key(origin, enrolment.public_key))


__all__ = ["transparency_app"]
