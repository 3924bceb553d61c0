"""The erasure drill (issue 17): a ledger of v2 records with a vault, published to a real
Kafka-protocol broker (Tansu) with a verifying consumer, its transparency log sealed, an audit
bundle exported and a backup of its database taken; then one person is erased. The drill runs
twice: with development key files, and with the production key store, a SoftHSM2 token's shard
KEKs with a key database of their own (``ledger.vault_shards``), backed up too.

Afterwards everything the auditor holds still verifies: ``audit verify`` (full and strict), the
checkpoints (the one sealed before is a prefix of the one after: consistency proof), the bundles
taken before and after, and the consumer, whose view equals the database's. The person's
values (citizen ID, names, birth date, address, a family member's name and citizen ID) are
readable through no GET route of the API, were never in the raw database bytes, the topic or a
bundle, and a backup taken before the erasure, opened with the current key store, does not
reveal them (with the sharded store: neither with the live key database nor with a backup of
it taken before the erasure, which the erasure's rotation of the person's shard left holding
their data key only under a KEK the token no longer has). Before the erasure, the reads are
refused or withheld for callers without the right: a role without health rights, another LAO's
officer, an unauthenticated caller.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.domain.permissions import Role, province_scope
from ledger.merkle import verify_consistency
from ledger.settings import LedgerSettings
from ledger.vault import ErasedError, open_vault
from ledger.vault_shards import ShardedTokenKeyStore
from projections.kafka.checkpoints import TransparencyCheckpoints
from projections.kafka.consumer import ReportConsumer
from projections.kafka.publisher import KafkaPublisher
from projections.kafka.report_view import ReportStore, rebuild_from_ledger
from projections.kafka.settings import KafkaSettings
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from projections.transparency.projection import TransparencyProjection
from projections.transparency.store import StoredCheckpoint, TransparencyStore
from replay.bundles import Scope, export_bundle
from replay.verify import verify_bundle, verify_database
from tests import domain_data as d
from tests.api_sweep import Swept, forms, sweep
from tests.integration.test_personal_views import _submit_v2
from tests.kafka_kit import kafka_settings, read_topic
from tests.ledger_kit import LedgerKit, Operator, build_kit, record_data
from tests.people import made_up_cid
from tests.unit.api.http_kit import login
from tests.vault_kit import kept_value, token_vault

if TYPE_CHECKING:
    from tests.card_stack import SoftHsmToken

pytestmark = [pytest.mark.slow]

LAO = "6480101"
ERASED_NAME = {"prefix": "นาย", "first_name": "ลบทิ้งทดลอง", "last_name": "ไม่หลงเหลือ"}
KEPT_NAME = {"prefix": "นาง", "first_name": "คงอยู่ทดลอง", "last_name": "ยังอ่านได้"}
BORN = "1971-08-23"
ADDRESS = {"address": "๑๒๓ หมู่ ๔ ตำบลลบทิ้งทดลอง", "phone": "0871234567"}
FAMILY = {"relation": "spouse", "first_name": "คู่ลบทิ้ง", "last_name": "ไม่หลงเหลือ"}
DETAIL = "รายละเอียดโทษทดลองลบทิ้ง"
"""The erased person's penalty detail: health data (discipline), version 5 of the record."""


@dataclass
class Drill:
    kit: LedgerKit
    erased: uuid.UUID
    kept: uuid.UUID
    watched: list[str]  # the erased person's values
    db_file: Path
    backup: Path
    key_db: tuple[Path, Path] | None  # the sharded store's key database, and its backup
    bundles: tuple[Path, Path]  # the LAO's bundle before the erasure, and after
    sealed: tuple[StoredCheckpoint, StoredCheckpoint]
    kafka: KafkaSettings
    consumed: list[tuple[int, int]]  # (applied, rejected) of each consumer run
    views: tuple[ReportStore, ReportStore]  # the consumer's, and the database's
    before: dict[str, Swept]  # sweeps before the erasure, by caller
    after: dict[str, Swept]


def _person(kit: LedgerKit, n: int, name: dict[str, str], born: str) -> uuid.UUID:
    stream = uuid.uuid4()
    _submit_v2(kit, stream, "RecordOpened", {**record_data(cid=made_up_cid(n)), "birth_date": born})
    _submit_v2(kit, stream, "PersonalDataRecorded", name)
    _submit_v2(kit, stream, "AddressChanged", ADDRESS if n == 901 else {"address": "ที่อยู่อื่น"})
    _submit_v2(kit, stream, "FamilyMemberRecorded", {**FAMILY, "cid": made_up_cid(n + 50)})
    detail = DETAIL if n == 901 else "รายละเอียดอื่น"
    _submit_v2(kit, stream, "PenaltyImposed", {**d.ENTRY_DATA["PenaltyImposed"], "detail": detail})
    _submit_v2(kit, stream, "LeaveYearSummarised", d.ENTRY_DATA["LeaveYearSummarised"])
    return stream


def _registry(kit: LedgerKit) -> KeyRegistry:
    return KeyRegistry(TrustAnchor(kit.system.signer.public_key), kit.ledger.registry_id)


def _publish_and_consume(
    kit: LedgerKit, kafka: KafkaSettings, view: ReportStore
) -> tuple[int, int]:
    source = TransparencyCheckpoints(TransparencyStore(kit.ledger))
    KafkaPublisher(kit.ledger.settings, kafka, checkpoints=source).run(until_caught_up=True)
    stats = ReportConsumer(kafka, view, _registry(kit)).run(
        until_caught_up=True, timeout_seconds=60
    )
    return stats.applied, stats.rejected


def _sweeps(
    kit: LedgerKit, callers: dict[str, Operator | None], fill: dict[str, str], watched: list[str]
) -> dict[str, Swept]:
    """Every GET route as each caller (None: nobody signed in)."""
    searches = {"/records": f"name={ERASED_NAME['first_name']}"}
    app = create_app(kit.ledger.settings, kit.ledger)
    with TestClient(app, raise_server_exceptions=False) as client:
        return {
            who: sweep(
                client, {} if caller is None else login(client, caller), fill, watched, searches
            )
            for who, caller in callers.items()
        }


def _callers(kit: LedgerKit) -> dict[str, Operator | None]:
    """In the LAO (its HR officer), the DLA admin, an auditor of the province, another LAO's
    officer, the province's officer (no health data) and nobody signed in."""
    province = province_scope("นครพนม")
    return {
        "hr": kit.hr,
        "admin": kit.admin,
        "auditor": kit.operator([Role.AUDITOR], province),
        "other LAO": kit.other_hr,
        "province": kit.operator([Role.PROVINCIAL_OFFICER], province),
        "nobody": None,
    }


def _settings(request: pytest.FixtureRequest, root: Path) -> LedgerSettings:
    """Key files in a folder, or a SoftHSM2 token's shard KEKs with an SQLite key database."""
    settings = LedgerSettings(database_url=f"sqlite:///{root / 'ledger.db'}", name="drill")
    if request.param == "key files":
        return settings.model_copy(update={"vault_key_dir": root / "keys"})
    token: SoftHsmToken = request.getfixturevalue("softhsm")
    return settings.model_copy(update=token_vault(token, root / "keys.sqlite"))


def _backup(live: Path, copy: Path) -> None:
    with sqlite3.connect(live) as source, sqlite3.connect(copy) as target:
        source.backup(target)


@pytest.fixture(scope="module", params=["key files", "sharded token"])
def drill(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str
) -> Iterator[Drill]:
    root = tmp_path_factory.mktemp("drill")
    settings = _settings(request, root)
    key_db = None if settings.vault_key_db is None else (root / "keys.sqlite", root / "kb.sqlite")
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    callers = _callers(kit)
    erased, kept = _person(kit, 901, ERASED_NAME, BORN), _person(kit, 902, KEPT_NAME, "1980-05-05")
    watched = [made_up_cid(901), made_up_cid(951), BORN, ADDRESS["address"], ADDRESS["phone"]]
    watched += [ERASED_NAME["first_name"], ERASED_NAME["last_name"], FAMILY["first_name"], DETAIL]
    log = TransparencyProjection(ledger, kit.system.signer)
    first = log.seal()
    assert first is not None
    kafka = kafka_settings(kafka_bootstrap, f"sqlite:///{root / 'view.db'}")
    view_db = ViewDatabase(kafka.view_database_url)
    view = ReportStore(view_db, kafka.view_name)
    consumed = [_publish_and_consume(kit, kafka, view)]
    bundles = (root / "before.bundle", root / "after.bundle")
    export_bundle(settings.database_url, settings.name, Scope("lao", lao=LAO), bundles[0])
    _backup(root / "ledger.db", root / "backup.db")  # the database, vault tables included
    if key_db is not None:
        _backup(*key_db)  # and the sharded store's key database
    fill = {"stream_id": str(erased), "code": LAO, "fiscal_year": "2562", "sha256": "0" * 64}
    fill |= {"event": "5", "path": "detail"}  # the disclosure of the penalty's detail
    swept_before = _sweeps(kit, callers, fill, watched)

    kit.emit(kit.hr, erased, "PersonErased", d.ERASURE)

    second = log.seal()
    assert second is not None
    consumed.append(_publish_and_consume(kit, kafka, view))
    export_bundle(settings.database_url, settings.name, Scope("lao", lao=LAO), bundles[1])
    expected = ReportStore(view_db, f"db{kafka.view_name}")
    expected.create()
    rebuild_from_ledger(ledger, expected, _registry(kit))
    yield Drill(
        kit, erased, kept, watched, root / "ledger.db", root / "backup.db", key_db, bundles,
        (first, second), kafka, consumed, (view, expected), swept_before,
        _sweeps(kit, callers, fill, watched),
    )  # fmt: skip
    view_db.close()
    ledger.close()


def test_the_auditor_verifies_everything_after_the_erasure(drill: Drill) -> None:
    """Full and strict verification of the database, with the checkpoint sealed before the
    erasure kept; the consistency proof from it to the newer one; both bundles offline."""
    ledger = drill.kit.ledger
    url, name = ledger.settings.database_url, ledger.name
    first, second = drill.sealed
    proof = TransparencyStore(ledger).consistency_proof(first.tree_size, second.tree_size)

    full = verify_database(url, name, workers=1, kept=[first.note])
    strict = verify_database(url, name, workers=1, strict=True, kept=[first.note])

    assert ([], []) == (full.failures, strict.failures)
    assert second.tree_size == full.tree_size > first.tree_size
    assert verify_consistency(
        first.tree_size, second.tree_size, first.root_hash, second.root_hash, proof.proof
    )
    for bundle in drill.bundles:
        assert [] == verify_bundle(bundle, strict=True).failures
    assert [] == verify_bundle(drill.bundles[1], kept=[first.note]).failures


def test_the_consumer_keeps_verifying_and_equals_the_database(drill: Drill) -> None:
    """The consumer applied every event, the erasure too, rejected none; its view is the
    database's."""
    consumer, database = drill.views
    total = drill.kit.ledger.recorder.max_notification_id() or 0

    assert [0, 0] == [rejected for _, rejected in drill.consumed]
    assert total == sum(applied for applied, _ in drill.consumed) == consumer.applied_count()
    assert [] == consumer.rejects()
    assert database.kpi() == consumer.kpi()
    assert database.heads() == consumer.heads()


def test_no_route_shows_the_erased_person(drill: Drill) -> None:
    """Every GET route, as every caller (the LAO's HR officer, the DLA admin, an auditor...): no
    value of the erased person, no 5xx; the record and its ก.พ.๗ still answer (shown erased)."""
    for who, swept in drill.after.items():
        assert ([], []) == (swept.shown, swept.errors), who
    hr = drill.after["hr"]
    assert {200} == hr.statuses(f"/registry/{drill.erased}")
    assert 200 == hr.answered[f"/records/{drill.erased}"]
    assert {410} == hr.statuses("/disclosure")


def test_before_the_erasure_only_readers_with_the_right_saw_the_values(drill: Drill) -> None:
    """The sweep finds the values where they belong (the HR officer's ก.พ.๗ and the penalty's
    disclosure: the check can see), and nowhere for another LAO's officer (404) or a caller not
    signed in (401); the province's officer reads the names but no health data: the penalty's
    detail shows nowhere, its disclosure is refused (403)."""
    before = drill.before
    record = f"/records/{drill.erased}"
    for mark in (made_up_cid(901), ERASED_NAME["last_name"], DETAIL):
        assert any(shown.startswith(record) and mark in shown for shown in before["hr"].shown)
    assert {200} == before["hr"].statuses("/disclosure")
    for who in before:
        assert [] == before[who].errors, who
    for who in ("other LAO", "nobody"):
        assert [] == before[who].shown, who
    assert 404 == before["other LAO"].answered[record]
    assert 401 == before["nobody"].answered[record]
    assert [] == [shown for shown in before["province"].shown if DETAIL in shown]
    assert any(ERASED_NAME["last_name"] in shown for shown in before["province"].shown)
    assert {403} == before["province"].statuses("/disclosure")


def _raw(path: Path) -> bytes:
    """A database file's bytes with its write-ahead log, as a copy of the disk holds them."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_the_values_were_never_in_clear_in_the_log_the_topic_or_a_bundle(drill: Drill) -> None:
    """The raw bytes of the database (now, and the backup), every record of the topic and both
    bundles hold none of the erased person's values."""
    records = read_topic(drill.kafka.bootstrap_servers, drill.kafka.topic, drill.kafka.partitions)
    key_dbs = {} if drill.key_db is None else {"key database": _raw(drill.key_db[0])}
    blobs = {
        "database": _raw(drill.db_file),
        "backup": _raw(drill.backup),
        **key_dbs,
        "topic": b"".join(bytes(record.value) for record in records),
        **{bundle.name: bundle.read_bytes() for bundle in drill.bundles},
    }

    found = [
        (where, mark) for where, blob in blobs.items() for mark in forms(drill.watched)
        if mark.encode("utf-8") in blob
    ]  # fmt: skip
    assert [] == found
    assert len(records) >= (drill.kit.ledger.recorder.max_notification_id() or 0)


FIELDS = [
    ("RecordOpened", "cid"),
    ("RecordOpened", "birth_date"),
    ("PersonalDataRecorded", "first_name"),
    ("PersonalDataRecorded", "last_name"),
    ("AddressChanged", "address"),
    ("PenaltyImposed", "detail"),
]
"""The erased person's fields the backup's vault must not reveal (by event type and path)."""


def test_a_backup_taken_before_the_erasure_reveals_nothing(drill: Drill, tmp_path: Path) -> None:
    """The backup's vault, opened with the current key store, reveals none of the erased
    person's fields, and a ledger restored from it serves the person's ก.พ.๗ without them; the
    other person's values still open (the backup is a good one). With the sharded store, nor
    does it with the key database's backup taken with it (``_key_database_backup``)."""
    restored = tmp_path / "restored.db"
    shutil.copy(drill.backup, restored)
    settings = drill.kit.ledger.settings.model_copy(
        update={"database_url": f"sqlite:///{restored}"}
    )
    vault = open_vault(settings)
    assert vault is not None
    try:
        live = drill.kit.ledger  # the events the backup holds, and the erasure after them
        for type_, path in FIELDS:
            with pytest.raises(ErasedError):
                kept_value(vault, live, drill.erased, type_, path)
        assert "1980-05-05" == kept_value(vault, live, drill.kept, "RecordOpened", "birth_date")
    finally:
        vault.close()
    ledger = Ledger(settings)
    try:
        with TestClient(create_app(settings, ledger)) as client:
            hr = login(client, drill.kit.hr)
            erased = client.get(f"/records/{drill.erased}", headers=hr)
            kept = client.get(f"/records/{drill.kept}", headers=hr)
    finally:
        ledger.close()
    assert [] == [mark for mark in forms(drill.watched) if mark in erased.text]
    assert KEPT_NAME["last_name"] in kept.text
    if drill.key_db is not None:
        _key_database_backup(drill, drill.key_db[1], tmp_path)


def _key_database_backup(drill: Drill, key_db: Path, where: Path) -> None:
    """The sharded store: both backups taken before the erasure (the ledger's database and the
    key database), restored together beside the live token, reveal none of the erased person's
    fields: the erasure rotated the person's shard and destroyed the KEK that backup's row is
    wrapped under. The other person opens unless the two share a shard (the trade-off the key
    database's backups make, docs/personal-data.md); the live store is unharmed."""
    shutil.copy(key_db, where / "keys.sqlite")
    settings = drill.kit.ledger.settings.model_copy(
        update={
            "database_url": f"sqlite:///{where / 'restored.db'}",
            "vault_key_db": str(where / "keys.sqlite"),
        }
    )
    vault = open_vault(settings)
    assert vault is not None
    live = drill.kit.ledger
    try:
        keys = vault.parts()[0]
        assert isinstance(keys, ShardedTokenKeyStore)
        apart = keys.shard_of(str(drill.kept)) != keys.shard_of(str(drill.erased))
        for type_, path in FIELDS:
            with pytest.raises(ErasedError):
                kept_value(vault, live, drill.erased, type_, path)
        try:
            born = kept_value(vault, live, drill.kept, "RecordOpened", "birth_date")
        except ErasedError:
            born = None
    finally:
        vault.close()
    assert ("1980-05-05" if apart else None) == born
    assert live.vault is not None
    assert "1980-05-05" == kept_value(live.vault, live, drill.kept, "RecordOpened", "birth_date")
