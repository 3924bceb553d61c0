"""Consumer-side verification and the report view, without a broker (SQLite ledger and view).

The projector is the whole verify-and-apply step a consumer runs on each batch; here it is fed
the ledger's own log (``rebuild_from_ledger``) and forged envelopes.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.genesis import compose
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner, sign_statement
from ledger.statement import SignerRef, build_statement, event_hash
from projections.kafka.envelope import Envelope
from projections.kafka.errors import PartitionMovedError, RejectReason
from projections.kafka.report_view import (
    Incoming,
    ReportProjector,
    ReportStore,
    ViewChanges,
    ledger_envelopes,
    rebuild_from_ledger,
)
from projections.kafka.settings import KafkaSettings
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from tests.ledger_kit import TAK_LAO, LedgerKit, build_kit, education_data
from tests.people import HR_CID


@dataclass
class World:
    kit: LedgerKit
    store: ReportStore
    registry: KeyRegistry
    stream: uuid.UUID  # a personnel record with two events
    last: Envelope  # the ledger's last envelope (of ``stream``)

    def anchor_registry(self) -> KeyRegistry:
        return KeyRegistry(
            TrustAnchor(self.kit.system.signer.public_key), self.kit.ledger.registry_id
        )

    def project(self, values: list[bytes], topic: str = "forged") -> ReportProjector:
        projector = ReportProjector(self.store, self.registry)
        projector.project(
            [Incoming(topic, 0, offset, value) for offset, value in enumerate(values)],
            {(topic, 0): (None, len(values))},
        )
        return projector


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """A SQLite ledger with two records in two LAOs, and its report view built from its log."""
    ledger = Ledger(LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="unit"))
    kit = build_kit(ledger)
    kit.open_record(kit.other_hr, TAK_LAO)
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    db = ViewDatabase(f"sqlite:///{tmp_path}/view.sqlite")
    store = ReportStore(db, "report")
    store.create()
    registry = KeyRegistry(TrustAnchor(kit.system.signer.public_key), ledger.registry_id)
    rebuild_from_ledger(ledger, store, registry)
    last = [e for batch in ledger_envelopes(ledger) for e in batch][-1]
    yield World(kit, store, registry, stream, last)
    db.close()
    ledger.close()


def _envelope(
    world: World,
    signer: SoftwareSigner,
    *,
    cid: str = HR_CID,
    stream: uuid.UUID | None = None,
    version: int | None = None,
    prev_hash: str | None = None,
    type_: str = "EducationAdded",
    data: dict[str, object] | None = None,
    notification_id: int | None = None,
) -> Envelope:
    """A signed envelope for the next event of the world's record (unless told otherwise)."""
    version = world.last.version + 1 if version is None else version
    signed = sign_statement(
        build_statement(
            stream=stream or world.stream,
            expected_version=version - 1,
            prev_hash=world.last.hash if prev_hash is None else prev_hash,
            type=type_,
            data=data or education_data(7),
            effective=date(2019, 4, 1),
            signer=SignerRef(cid=cid, key=signer.key_id),
            signed_at=datetime.now(UTC),
        ),
        signer,
    )
    return Envelope(
        notification_id=notification_id or world.last.notification_id + 1,
        stream=signed.statement.stream,
        version=version,
        type=type_,
        statement=signed.canonical,
        signature=signed.signature,
        hash=signed.hash,
        prev_hash=signed.statement.prev_hash,
        recorded_at=datetime.now(UTC),
    )


def _bad_signature(world: World) -> bytes:
    good = _envelope(world, world.kit.hr.signer)
    signature = SoftwareSigner.generate().sign(b"\x00" * 32)
    hash_ = event_hash(good.statement, signature)
    return replace(good, signature=signature, hash=hash_).encode()


def _bad_hash(world: World) -> bytes:
    good = _envelope(world, world.kit.hr.signer)
    return replace(good, hash="0" * 64).encode()


def _broken_chain(world: World) -> bytes:
    return _envelope(world, world.kit.hr.signer, prev_hash="f" * 64).encode()


def _skipped_version(world: World) -> bytes:
    return _envelope(world, world.kit.hr.signer, version=world.last.version + 2).encode()


def _unknown_key(world: World) -> bytes:
    return _envelope(world, SoftwareSigner.generate()).encode()


def _other_signers_key(world: World) -> bytes:
    return _envelope(world, world.kit.other_hr.signer).encode()  # enrolled for another cid


def _untrusted_genesis(world: World) -> bytes:
    impostor = SoftwareSigner.generate()
    return _envelope(
        world,
        impostor,
        cid="system",
        stream=uuid.uuid4(),
        version=1,
        prev_hash="0" * 64,
        type_="LedgerInitialised",
        data={"ledger": "unit", "public_key": impostor.public_key.hex(), "key_id": impostor.key_id},
    ).encode()


def _mismatch(world: World) -> bytes:
    good = _envelope(world, world.kit.hr.signer)
    return replace(good, stream=uuid.uuid4()).encode()


def _conflicting_duplicate(world: World) -> bytes:
    return _envelope(
        world, world.kit.hr.signer, notification_id=world.last.notification_id
    ).encode()


def _malformed(world: World) -> bytes:
    return b'{"notification_id": "one"}'


FORGERIES: dict[str, tuple[Callable[[World], bytes], RejectReason]] = {
    "bad signature": (_bad_signature, RejectReason.BAD_SIGNATURE),
    "bad hash": (_bad_hash, RejectReason.BAD_HASH),
    "broken chain": (_broken_chain, RejectReason.BROKEN_CHAIN),
    "skipped version": (_skipped_version, RejectReason.BROKEN_CHAIN),
    "unknown key": (_unknown_key, RejectReason.UNKNOWN_KEY),
    "key of another signer": (_other_signers_key, RejectReason.UNKNOWN_KEY),
    "untrusted genesis": (_untrusted_genesis, RejectReason.UNTRUSTED_GENESIS),
    "fields disagree with statement": (_mismatch, RejectReason.MISMATCH),
    "known id, other event": (_conflicting_duplicate, RejectReason.CONFLICTING_DUPLICATE),
    "not an envelope": (_malformed, RejectReason.MALFORMED),
}


def test_view_counts_events_per_province_lao_and_type(world: World) -> None:
    """The view built from the log counts events per province, LAO and type."""
    assert [
        ("", "", "LedgerInitialised", 1),
        ("", "", "OperatorEnrolled", 3),
        ("ตาก", "", "OrganizationRegistered", 1),
        ("ตาก", "6630101", "RecordOpened", 1),
        ("นครพนม", "", "OrganizationRegistered", 1),
        ("นครพนม", "6480101", "EducationAdded", 1),
        ("นครพนม", "6480101", "RecordOpened", 1),
    ] == world.store.kpi()


def test_records_per_lao_are_the_opened_records(world: World) -> None:
    """Records per LAO and province come from the records opened there."""
    assert [("ตาก", "6630101", 1), ("นครพนม", "6480101", 1)] == world.store.records_per_lao()


@pytest.mark.parametrize("kind", FORGERIES)
def test_forged_envelope_is_rejected_with_its_reason(world: World, kind: str) -> None:
    """Each kind of forgery is refused and recorded in the rejects table with its reason."""
    forge, reason = FORGERIES[kind]

    world.project([forge(world)])

    assert [reason.value] == [row.reason for row in world.store.rejects()]


def test_forged_envelopes_leave_the_view_unchanged(world: World) -> None:
    """No forgery adds to the view's counts or moves a chain head."""
    kpi, heads = world.store.kpi(), world.store.heads()

    world.project([forge(world) for forge, _ in FORGERIES.values()])

    assert kpi == world.store.kpi()
    assert heads == world.store.heads()
    assert len(FORGERIES) == len(world.store.rejects())


def test_rejection_is_logged_without_personal_data(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    """The warning names the notification and the reason, never a citizen ID."""
    with caplog.at_level(logging.WARNING, logger="projections.kafka.report_view"):
        world.project([_unknown_key(world)])

    assert "unknown_key" in caplog.text
    assert str(world.last.notification_id + 1) in caplog.text
    assert HR_CID not in caplog.text


def test_event_signed_after_its_keys_revocation_is_rejected(world: World) -> None:
    """A key signs validly up to its revocation's place in the log, and not after it."""
    kit = world.kit
    revoked = compose(
        kit.ledger,
        stream=kit.ledger.registry_id,
        type="OperatorKeyRevoked",
        data={"key_id": kit.hr.signer.key_id, "reason": "โทเค็นสูญหาย"},
        signer=kit.admin.signer,
        cid=kit.admin.cid,
    )
    receipt = kit.submit(revoked)
    rebuild_from_ledger(kit.ledger, world.store, world.registry)
    forged = _envelope(world, kit.hr.signer, notification_id=receipt.notification_id + 1)

    world.project([forged.encode()])

    assert [RejectReason.REVOKED_KEY.value] == [row.reason for row in world.store.rejects()]


def test_redelivered_envelope_is_applied_once(world: World) -> None:
    """A second copy of an applied envelope is skipped as a duplicate and counts nothing."""
    kpi = world.store.kpi()
    projector = ReportProjector(world.store, world.registry)

    outcome = projector.project(
        [Incoming("again", 0, 0, world.last.encode())], {("again", 0): (None, 1)}
    )

    assert (0, 1) == (len(outcome.applied), outcome.duplicates)
    assert kpi == world.store.kpi()


def test_stale_position_is_refused_and_nothing_is_written(world: World) -> None:
    """A consumer whose stored position moved meanwhile writes none of its batch's rows."""
    world.store.write(ViewChanges(), {("t", 0): (None, 10)})
    kpi = world.store.kpi()
    changes = ViewChanges(kpi={("ตาก", "6630101", "RecordOpened"): 5})

    with pytest.raises(PartitionMovedError):
        world.store.write(changes, {("t", 0): (5, 12)})

    assert kpi == world.store.kpi()
    assert {0: 10} == world.store.positions("t")


def test_keys_are_learned_only_under_the_pinned_anchor(world: World) -> None:
    """With another key pinned, the genesis is refused and no operator key is ever learned."""
    registry = KeyRegistry(
        TrustAnchor(SoftwareSigner.generate().public_key), world.registry.registry_stream
    )
    envelopes = [e for batch in ledger_envelopes(world.kit.ledger) for e in batch]

    with pytest.raises(Exception, match="untrusted_genesis"):
        registry.learn(envelopes[0])

    assert not registry.knows(world.kit.hr.signer.key_id)


def test_rebuilding_into_fresh_tables_gives_the_same_rows(world: World, tmp_path: Path) -> None:
    """Rebuilding the view from zero gives the same rows (DESIGN.md section 6)."""
    db = ViewDatabase(f"sqlite:///{tmp_path}/again.sqlite")
    store = ReportStore(db, "report")
    store.create()

    rebuild_from_ledger(world.kit.ledger, store, world.anchor_registry())

    assert (world.store.kpi(), world.store.heads()) == (store.kpi(), store.heads())
    db.close()


def test_kafka_settings_are_read_from_the_environment_when_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LEDGER_KAFKA_* variables configure brokers, topics and partitions when settings are built."""
    monkeypatch.setenv("LEDGER_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("LEDGER_KAFKA_TOPIC", "nakhonphanom.events")
    monkeypatch.setenv("LEDGER_KAFKA_PARTITIONS", "24")

    settings = KafkaSettings()

    assert ["k1:9092", "k2:9092"] == settings.bootstrap_list
    assert ("nakhonphanom.events", 24) == (settings.topic, settings.partitions)
