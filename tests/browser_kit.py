"""The browser tests' kit: the demo served as the web application, the signing agent beside it,
Debian's Chromium driven by Playwright, and the checks made on the server after each step.

One demo per test package (tests/e2e/web/conftest.py), a copy of the session's demo (loaded once
by ``ledger demo --no-serve``: tests/demo_template.py) served by ``ledger serve`` as the web
application on a free loopback port, as ``ledger demo`` serves it after loading; the signing
agent (``ledger agent``) runs on another, on the demo HR officer's virtual card (which the demo
writes), trusting the web application's request key (which the demo writes too) and allowing its
origin. Both are subprocesses stopped by their PID.

Chromium is Debian's (/usr/bin/chromium, installed by ``scripts/ensure-browser.sh``, which ``make
services`` runs); ``playwright install`` downloads browser builds from outside and is never used
(../shared/notes/browser-tests.md). A missing Chromium fails the tests saying how to install it:
it is never a skip.

After each step a test checks the server side with ``LedgerLog``: the new events are in the
log, signed by the operator's key, and ``ledger audit verify`` passes on the database.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import nacl.signing
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from typer.testing import CliRunner

from cli.main import app as ledger_cli
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.statement import Statement
from ledger.stored import read_signed_state
from tests.demo_template import NAME, DemoFolder, copy_template

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
"""The ``ledger`` command, run by this interpreter with this checkout's code."""
DEMO_PIN = "123456"
"""The PIN of every demo virtual card."""
HR_OFFICER = "hr-nakhonphanom"
"""The demo's HR officer of the Nakhon Phanom LAO, who does the day in the browser."""
SCREENSHOTS = ROOT / "var" / "screenshots"


def free_port() -> int:
    """A loopback port free now. The web application must know its own origin and the agent's
    URL before either starts, so the port is chosen here rather than by the server (port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(**settings: str) -> dict[str, str]:
    """This process's environment without any ``LEDGER_`` setting, with ``settings`` as
    ``LEDGER_<NAME>`` on top, and this checkout first on the path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env.update({f"LEDGER_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def running(command: list[str], env: dict[str, str], log: Path, health: str) -> Iterator[None]:
    """``command`` running until the block ends, once ``health`` answers 200; stopped by its PID
    (terminate, then kill after 10 s). A server that exits or does not answer within two
    minutes fails the test with its log."""
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(health, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                pytest.fail(f"{command[3:5]} exited with {process.returncode}:\n{_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{command[3:5]} did not answer {health}:\n{_tail(log)}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


# The demo, served, and the agent beside it.


@dataclass(frozen=True)
class WebDemo:
    """The demo ledger served as the web application, its agent, and where its files are."""

    base_url: str
    database_url: str
    keys_dir: Path
    agent_url: str

    @property
    def trust_anchor(self) -> str:
        return (self.keys_dir / "trust-anchor.txt").read_text(encoding="ascii").strip()

    @property
    def request_key(self) -> nacl.signing.SigningKey:
        """The web application's request key, which ``ledger demo`` wrote (web-request.key)."""
        seed = (self.keys_dir / "web-request.key").read_text(encoding="ascii").strip()
        return nacl.signing.SigningKey(bytes.fromhex(seed))

    def key_id(self, operator: str) -> str:
        """The key id of a demo operator's key (its file in the keys folder)."""
        return SoftwareSigner.from_file(self.keys_dir / f"{operator}.key").key_id


@contextmanager
def serve_web(demo: DemoFolder, port: int, log: Path, **settings: str) -> Iterator[str]:
    """``ledger serve`` on the demo folder's database listening on ``port``, with the demo's
    request key (as ``ledger demo`` serves it after loading), ``LEDGER_WEB_ORIGIN`` its own
    address and ``settings`` on top, until the block ends. Its base URL."""
    base_url = f"http://127.0.0.1:{port}"
    serve = [*LEDGER, "serve", "--database-url", demo.database_url, "--name", NAME,
             "--port", str(port)]  # fmt: skip
    env = environment(web_origin=base_url, web_request_key_file=str(demo.request_key), **settings)
    with running(serve, env, log, f"{base_url}/health"):
        yield base_url


@contextmanager
def serve_demo(
    template: DemoFolder,
    where: Path,
    operator: str = HR_OFFICER,
    prepare: Callable[[DemoFolder], None] | None = None,
    **settings: str,
) -> Iterator[WebDemo]:
    """A copy in ``where`` of the session's demo (``template``, as ``ledger demo`` loaded it)
    served as the web application on a free port (``settings`` on top, once ``prepare`` has
    changed the copy), then ``ledger agent`` on another, on ``operator``'s virtual card
    (written by the demo), trusting the demo's request key and allowing its origin."""
    copy = copy_template(template, where)
    if prepare is not None:
        prepare(copy)
    port, agent_port = free_port(), free_port()
    agent_url = f"http://127.0.0.1:{agent_port}"
    with serve_web(copy, port, where / "demo.log", agent_url=agent_url, **settings) as base_url:
        demo = WebDemo(base_url, copy.database_url, copy.keys, agent_url)
        agent = [*LEDGER, "agent", "--port", str(agent_port), "--origin", base_url,
                 "--trust-key", bytes(demo.request_key.verify_key).hex(),
                 "--virtual-card", str(demo.keys_dir / f"{operator}.card.json")]  # fmt: skip
        with running(agent, environment(), where / "agent.log", f"{agent_url}/"):
            yield demo


# Server-side checks.


@dataclass(frozen=True)
class LoggedEvent:
    """An event of the log as signed: its type, its stream and the signer's key id."""

    position: int
    type: str
    stream: str
    key_id: str


class LedgerLog:
    """The served demo's log read through the ledger's application service (the server writes,
    this reads the same SQLite file), and ``ledger audit verify`` run on it."""

    def __init__(self, demo: WebDemo) -> None:
        self.demo = demo
        self.settings = LedgerSettings(database_url=demo.database_url, name=NAME)

    def position(self) -> int:
        """The notification id of the newest event."""
        ledger = Ledger(self.settings)
        try:
            return ledger.recorder.max_notification_id() or 0
        finally:
            ledger.close()

    def since(self, position: int) -> list[LoggedEvent]:
        """The events appended after ``position``, in log order."""
        ledger = Ledger(self.settings)
        try:
            found = ledger.recorder.select_notifications(start=position + 1, limit=1000)
        finally:
            ledger.close()
        events = []
        for notification in found:
            # the statement as signed (v2: commitments, parsed without the vault)
            statement = Statement.model_validate_json(read_signed_state(notification.state)[0])
            events.append(
                LoggedEvent(
                    notification.id, statement.type, str(statement.stream), statement.signer.key
                )
            )
        return events

    def verify(self) -> str:
        """``ledger audit verify`` on the database, pinned to the demo's trust anchor; fails the
        test with the report unless it exits 0. The report's text."""
        result = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(
            ledger_cli,
            ["audit", "verify", "--database-url", self.demo.database_url, "--name", NAME,
             "--trust-anchor", self.demo.trust_anchor, "--workers", "1"],
        )  # fmt: skip
        assert 0 == result.exit_code, result.output
        assert "verified" in result.output, result.output
        return result.output

    def expect_signed(self, position: int, types: list[str], operator: str) -> list[LoggedEvent]:
        """After ``position`` the log holds exactly events of ``types`` (in order), each signed by
        ``operator``'s key, and the audit passes. The new events."""
        events = self.since(position)
        assert types == [event.type for event in events]
        key_id = self.demo.key_id(operator)
        assert [key_id] * len(events) == [event.key_id for event in events]
        self.verify()
        return events


# The browser.


def launch_chromium(playwright: Playwright, executable: Path = CHROMIUM) -> Browser:
    """Debian's Chromium, headless. A missing browser fails (never skips) saying how to get it."""
    if not executable.exists():
        pytest.fail(
            f"Chromium is missing ({executable}): the browser tests need Debian's chromium and "
            "fonts-thai-tlwg. Run `make services` (scripts/ensure-browser.sh, as root) or "
            "`sudo apt-get install chromium fonts-thai-tlwg`; never `playwright install`."
        )
    return playwright.chromium.launch(executable_path=str(executable), args=["--no-sandbox"])


def check_axe(page: Page) -> None:
    """axe-core finds no violation on the page as it is now; else fail listing each one, its
    rule, impact, help text and the first elements it names."""
    results = Axe().run(page)
    if results.violations_count:
        lines = [f"axe-core: {results.violations_count} violation(s) on {page.url}"]
        for violation in results.response["violations"]:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            lines.append(
                f"  {violation['id']} ({violation['impact']}): {violation['help']}; {targets}"
            )
        pytest.fail("\n".join(lines))


class Shots:
    """Full-page screenshots of one test, numbered in the order taken, under
    var/screenshots/<test name>/ (gitignored) so that someone can look at every page."""

    def __init__(self, test_name: str) -> None:
        self.folder = SCREENSHOTS / re.sub(r"[^\w.-]+", "_", test_name)
        self.taken = 0
        if self.folder.exists():
            for old in self.folder.glob("*.png"):
                old.unlink()

    def __call__(self, page: Page, name: str) -> Path:
        self.taken += 1
        path = self.folder / f"{self.taken:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


# The operator's steps.


def approve_in_agent(
    opener: Page,
    button: str,
    *,
    pin: str = DEMO_PIN,
    shot: Shots | None = None,
    shows: tuple[str, ...] = (),
    hides: tuple[str, ...] = (),
) -> Page:
    """Click ``button`` on ``opener``, which opens the agent's popup; there (screenshot, axe,
    each text of ``shows`` on the page and none of ``hides``: what the officer reads before
    signing) type the PIN and confirm; wait for the popup to close itself after answering. The
    popup."""
    with opener.expect_popup() as opened:
        opener.locator(button).click()
    popup = opened.value
    popup.wait_for_load_state()
    popup.get_by_label("รหัส PIN").wait_for()
    if shot is not None:
        shot(popup, "agent")
    check_axe(popup)
    shown = popup.locator("main").inner_text()
    assert [] == [text for text in shows if text not in shown], shown
    assert [] == [text for text in hides if text in popup.content()]
    popup.get_by_label("รหัส PIN").fill(pin)
    try:
        with popup.expect_event("close", timeout=20_000):
            popup.get_by_role("button", name="ลงนามด้วยบัตร").click()
    except PlaywrightTimeoutError:
        pytest.fail(f"the agent did not sign: {popup.locator('main').inner_text()}")
    return popup


def login(page: Page, demo: WebDemo, *, pin: str = DEMO_PIN, shot: Shots | None = None) -> None:
    """Log in as the agent's card holder: the login page's button, the agent's popup, the PIN;
    wait for the home page. Each page is checked by axe (and photographed with ``shot``)."""
    page.goto(f"{demo.base_url}/app/login")
    if shot is not None:
        shot(page, "login")
    check_axe(page)
    approve_in_agent(page, "#login-button", pin=pin, shot=shot)
    page.wait_for_url(f"{demo.base_url}/app/")


def sign(
    page: Page,
    *,
    pin: str = DEMO_PIN,
    shot: Shots | None = None,
    review: str = "#review",
    receipt: str = "#receipt",
    shows: tuple[str, ...] = (),
    hides: tuple[str, ...] = (),
) -> None:
    """Sign the statement the review panel (``review``) shows through the agent (its
    ``#sign-button``); wait for the ledger's answer and fail with the page's text unless it is
    the receipt (``receipt``). The review, the agent's page and the receipt are checked by axe
    (and photographed with ``shot``); the agent's page must show each text of ``shows`` and
    none of ``hides`` (anywhere in its HTML)."""
    page.locator(review).wait_for()
    if shot is not None:
        shot(page, "review")
    check_axe(page)
    approve_in_agent(page, "#sign-button", pin=pin, shot=shot, shows=shows, hides=hides)
    page.locator(f"{receipt}, [id$='refusal'], #stale-notice").first.wait_for()
    if not page.locator(receipt).count():
        pytest.fail(f"the ledger did not record it: {page.locator('main').inner_text()}")
    if shot is not None:
        shot(page, "receipt")
    check_axe(page)
