"""``ledger demo`` runs the transparency log while it serves: an event signed after the demo
started is covered by a signed checkpoint within seconds (production runs the log as its own
process; a demo without it would leave every new event "waiting for the next checkpoint")."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.browser_kit import LEDGER, environment, free_port, running
from tests.demo_template import NAME, DemoFolder, copy_template
from tests.unit.web.demo_world import make_stale


def test_the_served_demo_signs_a_checkpoint_over_a_new_event(
    demo_template: DemoFolder, tmp_path: Path
) -> None:
    """An event recorded while the demo serves gets an inclusion proof within a few seconds."""
    demo = copy_template(demo_template, tmp_path / "demo")
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    serve = [*LEDGER, "demo", "--database-url", demo.database_url, "--keys-dir", str(demo.keys),
             "--port", str(port), "--checkpoint-seconds", "1"]  # fmt: skip
    log = tmp_path / "demo.log"
    with running(serve, environment(web_origin=base_url), log, f"{base_url}/health"):
        ledger = Ledger(LedgerSettings(database_url=demo.database_url, name=NAME))
        try:
            before = ledger.recorder.max_notification_id()
            make_stale(ledger, demo)  # the system signs new events, as an officer's would be
            last = ledger.recorder.max_notification_id()
        finally:
            ledger.close()
        assert last is not None
        assert before is not None
        assert last > before, "the demo signed no new event"
        proof = _proof_within(base_url, last, seconds=30)

    assert 200 == proof.status_code, proof.text
    assert proof.json()["tree_size"] >= last
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")


def _proof_within(base_url: str, notification_id: int, *, seconds: float) -> httpx.Response:
    """Ask for the event's inclusion proof until the server gives it or time is up."""
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.get(
            f"{base_url}/transparency/proofs/inclusion",
            params={"notification_id": notification_id},
            timeout=5,
        )
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.5)
