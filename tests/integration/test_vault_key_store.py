"""A vault records the key store it was made with (``ledger.vault_identity``): opened with
another one, or with none given (the key files beside its SQLite file), it refuses by name
(``vault.key_store_mismatch``), makes no key folder and never reads anyone as erased; opened
with the right settings it reads as before, an erased person still erased."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.errors import problem_kind
from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.vault import ErasedError, Vault, open_vault
from ledger.vault_identity import KeyStoreMismatchError
from ledger.vault_keys import KeyFileStore
from projections.personal import ERASED
from projections.reports.facade import Reports
from projections.reports.render import Format, Rendered, render
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests.card_stack import SoftHsmToken
from tests.integration.test_personal_views import NAME
from tests.ledger_kit import build_kit, record_data
from tests.people import made_up_cid
from tests.unit.api.http_kit import body, login, problem
from tests.vault_kit import kept_value

LEDGER = "hr"


def _token(token: SoftHsmToken, tmp_path: Path, sharded: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "vault_pkcs11_module": token.module,
        "vault_token_label": token.label,
        "vault_token_pin": token.pin,
    }
    if sharded:
        settings |= {"vault_key_db": str(tmp_path / "keys.sqlite"), "vault_key_shards": 8}
    return settings


class Made:
    """A ledger in an SQLite file whose vault was made on a token: one person kept, one
    erased (her key destroyed in that store)."""

    def __init__(self, tmp_path: Path, vault: dict[str, Any]) -> None:
        self.file = tmp_path / "ledger.sqlite"
        self.url = f"sqlite:///{self.file}"
        self.right = LedgerSettings(database_url=self.url, name=LEDGER, **vault)
        self.beside = Path(f"{self.file}.vault-keys")
        ledger = Ledger(self.right)
        kit = self.kit = build_kit(ledger)
        self.kept, self.erased = uuid.uuid4(), uuid.uuid4()
        for n, stream in enumerate((self.kept, self.erased)):
            kit.emit_v2(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(801 + n)))
            kit.emit_v2(kit.hr, stream, "PersonalDataRecorded", NAME)
        kit.emit(kit.hr, self.erased, "PersonErased", d.ERASURE)
        self.renamed = kit.sign(kit.hr, stream=self.kept, type="NameChanged", data=NAME)
        self.disclosures = kit.disclosed.pop(self.renamed.hash)  # sent later, if at all
        ledger.close()

    def settings(self, **vault: Any) -> LedgerSettings:
        return LedgerSettings(database_url=self.url, name=LEDGER, **vault)


@pytest.fixture(params=["softhsm", "softhsm sharded"])
def made(request: pytest.FixtureRequest, softhsm: SoftHsmToken, tmp_path: Path) -> Made:
    return Made(tmp_path, _token(softhsm, tmp_path, request.param == "softhsm sharded"))


def _refused(vault: Vault | None, stream: uuid.UUID) -> KeyStoreMismatchError:
    assert vault is not None
    with pytest.raises(KeyStoreMismatchError) as refusal:
        vault.disclosures({(str(stream), "0" * 64)})
    with pytest.raises(KeyStoreMismatchError):
        vault.erase(str(stream))  # nothing destroyed either
    vault.close()
    return refusal.value


def test_opened_without_its_settings_the_vault_refuses_by_name_and_makes_no_folder(
    made: Made,
) -> None:
    """No LEDGER_VAULT_* settings: the key files beside the file would be the default, but the
    vault names its token: refused, the folder never made; key files given: refused too."""
    refusal = _refused(open_vault(made.settings()), made.kept)
    elsewhere = made.file.parent / "other-keys"
    by_files = _refused(open_vault(made.settings(vault_key_dir=elsewhere)), made.kept)

    assert not made.beside.exists()
    assert not elsewhere.exists()
    assert ["vault.key_store_mismatch"] == [v.id for v in refusal.violations]
    assert "vault" == refusal.violations[0].field
    assert refusal.needed is not None
    assert refusal.needed.kind in ("token", "sharded")
    assert "LEDGER_VAULT_PKCS11_MODULE" in refusal.violations[0].en
    named_db = "LEDGER_VAULT_KEY_DB" in str(refusal)
    assert named_db == (refusal.needed.kind == "sharded")
    assert "ที่เก็บกุญแจเดิม" in refusal.violations[0].th
    assert by_files.given is None  # a folder holding no id: none of its keys
    assert 503 == problem_kind(refusal).status


def test_the_cli_exits_1_naming_the_rule_never_erased(
    made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger record find`, `replay record` and `report registry` without the settings exit
    1 with the rule's Thai and English; none reads the kept person as erased."""
    for variable in ("LEDGER_VAULT_KEY_DIR", "LEDGER_VAULT_PKCS11_MODULE", "LEDGER_VAULT_KEY_DB"):
        monkeypatch.delenv(variable, raising=False)
    runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
    where = ["--database-url", made.url]
    commands = [
        ["record", "find", "--name", NAME["first_name"], *where, "--ledger", LEDGER],
        ["replay", "record", str(made.kept), *where, "--name", LEDGER],
        ["correct", str(made.kept), "2", *where, "--name", LEDGER],
        ["report", "registry", *where, "--name", LEDGER],
    ]
    for command in commands:
        result = runner.invoke(app, command)
        assert 1 == result.exit_code, (command, result.output)
        assert "vault.key_store_mismatch" in result.output, command
        assert "ที่เก็บกุญแจเดิม" in result.output
        assert "erased" not in result.output.replace("no one's data is erased", "")
        assert "ลบตามคำขอ" not in result.output
    assert not made.beside.exists()


def test_the_api_answers_503_naming_the_rule(made: Made) -> None:
    """Served without the settings: a record's read and a v2 statement are 503 naming the
    rule, never 200 with the person shown erased nor 410; the service itself is up."""
    ledger = Ledger(made.settings())
    try:
        with TestClient(create_app(ledger.settings, ledger)) as client:
            hr = login(client, made.kit.hr)
            health = client.get("/health")
            record = client.get(f"/records/{made.kept}", headers=hr)
            registry = client.get(f"/registry/{made.kept}", headers=hr)
            sent = {**body(made.renamed), "disclosures": made.disclosures}
            refused = client.post("/statements", json=sent, headers=hr)
    finally:
        ledger.close()

    assert 200 == health.status_code
    for answer in (record, registry, refused):
        assert (503, "vault-key-store-mismatch") == problem(answer), answer.text
        assert "vault.key_store_mismatch" in answer.text
        assert "ลบตามคำขอ" not in answer.text
    assert not made.beside.exists()


def test_with_its_settings_the_vault_reads_and_the_erased_stay_erased(made: Made) -> None:
    """Opened again with the right settings (after the refused opens): the kept person's
    values read, the erased person's do not, and the registry shows her erased."""
    _refused(open_vault(made.settings()), made.kept)
    ledger = Ledger(made.right)
    vault = ledger.vault
    assert isinstance(vault, Vault)
    try:
        first = kept_value(vault, ledger, made.kept, "PersonalDataRecorded", "first_name")
        with pytest.raises(ErasedError):
            kept_value(vault, ledger, made.erased, "PersonalDataRecorded", "first_name")
        with Projections.open(ledger) as projections:
            projections.catch_up()
            registry = Reports(projections).registry(EVERYWHERE)
    finally:
        ledger.close()
    rows = {e.stream: e for e in registry.rows}
    assert NAME["first_name"] == first
    assert NAME["first_name"] == rows[str(made.kept)].first_name
    assert ERASED == rows[str(made.erased)].first_name
    for fmt in Format:  # the name column shows the marker once, not once per part
        shown = _text(render(registry, fmt), fmt)
        assert ERASED in shown, fmt
        assert ERASED + ERASED not in shown, fmt
        assert f"{ERASED} {ERASED}" not in shown, fmt
    name_cells = [row[0] for row in csv.reader(io.StringIO(_text(render(registry, Format.CSV))))]
    assert 1 == name_cells.count(ERASED)


def _text(rendered: Rendered, fmt: Format = Format.CSV) -> str:
    """What a rendered report shows, as text (an XLSX file's cells, one a line)."""
    if fmt is not Format.XLSX:
        return rendered.content.decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(rendered.content), read_only=True)
    cells = (cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return "\n".join(str(cell) for cell in cells if cell is not None)


@pytest.fixture
def key_files(tmp_path: Path) -> Iterator[Made]:
    """A ledger whose vault is the default key files beside its file."""
    return Made(tmp_path, {})


def test_a_key_file_vault_opened_with_a_token_is_refused(
    key_files: Made, softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """The vault made with the key files beside its file, opened with a token (per person or
    sharded) is refused naming key files; opened as before it reads."""
    for sharded in (False, True):
        opened = open_vault(key_files.settings(**_token(softhsm, tmp_path, sharded)))
        refusal = _refused(opened, key_files.kept)
        assert refusal.needed is not None
        assert "key-files" == refusal.needed.kind
        assert "LEDGER_VAULT_KEY_DIR" in str(refusal)
    ledger = Ledger(key_files.right)
    vault = ledger.vault
    assert isinstance(vault, Vault)
    try:
        assert made_up_cid(801) == kept_value(vault, ledger, key_files.kept, "RecordOpened", "cid")
    finally:
        ledger.close()


def test_a_vault_made_before_its_store_was_recorded(key_files: Made, tmp_path: Path) -> None:
    """No record of its store (a vault made before this check): another key folder, whose
    keys open none of the kept data keys, is refused and recorded nothing; the right folder
    opens one, so its store is recorded then, and another is refused by it from then on."""
    import sqlite3

    with sqlite3.connect(key_files.file) as connection:
        connection.execute(f"DROP TABLE {LEDGER}_vault_store")
    (key_files.beside / LEDGER / "store-id").unlink()
    wrong = tmp_path / "wrong-keys"
    KeyFileStore(wrong).identity(create=True)

    refusal = _refused(open_vault(key_files.settings(vault_key_dir=wrong)), key_files.kept)
    right = open_vault(key_files.settings())
    assert right is not None
    right.close()
    later = _refused(open_vault(key_files.settings(vault_key_dir=wrong)), key_files.kept)

    assert refusal.needed is None  # unknown: only that its keys do not open
    assert "key-files" == (later.needed.kind if later.needed else None)
    assert (key_files.beside / LEDGER / "store-id").exists()
