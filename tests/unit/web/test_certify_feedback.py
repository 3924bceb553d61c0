"""What the certification pages tell the signer around the signature: the state above the
receipt is the new one at once (an out-of-band swap in the same answer), records incomplete for
the KPI are named before signing, and a return's flagged records are named on the HR home."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.application import Ledger
from ledger.genesis import compose
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from tests.unit.web.demo_world import (
    CYCLE_STREAM,
    DEMO_TODAY,
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    make_returned,
    make_stale,
    operator_cid,
    operator_key,
    submit_as_hr,
)
from tests.unit.web.web_kit import (
    answer,
    log_in,
    page_request,
    server_request,
)
from web.certify import CoveredRecord
from web.rendering import build_environment

CYCLE_PAGE = f"/app/certify/{LAO}/2562"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """The web app over the demo's copy, its day pinned to 15 January 2563."""
    with demo_client(settings, ledger) as test_client:
        yield test_client


def _sign(client: TestClient, review: Response, signer: SoftwareSigner, target: str) -> Response:
    """Sign the review's request as the agent would and post it as signing.js does (htmx)."""
    assert 200 == review.status_code, review.text
    wire, _ = page_request(review.text)
    request = server_request(client, wire)
    return client.post(target, data=answer(request, wire, signer), headers=HTMX)


def _hr_review(client: TestClient) -> Response:
    page = client.get("/app/certification").text
    position = re.search(r'id="snapshot-position">(\d+)<', page)
    assert position is not None
    data = {"cycle": "2562", "position": position.group(1)}
    return client.post("/app/certification", data=data, headers=HTMX)


def _step(client: TestClient, action: str, **fields: object) -> Response:
    page = client.get(CYCLE_PAGE).text
    root = re.search(r'id="cycle-root" class="hash">([0-9a-f]{64})<', page)
    assert root is not None, "the cycle page shows no root"
    data = {"root": root.group(1), **fields}
    return client.post(f"{CYCLE_PAGE}/{action}", data=data, headers=HTMX)


def _out_of_band(html: str, element_id: str) -> str:
    """The element of the answer that replaces the page's element ``element_id``."""
    found = re.search(rf'<(\w+) id="{element_id}" hx-swap-oob="true">(.*?)</\1>', html, flags=re.S)
    assert found is not None, f"no out-of-band #{element_id} in the answer"
    return found.group(2)


def test_the_hr_receipt_refreshes_the_cycles_table(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """After the HR officer signs, the answer carries the cycles table with 2562 submitted."""
    make_returned(ledger, demo)
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    assert 'data-cycle="2562" data-state="draft"' in client.get("/app/certification").text

    response = _sign(client, _hr_review(client), hr, "/app/certification/signed")

    assert 201 == response.status_code, response.text
    table = _out_of_band(response.text, "cycles-block")
    assert 'data-cycle="2562" data-state="submitted"' in table, table
    assert 'id="cycles"' in table


def test_the_certifiers_receipt_refreshes_the_cycle_state(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """After the head returns, the answer carries the cycle's state as returned, not submitted."""
    make_stale(ledger, demo)
    submit_as_hr(ledger, demo)
    head = operator_key(demo, "head-nakhonphanom")
    log_in(client, head)
    assert 'id="cycle-state" data-state="submitted"' in client.get(CYCLE_PAGE).text
    review = _step(client, "lao-return", reason="ขาดวันลา", sections=["leave"])

    response = _sign(client, review, head, "/app/certify/signed")

    assert 201 == response.status_code, response.text
    state = _out_of_band(response.text, "cycle-state-group")
    assert 'id="cycle-state" data-state="draft"' in state


def test_without_htmx_the_receipt_is_a_page_without_out_of_band_parts(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A receipt asked for without JavaScript is a whole page: nothing to swap out of band."""
    make_returned(ledger, demo)
    hr = operator_key(demo, "hr-nakhonphanom")
    log_in(client, hr)
    wire, _ = page_request(_hr_review(client).text)

    response = client.post(
        "/app/certification/signed", data=answer(server_request(client, wire), wire, hr)
    )

    assert 201 == response.status_code
    assert "hx-swap-oob" not in response.text


def test_the_home_names_the_records_a_return_flags(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The head returns naming one record: the HR home names that person, linked to the record."""
    make_stale(ledger, demo)
    submit_as_hr(ledger, demo)
    snapshot = ledger.snapshot(LAO)
    assert snapshot is not None
    flagged = str(snapshot.leaves[0].stream)
    data = {"sections": ["leave"], "reason": "วันลาไม่ครบ", "records": [flagged]}
    signed = compose(
        ledger,
        stream=CYCLE_STREAM,
        type="LaoDataReturned",
        data=data,
        signer=operator_key(demo, "head-nakhonphanom"),
        cid=operator_cid("head-nakhonphanom"),
        effective=DEMO_TODAY,
    )
    ledger.submit(signed.canonical, signed.signature)
    log_in(client, operator_key(demo, "hr-nakhonphanom"))

    html = client.get("/app/").text

    returned = re.search(r'<li class="todo-returned" data-cycle="2562">(.*?)</li>', html, re.S)
    assert returned is not None
    links = re.findall(
        r'<a class="returned-record" data-stream="([^"]+)" href="([^"]+)">([^<]+)</a>',
        returned.group(1),
    )
    assert [(flagged, f"/app/records/{flagged}")] == [link[:2] for link in links]
    name = client.get(f"/app/records/{flagged}").text
    assert links[0][2] in name
    assert not links[0][2].startswith("ทะเบียน ")


def _warned(html: str) -> list[str]:
    """The streams the before-signing warning lists."""
    warning = re.search(r'<div id="incomplete-warning"(.*?)</div>', html, flags=re.S)
    assert warning is not None, "no warning about incomplete records"
    assert "ยังไม่ครบถ้วนตามตัวชี้วัด" in warning.group(1)
    return re.findall(r'<li class="incomplete-record" data-stream="([^"]+)"', warning.group(1))


def test_the_submission_review_warns_of_incomplete_records(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The HR review before signing lists, in Thai, each record the page shows as incomplete."""
    make_returned(ledger, demo)
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    page = client.get("/app/certification").text
    incomplete = re.findall(
        r'<tr data-stream="([^"]+)">(?:(?!</tr>).)*class="record-missing"', page, flags=re.S
    )
    assert incomplete, "the demo has records incomplete for the KPI"

    review = _hr_review(client).text

    assert sorted(incomplete) == sorted(_warned(review))
    assert "ลงนามได้" in review
    assert review.index('id="incomplete-warning"') < review.index('id="sign-button"')


def test_the_certifiers_page_warns_of_incomplete_records(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The head's cycle page lists the incomplete records above the steps to sign."""
    make_stale(ledger, demo)
    submit_as_hr(ledger, demo)
    log_in(client, operator_key(demo, "head-nakhonphanom"))

    page = client.get(CYCLE_PAGE).text

    incomplete = re.findall(
        r'<tr data-stream="([^"]+)">(?:(?!</tr>).)*class="record-missing"', page, flags=re.S
    )
    assert incomplete
    assert sorted(incomplete) == sorted(_warned(page))
    assert page.index('id="incomplete-warning"') < page.index('id="step-area"')


def test_the_warning_names_an_unnamed_record_and_is_absent_when_all_are_complete() -> None:
    """A record without a name is listed as such; a complete, named snapshot gets no warning."""
    template = build_environment().get_template("_incomplete_warning.html")
    unnamed = CoveredRecord(UUID(int=7), 3, "ab" * 32, None, ())
    named = CoveredRecord(UUID(int=8), 2, "cd" * 32, "นายสมมุติ ทดสอบ", ())

    warned = template.render(lang="th", records=[unnamed, named], names=True)
    quiet = template.render(lang="th", records=[named], names=True)

    assert f'data-stream="{UUID(int=7)}"' in warned
    assert "(ยังไม่มีชื่อ)" in warned
    assert f'data-stream="{UUID(int=8)}"' not in warned
    assert "incomplete-warning" not in quiet
