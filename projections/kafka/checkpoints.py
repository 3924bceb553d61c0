"""Signed checkpoints on their own topic, and the port the publisher reads them through.

The transparency log (``projections.transparency.projection``) signs checkpoints: notes in the C2SP
tlog-checkpoint format (origin, tree size, root hash, time; then the system key's signature
line). The publisher asks a ``CheckpointSource`` for the checkpoints after the last one it
published, and only for tree sizes whose events the broker has already acknowledged, so a
consumer that sees a checkpoint already has every event it covers. Leaves are the log's
notifications in order, one each, so tree size T covers notifications 1..T. The value::

    {"ledger", "tree_size", "root_hash": hex, "issued_at": ISO 8601,
     "note": the signed checkpoint note, verifiable with standard signed-note tools}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from projections.kafka.envelope import HEADER_LEDGER, Headers
from projections.transparency.store import TransparencyStore

HEADER_TREE_SIZE = "tree_size"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed checkpoint as the transparency log issued it."""

    tree_size: int
    root_hash: bytes
    issued_at: datetime
    note: str  # the signed note, signature line included


class CheckpointSource(Protocol):
    """Where the publisher reads signed checkpoints from (the transparency log's table)."""

    def checkpoints_after(self, tree_size: int, *, up_to: int) -> Sequence[Checkpoint]:
        """Checkpoints with ``tree_size < size <= up_to``, in increasing tree size."""
        ...


def checkpoint_value(checkpoint: Checkpoint, ledger_name: str) -> bytes:
    """The record value of a checkpoint."""
    return json.dumps(
        {
            "ledger": ledger_name,
            "tree_size": checkpoint.tree_size,
            "root_hash": checkpoint.root_hash.hex(),
            "issued_at": checkpoint.issued_at.isoformat(),
            "note": checkpoint.note,
        },
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    ).encode("utf-8")


def checkpoint_headers(checkpoint: Checkpoint, ledger_name: str) -> Headers:
    return [
        (HEADER_LEDGER, ledger_name.encode("ascii")),
        (HEADER_TREE_SIZE, str(checkpoint.tree_size).encode("ascii")),
    ]


class TransparencyCheckpoints:
    """The transparency log's checkpoint table as a ``CheckpointSource``."""

    def __init__(self, store: TransparencyStore, *, batch: int = 1000) -> None:
        self._store = store
        self._batch = batch

    def checkpoints_after(self, tree_size: int, *, up_to: int) -> list[Checkpoint]:
        return [
            Checkpoint(stored.tree_size, stored.root_hash, stored.issued_at, stored.note)
            for stored in self._store.checkpoints(after_size=tree_size, limit=self._batch)
            if stored.tree_size <= up_to
        ]
