"""Many writers on few streams, through two ledger objects (as two processes would), while an
admin enrols and revokes operators: a conflict is always a 409-kind refusal or a receipt, never
anything else, and what was accepted is all there, gapless and verifiable.

The run goes on until thousands of conflicts have happened (or a time cap passes, which fails
the test), so it cannot pass by the luck of a quiet machine. On PostgreSQL and SQLite.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from ledger.application import Ledger, Receipt
from ledger.domain.permissions import Role
from ledger.errors import BrokenChainError, ContentionError, StaleVersionError
from ledger.genesis import compose
from ledger.signing import SoftwareSigner
from replay.verify import verify_database
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, education_data, enrol
from tests.people import made_up_cid

CONFLICTS_WANTED = 2000
TIME_CAP_SECONDS = 150
STREAM_LENGTH = 40
"""About how many events a stream gets before the writers move to new ones (every write reads
its stream, so long streams would only make the run slower, not the race harder)."""
CONFLICTS = (StaleVersionError, BrokenChainError, ContentionError)
"""What a client may get for a lost race: the 409s (a stale copy, a moved head, contention)."""


@dataclass
class Tally:
    receipts: list[tuple[Receipt, str]] = field(default_factory=list)
    conflicts: Counter[str] = field(default_factory=Counter)
    unexpected: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def conflict_count(self) -> int:
        with self.lock:
            return sum(self.conflicts.values())


@pytest.fixture
def second(kit: LedgerKit) -> Iterator[Ledger]:
    """Another ledger object on the same tables, as a second API process would have."""
    other = Ledger(kit.ledger.settings)
    yield other
    other.close()


def _writer(kit: LedgerKit, ledger: Ledger, streams: list[uuid.UUID], seed: int, tally: Tally,
            stop: threading.Event) -> None:  # fmt: skip
    rng = random.Random(seed)
    n = 0
    while not stop.is_set():
        stream = rng.choice(streams)
        version, head = ledger.head(stream)
        signed = kit.sign(
            kit.hr,
            stream=stream,
            type="EducationAdded",
            data=education_data(n),
            expected_version=version,
            prev_hash=head,
        )
        n += 1
        try:
            receipt = ledger.submit(signed.canonical, signed.signature)
        except CONFLICTS as conflict:
            with tally.lock:
                tally.conflicts[type(conflict).__name__] += 1
            continue
        except BaseException as error:  # anything else is a 500 waiting to happen
            with tally.lock:
                tally.unexpected.append(error)
            return
        with tally.lock:
            tally.receipts.append((receipt, signed.hash))


def _registrar(kit: LedgerKit, tally: Tally, stop: threading.Event) -> None:
    """Enrol an operator, then revoke one, over and over: the registry keeps moving."""
    enrolled: list[Operator] = []
    n = 0
    try:
        while not stop.is_set():
            n += 1
            operator = Operator(cid=made_up_cid(60_000 + n), signer=SoftwareSigner.generate())
            enrol(kit, operator, [Role.LAO_SUPERIOR], NAKHON_PHANOM_LAO)
            enrolled.append(operator)
            if len(enrolled) > 2:
                gone = enrolled.pop(0)
                kit.submit(
                    compose(
                        kit.ledger,
                        stream=kit.ledger.registry_id,
                        type="OperatorKeyRevoked",
                        data={"key_id": gone.signer.key_id, "reason": "หมุนเวียนกุญแจทดสอบ"},
                        signer=kit.admin.signer,
                        cid=kit.admin.cid,
                    )
                )
            time.sleep(0.02)
    except BaseException as error:
        with tally.lock:
            tally.unexpected.append(error)


@pytest.mark.slow
def test_contention_gives_409s_or_receipts_and_keeps_the_log_whole(
    kit: LedgerKit, second: Ledger
) -> None:
    """12 writers on 3 streams at a time through two ledger objects, enrolments and revocations
    interleaved, until 2,000 conflicts: every refusal is a 409 kind, every receipt is in the
    log with its hash, the log is gapless, and the whole ledger verifies."""
    streams = [kit.open_record() for _ in range(3)]
    opened = list(streams)
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(
            target=_writer, args=(kit, (kit.ledger, second)[i % 2], streams, i, tally, stop)
        )
        for i in range(12)
    ]
    threads.append(threading.Thread(target=_registrar, args=(kit, tally, stop)))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    while (
        tally.conflict_count < CONFLICTS_WANTED
        and not tally.unexpected
        and time.monotonic() - started < TIME_CAP_SECONDS
    ):
        time.sleep(0.2)
        if len(tally.receipts) > STREAM_LENGTH * len(opened):  # fresh streams keep reads short
            streams[:] = [kit.open_record() for _ in range(3)]
            opened.extend(streams)
    stop.set()
    for thread in threads:
        thread.join()

    assert [] == [repr(error) for error in tally.unexpected]
    assert tally.conflict_count >= CONFLICTS_WANTED, dict(tally.conflicts)
    stored = {e.notification_id: e.hash for s in opened for e in kit.ledger.stream_events(s)}
    assert all(stored.get(r.notification_id) == h for r, h in tally.receipts)
    log = [n.id for n in kit.ledger.recorder.select_notifications(start=1, limit=1_000_000)]
    assert list(range(1, len(log) + 1)) == log
    report = verify_database(kit.ledger.settings.database_url, kit.ledger.name, workers=1)
    assert [] == report.failures
