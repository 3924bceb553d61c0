"""A search by citizen ID or name over v2 records, run with no vault (PostgreSQL has none
beside it by default), is refused naming ``search.vault_needed`` in Thai and English (the API
503, the command exit 1), never answered "พบ 0 คน"; v1 records alone still search without one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.conftest import NO_VAULT, NO_VAULT_ENV
from tests.ledger_kit import LedgerKit, build_kit, record_data, vault_settings
from tests.people import made_up_cid
from tests.unit.api.http_kit import login
from tests.unit.web.web_kit import ORIGIN, SESSION_SECRET, log_in
from web.app import create_web_app

CID = made_up_cid(911)
NAME = {"prefix": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดีทดสอบ"}


@pytest.fixture
def kit(backend_url: str, tmp_path: Path) -> Iterator[LedgerKit]:
    """A ledger with a vault holding one v2 record, named."""
    ledger = Ledger(vault_settings(backend_url, tmp_path))
    made = build_kit(ledger)
    stream = uuid.uuid4()
    made.emit_v2(made.hr, stream, "RecordOpened", record_data(cid=CID))
    made.emit_v2(made.hr, stream, "PersonalDataRecorded", NAME)
    yield made
    ledger.close()


def _vaultless(kit: LedgerKit) -> LedgerSettings:
    """The same ledger's settings with no vault at all (served from the web tests' origin)."""
    settings = kit.ledger.settings
    return LedgerSettings.model_validate(
        {"database_url": settings.database_url, "name": settings.name, "web_origin": ORIGIN,
         "session_secret": SESSION_SECRET} | NO_VAULT
    )  # fmt: skip


def test_the_api_refuses_a_search_it_cannot_run(kit: LedgerKit) -> None:
    """Both searches, GET and POST, are 503 with the rule, not an empty page."""
    with TestClient(create_app(_vaultless(kit))) as client:
        hr = login(client, kit.hr)
        by_cid = client.post("/records/search", json={"cid": CID}, headers=hr)
        by_name = client.get("/records", params={"name": "สมหญิง"}, headers=hr)

    for refused in (by_cid, by_name):
        assert 503 == refused.status_code, refused.text
        assert "search.vault_needed" == refused.json()["errors"][0]["rule"]
        assert "vault" in refused.json()["errors"][0]["th"]
    assert CID not in by_cid.text


def test_the_command_says_the_vault_is_needed(kit: LedgerKit) -> None:
    """``ledger record find`` exits 1 with the rule in Thai and English, no count."""
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **NO_VAULT_ENV})
    settings = kit.ledger.settings
    options = ["--database-url", settings.database_url, "--name", settings.name]

    by_name = runner.invoke(app, ["record", "find", "--person", "สมหญิง", *options])
    by_cid = runner.invoke(app, ["record", "find", "--cid", CID, *options])

    for refused in (by_name, by_cid):
        assert 1 == refused.exit_code, refused.output
        assert "[search.vault_needed]" in refused.output
        assert "ห้องเก็บข้อมูลส่วนบุคคล" in refused.output
        assert "พบ" not in refused.output
        assert "Traceback" not in refused.output


def test_with_the_vault_the_same_searches_find_her(kit: LedgerKit) -> None:
    """The ledger's own settings (its vault) find the person by either."""
    with TestClient(create_app(kit.ledger.settings)) as client:
        hr = login(client, kit.hr)
        by_cid = client.post("/records/search", json={"cid": CID}, headers=hr)
        by_name = client.post("/records/search", json={"name": "สมหญิง"}, headers=hr)

    assert [1, 1] == [by_cid.json()["total"], by_name.json()["total"]]


def test_the_search_page_says_so_beside_the_box(kit: LedgerKit) -> None:
    """The web search shows the rule beside the box in Thai, no count of people."""
    app_ = create_web_app(_vaultless(kit))
    with TestClient(app_, base_url=ORIGIN, headers={"Origin": ORIGIN}) as client:
        log_in(client, kit.hr.signer)
        page = client.post("/app/records", data={"q": "สมหญิง"})

    assert 'id="search-error"' in page.text
    assert "search.vault_needed" in page.text
    assert "พบ 0 คน" not in page.text
