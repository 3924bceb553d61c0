"""The ledger's contract, run against the real PostgreSQL and against SQLite.

Every rejection leaves the event count unchanged; races have exactly one winner; concurrent
writers leave gapless, valid chains; resubmission is a safe retry.
"""

from __future__ import annotations

import hashlib
import random
import threading
import uuid
from collections import Counter

import pytest

from ledger.domain.permissions import NATIONAL, Role
from ledger.errors import (
    AlreadyInitialisedError,
    BadSignatureError,
    BrokenChainError,
    ForbiddenError,
    InvalidDataError,
    LedgerError,
    MalformedStatementError,
    NotInitialisedError,
    RevokedKeyError,
    StaleVersionError,
    UnknownKeyError,
    UnseenStreamError,
)
from ledger.genesis import compose
from ledger.signing import verify_signature
from ledger.statement import GENESIS_PREV_HASH, read_statement
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    education_data,
    enrol,
    first_rule,
    record_data,
)
from tests.people import made_up_cid


def _rejected(kit: LedgerKit, error: type[LedgerError], signed_or_pair: object) -> LedgerError:
    """Submit, expect the error, and check that nothing was appended."""
    before = kit.event_count()
    if isinstance(signed_or_pair, tuple):
        canonical, signature = signed_or_pair
    else:
        canonical, signature = signed_or_pair.canonical, signed_or_pair.signature  # type: ignore[attr-defined]
    with pytest.raises(error) as caught:
        kit.ledger.submit(canonical, signature)
    assert before == kit.event_count()
    return caught.value


def test_statement_lands_with_receipt(kit: LedgerKit) -> None:
    """An accepted statement returns its log position, stream, version and event hash."""
    stream = uuid.uuid4()
    signed = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())

    receipt = kit.submit(signed)

    assert (stream, 1, signed.hash) == (receipt.stream, receipt.version, receipt.hash)
    assert kit.event_count() == receipt.notification_id


def test_stored_event_keeps_the_signed_bytes(kit: LedgerKit) -> None:
    """The stored statement is byte for byte what was signed, and its chain starts at zeros."""
    stream = uuid.uuid4()
    signed = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    kit.submit(signed)

    [event] = kit.ledger.stream_events(stream)

    assert (signed.canonical, signed.signature) == (event.statement, event.signature)
    assert GENESIS_PREV_HASH == event.prev_hash
    assert "RecordOpened" == event.type


def test_resubmission_returns_first_receipt(kit: LedgerKit) -> None:
    """Submitting the very same signed statement twice appends once and returns one receipt."""
    stream = kit.open_record()
    signed = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data())
    first = kit.submit(signed)
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(2)))
    count = kit.event_count()

    again = kit.submit(signed)

    assert first == again
    assert count == kit.event_count()


def test_stale_version_is_rejected(kit: LedgerKit) -> None:
    """A statement for a version the stream has moved past is a stale-version error."""
    stream = kit.open_record()
    kit.submit(kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()))
    stale = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(9),
        expected_version=1,
        prev_hash=kit.ledger.stream_events(stream)[0].hash,
    )

    error = _rejected(kit, StaleVersionError, stale)

    assert "expects version 1" in str(error)
    assert "at version 2" in str(error)


def test_future_version_is_stale(kit: LedgerKit) -> None:
    """A statement for a version the stream has not reached is rejected too."""
    stream = kit.open_record()
    ahead = kit.sign(
        kit.hr, stream=stream, type="EducationAdded", data=education_data(), expected_version=5
    )

    _rejected(kit, StaleVersionError, ahead)


def test_wrong_prev_hash_breaks_the_chain(kit: LedgerKit) -> None:
    """A statement naming another prev_hash than the stream's head is a broken-chain error."""
    stream = kit.open_record()
    wrong = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(),
        expected_version=1,
        prev_hash="ab" * 32,
    )

    error = _rejected(kit, BrokenChainError, wrong)

    assert "prev_hash" in str(error)


def test_unknown_key_is_rejected(kit: LedgerKit) -> None:
    """A key that was never enrolled cannot sign anything."""
    stranger = Operator(cid=made_up_cid(99))

    _rejected(
        kit,
        UnknownKeyError,
        kit.sign(stranger, stream=uuid.uuid4(), type="RecordOpened", data=record_data()),
    )


def test_key_claimed_by_another_citizen_is_rejected(kit: LedgerKit) -> None:
    """A statement naming a cid other than the key's enrolment is refused, in the very words
    of a key never enrolled: nobody learns from it which citizen ID owns the key."""
    impostor = Operator(cid=made_up_cid(98), signer=kit.hr.signer)

    error = _rejected(
        kit,
        UnknownKeyError,
        kit.sign(impostor, stream=uuid.uuid4(), type="RecordOpened", data=record_data()),
    )

    assert f"key {kit.hr.signer.key_id} is not enrolled in this ledger" == str(error)


def test_bad_signature_is_rejected(kit: LedgerKit) -> None:
    """A signature made with another key than the named one does not verify."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    forged = kit.other_hr.signer.sign(hashlib.sha256(signed.canonical).digest())

    _rejected(kit, BadSignatureError, (signed.canonical, forged))


def test_revoked_key_is_rejected_and_earlier_events_stay(kit: LedgerKit) -> None:
    """After revocation the key signs nothing new; what it signed before is still there."""
    stream = kit.open_record()
    before = kit.ledger.stream_events(stream)
    kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": kit.hr.signer.key_id, "reason": "บัตรหาย (token lost)"},
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )

    _rejected(
        kit,
        RevokedKeyError,
        kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data()),
    )

    assert before == kit.ledger.stream_events(stream)


def test_resubmission_after_revocation_returns_the_first_receipt(kit: LedgerKit) -> None:
    """The exact statement accepted before its key was revoked is a safe retry: its first
    receipt, not 401; the log does not grow."""
    stream = uuid.uuid4()
    accepted = kit.sign(kit.hr, stream=stream, type="RecordOpened", data=record_data())
    first = kit.submit(accepted)
    kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": kit.hr.signer.key_id, "reason": "บัตรหาย (token lost)"},
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )
    count = kit.event_count()

    again = kit.submit(accepted)

    assert first == again
    assert count == kit.event_count()


def test_new_key_after_revocation(kit: LedgerKit) -> None:
    """One active key per citizen: a second enrolment waits for the first key's revocation."""
    replacement = Operator(cid=kit.hr.cid)
    with pytest.raises(InvalidDataError) as refused:
        enrol(kit, replacement, [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)
    assert ("operator.active_key", "data.cid") == first_rule(refused)
    kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": kit.hr.signer.key_id, "reason": "token replaced"},
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )

    enrol(kit, replacement, [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)

    assert kit.open_record(replacement)


def test_role_that_may_not_emit_is_forbidden(kit: LedgerKit) -> None:
    """An admin may not write personnel facts: the role does not allow the type."""
    error = _rejected(
        kit,
        ForbiddenError,
        kit.sign(kit.admin, stream=uuid.uuid4(), type="RecordOpened", data=record_data(NATIONAL)),
    )

    assert "dla_admin may not emit it" in str(error)


def test_hr_officer_may_not_enrol_operators(kit: LedgerKit) -> None:
    """Only admins (and the system key) enrol operators."""
    newcomer = Operator(cid=made_up_cid(50))
    signed = kit.sign(
        kit.hr,
        stream=kit.ledger.registry_id,
        type="OperatorEnrolled",
        data={
            "cid": newcomer.cid,
            "public_key": newcomer.signer.public_key.hex(),
            "key_id": newcomer.signer.key_id,
            "key_storage": {"kind": "software"},
            "roles": ["dla_admin"],
            "scope": {"level": "national"},
        },
    )

    _rejected(kit, ForbiddenError, signed)


def test_out_of_scope_record_is_forbidden(kit: LedgerKit) -> None:
    """An HR officer of one LAO may not open a record in another LAO."""
    error = _rejected(
        kit,
        ForbiddenError,
        kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(TAK_LAO)),
    )

    assert "does not cover LAO 6630101" in str(error)


def test_out_of_scope_append_is_not_found(kit: LedgerKit) -> None:
    """An HR officer may not add entries to a record held by another LAO, and is told no more
    than of a record that does not exist (stream.not_found), not even its version."""
    stream, missing = kit.open_record(), uuid.uuid4()

    errors = [
        _rejected(
            kit,
            UnseenStreamError,
            kit.sign(
                kit.other_hr,
                stream=target,
                type="EducationAdded",
                data=education_data(),
                expected_version=0,
                prev_hash=GENESIS_PREV_HASH,
            ),
        )
        for target in (stream, missing)
    ]

    assert str(errors[0]).replace(str(stream), "<s>") == str(errors[1]).replace(str(missing), "<s>")


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({**record_data(), "cid": "1234567890123"}, "cid"),
        ({**record_data(), "category": "wizard"}, "category"),
        ({**record_data(), "lao": "66"}, "lao"),
        ({**record_data(), "extra": 1}, "extra"),
        ({k: v for k, v in record_data().items() if k != "birth_date"}, "birth_date"),
    ],
)
def test_invalid_data_is_rejected(kit: LedgerKit, data: dict[str, object], problem: str) -> None:
    """Data that fails the event type's model is refused, naming the field."""
    error = _rejected(
        kit,
        InvalidDataError,
        kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=data),
    )

    assert problem in str(error)


def test_unknown_event_type_is_invalid(kit: LedgerKit) -> None:
    """A type the catalogue does not know is refused."""
    _rejected(
        kit,
        InvalidDataError,
        kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordTeleported", data={}),
    )


def test_stream_must_start_with_an_opening_event(kit: LedgerKit) -> None:
    """An entry cannot open a stream; only RecordOpened (or a genesis) can."""
    _rejected(
        kit,
        UnseenStreamError,
        kit.sign(kit.hr, stream=uuid.uuid4(), type="EducationAdded", data=education_data()),
    )


def test_event_of_another_aggregate_type_is_invalid(kit: LedgerKit) -> None:
    """An operator event cannot be appended to a personnel record."""
    stream = kit.open_record()

    _rejected(
        kit,
        InvalidDataError,
        kit.sign(
            kit.admin,
            stream=stream,
            type="OperatorKeyRevoked",
            data={"key_id": kit.hr.signer.key_id, "reason": "x"},
        ),
    )


def test_malformed_bytes_are_rejected(kit: LedgerKit) -> None:
    """Bytes that are not canonical JSON are refused before anything else."""
    signed = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())

    _rejected(kit, MalformedStatementError, (signed.canonical + b" ", signed.signature))


def test_second_genesis_is_refused(kit: LedgerKit) -> None:
    """A ledger has exactly one genesis."""
    from ledger.genesis import initialise
    from tests.ledger_kit import SOFTWARE

    with pytest.raises(AlreadyInitialisedError):
        initialise(
            kit.ledger,
            system_signer=Operator(cid="system").signer,
            system_storage=SOFTWARE,
            admin_cid=made_up_cid(77),
            admin_public_key=Operator(cid="x").signer.public_key,
            admin_storage=SOFTWARE,
        )


def test_uninitialised_ledger_refuses_statements(ledger) -> None:  # type: ignore[no-untyped-def]
    """Before the genesis, no statement is accepted."""
    kit = LedgerKit(
        ledger, Operator("system"), Operator("x"), Operator(made_up_cid(5)), Operator("y")
    )

    with pytest.raises(NotInitialisedError):
        kit.submit(kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data()))


def test_batch_is_all_or_nothing(kit: LedgerKit) -> None:
    """A batch with one bad statement appends none of them."""
    stream = kit.open_record()
    good = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data())
    bad = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(),
        expected_version=2,
        prev_hash="00" * 32,
    )
    before = kit.event_count()

    with pytest.raises(BrokenChainError):
        kit.ledger.submit_batch([(good.canonical, good.signature), (bad.canonical, bad.signature)])

    assert before == kit.event_count()


@pytest.mark.parametrize("size", [2, 8, 40])
def test_a_forged_signature_anywhere_in_a_batch_appends_nothing(kit: LedgerKit, size: int) -> None:
    """Small batches are verified before the insert, big ones while it is in flight and before
    the commit: either way one bad signature rolls everything back and leaves no gap."""
    stream = kit.open_record()
    signed = kit.chain(kit.hr, stream, [("EducationAdded", education_data(n)) for n in range(size)])
    pairs = [(s.canonical, s.signature) for s in signed]
    forged_at = size - 2
    pairs[forged_at] = (
        pairs[forged_at][0],
        kit.other_hr.signer.sign(hashlib.sha256(pairs[forged_at][0]).digest()),
    )
    before = kit.event_count()

    with pytest.raises(BadSignatureError):
        kit.ledger.submit_batch(pairs)

    assert before == kit.event_count()
    receipts = kit.submit_all(signed)
    assert list(range(before + 1, before + size + 1)) == [r.notification_id for r in receipts]


def test_batch_chains_within_itself(kit: LedgerKit) -> None:
    """Statements in one batch may build on each other in the same stream."""
    stream = kit.open_record()
    first = kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(1))
    second = kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(2),
        expected_version=2,
        prev_hash=first.hash,
    )

    receipts = kit.ledger.submit_batch(
        [(first.canonical, first.signature), (second.canonical, second.signature)]
    )

    assert [2, 3] == [r.version for r in receipts]
    assert receipts[1].notification_id == receipts[0].notification_id + 1


def test_racing_writers_have_one_winner(kit: LedgerKit) -> None:
    """Two statements for the same position race: exactly one lands, the other is stale."""
    stream = kit.open_record()
    contenders = [
        kit.sign(kit.hr, stream=stream, type="EducationAdded", data=education_data(n))
        for n in range(2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def race(index: int) -> None:
        barrier.wait()
        try:
            outcomes[index] = kit.submit(contenders[index])
        except LedgerError as error:
            outcomes[index] = error

    threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    kinds = Counter(type(outcome).__name__ for outcome in outcomes)
    assert {"Receipt": 1, "StaleVersionError": 1} == dict(kinds)
    assert 2 == kit.ledger.aggregate(stream).version


def test_concurrent_writers_leave_gapless_valid_chains(kit: LedgerKit) -> None:
    """8 threads appending 1,000 events over 8 streams end with gapless, verifiable chains."""
    streams = [kit.open_record() for _ in range(8)]
    start_count = kit.event_count()
    per_thread = 125
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        written = 0
        try:
            while written < per_thread:
                stream = rng.choice(streams)
                signed = kit.sign(
                    kit.hr, stream=stream, type="EducationAdded", data=education_data(written)
                )
                try:
                    kit.submit(signed)
                except (StaleVersionError, BrokenChainError):
                    continue  # another writer moved the stream on: read the head again
                written += 1
        except BaseException as error:  # surfaced to the test below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [] == errors
    assert start_count + 1000 == kit.event_count()
    notification_ids: list[int] = []
    hr_key = kit.hr.signer.public_key
    for stream in streams:
        events = kit.ledger.stream_events(stream)
        assert list(range(1, len(events) + 1)) == [e.version for e in events]
        prev = GENESIS_PREV_HASH
        for event in events:
            statement = read_statement(event.statement, event.signature).statement
            assert prev == statement.prev_hash == event.prev_hash
            assert statement.expected_version + 1 == event.version
            assert hashlib.sha256(event.statement + event.signature).hexdigest() == event.hash
            assert verify_signature(hr_key, event.statement, event.signature)
            prev = event.hash
        notification_ids.extend(e.notification_id for e in events)
    assert 1008 == len(notification_ids)
    # The whole log is gapless from 1 to its end.
    all_ids = [n.id for n in kit.ledger.recorder.select_notifications(start=1, limit=10_000)]
    assert list(range(1, kit.event_count() + 1)) == all_ids
