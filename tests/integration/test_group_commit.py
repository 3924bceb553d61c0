"""Group commit, on PostgreSQL and SQLite: concurrent single statements share transactions, and
each is judged on its own, exactly as if it had come alone."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from ledger.application import Ledger, Receipt
from ledger.errors import BadSignatureError, LedgerError, StaleVersionError
from ledger.statement import GENESIS_PREV_HASH, SignedStatement
from tests.ledger_kit import LedgerKit, education_data


def _record(
    kit: LedgerKit, n: int, *, version: int = 1, prev: str | None = None
) -> SignedStatement:
    stream = kit.open_record()
    head_version, head = kit.ledger.head(stream)
    return kit.sign(
        kit.hr,
        stream=stream,
        type="EducationAdded",
        data=education_data(n),
        expected_version=head_version if version else 0,
        prev_hash=head,
    )


def _at_once(calls: list[Callable[[], Receipt]]) -> list[Receipt | BaseException]:
    """Run each call on a thread of its own, all released together."""
    answers: list[Receipt | BaseException] = [RuntimeError("not run")] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            answers[i] = calls[i]()
        except BaseException as error:
            answers[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_group_refuses_one_statement_and_keeps_its_neighbours(kit: LedgerKit) -> None:
    """Decided as one group: the stale statement is refused, the two around it are saved."""
    good, stale, other = _record(kit, 1), _record(kit, 2, version=0), _record(kit, 3)

    outcomes = kit.ledger.decide_each([good, stale, other])

    assert isinstance(outcomes[0], Receipt)
    assert isinstance(outcomes[1], StaleVersionError)
    assert isinstance(outcomes[2], Receipt)
    ids = sorted(o.notification_id for o in outcomes if isinstance(o, Receipt))
    assert [ids[0], ids[0] + 1] == ids  # one transaction
    assert [good.hash, other.hash] == [
        kit.ledger.stream_events(s.statement.stream)[-1].hash for s in (good, other)
    ]


def test_a_group_sees_its_own_earlier_statements(kit: LedgerKit) -> None:
    """Two statements of one stream in one group: the second is chained on the first."""
    first = _record(kit, 1)
    second = kit.sign(
        kit.hr,
        stream=first.statement.stream,
        type="EducationAdded",
        data=education_data(2),
        expected_version=first.statement.expected_version + 1,
        prev_hash=first.hash,
    )

    outcomes = kit.ledger.decide_each([first, second])

    version = first.statement.expected_version + 1
    assert [version, version + 1] == [o.version for o in outcomes if isinstance(o, Receipt)]
    assert [first.hash, second.hash] == [o.hash for o in outcomes if isinstance(o, Receipt)]


@pytest.mark.parametrize("clients", [24])
def test_concurrent_clients_share_transactions_and_each_gets_its_answer(
    kit: LedgerKit, clients: int
) -> None:
    """Clients at once, one refused (stale) and one with a bad signature among them: every
    other one gets its receipt, the refused ones their own errors, the log is gapless, and
    fewer transactions than statements were used."""
    ledger: Ledger = kit.ledger
    assert ledger.committer is not None
    ledger.committer.max_wait = 0.05  # let the whole wave gather
    signed = [_record(kit, n) for n in range(clients)]
    stale = _record(kit, 99, version=0)
    forged = signed[-1]
    tampered = bytes([forged.signature[0] ^ 1]) + forged.signature[1:]
    calls: list[Callable[[], Receipt]] = [
        (lambda s=s: ledger.submit(s.canonical, s.signature)) for s in signed[:-1]
    ]
    calls.append(lambda: ledger.submit(stale.canonical, stale.signature))
    calls.append(lambda: ledger.submit(forged.canonical, tampered))
    groups_before = ledger.committer.groups

    answers = _at_once(calls)

    receipts = [a for a in answers[:-2] if isinstance(a, Receipt)]
    assert len(receipts) == clients - 1
    assert isinstance(answers[-2], StaleVersionError)
    assert isinstance(answers[-1], BadSignatureError)
    assert ledger.committer.groups - groups_before < clients - 1
    log = [n.id for n in ledger.recorder.select_notifications(start=1, limit=100_000)]
    assert list(range(1, len(log) + 1)) == log
    stored = {r.stream: kit.ledger.stream_events(r.stream)[-1].hash for r in receipts}
    assert {r.stream: r.hash for r in receipts} == stored


def test_a_batch_stays_all_or_none(kit: LedgerKit) -> None:
    """POST /statements/batch's meaning: one bad statement refuses the batch, nothing saved."""
    good, stale = _record(kit, 1), _record(kit, 2, version=0)
    before = kit.event_count()

    with pytest.raises(LedgerError):
        kit.submit_all([good, stale])

    assert before == kit.event_count()
    assert GENESIS_PREV_HASH != kit.ledger.head(good.statement.stream)[1]


def test_resubmitting_through_the_committer_returns_the_first_receipt(kit: LedgerKit) -> None:
    signed = _record(kit, 1)

    first = kit.submit(signed)
    again = kit.submit(signed)

    assert first == again
    assert kit.ledger.stream_events(signed.statement.stream)[-1].version == first.version


def test_a_ledger_without_group_commit_has_no_committer(kit: LedgerKit) -> None:
    settings = kit.ledger.settings.model_copy(update={"group_commit": False})
    other = Ledger(settings)
    try:
        signed = _record(kit, 1)
        receipt = other.submit(signed.canonical, signed.signature)
    finally:
        other.close()
    assert other.committer is None
    assert signed.hash == receipt.hash
