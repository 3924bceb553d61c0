"""Server-side processes: statements the ledger signs with its own system key.

DESIGN.md section 3: server-side events are statements signed by the system key enrolled at
genesis, checked like any other. Each process here takes a ``Ledger`` and that key as a
``Signer``, finds the streams it concerns by reading the notification log, and submits what is
due in batches. All are idempotent: what was already emitted is skipped, and the aggregates
refuse duplicates anyway, so running a process twice, or two copies at once, adds nothing twice.

* ``schedule_retirements``: one ``RetirementScheduled`` per person due to retire at the end of a
  fiscal year (HR then confirms ``Retired`` with the order).
* ``invalidate_stale_certifications``: ``CertificationInvalidated`` for each LAO whose current
  cycle is certified while an operator changed some of the records it covers after the
  snapshot's position.
* ``mark_overdue_cycles``: ``CycleOverdue`` for each stage whose deadline passed undone.

``lao_snapshot`` computes what an LAO submits for certification: its snapshot at a log position
(``ledger.snapshots``), whose position, root and record count ``LaoDataSubmitted`` names.

Cost: enumerating streams reads the notification log filtered by event topic
(``select_notifications(topics=...)``), walking the log's primary-key index from the start (or
from a given position) and keeping only the named types; then the matching streams are loaded,
500 per query. Retirement scheduling reads every ``RecordOpened`` (about 0.5 M nationally) once
per run; invalidation reads the record events recorded since the earliest certified position.
Both are batch jobs run daily or yearly; a registry projection (records by LAO, by retirement
year) would make them proportional to their answer.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.admission import Streams
from ledger.application import Ledger, Receipt
from ledger.domain.certification import CertificationCycle, Stage
from ledger.domain.dates import thai_today
from ledger.domain.employment import IN_SERVICE
from ledger.domain.personnel import PersonnelRecord, StaffCategory
from ledger.domain.rules import retirement_date, retirement_fiscal_year
from ledger.domain.signed import SignedAggregate
from ledger.domain.snapshot import LaoSnapshot
from ledger.errors import LedgerError
from ledger.signing import Signer, sign_statement
from ledger.statement import (
    SYSTEM_CID,
    SignedStatement,
    SignerRef,
    Statement,
    build_statement,
    key_id_of,
)
from ledger.vault_keys import ErasedError

PAGE = 1000
BATCH = 200


@dataclass
class ProcessReport:
    """What a process submitted, and what it left out and why."""

    receipts: list[Receipt] = field(default_factory=list)
    skipped: list[tuple[UUID, str]] = field(default_factory=list)

    @property
    def emitted(self) -> int:
        return len(self.receipts)


# Reading the log.


def scan(
    ledger: Ledger, event_classes: Iterable[type[SignedAggregate.Event]], start: int = 1
) -> Iterator[tuple[int, SignedAggregate.Event]]:
    """Every stored event of the given types, with its notification id, in log order."""
    topics = [get_topic(event_class) for event_class in event_classes]
    position = start
    while True:
        page = ledger.recorder.select_notifications(start=position, limit=PAGE, topics=topics)
        for notification in page:
            event = ledger.mapper.to_domain_event(notification)
            if isinstance(event, SignedAggregate.Event):
                yield notification.id, event
        if len(page) < PAGE:
            return
        position = page[-1].id + 1


def _data(event: SignedAggregate.Event) -> Any:
    return event.parse()[1]


def load_readable(ledger: Ledger, streams: Iterable[UUID]) -> Streams:
    """``Ledger.load`` without the records of erased persons, whose streams cannot be replayed
    (their values are gone with their key: ``ledger.erasure``); a process skips them."""
    wanted = list(dict.fromkeys(streams))
    try:
        return ledger.load(wanted)
    except ErasedError:
        found: Streams = {}
        for stream in wanted:
            with contextlib.suppress(ErasedError):
                found.update(ledger.load([stream]))
        return found


def records_of(ledger: Ledger, lao: str) -> dict[UUID, PersonnelRecord]:
    """The personnel records the LAO ``lao`` holds now (opened there or transferred to it)."""
    return {
        stream: record
        for stream, record in load_readable(ledger, ledger.lao_snapshots.held(lao) or ()).items()
        if isinstance(record, PersonnelRecord)
    }


def lao_snapshot(ledger: Ledger, lao: str, position: int | None = None) -> LaoSnapshot:
    """The LAO's snapshot at ``position`` (None: the log's end now), as ``LaoDataSubmitted``
    names it; ``ValueError`` when the log has not reached the position."""
    snapshot = ledger.snapshot(lao, position)
    if snapshot is None:
        raise ValueError(f"position {position} is beyond the end of the log")
    return snapshot


# Writing as the system.


class _SystemWriter:
    """Signs statements with the system key at each stream's head and submits them."""

    def __init__(self, ledger: Ledger, system: Signer, effective: date) -> None:
        self.ledger = ledger
        self.system = system
        self.effective = effective
        self.signer = SignerRef(cid=SYSTEM_CID, key=key_id_of(system.public_key))
        self.pending: list[tuple[UUID, SignedStatement]] = []
        self._heads: dict[UUID, tuple[int, str]] = {}

    def add(self, aggregate: SignedAggregate, type: str, data: dict[str, Any]) -> None:
        version, head = self._heads.get(aggregate.id, (aggregate.version, aggregate.head_hash))
        statement = build_statement(
            stream=aggregate.id,
            expected_version=version,
            prev_hash=head,
            type=type,
            data=data,
            effective=self.effective,
            signer=self.signer,
            signed_at=datetime.now(UTC),
        )
        signed = sign_statement(statement, self.system)
        self._heads[aggregate.id] = (version + 1, signed.hash)
        self.pending.append((aggregate.id, signed))

    def submit(self) -> ProcessReport:
        """Submit in batches; a batch that fails is retried one statement at a time, and the
        statements still refused (a stream moved on meanwhile) are reported as skipped."""
        report = ProcessReport()
        for start in range(0, len(self.pending), BATCH):
            chunk = self.pending[start : start + BATCH]
            try:
                report.receipts.extend(self.ledger.submit_batch(_pairs(chunk)))
            except LedgerError:
                for stream, signed in chunk:
                    try:
                        report.receipts.append(
                            self.ledger.submit(signed.canonical, signed.signature)
                        )
                    except LedgerError as error:
                        report.skipped.append((stream, str(error)))
        self.pending = []
        return report


def _pairs(chunk: Sequence[tuple[UUID, SignedStatement]]) -> list[tuple[bytes, bytes]]:
    return [(signed.canonical, signed.signature) for _, signed in chunk]


def _today() -> date:
    return thai_today()


# Retirement.


def due_for_retirement(ledger: Ledger, fiscal_year: int) -> list[PersonnelRecord]:
    """Records of people in service who retire at the end of ``fiscal_year`` (Buddhist era)
    and have no ``RetirementScheduled`` for it yet. Contract staff leave by ContractEnded."""
    birth_dates: dict[UUID, date] = {}
    committed: set[UUID] = set()  # v2 records: their birth dates are in the vault
    for _, event in scan(ledger, [PersonnelRecord.RecordOpened, PersonnelRecord.EntryCorrected]):
        if event.statement.endswith('"v":2}'):
            committed.add(event.originator_id)
            continue
        data = _data(event)
        if isinstance(event, PersonnelRecord.RecordOpened):
            birth_dates[event.originator_id] = data.birth_date
        elif "birth_date" in data.replacement:  # a corrected header
            birth_dates[event.originator_id] = date.fromisoformat(data.replacement["birth_date"])
    candidates = [
        s for s, born in birth_dates.items() if retirement_fiscal_year(born) == fiscal_year
    ]
    due = []  # a v2 record is read with its revealed birth date, then judged as the others
    for record in load_readable(ledger, [*candidates, *sorted(committed)]).values():
        if (
            isinstance(record, PersonnelRecord)
            and record.category is not StaffCategory.CONTRACT
            and record.status in IN_SERVICE
            and fiscal_year not in record.retirement_schedules
            and retirement_fiscal_year(record.birth_date) == fiscal_year
        ):
            due.append(record)
    return sorted(due, key=lambda record: str(record.id))


def schedule_retirements(
    ledger: Ledger, system: Signer, fiscal_year: int, *, today: date | None = None
) -> ProcessReport:
    """Emit ``RetirementScheduled`` for everyone due to retire at the end of ``fiscal_year``."""
    writer = _SystemWriter(ledger, system, today or _today())
    for record in due_for_retirement(ledger, fiscal_year):
        last_day = retirement_date(record.birth_date)
        writer.add(
            record,
            "RetirementScheduled",
            {"fiscal_year": fiscal_year, "last_day": last_day.isoformat()},
        )
    return writer.submit()


# Certification.


def current_cycles(ledger: Ledger) -> dict[str, CertificationCycle]:
    """Each LAO's latest certification cycle (by cycle name), by DLA code."""
    latest: dict[str, tuple[str, UUID]] = {}
    for _, event in scan(ledger, [CertificationCycle.CycleOpened]):
        data = _data(event)
        if data.lao not in latest or data.cycle > latest[data.lao][0]:
            latest[data.lao] = (data.cycle, event.originator_id)
    loaded = ledger.load(stream for _, stream in latest.values())
    return {
        lao: cycle
        for lao, (_, stream) in latest.items()
        if isinstance(cycle := loaded.get(stream), CertificationCycle)
    }


def certified_position(ledger: Ledger, cycle: CertificationCycle) -> int:
    """The log position a certified cycle's certification covers: the position of the snapshot
    the LAO head certified, or, for a submission made before submissions named one, the
    notification id of the cycle's latest ``LaoDataCertified``."""
    if cycle.certified_position is not None:
        return cycle.certified_position
    events = ledger.stream_events(cycle.id)
    return max(e.notification_id for e in events if e.type == "LaoDataCertified")


RECORD_TYPES = [
    member
    for member in vars(PersonnelRecord).values()
    if isinstance(member, type)
    and issubclass(member, SignedAggregate.Event)
    and getattr(member, "Data", None) is not None
]
"""Every event type of a personnel record's stream."""


def _is_operators(event: SignedAggregate.Event) -> bool:
    """Signed by an operator, not by the ledger's system key (whose notices change no data an
    LAO certifies). Reads the statement only: a v2 event's data holds commitments, which its
    data model does not parse (and the signer is all this needs)."""
    return Statement.model_validate_json(event.statement).signer.cid != SYSTEM_CID


def invalidate_stale_certifications(
    ledger: Ledger, system: Signer, *, today: date | None = None
) -> ProcessReport:
    """Emit ``CertificationInvalidated`` for each LAO whose current cycle is certified while an
    operator changed some record the certification covers after the snapshot's position,
    naming those records.

    Covered: the records of the certified snapshot (held by the LAO at its position). A change
    counts while the LAO held the record (after a transfer, the destination's changes concern
    the destination's certification), and only an operator's: the system key's notices, such
    as ``RetirementScheduled``, do not make a certification stale. Only an LAO's latest cycle
    is invalidated: an earlier cycle's certification stays what it was, a statement about the
    data as of then.
    """
    certified: dict[str, tuple[CertificationCycle, int, frozenset[UUID]]] = {}
    for lao, cycle in current_cycles(ledger).items():
        if cycle.is_certified:
            position = certified_position(ledger, cycle)
            covered = frozenset(ledger.lao_snapshots.held(lao, position) or ())
            certified[lao] = (cycle, position, covered)
    writer = _SystemWriter(ledger, system, today or _today())
    if not certified:
        return writer.submit()
    since = min(position for _, position, _ in certified.values())
    anywhere = frozenset().union(*(covered for _, _, covered in certified.values()))
    changes: list[tuple[int, UUID, int]] = [
        (position, event.originator_id, event.originator_version)
        for position, event in scan(ledger, RECORD_TYPES, start=since + 1)
        if event.originator_id in anywhere and _is_operators(event)
    ]
    records = load_readable(ledger, {stream for _, stream, _ in changes})
    stale: dict[str, set[UUID]] = defaultdict(set)
    for position, stream, version in changes:
        record = records.get(stream)
        if not isinstance(record, PersonnelRecord):
            continue
        holder = record.custody_at(version).lao
        found = certified.get(holder)
        if found is not None and position > found[1] and stream in found[2]:
            stale[holder].add(stream)
    for lao, streams in sorted(stale.items()):
        cycle = certified[lao][0]
        writer.add(
            cycle,
            "CertificationInvalidated",
            {
                "records": [str(s) for s in sorted(streams, key=str)],
                "cause": f"{len(streams)} record(s) changed after the snapshot the LAO "
                f"certified in cycle {cycle.cycle}",
            },
        )
    return writer.submit()


def mark_overdue_cycles(ledger: Ledger, system: Signer, today: date) -> ProcessReport:
    """Emit ``CycleOverdue`` for each current cycle whose stage deadline passed undone."""
    writer = _SystemWriter(ledger, system, today)
    for _, cycle in sorted(current_cycles(ledger).items()):
        for stage in Stage:
            if stage not in cycle.overdue and cycle.is_overdue(stage, today):
                writer.add(
                    cycle, "CycleOverdue", {"stage": stage.value, "as_of": today.isoformat()}
                )
    return writer.submit()


__all__ = [
    "RECORD_TYPES",
    "ProcessReport",
    "certified_position",
    "due_for_retirement",
    "invalidate_stale_certifications",
    "lao_snapshot",
    "mark_overdue_cycles",
    "records_of",
    "scan",
    "schedule_retirements",
]
