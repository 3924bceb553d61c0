"""The signed log read by position, limited to a reader's scope: what ``GET /log`` answers.

An auditor follows the whole notification log, in order, as it was signed: each event's
statement bytes, signature, hash, the hash it chains to, its transaction time. A reader whose
scope is narrower than the country sees only the events of streams whose scope lies inside
theirs (a stream's scope as it stands now, the same test ``GET /streams/{id}/events`` makes: a
record transferred to another province is read, whole, by the new one). The operator registry
is national: it names every operator.

A page examines ``limit`` positions of the log after ``after`` and returns the visible ones;
``next_after`` is the last position examined, so a reader with a narrow scope pages through the
gaps without learning what filled them, and the cost of a page stays bounded whatever the scope.
The page also names the personnel records it shows, for the access log (PDPA).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from ledger.application import Ledger, RecordedEvent
from ledger.domain.permissions import NATIONAL, Scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.signed import SignedAggregate
from ledger.vault_keys import ErasedError
from projections.log import LogEvent, read_log
from projections.personal import erased_record_scope


@dataclass(frozen=True, slots=True)
class LogPage:
    """The visible events of one window of the log, and where the next window starts."""

    events: list[RecordedEvent]
    next_after: int
    log_end: int
    records: list[UUID]
    """The personnel records among the events' streams (their reads are logged)."""


def read_log_page(ledger: Ledger, scope: Scope, after: int, limit: int) -> LogPage:
    """The events at positions ``after + 1`` to ``after + limit`` whose stream ``scope``
    covers, in log order."""
    window = read_log(ledger, after, limit)
    streams = _streams(ledger, {event.stream for event in window})
    visible = [
        event for event in window if scope.covers(_stream_scope(ledger, streams, event.stream))
    ]
    records = _personnel_records(streams, {event.stream for event in visible})
    return LogPage(
        events=[recorded(event) for event in visible],
        next_after=window[-1].notification_id if window else after,
        log_end=ledger.recorder.max_notification_id() or 0,
        records=records,
    )


@dataclass(frozen=True, slots=True)
class Erased:
    """An erased person's record, which cannot be replayed: its scope from its custody events
    (``projections.personal.erased_record_scope``)."""

    scope: Scope


Loaded = SignedAggregate | Erased | None


def _streams(ledger: Ledger, streams: set[UUID]) -> dict[UUID, Loaded]:
    """The current state of the window's streams (not the registry: it is national); when one
    is an erased person's record, the streams one by one, the erased ones by their scope."""
    wanted = streams - {ledger.registry_id}
    try:
        return dict(ledger.load(wanted))
    except ErasedError:
        found: dict[UUID, Loaded] = {}
        for stream in sorted(wanted):
            try:
                found.update(ledger.load([stream]))
            except ErasedError:
                found[stream] = Erased(erased_record_scope(ledger, stream))
        return found


def personnel_records(ledger: Ledger, streams: Iterable[UUID]) -> list[UUID]:
    """Which of ``streams`` are personnel records (whose reads the access log keeps)."""
    wanted = set(streams)
    return _personnel_records(_streams(ledger, wanted), wanted)


def _personnel_records(loaded: dict[UUID, Loaded], streams: set[UUID]) -> list[UUID]:
    return sorted(
        stream for stream in streams if isinstance(loaded.get(stream), PersonnelRecord | Erased)
    )


def _stream_scope(ledger: Ledger, streams: dict[UUID, Loaded], stream: UUID) -> Scope:
    if stream == ledger.registry_id:
        return NATIONAL
    aggregate = streams.get(stream)
    if isinstance(aggregate, Erased):
        return aggregate.scope
    return aggregate.read_scope() if aggregate is not None else NATIONAL


def recorded(event: LogEvent) -> RecordedEvent:
    """A log event as a client reads it: the bytes as signed and the hash it chains to."""
    return RecordedEvent(
        notification_id=event.notification_id,
        stream=event.stream,
        version=event.version,
        type=event.type,
        statement=event.canonical.encode("utf-8"),
        signature=bytes.fromhex(event.signature),
        hash=event.hash,
        prev_hash=str(event.statement["prev_hash"]),
        recorded_at=event.recorded_at,
    )


__all__ = ["LogPage", "personnel_records", "read_log_page", "recorded"]
