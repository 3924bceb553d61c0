"""Which key store a vault was made with, kept in the vault's own table, checked at every open.

A vault's data keys open only with the key store that wrapped them. Opened with another (a
vault made on a SoftHSM2 token, opened without the ``LEDGER_VAULT_*`` settings, gets the key
files beside its SQLite file), nothing would open, and every read would show everyone as
erased: wrong, and dangerous (an officer could believe the data destroyed). So the vault keeps
one row, ``<ledger>_vault_store (kind, store, token)`` (``StoreIdentity``: never a key), and a
vault opened with a store that is not that one refuses every read and write by the rule
``vault.key_store_mismatch`` (``KeyStoreMismatchError``: the CLI exits 1, ``ledger serve`` does
not start, an app given such a ledger answers 503), never ``person.erased``.

* A new vault records the store it is opened with (key files: a random id kept in the key
  folder, made now; a token: its label and serial; the sharded store: the key database's store
  id and the token).
* A vault made before this table (no row) records it at its first open when the store opens
  one of the first ``SAMPLE`` wrapped data keys kept (or the vault keeps none yet); when none
  opens, it is refused as another store's, and nothing is recorded.
* A vault recorded on a token and opened with the sharded store on that same token (the
  documented move, ``LEDGER_VAULT_KEY_DB`` set) records the sharded store: its people wrapped
  per person still open through the token. The reverse is refused (the references need the
  key database).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.errors import LedgerError
from ledger.vault_db import Database
from ledger.vault_keys import KEY_FILES, SHARDED, TOKEN, KeyStore, StoreIdentity
from ledger.violations import Violation, rule

SAMPLE = 8
"""Wrapped data keys of a vault made before its store was recorded that its first open tries."""

KEY_STORE_MISMATCH = rule(
    "vault.key_store_mismatch",
    "ห้องเก็บข้อมูลส่วนบุคคล (vault) ของบัญชีนี้สร้างไว้กับ{needed_th} แต่ครั้งนี้เปิดด้วย{given_th} "
    "จึงไม่อ่านและไม่เขียนข้อมูลส่วนบุคคลเลย (ไม่มีข้อมูลของผู้ใดถูกลบ): ตั้ง {settings} "
    "ให้ตรงกับที่เก็บกุญแจเดิม แล้วสั่งอีกครั้ง",
    "this ledger's personal-data vault was made with {needed_en}, but is opened with "
    "{given_en}: nothing personal is read or written (no one's data is erased); set {settings} "
    "for its key store and run it again",
)
"""A vault opened with a key store other than the one it was made with (field ``vault``)."""

_PKCS11_VARIABLES = (
    "LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL, LEDGER_VAULT_TOKEN_PIN (SoftHSM2: "
    "SOFTHSM2_CONF)"
)
_SETTINGS = {
    KEY_FILES: "LEDGER_VAULT_KEY_DIR (<file>.vault-keys/<name>/)",
    TOKEN: _PKCS11_VARIABLES,
    SHARDED: f"{_PKCS11_VARIABLES}, LEDGER_VAULT_KEY_DB",
}
"""The settings each kind of store needs: names of variables, the same in Thai and English."""


def _described(identity: StoreIdentity | None) -> tuple[str, str]:
    """A key store in Thai and English (its ids, never a key)."""
    if identity is None:
        return ("แฟ้มกุญแจในโฟลเดอร์ที่ไม่มีกุญแจของบัญชีนี้", "key files in a folder holding none of its keys")
    if identity.kind == KEY_FILES:
        return (
            f"แฟ้มกุญแจ (key files) รหัสที่เก็บ {identity.store}",
            f"key files (store id {identity.store})",
        )
    if identity.kind == TOKEN:
        return (
            f"โทเค็น PKCS#11 ที่เก็บกุญแจหนึ่งดอกต่อคน ({identity.token})",
            f"a PKCS#11 token holding a key per person ({identity.token})",
        )
    return (
        f"กุญแจกลุ่ม (shard) บนโทเค็น PKCS#11 ({identity.token}) กับฐานข้อมูลกุญแจรหัส {identity.store}",
        f"a PKCS#11 token's shard keys ({identity.token}) with the key database of store "
        f"{identity.store}",
    )


class KeyStoreMismatchError(LedgerError):
    """The vault was made with another key store than the one it is opened with."""

    def __init__(self, needed: StoreIdentity | None, given: StoreIdentity | None) -> None:
        needed_th, needed_en = (
            _described(needed)
            if needed is not None
            else ("ที่เก็บกุญแจอื่น (กุญแจที่เก็บไว้เปิดด้วยที่เก็บนี้ไม่ได้เลย)", "another key store "
                  "(none of the data keys it kept opens with this one)")
        )  # fmt: skip
        given_th, given_en = _described(given)
        settings = _SETTINGS[needed.kind] if needed is not None else "LEDGER_VAULT_*"
        details = {"needed_th": needed_th, "needed_en": needed_en, "given_th": given_th}
        details |= {"given_en": given_en, "settings": settings}
        violation = Violation(KEY_STORE_MISMATCH, "vault", details)
        super().__init__(f"{violation.th}\n{violation.en} [{KEY_STORE_MISMATCH.id}]")
        self.needed, self.given = needed, given
        self.violations = [violation]


def _row(cursor: Any, table: str) -> StoreIdentity | None:
    cursor.execute(f"SELECT kind, store, token FROM {table} WHERE id = 1")
    row = cursor.fetchone()
    return None if row is None else StoreIdentity(str(row[0]), str(row[1]), str(row[2]))


def key_store_refusal(
    database: Database, table: str, keys: KeyStore, keys_table: str
) -> KeyStoreMismatchError | None:
    """Check the key store against the one the vault recorded in ``table`` (made now), and
    record it when the vault recorded none (module docstring); the refusal, or None."""
    with database.schema_change() as cursor:  # processes starting at once take turns
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY CHECK (id = 1), "
            "kind TEXT NOT NULL, store TEXT NOT NULL, token TEXT NOT NULL)"
        )
        recorded = _row(cursor, table)
        sample: Mapping[str, bytes] = {}
        if recorded is None:
            select = f"SELECT subject, wrapped FROM {keys_table} ORDER BY subject"
            cursor.execute(f"{select} LIMIT {SAMPLE}")
            sample = {str(row[0]): bytes(row[1]) for row in cursor.fetchall()}
    if recorded is None:
        if sample and not keys.unwrap_each(sample):
            return KeyStoreMismatchError(None, keys.identity(create=False))
        given = keys.identity(create=True)
        assert given is not None  # noqa: S101 - made when asked
        with database.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (id, kind, store, token) VALUES (1, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                [given.kind, given.store, given.token],
            )
            recorded = _row(cursor, table)  # another process's, if it recorded first
    given = keys.identity(create=False)
    if recorded == given:
        return None
    if recorded is not None and given is not None and _moves_to_shards(recorded, given):
        with database.transaction() as cursor:
            cursor.execute(
                f"UPDATE {table} SET kind = ?, store = ?, token = ? WHERE id = 1",
                [given.kind, given.store, given.token],
            )
        return None
    return KeyStoreMismatchError(recorded, given)


def _moves_to_shards(recorded: StoreIdentity, given: StoreIdentity) -> bool:
    """A token's per-person vault opened with the sharded store on that token."""
    return (recorded.kind, given.kind) == (TOKEN, SHARDED) and recorded.token == given.token


class Refused:
    """The key store of a vault refused at open: every use raises the refusal (nothing is
    read, written or destroyed), ``close`` closes the store it stands for."""

    def __init__(self, refusal: KeyStoreMismatchError, keys: KeyStore) -> None:
        self.refusal = refusal
        self._keys = keys

    def close(self) -> None:
        close_keys = getattr(self._keys, "close", None)
        if close_keys is not None:
            close_keys()

    def identity(self, *, create: bool) -> StoreIdentity | None:
        return self._keys.identity(create=False)

    def _refuse(self, *_: object, **__: object) -> Any:
        raise KeyStoreMismatchError(self.refusal.needed, self.refusal.given)

    wrap = unwrap = destroy = search_hmac = destroy_search_key = _refuse
    wrap_each = unwrap_each = discard = _refuse


__all__ = ["KEY_STORE_MISMATCH", "SAMPLE", "KeyStoreMismatchError", "Refused", "key_store_refusal"]
