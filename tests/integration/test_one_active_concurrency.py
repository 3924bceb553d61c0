"""Two writers opening the same person at once, on the real PostgreSQL: never both succeed.

Each round, two ledger objects on the same tables (as two API processes would have), one for
the HR officer of Nakhon Phanom and one for Tak's, each on a thread of its own, submit a
``RecordOpened`` of the same new citizen ID and category at the same moment (a barrier); a
third and fourth writer in one process share a ledger (its group commit). Exactly one opening
of each person lands, the others are refused by ``record.person_already_active``; the
submissions of most rounds overlap in time, so the race is real, not taken in turns by luck.

Without ``ledger.persons.PersonLock`` (admission reads the person's records before the events'
transaction) both openings of most rounds land: this test fails then. v1 (citizen ID in clear)
and v2 (behind a commitment, found through the vault's keyed index, in the same database).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.errors import InvalidDataError, LedgerError
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.conftest import NO_VAULT
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    vault_settings,
)
from tests.people import fresh_cid

ROUNDS = 60
WRITERS = 4
"""Writers a round: two ledger objects (two processes) with two threads each."""
OVERLAPPING_WANTED = ROUNDS // 2


@pytest.fixture(params=["v1", "v2"])
def kits(
    request: pytest.FixtureRequest, postgres_url: str, tmp_path: Path
) -> Iterator[tuple[LedgerKit, LedgerKit]]:
    """Two kits on two ledger objects of the same PostgreSQL tables (v2: with one vault)."""
    settings: LedgerSettings
    if request.param == "v1":
        name = f"t{uuid.uuid4().hex[:12]}"
        settings = LedgerSettings.model_validate(
            {"database_url": postgres_url, "name": name} | NO_VAULT
        )
    else:
        settings = vault_settings(postgres_url, tmp_path)
    first = Ledger(settings)
    second = Ledger(settings)
    try:
        kit = build_kit(first)
        other = LedgerKit(second, kit.system, kit.admin, kit.hr, kit.other_hr, v2=kit.v2)
        yield kit, other
    finally:
        second.close()
        first.close()


@dataclass
class Attempt:
    started: float = 0.0
    ended: float = 0.0
    outcome: str = ""


def _opening(kit: LedgerKit, operator: Operator, cid: str) -> tuple[SignedStatement, Any]:
    scope = TAK_LAO if operator is kit.other_hr else NAKHON_PHANOM_LAO
    signed = kit.sign(
        operator,
        stream=uuid.uuid4(),
        type="RecordOpened",
        data=d.record(scope, cid=cid),
        effective=date(2019, 4, 1),
    )
    return signed, kit.disclosed.pop(signed.hash, None)


def _submit(
    ledger: Ledger, item: tuple[SignedStatement, Any], barrier: threading.Barrier, out: Attempt
) -> None:
    signed, disclosures = item
    barrier.wait()
    out.started = time.monotonic()
    try:
        ledger.submit(signed.canonical, signed.signature, disclosures)
        out.outcome = "accepted"
    except InvalidDataError as error:
        out.outcome = error.violations[0].id
    except LedgerError as error:
        out.outcome = type(error).__name__
    out.ended = time.monotonic()


def test_two_writers_never_both_open_the_same_person(
    kits: tuple[LedgerKit, LedgerKit],
) -> None:
    kit, other = kits
    outcomes: list[list[str]] = []
    overlapping = 0
    for _ in range(ROUNDS):
        cid = fresh_cid()
        plan = [
            (kit.ledger, kit.hr),
            (other.ledger, other.other_hr),
            (kit.ledger, kit.other_hr),
            (other.ledger, other.hr),
        ][:WRITERS]
        items = [_opening(kit, operator, cid) for _, operator in plan]
        barrier = threading.Barrier(len(plan))
        attempts = [Attempt() for _ in plan]
        threads = [
            threading.Thread(target=_submit, args=(ledger, item, barrier, attempt))
            for (ledger, _), item, attempt in zip(plan, items, attempts, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        outcomes.append(sorted(attempt.outcome for attempt in attempts))
        if min(a.ended for a in attempts) > max(a.started for a in attempts):
            overlapping += 1  # every writer had started before the first was answered

    expected = sorted(["accepted", *["record.person_already_active"] * (WRITERS - 1)])
    wrong = [outcome for outcome in outcomes if outcome != expected]
    assert [] == wrong, f"{len(wrong)} of {ROUNDS} rounds: {wrong[:5]}"
    assert overlapping >= OVERLAPPING_WANTED, f"only {overlapping} rounds raced"
