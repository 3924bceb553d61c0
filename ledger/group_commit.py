"""Group commit: many clients' single statements saved in one transaction, each judged alone.

Near a deadline thousands of LAOs each send one statement at a time. Saved one per
transaction, they queue for the events table's lock and each pays a commit (a disk flush) of
its own. Here the threads that submit (the API's request threads) check their statement's
signature themselves, in parallel, then hand it to one committer thread, which takes whatever
has gathered (up to ``max_size``, waiting at most ``max_wait`` seconds for more once one is
there) and decides the group in one transaction: each statement is admitted or refused on its
own, in arrival order, as if they had come one after another (a statement on the same stream
as an earlier one of the group sees it); the accepted ones are saved together and each caller
gets its own receipt or its own refusal. While the committer saves one group the next one
gathers, so the group grows with the load and no client waits for a timer when the ledger is
quiet; a statement that arrives while no other is in flight goes alone, as it would with group
commit off (nobody would share its transaction, and the hand-over costs a little).

Anything out of the ordinary (the genesis, a key unknown or revoked, a bad signature, a group
that cannot be decided) goes the way of an ordinary submission (``Ledger.submit_batch``) on the
caller's thread, so the answers are exactly those of a submission alone. Batches
(``submit_batch``) never go through the committer: they keep their all-or-none meaning.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field

from ledger.admission import Receipt, signing_key
from ledger.domain.operators import OperatorRegistry
from ledger.errors import LedgerError, RevokedKeyError, UnknownKeyError
from ledger.signing import verify_signature
from ledger.statement import SignedStatement

DecideEach = Callable[[Sequence[SignedStatement]], list[Receipt | LedgerError]]
"""Decides each statement of a group on its own and saves the accepted ones together."""


class GoAlone(Exception):  # noqa: N818 (a signal to the caller, not an error)
    """The committer could not decide this statement in a group: submit it on its own."""


@dataclass(slots=True)
class _Waiting:
    signed: SignedStatement
    answer: Future[Receipt] = field(default_factory=Future)


ALONE = (UnknownKeyError, RevokedKeyError)
"""Refusals a caller rechecks alone: a statement recorded before its key was revoked gets its
first receipt there (``Ledger.submit_batch``), not the refusal."""


def signed_by_a_known_key(signed: SignedStatement, registry: OperatorRegistry | None) -> bool:
    """Whether the signature is good by a key the (cached) registry knows as active: only
    such a statement joins a group (anything else goes alone, for the answer it deserves)."""
    if registry is None or signed.statement.type == "LedgerInitialised":
        return False
    try:
        key = signing_key(signed, registry)
    except LedgerError:
        return False
    return verify_signature(key, signed.canonical, signed.signature)


class GroupCommitter:
    """One committer thread, started with the first statement and stopped by ``close``."""

    def __init__(self, decide_each: DecideEach, *, max_size: int, max_wait: float) -> None:
        self._decide_each = decide_each
        self.max_size = max_size
        self.max_wait = max_wait
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.groups = 0
        self.statements = 0
        self._in_flight = 0

    @contextmanager
    def arrival(self) -> Iterator[bool]:
        """Count a submission in flight while it runs, and say whether another one is: only
        then is there anyone to share a transaction with (a lone client pays no hand-over)."""
        with self._lock:
            others = self._in_flight
            self._in_flight += 1
        try:
            yield others > 0
        finally:
            with self._lock:
                self._in_flight -= 1

    def submit(self, signed: SignedStatement) -> Receipt:
        """Wait for the statement's group to be decided: its receipt, or its refusal raised.
        ``GoAlone`` says the caller should submit it on its own instead."""
        waiting = _Waiting(signed)
        with self._lock:
            if self._closed:
                raise GoAlone
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()
            self._queue.put(waiting)
        return waiting.answer.result()

    def close(self) -> None:
        """Decide what is queued, then stop the committer thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            group, stop = self._gather()
            if group:
                self._decide(group)
            if stop:
                return

    def _gather(self) -> tuple[list[_Waiting], bool]:
        """The next group: the first statement to come, and whatever comes with it."""
        first = self._queue.get()
        if first is None:
            return [], True
        group = [first]
        deadline = time.monotonic() + self.max_wait
        while len(group) < self.max_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    item = self._queue.get(timeout=left)
                except queue.Empty:
                    break
            if item is None:
                return group, True
            group.append(item)
        return group, False

    def _decide(self, group: list[_Waiting]) -> None:
        try:
            outcomes = self._decide_each([waiting.signed for waiting in group])
        except Exception:  # each caller learns what it was by going alone
            for waiting in group:
                waiting.answer.set_exception(GoAlone())
            return
        self.groups += 1
        self.statements += len(group)
        for waiting, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, ALONE):
                waiting.answer.set_exception(GoAlone())
            elif isinstance(outcome, LedgerError):
                waiting.answer.set_exception(outcome)
            else:
                waiting.answer.set_result(outcome)


__all__ = ["GoAlone", "GroupCommitter", "signed_by_a_known_key"]
