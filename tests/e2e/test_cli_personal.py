"""``ledger submit`` writes statement v2 (docs/personal-data.md): a record's personal values
are committed, sent beside the statement and kept in the vault, never in the events table; on
both backends, to the database and over the API. ``--format v1`` serves a ledger with no
vault; a v2 statement sent to one is refused by name, with what to do."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.domain.personnel import PersonnelRecord
from ledger.errors import StreamNotFoundError
from ledger.settings import LedgerSettings
from tests.cli_steps import enrol_hr
from tests.people import ADMIN_CID, HR_CID, made_up_cid
from tests.raw_rows import found_in_clear
from tests.served_api import UVICORN, listening, wait_for_health

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})

NAME = {"prefix": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดีทดสอบ"}
BIRTH = "1975-01-15"


@dataclass(frozen=True)
class CliLedger:
    """A ledger made with ``ledger init``, its LAO registered and its HR officer enrolled."""

    url: str
    name: str
    keys: Path
    vault: Path | None

    @property
    def options(self) -> list[str]:
        return ["--database-url", self.url, "--name", self.name]

    @property
    def settings(self) -> LedgerSettings:
        return LedgerSettings(database_url=self.url, name=self.name, vault_key_dir=self.vault)


def _made(url: str, keys: Path, monkeypatch: pytest.MonkeyPatch, *, vault: bool) -> CliLedger:
    """The ledger, with a key-file vault (LEDGER_VAULT_KEY_DIR) or none at all."""
    folder = keys / "vault-keys" if vault else None
    if folder is not None:
        monkeypatch.setenv("LEDGER_VAULT_KEY_DIR", str(folder))
    else:
        monkeypatch.delenv("LEDGER_VAULT_KEY_DIR", raising=False)
        monkeypatch.setenv("LEDGER_VAULT_BESIDE_SQLITE", "false")  # no vault beside the file
    made = CliLedger(url, f"cli{uuid.uuid4().hex[:10]}", keys, folder)
    result = runner.invoke(
        app,
        [
            "init", *made.options, "--system-key", str(keys / "system.key"),
            "--admin-cid", ADMIN_CID, "--admin-key", str(keys / "admin.key"),
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    enrol_hr(runner, made.options, keys, ADMIN_CID, HR_CID)
    return made


@pytest.fixture
def vaulted(backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliLedger:
    return _made(backend_url, tmp_path, monkeypatch, vault=True)


@pytest.fixture
def vaultless(backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliLedger:
    return _made(backend_url, tmp_path, monkeypatch, vault=False)


@contextmanager
def _sent_to(made: CliLedger, where: str, tmp_path: Path) -> Iterator[list[str]]:
    """The options that send a statement: to the database, or to the ledger's API served by
    uvicorn (with the same vault settings, read from the environment)."""
    if where == "database":
        yield made.options
        return
    env = {**os.environ, "LEDGER_DATABASE_URL": made.url, "LEDGER_NAME": made.name}
    with listening(UVICORN, env, tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        yield ["--server", url]


def _submit(made: CliLedger, target: list[str], body: dict[str, Any], *extra: str) -> Any:
    path = made.keys / f"{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    key = str(made.keys / "hr.key")
    return runner.invoke(app, ["submit", str(path), *target, "--key", key, "--cid", HR_CID, *extra])


def _opening(stream: uuid.UUID, cid: str) -> dict[str, Any]:
    data = {"cid": cid, "category": "official", "lao": "6480101", "province": "นครพนม"}
    return {
        "stream": str(stream),
        "type": "RecordOpened",
        "effective": "01/04/2562",
        "data": data | {"birth_date": "๑๕/๐๑/๒๕๑๘"},
    }


def _named(stream: uuid.UUID) -> dict[str, Any]:
    return {"stream": str(stream), "type": "PersonalDataRecorded", "data": dict(NAME)}


def _statements(made: CliLedger, stream: uuid.UUID) -> list[dict[str, Any]]:
    ledger = Ledger(made.settings)
    try:
        return [json.loads(event.statement) for event in ledger.stream_events(stream)]
    except StreamNotFoundError:
        return []
    finally:
        ledger.close()


def _record(made: CliLedger, stream: uuid.UUID) -> PersonnelRecord:
    ledger = Ledger(made.settings)
    try:
        record = ledger.aggregate(stream)
    finally:
        ledger.close()
    assert isinstance(record, PersonnelRecord)
    return record


@pytest.mark.parametrize("where", ["database", "server"])
def test_submit_writes_v2_and_the_events_hold_no_personal_value(
    vaulted: CliLedger, tmp_path: Path, where: str
) -> None:
    """A record opened and named with ``ledger submit`` is signed v2: the statements hold
    commitments, the events table holds neither the citizen ID, the birth date nor the Thai
    name, and the record reads back with its values (from the vault)."""
    stream, cid = uuid.uuid4(), made_up_cid(601)

    with _sent_to(vaulted, where, tmp_path) as target:
        opened = _submit(vaulted, target, _opening(stream, cid))
        named = _submit(vaulted, target, _named(stream))
    statements = _statements(vaulted, stream)
    record = _record(vaulted, stream)
    found = runner.invoke(
        app,
        [
            "record",
            "find",
            "--name",
            "สมหญิง",
            "--database-url",
            vaulted.url,
            "--ledger",
            vaulted.name,
        ],
    )

    assert 0 == opened.exit_code, opened.output
    assert 0 == named.exit_code, named.output
    assert [2, 2] == [statement["v"] for statement in statements]
    assert {"commitment"} == set(statements[0]["data"]["cid"])
    assert {"commitment"} == set(statements[1]["data"]["first_name"])
    assert [] == found_in_clear(vaulted.settings, cid, BIRTH, *NAME.values())
    assert (cid, BIRTH) == (record.cid, record.birth_date.isoformat())
    assert 0 == found.exit_code, found.output
    assert "นางสาวสมหญิง ใจดีทดสอบ" in found.output
    assert str(stream) in found.output


def test_a_statement_with_no_personal_value_is_signed_v1(
    vaulted: CliLedger, tmp_path: Path
) -> None:
    """An entry whose type declares no personal field commits nothing: it is signed v1."""
    stream = uuid.uuid4()
    _submit(vaulted, vaulted.options, _opening(stream, made_up_cid(602)))
    education = {
        "stream": str(stream),
        "type": "EducationAdded",
        "data": {
            "institution": "มหาวิทยาลัยขอนแก่น",
            "qualification": "ศศ.บ.",
            "finished": "31/03/2540",
        },
    }

    result = _submit(vaulted, vaulted.options, education)

    assert 0 == result.exit_code, result.output
    assert [2, 1] == [statement["v"] for statement in _statements(vaulted, stream)]


@pytest.mark.parametrize("where", ["database", "server"])
def test_v2_to_a_ledger_without_a_vault_is_refused_by_name(
    vaultless: CliLedger, tmp_path: Path, where: str
) -> None:
    """A ledger with no vault refuses the v2 statement (``personal.no_vault``): exit 1, the
    message says what to do (a vault, or --format v1), no traceback, nothing appended; the same
    draft with ``--format v1`` lands, its values in clear."""
    stream, cid = uuid.uuid4(), made_up_cid(603)

    with _sent_to(vaultless, where, tmp_path) as target:
        refused = _submit(vaultless, target, _opening(stream, cid))
        appended = _statements(vaultless, stream)
        landed = _submit(vaultless, target, _opening(stream, cid), "--format", "v1")
    statements = _statements(vaultless, stream)

    assert 1 == refused.exit_code
    assert "personal.no_vault" in refused.output
    assert "--format v1" in refused.output
    assert "LEDGER_VAULT_KEY_DIR" in refused.output
    assert "Traceback" not in refused.output
    assert [] == appended
    assert 0 == landed.exit_code, landed.output
    assert [(1, cid)] == [(statement["v"], statement["data"]["cid"]) for statement in statements]


def test_a_draft_holding_a_commitment_is_refused_before_signing(
    vaulted: CliLedger, tmp_path: Path
) -> None:
    """A commitment copied into a draft cannot be signed again: the officer writes the value."""
    body = _opening(uuid.uuid4(), made_up_cid(604))
    body["data"]["cid"] = {"commitment": "ab" * 32}

    result = _submit(vaulted, vaulted.options, body)

    assert 1 == result.exit_code
    assert "data.cid" in result.output
    assert "write the value" in result.output


def test_replay_shows_a_v2_record_with_its_values(
    vaulted: CliLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ledger replay record`` replays a v2 record with its values read from the vault; with
    no vault configured it says so, exit 1, no traceback."""
    stream, cid = uuid.uuid4(), made_up_cid(605)
    _submit(vaulted, vaulted.options, _opening(stream, cid))
    _submit(vaulted, vaulted.options, _named(stream))

    shown = runner.invoke(app, ["replay", "record", str(stream), "--json", *vaulted.options])
    monkeypatch.delenv("LEDGER_VAULT_KEY_DIR")
    monkeypatch.setenv("LEDGER_VAULT_BESIDE_SQLITE", "false")
    blind = runner.invoke(app, ["replay", "record", str(stream), *vaulted.options])

    assert 0 == shown.exit_code, shown.output
    state = json.loads(shown.stdout)["state"]
    assert (cid, BIRTH) == (state["cid"], state["birth_date"])
    assert NAME["first_name"] == state["entries"]["2"]["data"]["first_name"]
    assert 1 == blind.exit_code
    assert "LEDGER_VAULT_KEY_DIR" in blind.output
    assert "Traceback" not in blind.output


def test_v1_to_a_ledger_with_a_vault_is_refused_by_name(vaulted: CliLedger) -> None:
    """A ledger with a vault keeps personal values only there: ``--format v1`` is refused
    (``personal.v1_in_clear``), the message says to sign v2, nothing appended."""
    stream = uuid.uuid4()

    result = _submit(vaulted, vaulted.options, _opening(stream, made_up_cid(606)), "--format", "v1")

    assert 1 == result.exit_code
    assert "personal.v1_in_clear" in result.output
    assert "leave out --format v1" in result.output
    assert [] == _statements(vaulted, stream)
