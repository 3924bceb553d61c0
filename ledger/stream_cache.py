"""The current state of recently written streams, kept between batches so a write need not read.

A stream's state at a version is fixed by its events, which never change, so a copy cached after
a commit stays right for as long as nobody appends to that stream. When somebody else does (another
process, another ledger object on the same database), the next batch built on the cached copy
names a version that is already taken: the insert fails on the (stream, version) uniqueness
constraint and the ledger checks the batch again against what is stored. A rejection decided on a
cached copy is likewise decided again on stored state, so a stale copy can delay an answer but
never change it.

Copies are lent, not shared: a batch takes the copies it needs out of the cache (a concurrent
batch on the same stream reads its own from the database), and only a batch that committed puts
its copies back. A failed batch drops what it took, since its copies may hold unsaved events.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from uuid import UUID

from ledger.domain.signed import SignedAggregate


class StreamCache:
    """At most ``capacity`` streams' aggregates, least recently written evicted first."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[UUID, SignedAggregate] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def take(self, streams: Iterable[UUID]) -> dict[UUID, SignedAggregate]:
        """Remove and return the cached copies of those streams that are cached."""
        taken: dict[UUID, SignedAggregate] = {}
        with self._lock:
            for stream in streams:
                aggregate = self._items.pop(stream, None)
                if aggregate is not None:
                    taken[stream] = aggregate
        return taken

    def put(self, aggregates: Iterable[SignedAggregate | None]) -> None:
        """Keep copies whose every event is committed (after a successful save)."""
        if self._capacity == 0:
            return
        with self._lock:
            for aggregate in aggregates:
                if aggregate is None or aggregate.pending_events:
                    continue
                held = self._items.get(aggregate.id)
                if held is not None and held.version > aggregate.version:
                    continue  # a racing batch already put back a later copy
                self._items[aggregate.id] = aggregate
                self._items.move_to_end(aggregate.id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def forget(self, streams: Iterable[UUID]) -> None:
        """Drop any copies of those streams."""
        with self._lock:
            for stream in streams:
                self._items.pop(stream, None)
