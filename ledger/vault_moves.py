"""Moving the people a token holds per-person KEKs for into the sharded store.

A vault made with ``TokenKeyStore`` (a KEK per person on the token) and opened since with the
sharded store (``LEDGER_VAULT_KEY_DB`` set) reads its old people through their per-person KEKs
(``ShardedTokenKeyStore.unwrap_each``). ``move_to_shards`` (``ledger vault move-to-shards``)
moves them: per batch of people,

1. each person's data key is opened with their per-person KEK (one scan of the token finds
   them all at the start); one that opens with none is left as it is (erased, or an erasure
   that stopped before the vault's row went: it stays unreadable, never moved);
2. the data keys are kept in the key database under their shards' KEKs (one transaction),
   each under the person's ``moved_ref``: a row kept by a move that crashed before step 3 is
   found and kept, never a second one;
3. the vault's rows take the references, one transaction, each only if it still holds the
   per-person wrapped key that was opened (compare-and-set): a row gone meanwhile (an erasure)
   has its shard rotated (the erasure may have looked at the shards before step 2 kept the row);
4. the moved people's per-person KEKs are destroyed; when the one that opened a person's key no
   longer does, an erasure destroyed it meanwhile (it checks the shards before step 2 or after
   it) and the shard is rotated too, so the erasure never leaves a key the token opens.

Every step can be cut short (a kill) and the move run again: after step 2 the vault still reads
the person through their per-person KEK, after step 3 through the shards, and the next run's
step 1 destroys the per-person KEKs of people already in the shards. One move runs at a time
on a key database (a lock: an advisory lock on PostgreSQL, a lock file beside an SQLite file),
so two moves never take each other's KEKs for an erasure's.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import MOVE_NEEDS_SHARDS, MOVE_RUNNING, LedgerError
from ledger.pg_connections import connect
from ledger.vault import Vault
from ledger.vault_identity import Refused
from ledger.vault_keys import key_name
from ledger.vault_shards import REFERENCE, ShardedTokenKeyStore
from ledger.violations import Violation

BATCH = 100
"""People moved in one transaction of each database."""
_LOCK = 7_403_117_125
"""The PostgreSQL advisory lock a move holds on its key database."""


class VaultMoveError(LedgerError):
    """A move into the shards refused before it moved anyone (its rule, Thai and English)."""

    def __init__(self, refused: Any) -> None:
        violation = Violation(refused, "vault")
        super().__init__(f"{violation.th}\n{violation.en} [{refused.id}]")
        self.violations = [violation]


@dataclass
class Moved:
    """What a move did, counts only (never a subject)."""

    moved: int = 0
    """People whose data keys went into the shards (their per-person KEKs destroyed)."""
    already: int = 0
    """People already in the shards (a person's first key made by the sharded store, or moved)."""
    unreadable: int = 0
    """People whose per-person wrapped key no KEK opens (erased): left as they are."""
    erased: int = 0
    """People erased while they were moved: their shard rotated without them."""
    leftover: int = 0
    """People already in the shards whose per-person KEK was still on the token (a move cut
    short after its vault's rows): that KEK destroyed."""

    @property
    def people(self) -> int:
        """The vault's people looked at so far."""
        return self.moved + self.already + self.unreadable + self.erased


def move_to_shards(
    vault: Vault, *, batch: int = BATCH, progress: Callable[[Moved, int], None] | None = None
) -> Moved:
    """Move the vault's people held per person on the token into the sharded store (module
    docstring); ``progress`` is told after each batch (the counts, the people to look at)."""
    keys, database = vault.parts()
    if isinstance(keys, Refused):
        raise keys.refusal
    if not isinstance(keys, ShardedTokenKeyStore):
        raise VaultMoveError(MOVE_NEEDS_SHARDS)
    with _alone(keys.key_db):
        with database.transaction(write=False) as cursor:
            cursor.execute(f"SELECT subject, wrapped FROM {vault.keys_table} ORDER BY subject")
            rows = [(str(row[0]), bytes(row[1])) for row in cursor.fetchall()]
        keks = keys.per_person_keks()
        done = Moved()
        for subject, _ in (row for row in rows if row[1].startswith(REFERENCE)):
            done.already += 1
            left = keks.get(key_name(subject))
            if left:
                keys.destroy_per_person(subject, left)
                done.leftover += 1
        per_person = [row for row in rows if not row[1].startswith(REFERENCE)]
        for start in range(0, len(per_person), batch):
            _move(vault, keys, keks, per_person[start : start + batch], done)
            if progress is not None:
                progress(done, len(rows))
    return done


def _move(
    vault: Vault,
    keys: ShardedTokenKeyStore,
    keks: dict[str, list[Any]],
    rows: Sequence[tuple[str, bytes]],
    done: Moved,
) -> None:
    """One batch: opened, kept in the shards, taken by the vault, per-person KEKs destroyed."""
    opened: dict[str, tuple[bytes, Any, bytes]] = {}  # subject -> (wrapped, KEK, data key)
    for subject, wrapped in rows:
        found = keys.open_per_person(keks.get(key_name(subject), []), subject, wrapped)
        if found is None:
            done.unreadable += 1
        else:
            opened[subject] = (wrapped, *found)
    if not opened:
        return
    references = _keep(keys, {subject: key for subject, (_, _, key) in opened.items()})
    taken = _take(vault, {subject: (wrapped, references[subject])
                          for subject, (wrapped, _, _) in opened.items()})  # fmt: skip
    for subject, (wrapped, kek, _) in opened.items():
        if subject in taken:  # step 4: unless an erasure destroyed the KEK meanwhile
            erased = keys.open_per_person([kek], subject, wrapped) is None
            if not erased:
                keys.destroy_per_person(subject, keks.get(key_name(subject), []))
        else:
            current = _current(vault, subject)
            erased = current is None
            if current is not None and current != references[subject]:
                keys.discard({subject: references[subject]})  # step 2's row: nobody's
        if erased:  # its shard rotated: the erasure may have looked before step 2
            keys.destroy(subject)
        done.erased += erased
        done.moved += subject in taken and not erased
        done.already += subject not in taken and not erased


def _keep(keys: ShardedTokenKeyStore, data_keys: dict[str, bytes]) -> dict[str, bytes]:
    """Step 2: the data keys kept in the shards, each under the person's moved reference."""
    return keys.adopt_each(data_keys)


def _take(vault: Vault, moved: dict[str, tuple[bytes, bytes]]) -> set[str]:
    """Step 3: each vault row that still holds its per-person wrapped key takes the reference,
    one transaction; the subjects whose row did."""
    taken: set[str] = set()
    _, database = vault.parts()
    with database.transaction() as cursor:
        for subject, (wrapped, reference) in moved.items():
            cursor.execute(
                f"UPDATE {vault.keys_table} SET wrapped = ? WHERE subject = ? AND wrapped = ?",
                [reference, subject, wrapped],
            )
            if cursor.rowcount == 1:
                taken.add(subject)
    return taken


def _current(vault: Vault, subject: str) -> bytes | None:
    """The subject's wrapped data key (or reference) in the vault; None once erased."""
    _, database = vault.parts()
    with database.transaction(write=False) as cursor:
        cursor.execute(f"SELECT wrapped FROM {vault.keys_table} WHERE subject = ?", [subject])
        row = cursor.fetchone()
    return None if row is None else bytes(row[0])


@contextmanager
def _alone(key_db: str) -> Iterator[None]:
    """Hold the key database's move lock (``vault.move_running`` when another move holds it):
    a PostgreSQL advisory lock on a connection of its own, or a lock file beside an SQLite
    file; either goes with the process."""
    if key_db.startswith(("postgresql://", "postgres://")):
        with connect(key_db, autocommit=True) as connection:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK]).fetchone()
            if row is None or not row[0]:
                raise VaultMoveError(MOVE_RUNNING)
            yield
        return
    path = key_db.removeprefix("sqlite:///")
    if not path or ":memory:" in path:
        yield
        return
    with Path(f"{path}.move-lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise VaultMoveError(MOVE_RUNNING) from None
        yield


__all__ = [
    "BATCH",
    "MOVE_NEEDS_SHARDS",
    "MOVE_RUNNING",
    "Moved",
    "VaultMoveError",
    "move_to_shards",
]
