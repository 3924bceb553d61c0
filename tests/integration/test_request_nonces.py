"""One-time nonces of sign requests shared by every process of the web application
(projections.request_nonces), on PostgreSQL and SQLite."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest

from projections.request_nonces import SWEEP_EVERY, RequestNonces

NOW = 1_800_000_000


@pytest.fixture
def name() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def nonces(backend_url: str, name: str) -> Iterator[RequestNonces]:
    book = RequestNonces(backend_url, name, clock=lambda: NOW)
    yield book
    book.close()


def test_a_nonce_is_spent_once(nonces: RequestNonces) -> None:
    """An issued nonce is spent by the first answer and refused to every later one."""
    nonces.issue("a" * 32, NOW + 300)

    first, second = nonces.spend("a" * 32), nonces.spend("a" * 32)

    assert (True, False) == (first, second)


def test_an_unknown_or_expired_nonce_is_refused(nonces: RequestNonces) -> None:
    """A nonce never issued, or past its expiry, is not spendable."""
    nonces.issue("b" * 32, NOW - 1)

    assert (False, False) == (nonces.spend("c" * 32), nonces.spend("b" * 32))


def test_another_process_spends_what_one_issued(
    backend_url: str, name: str, nonces: RequestNonces
) -> None:
    """A request issued by one server process is answered through another, once."""
    other = RequestNonces(backend_url, name, clock=lambda: NOW)
    try:
        nonces.issue("d" * 32, NOW + 300)

        assert (True, False) == (other.spend("d" * 32), nonces.spend("d" * 32))
    finally:
        other.close()


def test_racing_answers_spend_a_nonce_exactly_once(backend_url: str, name: str) -> None:
    """Eight processes' worth of connections racing over 40 nonces: each is spent once."""
    books = [RequestNonces(backend_url, name, clock=lambda: NOW) for _ in range(8)]
    wanted = [uuid.uuid4().hex for _ in range(40)]
    for nonce in wanted:
        books[0].issue(nonce, NOW + 300)
    wins: list[str] = []
    lock = threading.Lock()

    def answer(book: RequestNonces) -> None:
        for nonce in wanted:
            if book.spend(nonce):
                with lock:
                    wins.append(nonce)

    threads = [threading.Thread(target=answer, args=(book,)) for book in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for book in books:
        book.close()

    assert sorted(wanted) == sorted(wins)


def test_expired_rows_are_swept(backend_url: str, name: str) -> None:
    """Issuing keeps the table small: expired nonces are deleted every SWEEP_EVERY issues."""
    moment = [NOW]
    book = RequestNonces(backend_url, name, clock=lambda: moment[0])
    try:
        for _ in range(SWEEP_EVERY - 1):
            book.issue(uuid.uuid4().hex, NOW + 10)
        moment[0] = NOW + 11
        book.issue("e" * 32, NOW + 300)

        assert book.spend("e" * 32)
        assert 0 == book.open_count()
    finally:
        book.close()
