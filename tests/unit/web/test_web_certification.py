"""Submitting the demo LAO's data for certification from the browser: the page shows the
snapshot the ledger computes, the review carries a sign request, and the statement signed by a
software key standing in for the agent lands in the log; forged or foreign answers are refused."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.demo import day as demo_day
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.settings import LedgerSettings
from tests.unit.web.demo_world import (
    CYCLE_STREAM,
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    make_returned,
    make_stale,
    operator_key,
)
from tests.unit.web.web_kit import (
    answer,
    log_in,
    page_request,
    server_request,
)


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """The web app over the demo's copy, its day pinned to 15 January 2563."""
    with demo_client(settings, ledger) as test_client:
        yield test_client


def _review(client: TestClient) -> str:
    """Open the page, then ask for the review of the snapshot it shows."""
    page = client.get("/app/certification").text
    position = re.search(r'id="snapshot-position">(\d+)<', page)
    assert position is not None
    return client.post(
        "/app/certification", data={"cycle": "2562", "position": position.group(1)}
    ).text


def test_the_page_shows_the_snapshot_the_ledger_computes(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A stale cycle may be submitted: the root, count and position are the ledger's own, and
    every covered record is listed by name with what it lacks."""
    make_stale(ledger, demo)
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/certification").text

    snapshot = ledger.snapshot(LAO)
    assert snapshot is not None
    assert f'id="snapshot-root" class="hash">{snapshot.root}<' in html
    assert f'id="snapshot-count">{snapshot.record_count}<' in html
    assert snapshot.record_count == len(re.findall(r'<tr data-stream="', html))
    assert "นางสาวลองดู สมมุติสุข" in html
    assert "ประวัติการศึกษา" in html
    assert 'data-state="stale"' in html


def test_a_submission_signed_for_the_agent_lands_in_the_log(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """Review, sign with the officer's key (the agent's part), post the answer: 201, the
    LaoDataSubmitted is the cycle's head, signed by that key, and the home page shows it."""
    make_returned(ledger, demo)
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    wire, _ = page_request(_review(client))
    request = server_request(client, wire)

    response = client.post("/app/certification/signed", data=answer(request, wire, hr))

    assert 201 == response.status_code, response.text
    assert 'id="certify-receipt"' in response.text
    head = ledger.stream_events(CYCLE_STREAM)[-1]
    assert "LaoDataSubmitted" == head.type
    assert hr.key_id == json.loads(head.statement)["signer"]["key"]
    assert head.hash in response.text
    assert 'data-state="submitted"' in client.get("/app/").text


def test_a_replayed_answer_is_refused(client: TestClient, ledger: Ledger, demo: DemoFiles) -> None:
    """The same answer twice: the second is refused (its nonce is spent), nothing appended."""
    make_stale(ledger, demo)
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    wire, _ = page_request(_review(client))
    signed = answer(server_request(client, wire), wire, hr)
    assert 201 == client.post("/app/certification/signed", data=signed).status_code
    count = len(ledger.stream_events(CYCLE_STREAM))

    again = client.post("/app/certification/signed", data=signed)

    assert 403 == again.status_code
    assert "ใช้ไปแล้ว" in again.text
    assert count == len(ledger.stream_events(CYCLE_STREAM))


def test_another_key_signing_is_refused(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A statement signed by a key other than the logged-in one is refused in Thai and
    English."""
    make_stale(ledger, demo)
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    wire, _ = page_request(_review(client))
    other = operator_key(demo, "head-nakhonphanom")

    response = client.post(
        "/app/certification/signed", data=answer(server_request(client, wire), wire, other)
    )

    assert 400 <= response.status_code < 500
    assert 'id="certify-refusal"' in response.text


def test_the_returned_round_is_offered_and_a_certified_cycle_is_not(
    client: TestClient, demo: DemoFiles
) -> None:
    """As loaded, the demo's round 2561 (returned by the LAO head) is the one to submit; the
    cycle verified by the province is not offered, and a forced POST of it is a refusal."""
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    page = client.get("/app/certification").text
    forced = client.post("/app/certification", data={"cycle": "2562", "position": "5"})

    assert f'id="snapshot-cycle">{demo_day.RETURNED_ROUND}<' in page
    assert 'id="nothing-to-submit"' not in page
    assert 409 == forced.status_code
    assert "data-sign-wire" not in forced.text


def test_the_returned_round_is_submitted_at_once(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """No command first: review round 2561, sign, and its LaoDataSubmitted is that cycle's
    head; the home page no longer lists its return."""
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    page = client.get("/app/certification").text
    position = re.search(r'id="snapshot-position">(\d+)<', page)
    assert position is not None
    review = client.post(
        "/app/certification",
        data={"cycle": demo_day.RETURNED_ROUND, "position": position.group(1)},
    )
    wire, _ = page_request(review.text)

    response = client.post(
        "/app/certification/signed", data=answer(server_request(client, wire), wire, hr)
    )

    assert 201 == response.status_code, response.text
    stream = certification_stream_id(LAO, demo_day.RETURNED_ROUND)
    assert "LaoDataSubmitted" == ledger.stream_events(stream)[-1].type
    assert demo_day.RETURN_REASON not in client.get("/app/").text


def test_only_the_lao_hr_officer_has_the_page(client: TestClient, demo: DemoFiles) -> None:
    """The LAO head is refused with a 403 page in Thai."""
    log_in(client, operator_key(demo, "head-nakhonphanom"))

    response = client.get("/app/certification")

    assert 403 == response.status_code
    assert "บทบาทหรือขอบเขตไม่มีสิทธิ์" in response.text
