"""One field of a v2 record proven to a third party: the disclosure file exported through the
API (``GET /records/{id}/disclosure``, ``ledger person disclose``) by a reader whose roles read
the field, logged; checked offline against a trusted key or an audit bundle (``ledger audit
check-disclosure``), and refused for a tampered file, an untrusted key, a reader without the
right, another LAO, and once the person is erased."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import cli.person
from api.app import create_app
from cli.api_client import LedgerClient
from cli.main import app
from ledger.application import Ledger
from ledger.disclosure_files import check_disclosure_file
from ledger.domain.permissions import Role, Scope
from ledger.settings import LedgerSettings
from projections.access_log import AccessLog
from tests import domain_data as d
from tests.integration.test_personal_views import NAME, _submit_v2
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.unit.api.http_kit import login, problem

CID = made_up_cid(811)
ENDPOINT = "GET /records/{stream_id}/disclosure"


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[LedgerKit]:
    """A ledger on SQLite with a vault of development key files."""
    settings = LedgerSettings(
        database_url=f"sqlite:///{tmp_path / 'ledger.db'}",
        name="disclosures",
        vault_key_dir=tmp_path / "vault-keys",
    )
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


@pytest.fixture
def record(kit: LedgerKit) -> uuid.UUID:
    """A v2 record: opened (version 1), named (2), a year's sick leave (3, health data)."""
    stream = uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", record_data(cid=CID))
    _submit_v2(kit, stream, "PersonalDataRecorded", NAME)
    _submit_v2(kit, stream, "LeaveYearSummarised", d.ENTRY_DATA["LeaveYearSummarised"])
    return stream


def _get(client: TestClient, stream: uuid.UUID, headers: dict[str, str], **query: Any) -> Any:
    return client.get(f"/records/{stream}/disclosure", params=query, headers=headers)


def test_a_disclosure_proves_one_field_offline(kit: LedgerKit, record: uuid.UUID) -> None:
    """The HR officer exports the citizen ID of the record's opening: it checks under the
    officer's key, its read is logged; a changed value, salt or path, or another key, fails."""
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        answer = _get(client, record, login(client, kit.hr), event=1, path="cid")
    document = answer.json()
    keys = {kit.hr.signer.key_id: kit.hr.signer.public_key}

    checked = check_disclosure_file(document, keys)

    assert 200 == answer.status_code
    assert checked.ok, checked.problems
    assert (CID, "cid", 1, str(record)) == (
        checked.value,
        checked.path,
        checked.event,
        checked.record,
    )
    assert CID not in json.dumps({k: v for k, v in document.items() if k != "value"})
    log = AccessLog(kit.ledger.settings.database_url, kit.ledger.name)
    try:
        entries = log.of_records([record])
    finally:
        log.close()
    assert [(ENDPOINT, ("personal",))] == [(e.endpoint, e.kinds) for e in entries]
    for changed in (
        {"value": made_up_cid(812)},
        {"salt": "A" * 43 + "="},
        {"path": "birth_date"},
        {"event": 2},
    ):
        assert not check_disclosure_file({**document, **changed}, keys).ok, changed
    other = {kit.other_hr.signer.key_id: kit.other_hr.signer.public_key}
    assert not check_disclosure_file(document, other).ok
    assert not check_disclosure_file(document, {}).ok


def test_disclosures_follow_the_read_matrix(kit: LedgerKit, record: uuid.UUID) -> None:
    """A health field needs health rights (403 for the province's officer, who reads the
    record's personal fields); another LAO's officer gets 404, nobody signed in 401; a path
    with no commitment is a 400 naming the rule; an erased person's values are gone (410)."""
    province = kit.operator([Role.PROVINCIAL_OFFICER], Scope(level="province", province="นครพนม"))
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        hr, officer = login(client, kit.hr), login(client, province)
        leave_by_hr = _get(client, record, hr, event=3, path="sick_times")
        leave_by_province = _get(client, record, officer, event=3, path="sick_times")
        name_by_province = _get(client, record, officer, event=2, path="first_name")
        elsewhere = _get(client, record, login(client, kit.other_hr), event=1, path="cid")
        anonymous = _get(client, record, {}, event=1, path="cid")
        not_personal = _get(client, record, hr, event=1, path="lao")
        no_event = _get(client, record, hr, event=9, path="cid")
        kit.emit(kit.hr, record, "PersonErased", d.ERASURE)
        erased = _get(client, record, hr, event=1, path="cid")

    assert 200 == leave_by_hr.status_code
    assert 2 == leave_by_hr.json()["value"]
    assert 403 == leave_by_province.status_code
    assert 200 == name_by_province.status_code
    assert 404 == elsewhere.status_code
    assert 401 == anonymous.status_code
    assert (400, "bad-query") == problem(not_personal)
    assert "personal.no_commitment" == not_personal.json()["errors"][0]["rule"]
    assert 400 == no_event.status_code
    assert (410, "person-erased") == problem(erased)


def test_the_commands_export_and_check_a_disclosure(
    kit: LedgerKit, record: uuid.UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ledger person disclose`` writes the file through the API with the officer's key;
    ``ledger audit check-disclosure`` verifies it with the officer's public key, or with an
    audit bundle of the record that holds the event, and exits 1 on a changed file."""
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
    kit.hr.signer.to_file(tmp_path / "hr.key")
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        bundle = client.get(f"/bundles/record/{record}", headers=login(client, kit.admin))

        def through_test_client(server: str) -> LedgerClient:
            connected = LedgerClient(server)
            connected._http = client  # the app in this process, not a socket
            return connected

        monkeypatch.setattr(cli.person, "LedgerClient", through_test_client)
        exported = runner.invoke(app, [
            "person", "disclose", str(record), "first_name", "--event", "2",
            "--server", "http://testserver", "--key", str(tmp_path / "hr.key"),
            "--output", str(tmp_path / "name.json"),
        ])  # fmt: skip
    (tmp_path / "record.bundle").write_bytes(bundle.content)
    check = ["audit", "check-disclosure", str(tmp_path / "name.json")]
    by_key = runner.invoke(app, [*check, "--public-key", kit.hr.signer.public_key.hex()])
    by_bundle = runner.invoke(app, [*check, "--bundle", str(tmp_path / "record.bundle")])
    untrusted = runner.invoke(app, check)
    strict = runner.invoke(
        app, ["audit", "verify", "--bundle", str(tmp_path / "record.bundle"), "--strict"]
    )
    document = json.loads((tmp_path / "name.json").read_text(encoding="utf-8"))
    (tmp_path / "changed.json").write_text(json.dumps({**document, "value": "สมชาย"}))
    changed = runner.invoke(
        app,
        ["audit", "check-disclosure", str(tmp_path / "changed.json"), "--public-key",
         kit.hr.signer.public_key.hex()],
    )  # fmt: skip

    assert 0 == exported.exit_code, exported.output
    assert 0 == by_key.exit_code, by_key.output
    assert 'first_name = "สมหญิง"' in by_key.output
    assert 0 == by_bundle.exit_code, by_bundle.output
    assert 0 == strict.exit_code, strict.output  # the v2 record's commitments are well formed
    assert 1 == untrusted.exit_code
    assert "no trusted public key" in untrusted.output
    assert 1 == changed.exit_code
    assert "do not give the signed commitment" in changed.output


def test_the_commands_refusal_names_its_rule_without_backslashes(
    kit: LedgerKit, record: uuid.UUID, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ledger person disclose`` of a path with no commitment prints the rule as
    ``ledger submit`` does, ``[personal.no_commitment]``, not ``\\[personal.no_commitment]``."""
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
    kit.hr.signer.to_file(tmp_path / "hr.key")
    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:

        def through_test_client(server: str) -> LedgerClient:
            connected = LedgerClient(server)
            connected._http = client  # the app in this process, not a socket
            return connected

        monkeypatch.setattr(cli.person, "LedgerClient", through_test_client)
        refused = runner.invoke(app, [
            "person", "disclose", str(record), "category", "--event", "1",
            "--server", "http://testserver", "--key", str(tmp_path / "hr.key"),
        ])  # fmt: skip

    assert 1 == refused.exit_code
    assert "[personal.no_commitment]" in refused.output
    assert "\\[" not in refused.output
