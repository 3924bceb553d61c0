"""Group commit, on PostgreSQL and SQLite: concurrent single statements share transactions, and
each is judged on its own, exactly as if it had come alone."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger, Receipt
from ledger.commitments import COMMITMENT_KEY
from ledger.disclosed import reveal_all
from ledger.errors import BadSignatureError, InvalidDataError, LedgerError, StaleVersionError
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH, SignedStatement
from ledger.vault import ErasedError, Vault
from tests.ledger_kit import LedgerKit, build_kit, education_data


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


@pytest.fixture
def v2_kit(backend_url: str, tmp_path: Path) -> Iterator[LedgerKit]:
    """A kit signing v2 on a ledger with a vault (development key files)."""
    settings = LedgerSettings(
        database_url=backend_url,
        name=f"t{uuid.uuid4().hex[:12]}",
        vault_key_dir=tmp_path / "keks",
    )
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    kit.v2 = True
    yield kit
    ledger.close()


def _address(kit: LedgerKit, n: int, *, version: int = 1) -> SignedStatement:
    """A v2 address change (address and phone committed) on a v2 record of its own."""
    stream = kit.open_record()
    head_version, head = kit.ledger.head(stream)
    data = {"address": f"{n + 1}/7 หมู่ 3 ตำบลสุเทพ อำเภอเมืองเชียงใหม่", "phone": f"053-000-{n:04d}"}
    return kit.sign(
        kit.hr,
        stream=stream,
        type="AddressChanged",
        data=data,
        expected_version=head_version if version else 0,
        prev_hash=head,
    )


def _kept(vault: Vault, signed: SignedStatement, path: str) -> Any:
    hexed = signed.statement.data[path][COMMITMENT_KEY]
    return vault.disclosure(str(signed.statement.stream), hexed)[1].value


def test_a_v2_group_keeps_the_accepted_values_only(v2_kit: LedgerKit) -> None:
    """Decided as one group: the accepted statements' values are in the vault (kept in their
    events' transaction), the refused one's are not."""
    good, stale = _address(v2_kit, 1), _address(v2_kit, 2, version=0)
    revealed = reveal_all(
        [good, stale], [v2_kit.disclosed.pop(s.hash) for s in (good, stale)], v2_kit.ledger.door
    )

    outcomes = v2_kit.ledger.decide_each(revealed)

    assert isinstance(outcomes[0], Receipt)
    assert isinstance(outcomes[1], StaleVersionError)
    vault = v2_kit.ledger.vault
    assert isinstance(vault, Vault)
    assert "053-000-0001" == _kept(vault, good, "phone")
    with pytest.raises(ErasedError):
        _kept(vault, stale, "phone")


def test_concurrent_v2_clients_share_transactions_and_each_gets_its_answer(
    v2_kit: LedgerKit,
) -> None:
    """v2 single statements with their disclosures, at once: a wrong disclosure is refused
    naming its rule, a stale statement refused, every other one gets its receipt and its
    values are kept (a replay by another ledger reads them), in fewer transactions."""
    ledger = v2_kit.ledger
    assert ledger.committer is not None
    ledger.committer.max_wait = 0.05
    signed = [_address(v2_kit, n) for n in range(16)]
    stale = _address(v2_kit, 99, version=0)
    disclosures = {s.hash: v2_kit.disclosed.pop(s.hash) for s in [*signed, stale]}
    wrong = signed[-1]
    disclosures[wrong.hash] = {
        **disclosures[wrong.hash],
        "phone": {**disclosures[wrong.hash]["phone"], "value": "053-999-9999"},
    }
    calls: list[Callable[[], Receipt]] = [
        (lambda s=s: ledger.submit(s.canonical, s.signature, disclosures[s.hash]))
        for s in [*signed, stale]
    ]
    groups_before, grouped_before = ledger.committer.groups, ledger.committer.statements

    answers = _at_once(calls)

    receipts = [a for a in answers[:-2] if isinstance(a, Receipt)]
    assert len(receipts) == len(signed) - 1
    assert ledger.committer.statements - grouped_before > ledger.committer.groups - groups_before
    assert isinstance(answers[-2], InvalidDataError)
    assert "personal.disclosure_wrong" == answers[-2].violations[0].id
    assert isinstance(answers[-1], StaleVersionError)
    assert ledger.committer.groups - groups_before < len(signed) - 1
    other = Ledger(ledger.settings.model_copy(update={"group_commit": False}))
    try:
        for receipt, statement in zip(receipts, signed, strict=False):
            assert receipt.hash == statement.hash
            assert other.aggregate(receipt.stream).version == receipt.version
    finally:
        other.close()
