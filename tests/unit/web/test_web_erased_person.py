"""An erased person in the demo, as the pages and the API show her afterwards: her record
beside its employment status marked erased, left out of the KPI (as a separated record is),
shown "not counted" on the certification page rather than "complete"; her owner told, on
logging in, when and under which legal basis her data was erased, and offered no change
request; nothing told to whoever the record lies hidden from."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.demo import day as demo_day
from cli.demo.loader import record_stream
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.personal import ERASED
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.api.http_kit import login
from tests.unit.web.demo_world import (
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    make_stale,
    operator_cid,
    operator_key,
)
from tests.unit.web.web_kit import log_in

OWN_RECORD = record_stream(demo_day.OWNER_RECORD)
BASIS = d.ERASURE["legal_basis"]


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger (its vault's key files beside it)."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    with demo_client(settings, ledger) as test_client:
        yield test_client


def _officer(demo: DemoFiles, name: str) -> Operator:
    return Operator(operator_cid(name), operator_key(demo, name))


@pytest.fixture
def signers(ledger: Ledger, demo: DemoFiles) -> LedgerKit:
    """The demo's own operators signing v2 on its ledger (the Tak HR officer as the other)."""
    return LedgerKit(
        ledger=ledger,
        system=_officer(demo, "hr-nakhonphanom"),  # neither used here
        admin=_officer(demo, "hr-nakhonphanom"),
        hr=_officer(demo, "hr-nakhonphanom"),
        other_hr=_officer(demo, "hr-tak"),
        v2=True,
    )


def _rows(html: str) -> dict[str, str]:
    """Each table row of the page by its ``data-stream``."""
    return dict(re.findall(r'<tr data-stream="([0-9a-f-]+)">(.*?)</tr>', html, re.S))


def test_the_owner_of_an_erased_record_is_told_when_and_why_and_asks_nothing(
    client: TestClient, signers: LedgerKit, demo: DemoFiles
) -> None:
    """Before: her home leads to her record and to the change-request form. Her record
    erased: her home says it was erased, on which day and under which legal basis, with no
    shortcut to the form; her record's page and the form are that notice (410), nothing of
    her record on them; the Tak HR officer is told what a record that does not exist tells."""
    owner = operator_key(demo, demo_day.OWNER)
    log_in(client, owner)
    before = client.get("/app/")
    signers.emit(signers.hr, OWN_RECORD, "PersonErased", d.ERASURE, effective=date(2020, 1, 10))

    home = client.get("/app/")
    record = client.get(f"/app/records/{OWN_RECORD}")
    form = client.get(f"/app/records/{OWN_RECORD}/new/ChangeRequestedByOwner")
    log_in(client, operator_key(demo, "hr-tak"))
    elsewhere = client.get(f"/app/records/{OWN_RECORD}")

    assert 'id="shortcut-change-request"' in before.text
    assert 200 == home.status_code
    assert 'id="own-record-erased"' in home.text
    assert BASIS in home.text
    assert "10 มกราคม 2563" in home.text
    assert 'id="shortcut-change-request"' not in home.text
    for page in (record, form):
        assert 410 == page.status_code
        assert 'id="own-record-erased"' in page.text
        assert BASIS in page.text
        assert 'id="entry-form"' not in page.text
        assert "จำลอง" not in page.text
    assert 404 == elsewhere.status_code
    assert "ถูกลบ" not in elsewhere.text


def test_an_erased_record_is_marked_beside_its_status_and_left_out_of_the_kpi(
    client: TestClient, signers: LedgerKit, demo: DemoFiles, ledger: Ledger
) -> None:
    """The registry (JSON and CSV) and the ก.พ.๗ page keep her employment status and mark
    her erased beside it; her position stays occupied, its holder shown erased; the KPI counts
    her LAO's records without her; the certification page shows her, and a record of someone
    who died (with no name), as not counted, never "complete"."""
    headers = login(client, signers.hr)
    kpi_before = client.get("/reports/kpi", headers=headers).json()
    died = uuid.uuid4()
    signers.emit(signers.hr, died, "RecordOpened", d.record(NAKHON_PHANOM_LAO, made_up_cid(991)))
    signers.emit(signers.hr, died, "Died", d.status_data("Died"))
    signers.emit(signers.hr, OWN_RECORD, "PersonErased", d.ERASURE)
    make_stale(ledger, demo)

    registry = client.get("/registry", headers=headers).json()
    csv = client.get("/registry", params={"format": "csv"}, headers=headers).text
    kpi = client.get("/reports/kpi", headers=headers).json()
    (held,) = [
        p
        for p in client.get("/positions", headers=headers).json()
        if p["holder"] == str(OWN_RECORD)
    ]
    occupant = client.get(
        f"/organizations/{held['lao']}/positions/{held['number']}", headers=headers
    ).json()["occupant"]
    positions = client.get("/positions", params={"format": "csv"}, headers=headers).text
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    kp7 = client.get(f"/app/records/{OWN_RECORD}").text
    rows = _rows(client.get("/app/certification").text)

    (erased,) = [row for row in registry if row["stream"] == str(OWN_RECORD)]
    assert (True, "active") == (erased["erased"], erased["status"])
    assert not any(row["erased"] for row in registry if row["stream"] != str(OWN_RECORD))
    assert "ลบข้อมูลส่วนบุคคลแล้ว" in csv
    assert 'id="kp7-erased-status"' in kp7
    assert "occupied" == held["status"]  # an erasure separates no one: she still holds it
    assert (True, "active") == (occupant["erased"], occupant["status"])
    assert f"มีผู้ครอง,{ERASED}," in positions

    def counted(report: dict[str, list[dict[str, int]]]) -> int:
        return next(row["records"] for row in report["laos"] if row["lao"] == LAO)

    assert counted(kpi_before) - 1 == counted(kpi)
    assert "ไม่นับในตัวชี้วัด" in rows[str(OWN_RECORD)]
    assert "ลบข้อมูลส่วนบุคคลแล้ว" in rows[str(OWN_RECORD)]
    assert "ไม่นับในตัวชี้วัด" in rows[str(died)]
    assert "ถึงแก่กรรม" in rows[str(died)]
    for stream in (OWN_RECORD, died):
        assert "record-complete" not in rows[str(stream)]


def test_an_erased_person_s_certificate_stays_genuine_but_is_not_current(
    client: TestClient, signers: LedgerKit, demo: DemoFiles
) -> None:
    """A salary certificate, current when issued. Its person erased: the verification says it
    was issued (valid) but is no longer current, because of the erasure, naming the day and
    the legal basis in Thai and English; the name can no longer be checked (null, not a
    false "does not match"); the page says so; the reprint is a Thai 410 page naming
    ``person.erased``, while the Tak HR officer is told the code is unknown, as before."""
    record = uuid.uuid4()
    signers.emit(signers.hr, record, "RecordOpened", d.record(NAKHON_PHANOM_LAO, made_up_cid(992)))
    signers.emit(signers.hr, record, "EmploymentStarted", d.status_data("EmploymentStarted"))
    signers.emit(signers.hr, record, "PersonalDataRecorded", d.ENTRY_DATA["PersonalDataRecorded"])
    signers.emit(signers.hr, record, "PositionSalaryEntryAdded", d.salary_entry())
    issued = signers.emit(
        signers.hr, uuid.uuid4(), "CertificateIssued", d.certificate(record), date(2019, 5, 1)
    )
    code, name = issued.hash, {"name": "นายสมมติ ทดสอบ"}
    before = client.post(f"/verify/{code}", json=name).json()
    signers.emit(signers.hr, record, "PersonErased", d.ERASURE, effective=date(2020, 1, 10))

    after = client.post(f"/verify/{code}", json=name).json()
    page = client.post(f"/app/verify/{code}", data=name).text
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    reprint = client.get(f"/app/certificates/{code}.pdf")
    log_in(client, operator_key(demo, "hr-tak"))
    elsewhere = client.get(f"/app/certificates/{code}.pdf")

    assert (True, True, True) == (before["valid"], before["current"], before["name_matches"])
    assert (True, False, None) == (after["valid"], after["current"], after["name_matches"])
    assert "erased" == after["changed"][0]["code"]
    erasure = after["erasure"]
    assert ("2020-01-10", BASIS) == (erasure["on"], erasure["legal_basis"])
    assert "ถูกลบตามคำขอ" in erasure["th"]
    assert BASIS in erasure["th"]
    assert "erased on request" in erasure["en"]
    assert 'data-status="erased"' in page
    assert BASIS in page
    assert 'data-matches="unknown"' in page
    assert 410 == reprint.status_code
    assert "text/html" in reprint.headers["content-type"]
    assert "พิมพ์หนังสือรับรองนี้ไม่ได้" in reprint.text
    assert "person.erased" in reprint.text
    assert 404 == elsewhere.status_code
    assert "ถูกลบ" not in elsewhere.text
