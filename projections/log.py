"""Reading the ledger's notification log: the one source of order for every projection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.signed import SignedAggregate


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One event of the log as projections see it: position, stream, type and signed statement."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    statement: dict[str, Any]
    canonical: str
    signature: str
    hash: str
    recorded_at: datetime

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.statement["data"]
        return data

    @property
    def effective(self) -> str:
        effective: str = self.statement["effective"]
        return effective


def read_log(ledger: Ledger, after: int, limit: int) -> list[LogEvent]:
    """Up to ``limit`` events with notification ids greater than ``after``, in log order."""
    notifications = ledger.recorder.select_notifications(
        start=after, limit=limit, inclusive_of_start=False
    )
    events = []
    for notification in notifications:
        event = ledger.mapper.to_domain_event(notification)
        if not isinstance(event, SignedAggregate.Event):
            raise TypeError(f"notification {notification.id} is not a signed ledger event")
        events.append(
            LogEvent(
                notification_id=notification.id,
                stream=event.originator_id,
                version=event.originator_version,
                type=type(event).__name__,
                statement=json.loads(event.statement),
                canonical=event.statement,
                signature=event.signature,
                hash=event.hash,
                recorded_at=event.timestamp,
            )
        )
    return events


def follow_log(ledger: Ledger, after: int, batch_size: int) -> Iterator[list[LogEvent]]:
    """Batches of the log from ``after`` until the end as it stands now."""
    while True:
        batch = read_log(ledger, after, batch_size)
        if not batch:
            return
        yield batch
        after = batch[-1].notification_id


def log_end(ledger: Ledger) -> int:
    """The highest notification id recorded so far (0 for an empty log)."""
    return ledger.recorder.max_notification_id() or 0
