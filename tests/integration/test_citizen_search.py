"""The search by citizen ID of v2 records, through the vault's keyed index (ledger.vault_search),
on both backends, with key files and a SoftHSM2 token: found through the API and the Reports
facade (Thai digits and dashes), v1 records still found, scope kept, no citizen ID in the index
tables, nothing found after an erasure, not even in a database backup restored after it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from cli.main import app
from ledger.application import Ledger
from ledger.domain.search import read_cid
from ledger.settings import LedgerSettings
from ledger.vault import Vault
from ledger.vault_keys import TokenKeyStore
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests.card_stack import SoftHsmToken
from tests.conftest import NO_VAULT_ENV
from tests.integration.test_personal_views import NAME, _submit_v2
from tests.integration.test_vault import _restore
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.unit.api.http_kit import login

THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def _typed(cid: str) -> str:
    """A citizen ID as an officer types it from a card: Thai digits, 1-2345-67890-12-3."""
    dashed = f"{cid[0]}-{cid[1:5]}-{cid[5:10]}-{cid[10:12]}-{cid[12]}"
    return dashed.translate(THAI_DIGITS)


@pytest.fixture(params=["key files", "softhsm", "softhsm sharded"])
def kit(request: pytest.FixtureRequest, backend_url: str, tmp_path: Path) -> Iterator[LedgerKit]:
    """An initialised ledger with a vault (key files, a SoftHSM2 token holding a KEK per
    person, or the token's shard KEKs with a key database of their own) and its operators."""
    vault: dict[str, Any] = {"vault_key_dir": tmp_path / "vault-keys"}
    if request.param != "key files":
        token: SoftHsmToken = request.getfixturevalue("softhsm")
        vault = {
            "vault_pkcs11_module": token.module,
            "vault_token_label": token.label,
            "vault_token_pin": token.pin,
        }
    if request.param == "softhsm sharded":
        vault |= {"vault_key_db": str(tmp_path / "keys.sqlite"), "vault_key_shards": 16}
    settings = LedgerSettings(database_url=backend_url, name=f"t{uuid.uuid4().hex[:12]}", **vault)
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def _person(kit: LedgerKit, cid: str) -> uuid.UUID:
    stream = uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", record_data(cid=cid))
    _submit_v2(kit, stream, "PersonalDataRecorded", NAME)
    return stream


def _vault(kit: LedgerKit) -> Vault:
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    return vault


def _found(kit: LedgerKit, cid: str) -> list[str]:
    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        return Reports(projections).find(EVERYWHERE, cid=read_cid(_typed(cid))).streams


def _vault_rows(vault: Vault) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the vault's tables (the index's too), as a database backup holds them."""
    tables = (vault.keys_table, vault.fields_table, *vault.search_tables)
    with vault._database.transaction() as cursor:
        found = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            found[table] = [tuple(row) for row in cursor.fetchall()]
    return found


def test_v2_and_v1_records_are_found_by_citizen_id_within_the_scope(kit: LedgerKit) -> None:
    """The API and the facade find a v2 record by its citizen ID typed in Thai digits with
    dashes, and a v1 record as before; another LAO's officer finds neither; a header correction
    moves the search to the new ID; the index tables hold no citizen ID, nor its plain hash."""
    v2_cid, v1_cid, corrected_cid = made_up_cid(801), made_up_cid(802), made_up_cid(803)
    v2 = _person(kit, v2_cid)
    v1 = uuid.uuid4()
    kit.submit(kit.sign(kit.hr, stream=v1, type="RecordOpened", data=record_data(cid=v1_cid)))

    with TestClient(create_app(kit.ledger.settings, kit.ledger)) as client:
        hr, other = login(client, kit.hr), login(client, kit.other_hr)
        for cid, stream in ((v2_cid, v2), (v1_cid, v1)):
            mine = client.get("/records", params={"cid": _typed(cid)}, headers=hr)
            theirs = client.get("/records", params={"cid": _typed(cid)}, headers=other)
            assert 200 == mine.status_code, mine.text
            assert [(str(stream), cid)] == [(r["stream"], r["cid"]) for r in mine.json()["results"]]
            assert (200, 0) == (theirs.status_code, theirs.json()["total"])
    assert [str(v2)] == _found(kit, v2_cid)
    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        assert [v2] == Reports(projections).records_of_citizen(v2_cid)

    fix = {"supersedes": 1, "reason": "แก้เลข", "replacement": record_data(cid=corrected_cid)}
    _submit_v2(kit, v2, "EntryCorrected", fix)
    assert ([str(v2)], []) == (_found(kit, corrected_cid), _found(kit, v2_cid))

    raw = repr(_vault_rows(_vault(kit)))
    for cid in (v2_cid, corrected_cid, _typed(v2_cid)):
        assert cid not in raw
        assert hashlib.sha256(cid.encode()).hexdigest() not in raw


def test_an_erased_person_is_not_found_even_in_a_backup_restored_after(kit: LedgerKit) -> None:
    """Erased, a v2 record is not found by its citizen ID; the vault's tables backed up before
    the erasure and restored after, with the live key store, do not find it either (its tag
    needs the destroyed key), while another person of the same backup still is; after
    ``reindex`` (a fresh search key, the old destroyed) the old backup's buckets name no one."""
    vault = _vault(kit)
    erased_cid, kept_cid = made_up_cid(811), made_up_cid(812)
    erased, kept = _person(kit, erased_cid), _person(kit, kept_cid)
    assert {str(erased)} == vault.subjects_of(erased_cid)
    backup = _vault_rows(vault)

    kit.emit(kit.hr, erased, "PersonErased", d.ERASURE)
    assert ([], [str(kept)]) == (_found(kit, erased_cid), _found(kit, kept_cid))
    _restore(vault, backup)
    assert set() == vault.subjects_of(erased_cid)
    assert ([], [str(kept)]) == (_found(kit, erased_cid), _found(kit, kept_cid))

    with Projections.open(kit.ledger) as projections:
        projections.catch_up()
        reports = Reports(projections)
        assert 1 == vault.reindex(reports.committed_cids)
    assert (set(), {str(kept)}) == (vault.subjects_of(erased_cid), vault.subjects_of(kept_cid))
    _restore(vault, backup)  # the old generation's key is gone: its buckets are noise
    assert (set(), set()) == (vault.subjects_of(erased_cid), vault.subjects_of(kept_cid))


def test_the_index_is_rebuilt_from_the_registry(kit: LedgerKit) -> None:
    """The index emptied (lost, or made before the index existed), ``ledger vault reindex``
    writes it again from the registry's v2 records, and the search finds them again; without
    a vault configured the command says so (exit 1)."""
    vault = _vault(kit)
    cid = made_up_cid(821)
    stream = _person(kit, cid)
    with vault._database.transaction() as cursor:
        for table in vault.search_tables:
            cursor.execute(f"DELETE FROM {table}")
    assert [] == _found(kit, cid)
    settings = kit.ledger.settings
    where = ["--database-url", settings.database_url, "--name", settings.name]
    env = {"COLUMNS": "300", "NO_COLOR": "1"}
    bare = CliRunner(env=env | NO_VAULT_ENV).invoke(app, ["vault", "reindex", *where])
    for option, value in settings.model_dump().items():
        if option.startswith("vault_") and value is not None:
            env[f"LEDGER_{option.upper()}"] = str(value)
    done = CliRunner(env=env).invoke(app, ["vault", "reindex", *where])
    assert (0, "1 records") == (done.exit_code, done.output.split(": ")[-1][:9]), done.output
    assert [str(stream)] == _found(kit, cid)
    assert (1, "no vault") == (bare.exit_code, bare.output.split("has ")[-1][:8]), bare.output


def test_a_ledger_without_a_vault_still_finds_v1_records(ledger: Ledger) -> None:
    """No vault: the search by citizen ID is the column's exact match, as before."""
    kit = build_kit(ledger)
    cid, stream = made_up_cid(831), uuid.uuid4()
    kit.submit(kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data(cid=cid)))
    assert [str(stream)] == _found(kit, cid)


def test_a_search_key_destroyed_elsewhere_is_not_used_from_a_kept_handle(
    softhsm: SoftHsmToken,
) -> None:
    """The token key store keeps a search key's handle; once another session destroys the key
    (a reindex elsewhere), the kept handle does not sign: the key is gone (KeyError)."""
    name = f"t{uuid.uuid4().hex[:12]}:1"
    first = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    second = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    try:
        made = first.search_hmac(name, b"m", create=True)
        assert made == second.search_hmac(name, b"m") == first.search_hmac(name, b"m")
        assert second.destroy_search_key(name)
        with pytest.raises(KeyError):
            first.search_hmac(name, b"m")
    finally:
        first.close()
        second.close()
