"""A token key store that scales: shard KEKs on the token, wrapped data keys in a key database.

``TokenKeyStore`` keeps one KEK per person on the token. SoftHSM2 finds an object by label by
scanning every object (~9 ms at 500 people, 160-180 ms at 3,000), and HSMs cap their objects
(thousands); a ledger holds hundreds of thousands of people. ``ShardedTokenKeyStore`` keeps the
property the per-person KEKs exist for (an erasure also defeats every older backup) with a fixed
number of token objects:

* the token holds ``shards`` KEKs (default 1,024), AES-256, sensitive, never extractable (the
  template of ``TokenKeyStore``), labelled ``vault-shard:<store>:<shard>:<generation>``; a
  person's shard is sha256(subject id) mod ``shards``; ``<store>`` is a random id kept in the
  key database, so two key databases (two ledgers, or tests) on one token never touch each
  other's KEKs. A KEK's handle is kept per (shard, generation) in the process: one scan of the
  token at open finds them all, and later a find per new generation, never one per person;
* each person's data key, wrapped under the current KEK of their shard (CKM_AES_GCM, 12-byte
  random IV, the person's key name as associated data), is a row of the store's **own key
  database** (``vault_key_db``: an SQLite file or a separate PostgreSQL database), never the
  ledger's: ``wrap`` returns to the vault only a reference (``shard:<16 hex>``), so a backup of
  the ledger's database holds no wrapped key at all;
* an **erasure rotates the shard**: in one key-database transaction holding the shard's row
  (SQLite's write lock; PostgreSQL ``SELECT ... FOR UPDATE``) it makes the shard's next KEK,
  rewraps every other person of the shard under it, deletes the person's rows and moves the
  shard's generation on; after the commit it destroys the old KEK. A copy of the key database
  taken before the erasure holds the person's data key only under a KEK the token no longer
  has, and so does every other person of that shard in that copy (the trade-off: the key
  database's disaster recovery is replication, or a backup taken after each erasure).

Crash safety: a KEK older than its shard's generation (the erasure crashed between its commit
and the destroy) is destroyed by the sweep every store runs at open. A KEK newer than the
generation (a rotation that crashed before its commit, which rewrapped nothing under it) is
left, and taken as the next generation by the shard's next rotation: the sweep never destroys
it, because a stale copy of the key database opened beside the live token would then destroy
the live shards' current KEKs. Another process's kept handle of a destroyed generation fails
on the token; the reader reads the person's row again (now under the new generation) and finds
that KEK. A data key wrapped by ``TokenKeyStore`` (a token that held per-person KEKs before)
still unwraps through it, and an erasure destroys that KEK too; ``ledger.vault_moves`` moves
such keys into the shards (``adopt_each``), and a copy of the vault's database taken before the
move still opens them, from the row each was moved to.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ledger.vault_db import CHUNK, Database, of_subjects
from ledger.vault_keys import SHARDED, ErasedError, StoreIdentity, TokenKeyStore, key_name

DEFAULT_SHARDS = 1024
"""Shard KEKs on the token: a rotation rewraps about people / shards data keys."""
REFERENCE = b"shard:"
"""Begins what ``wrap`` returns to the vault: a reference to a row of the key database."""
_PREFIX = "vault-shard:"
_PER_PERSON = "vault:"
"""Begins the label of a ``TokenKeyStore``'s per-person KEK (``vault:<key name>``)."""


def moved_ref(name: str) -> str:
    """The reference of a person's data key moved in from their per-person KEK: the same at
    every attempt, so a move resumed after a crash finds the row it kept (``adopt_each``)."""
    return hashlib.sha256(b"thai-lgov-ledger vault move\n" + name.encode()).hexdigest()[:16]


def key_db_url(key_db: str | Path) -> str:
    """The key database's URL: a ``postgresql://`` or ``sqlite:///`` URL, or an SQLite path."""
    text = str(key_db)
    return (
        text
        if text.startswith(("postgresql://", "postgres://", "sqlite://"))
        else (f"sqlite:///{text}")
    )


class ShardedTokenKeyStore(TokenKeyStore):
    """Shard KEKs on a PKCS#11 token, wrapped data keys in a key database of its own (above).
    The search keys are the token's, as in ``TokenKeyStore``."""

    def __init__(
        self,
        module: Path,
        token_label: str,
        pin: str,
        key_db: str | Path,
        *,
        shards: int = DEFAULT_SHARDS,
    ) -> None:
        self.key_db = key_db_url(key_db)
        self._db = Database(self.key_db)
        self._shard_handles: dict[tuple[int, int], Any] = {}
        self._lock_rows = " FOR UPDATE" if self._db.postgres else ""
        self._share_rows = " FOR SHARE" if self._db.postgres else ""
        blob = "BYTEA" if self._db.postgres else "BLOB"
        with self._db.schema_change() as cursor:  # processes opening it at once take turns
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS vault_key_store (id INTEGER PRIMARY KEY "
                "CHECK (id = 1), store TEXT NOT NULL, shards INTEGER NOT NULL)"
            )
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS vault_key_shards ("
                "shard INTEGER PRIMARY KEY, generation INTEGER NOT NULL)"
            )
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS vault_key_wraps (subject TEXT NOT NULL, "
                "ref TEXT NOT NULL, shard INTEGER NOT NULL, generation INTEGER NOT NULL, "
                f"wrapped {blob} NOT NULL, PRIMARY KEY (subject, ref))"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS vault_key_wraps_shard ON vault_key_wraps (shard)"
            )
            cursor.execute(
                "INSERT INTO vault_key_store (id, store, shards) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                [secrets.token_hex(8), shards],
            )
            cursor.execute("SELECT store, shards FROM vault_key_store")
            store, kept = cursor.fetchone()
        if int(kept) != shards:
            self._db.close()
            raise ValueError(
                f"the key database was made with {kept} shards, not {shards} "
                "(vault_key_shards): a person's shard depends on it"
            )
        self.store_id, self.shards = str(store), shards
        super().__init__(module, token_label, pin)
        self.swept = self.sweep()

    def identity(self, *, create: bool) -> StoreIdentity | None:
        return StoreIdentity(SHARDED, self.store_id, self.token_id)

    def close(self) -> None:
        super().close()
        self._db.close()

    def shard_of(self, subject: str) -> int:
        """The subject's shard: sha256 of the subject id, as an integer, mod ``shards``."""
        return int.from_bytes(hashlib.sha256(subject.encode()).digest(), "big") % self.shards

    def _label(self, shard: int, generation: int) -> str:
        return f"{_PREFIX}{self.store_id}:{shard}:{generation}"

    def generations(self) -> dict[int, int]:
        """Each made shard's current generation (a shard is made with its first person)."""
        with self._db.transaction(write=False) as cursor:
            cursor.execute("SELECT shard, generation FROM vault_key_shards")
            return {int(row[0]): int(row[1]) for row in cursor.fetchall()}

    def sweep(self) -> int:
        """One scan of the token: keep the handle of each of this store's shard KEKs, and
        destroy those older than their shard's generation (an erasure that crashed before its
        destroy); how many were destroyed. A newer one is left (module docstring)."""
        prefix = f"{_PREFIX}{self.store_id}:"
        with self._lock, self._files():
            objects = [
                (str(key.label), key)
                for key in self._session.get_objects(
                    {self._p11.Attribute.CLASS: self._p11.ObjectClass.SECRET_KEY}
                )
            ]
        current = self.generations()
        destroyed = 0
        for label, key in objects:
            if not label.startswith(prefix):
                continue
            shard, generation = (int(part) for part in label[len(prefix) :].split(":"))
            if generation < current.get(shard, 0):
                with self._lock, self._files(), contextlib.suppress(self._p11.PKCS11Error):
                    key.destroy()
                    destroyed += 1
            else:
                with self._lock:
                    self._shard_handles[(shard, generation)] = key
        return destroyed

    def _kek(self, shard: int, generation: int, *, create: bool = False) -> Any:
        """The handle of a shard's KEK of that generation (kept, else found, else made when
        ``create``: only under the shard's row lock); None when the token has none."""
        with self._lock:
            kept = self._shard_handles.get((shard, generation))
            if kept is not None:
                return kept
            label = self._label(shard, generation)
            with self._files():  # found, else made, in one turn (ledger.pkcs11_files)
                found = self._labelled(label)
                if found:
                    key = found[0]
                elif create:
                    key = self._make_kek(label)
                else:
                    return None
            self._shard_handles[(shard, generation)] = key
            return key

    def _current(self, cursor: Any, shards: set[int]) -> dict[int, int]:
        """The generation of each of these shards, their rows held shared (PostgreSQL; SQLite's
        write lock holds everything) so no rotation runs meanwhile; a shard never used is made
        now, with its first KEK (in shard order: two writers never deadlock)."""
        wanted = sorted(shards)
        select = "SELECT shard, generation FROM vault_key_shards"
        found: dict[int, int] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ", ".join("?" * len(chunk))
            cursor.execute(
                f"{select} WHERE shard IN ({marks}) ORDER BY shard{self._share_rows}", chunk
            )
            found.update({int(row[0]): int(row[1]) for row in cursor.fetchall()})
        for shard in (shard for shard in wanted if shard not in found):
            cursor.execute(
                "INSERT INTO vault_key_shards (shard, generation) VALUES (?, 1) "
                "ON CONFLICT (shard) DO NOTHING",
                [shard],
            )
            if cursor.rowcount == 1:  # ours: the row stays locked until the commit
                self._kek(shard, 1, create=True)
                found[shard] = 1
            else:  # another writer made it first
                cursor.execute(f"{select} WHERE shard = ?{self._share_rows}", [shard])
                found[shard] = int(cursor.fetchone()[1])
        return found

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        return self.wrap_each({subject: data_key})[subject]

    def wrap_each(self, data_keys: Mapping[str, bytes]) -> dict[str, bytes]:
        """Each data key wrapped under its shard's current KEK and kept in the key database,
        one transaction; the vault gets the rows' references."""
        return self._kept_each(data_keys, moved=False)

    def adopt_each(self, data_keys: Mapping[str, bytes]) -> dict[str, bytes]:
        """``wrap_each`` for data keys moved in from per-person KEKs (``ledger.vault_moves``):
        each row's reference is the person's ``moved_ref``, and a row already kept under it
        (a move that crashed before the vault took the reference) is kept as it is, so a
        person moved again has one row, never two."""
        return self._kept_each(data_keys, moved=True)

    def _kept_each(self, data_keys: Mapping[str, bytes], *, moved: bool) -> dict[str, bytes]:
        references: dict[str, bytes] = {}
        rows: list[tuple[str, str, int, int, bytes]] = []
        with self._db.transaction() as cursor:
            shards = {subject: self.shard_of(subject) for subject in data_keys}
            current = self._current(cursor, set(shards.values()))
            for subject, data_key in data_keys.items():
                shard, name = shards[subject], key_name(subject)
                ref = moved_ref(name) if moved else secrets.token_hex(8)
                generation = current[shard]
                kek = self._kek(shard, generation)
                if kek is None:
                    raise LookupError(
                        f"the token has no KEK of shard {shard}, generation "
                        f"{generation}: a key database and token out of step"
                    )
                with self._lock:
                    sealed = self._encrypt(kek, name, data_key)
                rows.append((name, ref, shard, generation, sealed))
                references[subject] = REFERENCE + ref.encode()
            cursor.executemany(
                "INSERT INTO vault_key_wraps (subject, ref, shard, generation, wrapped) "
                "VALUES (?, ?, ?, ?, ?)" + (" ON CONFLICT (subject, ref) DO NOTHING" * moved),
                rows,
            )
        return references

    def discard(self, wrapped: Mapping[str, bytes]) -> None:
        """Delete the key database's rows of these references (``KeyStore.discard``): a
        reference names one wrap of one person (a random ``ref``), so no other write's key
        goes with it; a key wrapped per person (``TokenKeyStore``) keeps its KEK."""
        rows = sorted(
            (key_name(subject), sealed[len(REFERENCE) :].decode())
            for subject, sealed in wrapped.items()
            if sealed.startswith(REFERENCE)
        )
        if rows:
            with self._db.transaction() as cursor:
                cursor.executemany(
                    "DELETE FROM vault_key_wraps WHERE subject = ? AND ref = ?", rows
                )

    def per_person_keks(self) -> dict[str, list[Any]]:
        """One scan of the token: the handles of its per-person KEKs (``TokenKeyStore``'s,
        labelled ``vault:<key name>``), by key name (two where two processes made a person's
        first key at once, before they took turns on the token: ``ledger.pkcs11_files``)."""
        found: dict[str, list[Any]] = {}
        with self._lock, self._files():
            for key in self._session.get_objects(
                {self._p11.Attribute.CLASS: self._p11.ObjectClass.SECRET_KEY}
            ):
                label = str(key.label)
                if label.startswith(_PER_PERSON):
                    found.setdefault(label[len(_PER_PERSON) :], []).append(key)
        return found

    def open_per_person(
        self, keks: Sequence[Any], subject: str, wrapped: bytes
    ) -> tuple[Any, bytes] | None:
        """The person's per-person wrapped data key opened: the KEK (of the handles given)
        that opens it, and the data key; None when none does (erased, or an erasure that
        stopped before the vault's row went)."""
        with self._lock:
            for kek in keks:
                data_key = self._decrypt(kek, subject, wrapped)
                if data_key is not None:
                    return kek, data_key
        return None

    def destroy_per_person(self, subject: str, keks: Sequence[Any]) -> None:
        """Destroy these per-person KEKs of the subject (handles ``per_person_keks`` found);
        one gone meanwhile is skipped."""
        with self._lock, self._files():
            self._handles.pop(subject, None)
            for kek in keks:
                with contextlib.suppress(self._p11.PKCS11Error):
                    kek.destroy()

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        opened = self.unwrap_each({subject: wrapped})
        if subject not in opened:
            raise ErasedError
        return opened[subject]

    def unwrap_each(self, wrapped: Mapping[str, bytes]) -> dict[str, bytes]:
        """The data keys of these references, their rows read together (a query per 500
        people). A key wrapped per person (``TokenKeyStore``) opens from the row it was moved
        to (``ledger.vault_moves``: a database copy taken before the move still reads), else
        through its per-person KEK on the token."""
        opened: dict[str, bytes] = {}
        ours: dict[tuple[str, str], str] = {}
        per_person: dict[str, bytes] = {}
        for subject, sealed in wrapped.items():
            name = key_name(subject)
            if sealed.startswith(REFERENCE):
                ours[(name, sealed[len(REFERENCE) :].decode())] = subject
            else:
                ours[(name, moved_ref(name))] = subject
                per_person[subject] = sealed
        rows = self._rows(sorted({name for name, _ in ours})) if ours else {}
        for (name, ref), subject in ours.items():
            row = rows.get((name, ref))
            if row is None:
                continue  # erased, or never moved
            key = self._open(name, row) or self._open(name, self._row(name, ref))
            if key is not None:  # else: erased, or its shard rotated twice meanwhile
                opened[subject] = key
        for subject in (subject for subject in per_person if subject not in opened):
            with contextlib.suppress(ErasedError):
                opened[subject] = TokenKeyStore.unwrap(self, subject, per_person[subject])
        return opened

    def _rows(self, names: Sequence[str]) -> dict[tuple[str, str], tuple[int, int, bytes]]:
        select = "SELECT subject, ref, shard, generation, wrapped FROM vault_key_wraps"
        with self._db.transaction(write=False) as cursor:
            found = of_subjects(cursor, select, names)
        return {(str(r[0]), str(r[1])): (int(r[2]), int(r[3]), bytes(r[4])) for r in found}

    def _row(self, name: str, ref: str) -> tuple[int, int, bytes] | None:
        """The row read again: a rotation may have rewrapped it since it was read."""
        return self._rows([name]).get((name, ref))

    def _open(self, name: str, row: tuple[int, int, bytes] | None) -> bytes | None:
        """The data key of a row, None if it does not open (its KEK destroyed meanwhile: a
        kept handle is dropped, and the token asked again once)."""
        if row is None:
            return None
        shard, generation, sealed = row
        for _ in range(2):
            kek = self._kek(shard, generation)
            if kek is None:
                return None
            with self._lock:
                opened = self._decrypt(kek, name, sealed)
                if opened is not None:
                    return opened
                self._shard_handles.pop((shard, generation), None)
        return None

    def destroy(self, subject: str) -> bool:
        """Rotate the subject's shard without them (module docstring), then destroy the old
        KEK; a per-person KEK of ``TokenKeyStore`` goes too. Whether there was a key."""
        per_person = TokenKeyStore.destroy(self, subject)
        name, shard = key_name(subject), self.shard_of(subject)
        with self._db.transaction() as cursor:
            cursor.execute(
                f"SELECT generation FROM vault_key_shards WHERE shard = ?{self._lock_rows}",
                [shard],
            )
            row = cursor.fetchone()
            cursor.execute("SELECT COUNT(*) FROM vault_key_wraps WHERE subject = ?", [name])
            if row is None or int(cursor.fetchone()[0]) == 0:
                return per_person
            old = int(row[0])
            self._rotate(cursor, shard, old, name)
        with self._lock:
            self._shard_handles.pop((shard, old), None)
            self._destroy_labelled(self._label(shard, old))
        return True

    def _rotate(self, cursor: Any, shard: int, old: int, erased: str) -> None:
        """Inside the shard's locked transaction: the next KEK (found, if a crashed rotation
        left it, else made), every other row rewrapped under it, the erased person's rows
        deleted, the generation moved on."""
        old_kek, new_kek = self._kek(shard, old), self._kek(shard, old + 1, create=True)
        cursor.execute(
            "SELECT subject, ref, wrapped FROM vault_key_wraps WHERE shard = ? AND subject <> ?",
            [shard, erased],
        )
        rewrapped = []
        for name, ref, sealed in cursor.fetchall():
            with self._lock:
                data_key = None if old_kek is None else self._decrypt(old_kek, name, sealed)
                if data_key is None:
                    raise LookupError(f"a data key of shard {shard} does not open: not rotated")
                rewrapped.append((old + 1, self._encrypt(new_kek, name, data_key), name, ref))
        cursor.executemany(
            "UPDATE vault_key_wraps SET generation = ?, wrapped = ? WHERE subject = ? AND ref = ?",
            rewrapped,
        )
        cursor.execute("DELETE FROM vault_key_wraps WHERE subject = ?", [erased])
        cursor.execute(
            "UPDATE vault_key_shards SET generation = ? WHERE shard = ?", [old + 1, shard]
        )


__all__ = ["DEFAULT_SHARDS", "REFERENCE", "ShardedTokenKeyStore", "key_db_url", "moved_ref"]
