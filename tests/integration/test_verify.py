"""``verify_database`` on PostgreSQL and SQLite: what it accepts, and what it names as failures."""

from __future__ import annotations

import pytest

from ledger.genesis import compose
from replay.verify import verify_database
from tests.audit_kit import Populated, populate, replace_in_state, run_log, sql_cursor
from tests.ledger_kit import LedgerKit, education_data


def url_of(kit: LedgerKit) -> str:
    return kit.ledger.settings.database_url


@pytest.fixture
def populated(kit: LedgerKit) -> Populated:
    """Records in two LAOs, an officer whose key was revoked after signing, and the log."""
    populated = populate(kit, records=2, entries=2)
    run_log(kit, every_events=4)
    return populated


def test_a_key_revoked_later_still_validates_what_it_signed(
    kit: LedgerKit, populated: Populated
) -> None:
    """Events signed before the revocation verify; the ledger as a whole verifies."""
    report = verify_database(url_of(kit), kit.ledger.name, workers=1)

    assert [] == report.failures
    assert kit.event_count() == report.events
    assert kit.event_count() == report.tree_size


def test_processes_find_what_one_process_finds(kit: LedgerKit, populated: Populated) -> None:
    """Checking chunks in worker processes gives the same report, failures included."""
    last = kit.ledger.stream_events(populated.tak[0])[-1]
    replace_in_state(kit.ledger, last.notification_id, b'"signature":"', b'"signature":"00')

    serial = verify_database(url_of(kit), kit.ledger.name, workers=1, chunk_size=8)
    parallel = verify_database(url_of(kit), kit.ledger.name, workers=2, chunk_size=8)

    assert serial.failures == parallel.failures
    assert last.notification_id in parallel.failing_ids()


def test_progress_is_reported_to_the_last_event(kit: LedgerKit, populated: Populated) -> None:
    """The progress callback ends at (last id, last id)."""
    seen: list[tuple[int, int]] = []

    verify_database(url_of(kit), kit.ledger.name, progress=lambda *a: seen.append(a), chunk_size=8)

    assert (kit.event_count(), kit.event_count()) == seen[-1]


def test_a_pinned_trust_anchor_must_be_the_genesis_key(
    kit: LedgerKit, populated: Populated
) -> None:
    """Pinning another key than the genesis one fails the trust anchor, and every signature."""
    report = verify_database(
        url_of(kit), kit.ledger.name, workers=1, trust_anchor=kit.admin.signer.public_key
    )
    pinned = verify_database(
        url_of(kit), kit.ledger.name, workers=1, trust_anchor=kit.system.signer.public_key
    )

    assert "trust-anchor" in {failure.kind for failure in report.failures}
    assert pinned.ok
    assert pinned.anchor_pinned


def test_an_event_signed_after_its_key_was_revoked_is_named(
    kit: LedgerKit, populated: Populated
) -> None:
    """A revoked key's statement slipped in after the revocation fails as revoked-key."""
    stream = populated.nakhon_phanom[0]
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(5)))
    target = kit.ledger.stream_events(stream)[-1]
    late = kit.sign(
        populated.revoked, stream=stream, type="EducationAdded", data=education_data(6),
        expected_version=target.version - 1, prev_hash=target.prev_hash,
    )  # fmt: skip
    for old, new in [
        (target.signature.hex(), late.signature.hex()),
        (target.hash, late.hash),
        (_embedded(target.statement.decode("utf-8")), _embedded(late.canonical.decode("utf-8"))),
    ]:
        replace_in_state(kit.ledger, target.notification_id, old.encode(), new.encode())

    report = verify_database(url_of(kit), kit.ledger.name, workers=1)

    assert [("revoked-key", target.notification_id)] == [
        (failure.kind, failure.notification_id) for failure in report.failures
    ]


def _embedded(statement: str) -> str:
    """A statement as the library embeds it in the stored JSON (quotes escaped)."""
    return statement.replace('"', '\\"')


def test_a_forged_checkpoint_is_named(kit: LedgerKit, populated: Populated) -> None:
    """A checkpoint note whose signature was altered fails its signature check."""
    projection = run_log(kit, every_events=4)
    note = projection.store.checkpoints()[0].note
    forged = note[:-6] + ("A" if note[-6] != "A" else "B") + note[-5:]

    with sql_cursor(kit.ledger, commit=True) as cursor:
        cursor.execute(
            f"UPDATE {projection.store.checkpoints_table} SET note = "
            + ("%s WHERE note = %s" if "postgres" in url_of(kit) else "? WHERE note = ?"),
            [forged, note],
        )

    report = verify_database(url_of(kit), kit.ledger.name, workers=1)

    assert ["checkpoint-signature"] == [failure.kind for failure in report.failures]


def test_events_removed_from_the_end_are_named(kit: LedgerKit, populated: Populated) -> None:
    """Deleting the newest events names them missing and fails the checkpoint covering them."""
    signed = run_log(kit, every_events=4).store.latest_checkpoint().tree_size
    last = kit.event_count()

    with sql_cursor(kit.ledger, commit=True) as cursor:
        cursor.execute(*_delete_from(kit, signed))

    report = verify_database(url_of(kit), kit.ledger.name, workers=1)

    assert set(range(signed, last + 1)) <= set(report.failing_ids())
    assert "checkpoint-root" in {failure.kind for failure in report.failures}


def _delete_from(kit: LedgerKit, first: int) -> tuple[str, list[int]]:
    table = kit.ledger.recorder.events_table_name  # type: ignore[attr-defined]
    if "postgres" in url_of(kit):
        return f'DELETE FROM "{table}" WHERE notification_id >= %s', [first]
    return f'DELETE FROM "{table}" WHERE rowid >= ?', [first]


def test_a_ledger_without_a_log_verifies_its_events_and_says_so(kit: LedgerKit) -> None:
    """With no transparency log, events and chains are checked and the report notes the rest."""
    kit.submit(
        compose(
            kit.ledger, stream=kit.open_record(), type="EducationAdded", data=education_data(),
            signer=kit.hr.signer, cid=kit.hr.cid,
        )
    )  # fmt: skip

    report = verify_database(url_of(kit), kit.ledger.name, workers=1)

    assert report.ok
    assert not report.transparency_log
    assert any("no transparency log" in note for note in report.notes)


def test_strict_mode_also_validates_each_statements_data(
    kit: LedgerKit, populated: Populated
) -> None:
    """Signed data the ledger would have refused passes the default check, not the strict one."""
    stream = populated.tak[0]
    kit.submit(kit.sign(kit.other_hr, stream=stream, type="EducationAdded", data=education_data(5)))
    target = kit.ledger.stream_events(stream)[-1]
    invalid = kit.sign(
        kit.other_hr, stream=stream, type="EducationAdded", data={"institution": "x"},
        expected_version=target.version - 1, prev_hash=target.prev_hash,
    )  # fmt: skip
    for old, new in [
        (target.signature.hex(), invalid.signature.hex()),
        (target.hash, invalid.hash),
        (_embedded(target.statement.decode("utf-8")), _embedded(invalid.canonical.decode("utf-8"))),
    ]:
        replace_in_state(kit.ledger, target.notification_id, old.encode(), new.encode())

    default = verify_database(url_of(kit), kit.ledger.name, workers=1)
    strict = verify_database(url_of(kit), kit.ledger.name, workers=1, strict=True)

    assert [] == default.failures
    assert [("invalid-data", target.notification_id)] == [
        (failure.kind, failure.notification_id) for failure in strict.failures
    ]
