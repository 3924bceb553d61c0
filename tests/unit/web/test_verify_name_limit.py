"""The public certificate check's name tries are limited: per certificate and per client
address (``api.name_checks``, counted in the database by ``projections.name_checks``), answered
429 with Retry-After and the rule ``certificate.name_checks`` in Thai and English, never the
holder's name; a verification without a name is not counted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.name_checks import PER_CODE, WINDOW
from projections.name_checks import Limit, NameChecks
from tests.ledger_kit import LedgerKit
from tests.unit.web.html_check import page_problems
from tests.unit.web.pdf_kit import person_record
from tests.unit.web.test_certificates import FORM, NAME, _issue
from tests.unit.web.web_kit import log_in

WRONG = "นายสมมติ ทดสอบ"


@pytest.fixture
def code(client: TestClient, kit: LedgerKit) -> str:
    """A salary certificate's verification code; the client then has no login."""
    log_in(client, kit.hr.signer)
    issued = _issue(client, kit, person_record(kit), FORM)
    client.cookies.clear()
    return issued


def test_the_api_refuses_the_sixth_name_try_of_a_certificate(client: TestClient, code: str) -> None:
    tries = [client.get(f"/verify/{code}", params={"name": WRONG}) for _ in range(PER_CODE - 1)]
    tries.append(client.get(f"/verify/{code}", params={"name": NAME}))
    refused = client.get(f"/verify/{code}", params={"name": NAME})
    plain = client.get(f"/verify/{code}")

    assert [200] * PER_CODE == [answer.status_code for answer in tries]
    assert tries[-1].json()["name_matches"] is True
    assert 429 == refused.status_code
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    problem = refused.json()
    assert "certificate.name_checks" == problem["rule"]
    assert "ตรวจชื่อบ่อยเกินไป" in problem["errors"][0]["th"]
    assert "too many name checks" in problem["errors"][0]["en"]
    assert "name_matches" not in refused.text
    assert "น้ำฝน" not in refused.text
    assert 200 == plain.status_code  # the certificate itself still verifies


def test_the_page_shows_the_refusal_by_the_name_box(client: TestClient, code: str) -> None:
    """Past the limit the page still shows the certificate, the rule by the name box (Thai;
    English on request), no answer about the name, a 429 with Retry-After."""
    for _ in range(PER_CODE):
        assert 200 == client.get(f"/app/verify/{code}", params={"name": WRONG}).status_code
    refused = client.get(f"/app/verify/{code}", params={"name": NAME})
    client.cookies.set("lang", "en")
    english = client.get(f"/app/verify/{code}", params={"name": NAME})

    assert 429 == refused.status_code
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    box = re.search(r'id="verify-name-refusal".*?</div>', refused.text, re.S)
    assert box is not None
    assert "ตรวจชื่อบ่อยเกินไป" in box.group(0)
    assert "certificate.name_checks" in box.group(0)
    assert 'data-status="current"' in refused.text
    assert "data-matches" not in refused.text
    assert "น้ำฝน" not in refused.text.replace(f'value="{NAME}"', "")  # only as typed
    assert [] == page_problems(refused.text)
    assert 429 == english.status_code
    assert "too many name checks" in english.text


def test_the_count_per_key_and_its_window(tmp_path: Path) -> None:
    """Each limit counts its own key; a refused try is not counted; the wait is until the
    oldest try leaves the window, after which tries are admitted again."""
    now = [1_000_000.0]
    checks = NameChecks(f"sqlite:///{tmp_path}/checks.sqlite", "test", clock=lambda: now[0])
    client = Limit("client:192.0.2.1", 3, 600)
    try:
        for second in range(3):
            now[0] += second
            assert checks.admit((Limit("code:a", 5, 600), client)) is None
        refused = checks.admit((Limit("code:b", 5, 600), client))
        other = checks.admit((Limit("code:b", 5, 600), Limit("client:192.0.2.2", 3, 600)))
        now[0] += 600 - 3 + 1  # the first try has left the window
        again = checks.admit((Limit("code:c", 5, 600), client))
    finally:
        checks.close()

    assert refused is not None
    assert (client, 597) == (refused.limit, refused.wait)
    assert other is None
    assert again is None


def test_the_name_is_checked_by_post_and_counted(client: TestClient, code: str) -> None:
    """The page's name box posts; the page's and the API's POSTs answer the name check with the
    name out of the URL, and count against the same limit as ``?name=``."""
    page = client.get(f"/app/verify/{code}").text
    posted = client.post(f"/app/verify/{code}", data={"name": NAME})
    api = client.post(f"/verify/{code}", json={"name": WRONG})
    for _ in range(PER_CODE - 2):
        client.get(f"/verify/{code}", params={"name": WRONG})
    refused = client.post(f"/verify/{code}", json={"name": NAME})

    form = re.search(r'<form[^>]*id="verify-name-form"[^>]*>', page)
    assert form is not None
    assert 'method="post"' in form.group(0)
    assert (200, "") == (posted.status_code, posted.url.query.decode())
    assert 'data-matches="true"' in posted.text
    assert [] == page_problems(posted.text)
    assert api.json()["name_matches"] is False
    assert 429 == refused.status_code
