"""Erasing a person by a signed ``PersonErased`` on both backends: the key is destroyed once the
event is appended, never by a refused one; afterwards the stream refuses statements and the
views show the person as erased."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.domain.rules import retirement_fiscal_year
from ledger.errors import InvalidDataError, UnseenStreamError
from ledger.processes import due_for_retirement, records_of
from ledger.settings import LedgerSettings
from ledger.vault import ErasedError, Vault
from projections.personal import ERASED
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests.card_stack import SoftHsmToken
from tests.integration.test_personal_views import NAME, _submit_v2
from tests.ledger_kit import LedgerKit, Operator, build_kit, record_data, v1_client
from tests.people import made_up_cid
from tests.vault_kit import kept_value, token_vault


@pytest.fixture(params=["key files", "softhsm sharded"])
def kit(request: pytest.FixtureRequest, backend_url: str, tmp_path: Path) -> Iterator[LedgerKit]:
    """An initialised ledger with a vault, an admin and HR officers: development key files, or
    a SoftHSM2 token's shard KEKs with a key database of their own (ledger.vault_shards)."""
    vault: dict[str, Any] = {"vault_key_dir": tmp_path / "vault-keys"}
    if request.param == "softhsm sharded":
        token: SoftHsmToken = request.getfixturevalue("softhsm")
        vault = token_vault(token, tmp_path / "keys.sqlite", shards=16)
    settings = LedgerSettings(database_url=backend_url, name=f"t{uuid.uuid4().hex[:12]}", **vault)
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def _person(kit: LedgerKit, n: int) -> uuid.UUID:
    """A v2 record with a name, in the kit's Nakhon Phanom LAO."""
    stream = uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", record_data(cid=made_up_cid(n)))
    _submit_v2(kit, stream, "PersonalDataRecorded", NAME)
    return stream


def _first_name(kit: LedgerKit, vault: Vault, stream: uuid.UUID) -> object:
    """The person's own first name as the vault keeps it (``ErasedError`` once erased)."""
    return kept_value(vault, kit.ledger, stream, "PersonalDataRecorded", "first_name")


def test_an_appended_erasure_destroys_the_key_and_a_refused_one_does_not(
    kit: LedgerKit,
) -> None:
    """The LAO's HR officer erases a person: the event is in the log, the key is gone, the
    stream takes no more statements and the registry shows the person erased; another LAO's
    HR officer is refused and the person's values stay readable; the DLA admin may erase."""
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    erased, kept, by_admin = _person(kit, 701), _person(kit, 702), _person(kit, 703)

    receipt = kit.emit(kit.hr, erased, "PersonErased", d.ERASURE)
    with pytest.raises(UnseenStreamError):  # outside its scope: not found, as if not there
        kit.emit(kit.other_hr, kept, "PersonErased", d.ERASURE)
    kit.emit(kit.admin, by_admin, "PersonErased", d.ERASURE)

    assert 3 == receipt.version
    assert "PersonErased" == kit.ledger.stream_events(erased)[-1].type
    for stream in (erased, by_admin):
        with pytest.raises(ErasedError):
            _first_name(kit, vault, stream)
    assert NAME["first_name"] == _first_name(kit, vault, kept)
    with pytest.raises(ErasedError):  # the ledger forgot its copy: the stream cannot replay
        kit.emit(kit.hr, erased, "NameChanged", {**NAME, "last_name": "ใหม่"})
    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        rows = {e.stream: e for e in Reports(projections).registry(EVERYWHERE).rows}
    assert (ERASED, ERASED) == (rows[str(erased)].cid, rows[str(erased)].first_name)
    assert NAME["first_name"] == rows[str(kept)].first_name


def test_ledger_person_erase_signs_the_erasure_and_the_key_goes(
    kit: LedgerKit, tmp_path: Path
) -> None:
    """``ledger person erase`` signs a PersonErased with the officer's key file and sends it:
    the key of the person goes; another LAO's officer is refused (exit 1, the key stays), and
    a record id that is not a UUID is refused before anything is signed."""
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    erased, kept = _person(kit, 711), _person(kit, 712)
    settings = kit.ledger.settings
    vault_env = {
        f"LEDGER_{name.upper()}": str(value)
        for name, value in settings.model_dump().items()
        if name.startswith("vault_") and value is not None and name != "vault_beside_sqlite"
    }
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **vault_env})
    common = ["--database-url", settings.database_url, "--name", settings.name]
    common += ["--legal-basis", d.ERASURE["legal_basis"], "--reason", d.ERASURE["reason"]]

    def erase(record: str, operator: Operator, key: str) -> Result:
        operator.signer.to_file(tmp_path / key)
        options = ["--key", str(tmp_path / key), "--cid", operator.cid]
        return runner.invoke(app, ["person", "erase", record, *common, *options])

    done = erase(str(erased), kit.hr, "hr.key")
    refused = erase(str(kept), kit.other_hr, "other.key")
    unreadable = erase("ไม่ใช่รหัส", kit.hr, "hr.key")

    assert 0 == done.exit_code, done.output
    assert 3 == json.loads(done.output)["version"]
    with pytest.raises(ErasedError):
        _first_name(kit, vault, erased)
    assert 1 == refused.exit_code
    assert NAME["first_name"] == _first_name(kit, vault, kept)
    assert 1 == unreadable.exit_code
    assert "not a record id" in unreadable.output


def test_the_processes_read_v2_records_and_skip_erased_ones(kit: LedgerKit) -> None:
    """Retirement scheduling finds a v2 record due by its birth date in the vault and skips an
    erased person's record, whose stream cannot be replayed; an LAO's records leave it out."""
    live, erased = _person(kit, 721), _person(kit, 722)
    for stream in (live, erased):
        kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    kit.emit(kit.hr, erased, "PersonErased", d.ERASURE)
    year = retirement_fiscal_year(date.fromisoformat(record_data()["birth_date"]))

    due = due_for_retirement(kit.ledger, year)
    held = records_of(kit.ledger, record_data()["lao"])

    assert [live] == [record.id for record in due]
    assert {live} == set(held)


def test_an_erasure_of_a_record_with_v1_values_is_refused_by_name(kit: LedgerKit) -> None:
    """A record whose v1 statements signed personal values (its v1 ``RecordOpened``, even with
    a v2 name after it) cannot be erased: refused by ``erasure.v1_values`` on ``stream``,
    naming the v1 versions; nothing appended, the key kept. A v2 record with a v1 entry that
    holds no personal field (an education) is erased."""
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    mixed, clean = uuid.uuid4(), _person(kit, 732)
    with v1_client(kit) as old:  # v1 personal values on a vault ledger: a transition period
        old.emit(old.hr, mixed, "RecordOpened", record_data(cid=made_up_cid(731)))
    _submit_v2(kit, mixed, "PersonalDataRecorded", NAME)
    kit.emit(kit.hr, clean, "EducationAdded", d.education())

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, mixed, "PersonErased", d.ERASURE)
    erased = kit.emit(kit.hr, clean, "PersonErased", d.ERASURE)

    (violation,) = refused.value.violations
    assert ("erasure.v1_values", "stream") == (violation.id, violation.field)
    assert ("1", "1") == (violation.details["count"], violation.details["versions"])
    assert "v1" in violation.th
    assert "v1" in violation.en
    assert 2 == kit.ledger.head(mixed)[0]
    assert NAME["first_name"] == _first_name(kit, vault, mixed)
    assert 4 == erased.version
    with pytest.raises(ErasedError) as closed:
        kit.emit(kit.hr, clean, "PersonErased", d.ERASURE)
    assert ["person.erased"] == [v.id for v in closed.value.violations]
