"""Running the ledger's HTTP server under uvicorn for the ``serve`` and ``demo`` commands.

The CLI sits above the web application and the API (DESIGN.md section 2), so it builds the app
itself from the settings it was given: ``create_web_app(settings)`` (the API at its own paths,
the pages under ``/app/``), handed to uvicorn as an application object. (Docker runs the API
alone through ``uvicorn --factory api.main:create_app_from_env``.)

Before the port is bound, ``ledger_opens`` opens and closes the ledger the app's startup will
open (a few milliseconds), so a refusal with a rule is said as every command says it.

``transparency_log_running`` is for the demo only: production runs the transparency log as its
own process (``ledger transparency run``), but a demo served without it never signs another
checkpoint, so every event an officer signs in it stays "waiting for the next checkpoint". The
demo runs the same projection in a thread beside the server, with the demo's system key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from cli.runtime import open_ledger
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import Signer
from ledger.vault import Vault
from projections.transparency.errors import ProjectionError
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from web.app import create_web_app

logger = logging.getLogger(__name__)


def serve_api(settings: LedgerSettings, *, host: str, port: int) -> None:
    ledger_opens(settings)
    uvicorn.run(create_web_app(settings), host=host, port=port, log_level="info")


def ledger_opens(settings: LedgerSettings) -> None:
    """Open the ledger the app's startup will open, and close it, before the port is bound: a
    refusal with a rule (vault settings by halves, an old file's shared events table, a vault
    made with another key store, which the app would answer 503 to every personal read) is
    printed as every command prints it, exit 1, rather than as uvicorn's startup traceback."""
    with open_ledger(settings) as ledger:
        refusal = ledger.vault.refusal if isinstance(ledger.vault, Vault) else None
        if refusal is not None:
            raise refusal


@contextmanager
def transparency_log_running(
    settings: LedgerSettings,
    signer: Signer,
    *,
    every_seconds: float,
    poll_seconds: float = 0.5,
) -> Iterator[threading.Thread]:
    """Follow the notification log in a thread while the block runs: take new events in and
    sign a checkpoint ``every_seconds`` after the last one when there is something new. The
    thread has its own connection; leaving the block stops it and waits for it."""
    policy = CheckpointPolicy(
        every_events=settings.checkpoint_every_events, every_seconds=every_seconds
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=_follow,
        args=(settings, signer, policy, stop, poll_seconds),
        name="transparency-log",
        daemon=True,  # never keeps a stopped server's process alive
    )
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=30)


def _follow(
    settings: LedgerSettings,
    signer: Signer,
    policy: CheckpointPolicy,
    stop: threading.Event,
    poll_seconds: float,
) -> None:
    """The thread's loop: a failure (a busy database, a refused event) is logged by its kind and
    retried after a pause rather than ending the thread; the server keeps serving either way."""
    ledger = Ledger(settings)
    try:
        projection = TransparencyProjection(ledger, signer, policy=policy)
        while not stop.is_set():
            try:
                projection.run(stop, poll_seconds=poll_seconds)
            except ProjectionError as error:  # names notification ids, never personal data
                logger.warning("transparency log stopped: %s; retrying", error)
                stop.wait(max(10 * poll_seconds, 5.0))
            except Exception as error:  # driver errors may quote data: their kind only
                logger.warning("transparency log failed (%s); retrying", type(error).__name__)
                stop.wait(max(10 * poll_seconds, 5.0))
    finally:
        ledger.close()
