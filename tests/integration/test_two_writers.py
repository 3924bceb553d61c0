"""Two ledger processes on one database: each keeps copies of the streams it wrote (and its own
copy of the operator registry), and what the other one wrote meanwhile must still decide every
answer. Run against the real PostgreSQL and against SQLite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ledger.application import Ledger
from ledger.errors import RevokedKeyError, StaleVersionError
from ledger.genesis import compose
from tests.ledger_kit import LedgerKit, education_data


@pytest.fixture
def other(kit: LedgerKit) -> Iterator[Ledger]:
    """A second ledger object on the same tables, as another process would have."""
    second = Ledger(kit.ledger.settings)
    yield second
    second.close()


def _log_ids(kit: LedgerKit) -> list[int]:
    return [n.id for n in kit.ledger.recorder.select_notifications(start=1, limit=100_000)]


def test_a_stream_moved_by_the_other_writer_is_read_again(kit: LedgerKit, other: Ledger) -> None:
    """The first writer's copy of the stream is stale; a statement on the real head lands."""
    stream = kit.open_record()  # the first writer now holds the stream at version 1
    moved = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1))
    other.submit(moved.canonical, moved.signature)

    following = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(2))
    receipt = kit.submit(following)

    assert (3, following.hash) == (receipt.version, receipt.hash)
    assert [1, 2, 3] == [e.version for e in kit.ledger.stream_events(stream)]


def test_a_statement_checked_on_a_stale_copy_fails_at_insert_without_a_gap(
    kit: LedgerKit, other: Ledger
) -> None:
    """Two statements compete for version 2; the one the first writer checks against its stale
    copy passes every check there, is refused by the database, and is then judged on what is
    stored: stale. Nothing is appended and the log keeps no gap for it."""
    stream = kit.open_record()
    contenders = (
        kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1)),
        (kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(2))),
    )
    other.submit(contenders[0].canonical, contenders[0].signature)
    before = kit.event_count()

    with pytest.raises(StaleVersionError):
        kit.submit(contenders[1])

    assert before == kit.event_count()
    kit.emit(kit.hr, stream, "EducationAdded", education_data(3))
    assert list(range(1, kit.event_count() + 1)) == _log_ids(kit)


def test_a_resubmission_after_the_other_writer_recorded_it_gets_the_first_receipt(
    kit: LedgerKit, other: Ledger
) -> None:
    stream = kit.open_record()
    signed = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1))
    first = other.submit(signed.canonical, signed.signature)

    again = kit.submit(signed)

    assert first == again


def test_a_revocation_by_the_other_writer_is_seen(kit: LedgerKit, other: Ledger) -> None:
    """The first writer's registry copy still holds the key; the database no longer does."""
    stream = kit.open_record()
    revocation = compose(
        other,
        stream=other.registry_id,
        type="OperatorKeyRevoked",
        data={"key_id": kit.hr.signer.key_id, "reason": "บัตรหาย (token lost)"},
        signer=kit.admin.signer,
        cid=kit.admin.cid,
    )
    other.submit(revocation.canonical, revocation.signature)
    before = kit.event_count()

    with pytest.raises(RevokedKeyError):
        kit.emit(kit.hr, stream, "EducationAdded", education_data(1))

    assert before == kit.event_count()
    assert list(range(1, before + 1)) == _log_ids(kit)
