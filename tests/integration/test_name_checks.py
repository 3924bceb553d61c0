"""The certificate check's counted name tries (projections.name_checks), shared by every
process of the application, on PostgreSQL and SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from projections.name_checks import SWEEP_EVERY, Limit, NameChecks

NOW = 1_800_000_000


@pytest.fixture
def name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def checks(backend_url: str, name: str) -> Iterator[NameChecks]:
    counted = NameChecks(backend_url, name, clock=lambda: NOW)
    yield counted
    counted.close()


def test_two_processes_share_one_count(backend_url: str, name: str, checks: NameChecks) -> None:
    """Tries admitted by one worker count against the other's: the sixth is refused there,
    with the wait until the first leaves the window."""
    other = NameChecks(backend_url, name, clock=lambda: NOW + 5)
    limit = Limit("code:" + "a" * 64, 5, 600)
    try:
        admitted = [(checks if n % 2 else other).admit((limit,)) for n in range(5)]
        refused = other.admit((limit,))
    finally:
        other.close()

    assert [None] * 5 == admitted
    assert refused is not None
    assert (limit, 595) == (refused.limit, refused.wait)


def test_old_tries_are_swept_and_no_address_is_kept_in_clear(backend_url: str, name: str) -> None:
    """Tries older than the window are deleted now and then; the keys are digests."""
    now = [float(NOW)]
    counted = NameChecks(backend_url, name, clock=lambda: now[0])
    try:
        for n in range(SWEEP_EVERY - 1):
            assert counted.admit((Limit(f"client:192.0.2.{n}", 5, 600),)) is None
        now[0] += 601
        assert counted.admit((Limit("client:198.51.100.1", 5, 600),)) is None
        with counted._database.transaction() as cursor:
            cursor.execute(f"SELECT key FROM {counted.table}")  # the table as stored
            keys = [row[0] for row in cursor.fetchall()]
    finally:
        counted.close()

    assert 1 == len(keys)
    assert "198.51.100.1" not in keys[0]
    assert 64 == len(keys[0])
