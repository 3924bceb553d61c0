"""The transparency log: every notification's event hash, in log order, as a Merkle tree leaf.

DESIGN.md section 6: a projection of the notification log into an RFC 9162 Merkle tree, with
signed checkpoints (C2SP signed notes, ``projections.transparency.checkpoints``) every N events
or T seconds, and inclusion and consistency proofs for anyone who holds a checkpoint. Its
tables, their reads and the proofs are ``projections.transparency.store``.

``TransparencyProjection.catch_up`` reads a batch of notifications, extends the tree in memory
(``ledger.merkle.Frontier``), signs the checkpoints that fall due, and writes leaves, nodes,
checkpoints and the tracking position in one transaction: a crash loses nothing and doubles
nothing, and a second runner that lost the race rolls back and reloads. Rebuilding from zero
gives the same leaves and nodes (and the same checkpoints for the same clock).

The log refuses to certify an event whose stored hash is not ``sha256(statement || signature)``:
``CorruptEventError`` stops the projection instead of publishing a tampered log.

Why not pymerkle (7.0, evaluated for this): it stores only the leaves and recomputes subtree
roots from them, with an in-process LRU cache, so a proof after a restart rehashes up to the
whole tree; its SQLite backend keeps its own connection, so its rows cannot share a transaction
with the tracking position, and it has no PostgreSQL backend; and it is GPL-3.0-or-later, which
a proprietary ledger cannot link. The tree itself is ``ledger.merkle`` (RFC 9162, pure).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import Notification

from ledger.application import Ledger
from ledger.merkle import Frontier, leaf_hash
from ledger.signing import Signer
from ledger.statement import key_id_of
from ledger.stored import StoredEventError, read_signed_state
from projections.transparency.checkpoints import log_origin, new_checkpoint, sign_checkpoint
from projections.transparency.errors import CorruptEventError, NoCheckpointError, SystemKeyError
from projections.transparency.store import (
    Batch,
    StoredCheckpoint,
    TransparencyStore,
    stored_time,
)


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the log signs: every ``every_events`` new events, or ``every_seconds`` if any is new."""

    every_events: int = 1000
    every_seconds: float = 60.0


class TransparencyProjection:
    """Feeds the notification log into the transparency log and signs its checkpoints."""

    def __init__(
        self,
        ledger: Ledger,
        signer: Signer,
        *,
        policy: CheckpointPolicy | None = None,
        store: TransparencyStore | None = None,
        clock: Callable[[], datetime] | None = None,
        batch_size: int = 1000,
    ) -> None:
        self.ledger = ledger
        self.store = store or TransparencyStore(ledger)
        self.policy = policy or CheckpointPolicy()
        self.batch_size = batch_size
        self._signer = signer
        self._clock = clock or (lambda: datetime.now(UTC))
        self._frontier: Frontier | None = None
        self._origin: str | None = None
        self._checked = ledger.mapper.cipher is None and ledger.mapper.compressor is None

    @property
    def origin(self) -> str:
        """The log's origin and key name, from the genesis (checks the signer is the system key)."""
        if self._origin is None:
            registry = self.ledger.registry()
            if registry is None:
                raise SystemKeyError("the ledger has no genesis, so no system key")
            if key_id_of(self._signer.public_key) != registry.system_key_id:
                raise SystemKeyError(
                    f"the key given is {key_id_of(self._signer.public_key)}, the ledger's "
                    f"system key is {registry.system_key_id}"
                )
            self._origin = log_origin(self.ledger.name, registry.system_key_id)
        return self._origin

    def catch_up(self) -> int:
        """Take in one batch of new notifications (and due checkpoints); return how many."""
        position, tree_size = self.store.position()
        notifications = self.ledger.recorder.select_notifications(
            start=position, limit=self.batch_size, inclusive_of_start=False
        )
        if notifications or tree_size:
            self._check_signer()
        last = self._last_checkpoint()
        if not notifications and not self._time_is_due(tree_size, last):
            return 0
        frontier = self._frontier_at(tree_size)
        batch = Batch(position=position, tree_size=tree_size)
        try:
            for notification in notifications:
                self._append(frontier, batch, notification)
                if frontier.size % self.policy.every_events == 0:
                    batch.checkpoints.append(self._checkpoint(frontier))
            newest = batch.checkpoints[-1] if batch.checkpoints else last
            if self._time_is_due(frontier.size, newest, batch):
                batch.checkpoints.append(self._checkpoint(frontier))
            batch.tree_size = frontier.size
            if not self.store.write_or_report(batch, expected_position=position):
                self._frontier = None  # another runner moved on: reload next time
                return 0
        except BaseException:
            self._frontier = None
            raise
        self._frontier = frontier
        return len(notifications)

    def seal(self) -> StoredCheckpoint | None:
        """Take in everything recorded so far, then sign a checkpoint of the whole tree unless
        the latest one covers it already: after this, no event is outside every checkpoint
        (``transparency run --once``, the demo). None when the log is empty."""
        while self.catch_up():
            pass
        position, tree_size = self.store.position()
        last = self._last_checkpoint()
        if tree_size == 0 or (last is not None and last.tree_size >= tree_size):
            return last
        frontier = self._frontier_at(tree_size)
        batch = Batch(position=position, tree_size=tree_size)
        batch.checkpoints.append(self._checkpoint(frontier))
        if not self.store.write_or_report(batch, expected_position=position):
            self._frontier = None
            return self.seal()  # another runner moved on meanwhile: take in what it added
        self._frontier = frontier
        return batch.checkpoints[0]

    def _check_signer(self) -> None:
        """Refuse a key that is not the system key before doing any work (``origin`` checks)."""
        _ = self.origin

    def run(self, stop: threading.Event, *, poll_seconds: float = 1.0) -> None:
        """Catch up, then keep following the log until ``stop`` is set."""
        while not stop.is_set():
            if self.catch_up() < self.batch_size:
                stop.wait(poll_seconds)

    def _last_checkpoint(self) -> StoredCheckpoint | None:
        try:
            return self.store.latest_checkpoint()
        except NoCheckpointError:
            return None

    def _time_is_due(
        self, tree_size: int, last: StoredCheckpoint | None, batch: Batch | None = None
    ) -> bool:
        """T seconds since the last checkpoint (before the first: since the first event was
        recorded), and something new to sign. Batch sizes never move a checkpoint."""
        if tree_size == 0 or (last is not None and last.tree_size >= tree_size):
            return False
        if last is not None:
            since = last.issued_at
        elif batch is not None and batch.leaves and batch.leaves[0][0] == 0:
            since = stored_time(batch.leaves[0][3])
        else:
            since = stored_time(self.store.leaf_time(0))
        return (self._clock() - since).total_seconds() >= self.policy.every_seconds

    def _frontier_at(self, tree_size: int) -> Frontier:
        cached = self._frontier
        if cached is not None and cached.size == tree_size:
            return Frontier(cached.size, cached.edge())
        return self.store.frontier(tree_size)

    def _append(self, frontier: Frontier, batch: Batch, notification: Notification) -> None:
        event_hash, recorded_at = self._event_hash(notification)
        index = frontier.size
        batch.leaves.append((index, notification.id, event_hash, recorded_at))
        batch.nodes.extend(frontier.append(leaf_hash(event_hash)))
        batch.position = notification.id

    def _event_hash(self, notification: Notification) -> tuple[bytes, str]:
        """The event hash (checked to be the hash of what was signed) and transaction time."""
        try:
            if self._checked:
                statement, signature, claimed, recorded_at, _ = read_signed_state(
                    notification.state
                )
            else:  # an encrypted or compressed store: let the library decode it
                event: Any = self.ledger.mapper.to_domain_event(notification)
                statement = str(event.statement).encode("utf-8")
                signature = bytes.fromhex(event.signature)
                claimed = str(event.hash)
                recorded_at = event.timestamp.isoformat()
        except (StoredEventError, AttributeError, ValueError) as error:
            raise CorruptEventError(notification.id, str(error)) from None
        actual = hashlib.sha256(statement + signature).digest()
        if actual.hex() != claimed:
            raise CorruptEventError(
                notification.id, "its stored hash is not sha256(statement || signature)"
            )
        return actual, recorded_at

    def _checkpoint(self, frontier: Frontier) -> StoredCheckpoint:
        checkpoint = new_checkpoint(self.origin, frontier.size, frontier.root(), self._clock())
        note = sign_checkpoint(checkpoint, self._signer)
        return StoredCheckpoint(
            checkpoint.tree_size, checkpoint.root_hash, checkpoint.issued_at, note
        )


__all__ = ["CheckpointPolicy", "TransparencyProjection"]
