"""The ledger's snapshots of an LAO's records at a log position (``ledger.domain.snapshot``
defines them), what a certification names and the admission of ``LaoDataSubmitted`` checks.

A snapshot needs two things the log knows:

* custody at P: which records the LAO held. ``CustodyIndex`` keeps, per personnel record, the
  log positions where its custody changed (``RecordOpened``; ``TransferredIn``, whose
  destination is the ``to_lao`` of the ``TransferredOut`` before it), and per LAO the records it
  ever held. It is kept per ``Ledger`` and advanced from the notification log filtered by those
  three event topics: the first snapshot reads every custody event once, later ones only those
  recorded since. The custody events' data is read from their signed statements
  (``ledger.stored``), not through the domain model.
* heads at P: the version and hash of each held record's latest event at P, read from the
  events table in one query per ``HEADS_BATCH`` records (``NotificationIndex.heads_at``).

Cost (``bench/snapshots.py``): on 100k events (5,000 records in 20 LAOs) the first snapshot of
an LAO took about 0.25 s (reading the custody events once) and later ones about 17 ms for 250
records (one heads query per 500 of the LAO's records), against 0.65 s to scan and replay the
LAO's records. Everything read is committed: positions at or below the log's end, whose rows are
all visible (the recorders number rows in commit order).
"""

from __future__ import annotations

import bisect
import json
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.utils import get_topic

from ledger.domain.personnel import PersonnelRecord
from ledger.domain.snapshot import LaoSnapshot, SnapshotLeaf
from ledger.storage import NotificationIndex
from ledger.stored import StoredEventError, read_signed_state

PAGE = 2000
HEADS_BATCH = 500

OPENED = get_topic(PersonnelRecord.RecordOpened)
OUT = get_topic(PersonnelRecord.TransferredOut)
IN = get_topic(PersonnelRecord.TransferredIn)
CUSTODY_TOPICS = (OPENED, OUT, IN)


def _data(notification: Notification) -> dict[str, object]:
    """The signed data of a custody event (empty when it cannot be read)."""
    try:
        statement = json.loads(read_signed_state(notification.state)[0])
    except (StoredEventError, ValueError):
        return {}
    data = statement.get("data") if isinstance(statement, dict) else None
    return data if isinstance(data, dict) else {}


class CustodyIndex:
    """Which LAO held each personnel record from which log position on (thread-safe)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self._recorder = recorder
        self._read_to = 0  # every custody event at or below this position is in
        self._positions: dict[UUID, list[int]] = {}  # record -> positions of custody changes
        self._holders: dict[UUID, list[str]] = {}  # record -> the LAO from each change on
        self._leaving_for: dict[UUID, str] = {}  # record -> its last TransferredOut's to_lao
        self._ever: dict[str, set[UUID]] = defaultdict(set)  # LAO -> records it ever held
        self._lock = threading.Lock()

    def held_at(self, lao: str, position: int) -> list[UUID]:
        """The records ``lao`` held at ``position``, which must not lie beyond the log's end
        (the index takes everything up to it as read)."""
        with self._lock:
            self._advance(position)
            return [
                stream
                for stream in self._ever.get(lao, ())
                if self._holder_at(stream, position) == lao
            ]

    def _holder_at(self, stream: UUID, position: int) -> str | None:
        at = bisect.bisect_right(self._positions[stream], position)
        return self._holders[stream][at - 1] if at else None

    def _advance(self, position: int) -> None:
        """Read the custody events recorded after what was read, up to ``position``."""
        while self._read_to < position:
            page = self._recorder.select_notifications(
                start=self._read_to + 1, limit=PAGE, stop=position, topics=CUSTODY_TOPICS
            )
            for notification in page:
                self._take(notification)
            if len(page) < PAGE:
                self._read_to = position
            else:
                self._read_to = page[-1].id

    def _take(self, notification: Notification) -> None:
        stream, topic = notification.originator_id, notification.topic
        if not isinstance(stream, UUID):
            stream = UUID(str(stream))
        data = _data(notification)
        if topic == OUT:
            self._leaving_for[stream] = sys.intern(str(data.get("to_lao", "")))
            return
        holder = (
            sys.intern(str(data.get("lao", "")))  # one string per LAO, not one per record
            if topic == OPENED
            else self._leaving_for.pop(stream, "")
        )
        if not holder:
            return
        self._positions.setdefault(stream, []).append(notification.id)
        self._holders.setdefault(stream, []).append(holder)
        self._ever[holder].add(stream)


class Snapshots:
    """The snapshots of one ledger's LAOs: custody from the index, heads from the events."""

    def __init__(self, recorder: ApplicationRecorder, index: NotificationIndex) -> None:
        self._recorder = recorder
        self._index = index
        self._custody = CustodyIndex(recorder)

    def log_end(self) -> int:
        """The position of the latest committed event (0 for an empty log)."""
        return self._recorder.max_notification_id() or 0

    def held(self, lao: str, position: int | None = None) -> list[UUID] | None:
        """The records ``lao`` holds at ``position`` (None: the log's end now), None when the
        log has not reached that position."""
        end = self.log_end()
        if position is not None and position > end:
            return None
        return self._custody.held_at(lao, end if position is None else position)

    def at(self, lao: str, position: int) -> LaoSnapshot | None:
        """The snapshot of ``lao`` at ``position``, None when the log has not reached it."""
        streams = self.held(lao, position)
        if streams is None:
            return None
        return LaoSnapshot.of(lao, position, self._leaves(streams, position))

    def _leaves(self, streams: list[UUID], position: int) -> Iterable[SnapshotLeaf]:
        for start in range(0, len(streams), HEADS_BATCH):
            batch = streams[start : start + HEADS_BATCH]
            for stream, (version, state) in self._index.heads_at(batch, position).items():
                yield SnapshotLeaf(stream, version, read_signed_state(state)[2])


__all__ = ["CustodyIndex", "Snapshots"]
