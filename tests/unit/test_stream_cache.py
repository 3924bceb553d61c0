"""The stream cache lends copies to one batch at a time and keeps only committed ones."""

from __future__ import annotations

import uuid

from ledger.domain.signed import SignedAggregate
from ledger.stream_cache import StreamCache


def _aggregate(version: int = 1, *, pending: bool = False) -> SignedAggregate:
    aggregate = SignedAggregate.__new__(SignedAggregate)
    aggregate._id = uuid.uuid4()  # type: ignore[attr-defined]
    aggregate._version = version  # type: ignore[attr-defined]
    aggregate._pending_events = [object()] if pending else []  # type: ignore[attr-defined]
    return aggregate


def test_a_taken_copy_is_lent_to_one_batch_only() -> None:
    cache = StreamCache(10)
    aggregate = _aggregate()
    cache.put([aggregate])

    first = cache.take([aggregate.id])
    second = cache.take([aggregate.id])

    assert {aggregate.id: aggregate} == first
    assert {} == second


def test_copies_with_unsaved_events_are_not_kept() -> None:
    cache = StreamCache(10)
    saved, unsaved = _aggregate(), _aggregate(pending=True)

    cache.put([saved, unsaved, None])

    assert [saved.id] == list(cache.take([saved.id, unsaved.id]))


def test_a_later_copy_is_not_replaced_by_an_earlier_one() -> None:
    cache = StreamCache(10)
    later = _aggregate(5)
    earlier = _aggregate(4)
    earlier._id = later.id  # type: ignore[attr-defined]

    cache.put([later])
    cache.put([earlier])

    assert later is cache.take([later.id])[later.id]


def test_the_least_recently_written_stream_goes_first() -> None:
    cache = StreamCache(2)
    a, b, c = _aggregate(), _aggregate(), _aggregate()

    cache.put([a])
    cache.put([b])
    cache.put([a])
    cache.put([c])

    assert {a.id, c.id} == set(cache.take([a.id, b.id, c.id]))


def test_forget_and_a_zero_capacity_keep_nothing() -> None:
    cache = StreamCache(10)
    aggregate = _aggregate()
    cache.put([aggregate])
    cache.forget([aggregate.id])
    disabled = StreamCache(0)
    disabled.put([aggregate])

    assert 0 == len(cache) == len(disabled)
