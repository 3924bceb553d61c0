"""The demo's ledger (``ledger demo``'s data) for page tests: loaded once per test session into
a folder (tests/demo_template.py), copied for each test (loading takes seconds, copying a file
does not).

The demo's Nakhon Phanom LAO (6480101, เทศบาลตำบลตัวอย่าง) has ten made-up staff, two of them
incomplete for the KPI, retirements in FY2563-2564, and its cycle 2562 verified by the province
with a record changed afterwards. ``make_returned`` and ``make_stale`` move that cycle on as its
people would: the system notices the stale record; the HR officer submits again; the LAO head
returns the submission with a reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from cli.demo.loader import CYCLE, NAKHON_PHANOM, OPERATORS, demo_cid
from cli.options import load_or_create_key
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.genesis import compose
from ledger.processes import invalidate_stale_certifications
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from tests.demo_template import DemoFolder, copy_sqlite
from tests.unit.web.web_kit import ORIGIN, SESSION_SECRET
from web.app import create_web_app
from web.routes.home import today

LAO = str(NAKHON_PHANOM.lao)
CYCLE_STREAM = certification_stream_id(LAO, CYCLE)
DEMO_TODAY = date(2020, 1, 15)
"""A day of FY2563 in the demo's time: its retirements of FY2563-2564 are "coming"."""
RETURN_REASON = "วันลาพักผ่อนปีงบประมาณ 2562 ยังบันทึกไม่ครบ"


DemoFiles = DemoFolder
"""The pristine demo (the session's ``demo_template``): its SQLite file and operators' keys."""


def copy_demo(demo: DemoFiles, folder: Path) -> Path:
    """A copy of the demo's database in ``folder`` (SQLite's side files and the vault's key
    files too)."""
    return copy_sqlite(demo.database, folder / demo.database.name)


def demo_settings(demo: DemoFiles, folder: Path) -> LedgerSettings:
    """A copy of the demo's ledger in ``folder``, served from the test client's origin."""
    return LedgerSettings(
        database_url=f"sqlite:///{copy_demo(demo, folder)}",
        name="demo",
        session_secret=SESSION_SECRET,
        web_origin=ORIGIN,
    )


@contextmanager
def demo_client(
    settings: LedgerSettings, ledger: Ledger, day: date | None = DEMO_TODAY
) -> Iterator[TestClient]:
    """The web app over the demo's copy, its day pinned to ``day`` (15 January 2563 unless
    ``None``, today), whose requests carry the app's own Origin."""
    app = create_web_app(settings, ledger)
    if day is not None:
        app.dependency_overrides[today] = lambda: day
    with TestClient(app, base_url=ORIGIN, headers={"Origin": ORIGIN}) as test_client:
        yield test_client


def operator_key(demo: DemoFiles, name: str) -> SoftwareSigner:
    """A demo operator's software key (``hr-nakhonphanom``, ``head-nakhonphanom``...)."""
    return load_or_create_key(demo.keys / f"{name}.key")


def operator_cid(name: str) -> str:
    return demo_cid(OPERATORS[name][0])


def make_stale(ledger: Ledger, demo: DemoFiles) -> None:
    """The system notices the leave recorded after certification: the cycle is stale, and the
    HR officer may submit again."""
    invalidate_stale_certifications(ledger, operator_key(demo, "system"), today=DEMO_TODAY)


def submit_as_hr(ledger: Ledger, demo: DemoFiles) -> None:
    """The HR officer submits the LAO's snapshot now (as the command line would)."""
    snapshot = ledger.snapshot(LAO)
    assert snapshot is not None
    data = {
        "snapshot_root": snapshot.root,
        "record_count": snapshot.record_count,
        "position": snapshot.position,
    }
    _emit(ledger, demo, "hr-nakhonphanom", "LaoDataSubmitted", data)


def make_returned(ledger: Ledger, demo: DemoFiles) -> None:
    """Stale, submitted again, and returned by the LAO head naming the leave section."""
    make_stale(ledger, demo)
    submit_as_hr(ledger, demo)
    data = {"sections": ["leave"], "reason": RETURN_REASON}
    _emit(ledger, demo, "head-nakhonphanom", "LaoDataReturned", data)


def _emit(ledger: Ledger, demo: DemoFiles, name: str, type: str, data: dict[str, object]) -> None:
    signed = compose(
        ledger,
        stream=CYCLE_STREAM,
        type=type,
        data=data,
        signer=operator_key(demo, name),
        cid=operator_cid(name),
        effective=DEMO_TODAY,
    )
    ledger.submit(signed.canonical, signed.signature)
