"""The vault's key stores: per-person key-encryption, kept outside the ledger's database.

The vault (``ledger.vault``) encrypts a person's fields under that person's random data key and
keeps the data key in the database only wrapped, or (the sharded store) not at all. What wraps
it is held here: in a PKCS#11 token (``TokenKeyStore``: per person an AES-256 key generated on
the token, never extractable, used with CKM_AES_GCM), in a token's shard keys with a key
database of their own (``ledger.vault_shards.ShardedTokenKeyStore``), or, for development, in a
directory of key files (``KeyFileStore``). Erasure destroys the person's KEK, or rotates the
person's shard to a new KEK without them. A database backup taken before the erasure still
holds the ciphertexts, but nothing can unwrap their data key any more: the KEK that wrapped it
was never in the database, and the key store does not bring destroyed keys back
(docs/personal-data.md: the key store's own replication and backups).

One master key wrapping every person's data key would not do: a backup holds the erased
person's wrapped key, and the master key still opens it. A KEK per person does, but a token
finds and holds only so many objects (SoftHSM2 scans every object to find one: ~170 ms at
3,000). The sharded store keeps the property with a fixed number of KEKs: the person's shard
KEK is replaced at their erasure (its other people rewrapped under the new one) and destroyed,
so no backup of the key database taken before the erasure opens the person's key either.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import nacl.exceptions
import nacl.secret

from ledger.errors import LedgerError
from ledger.pkcs11_files import token_files
from ledger.pkcs11_modules import close_session, module_lock, open_session
from ledger.violations import Violation, rule

PERSON_ERASED = rule(
    "person.erased",
    "ข้อมูลส่วนบุคคลของทะเบียนประวัตินี้ถูกลบตามคำขอแล้ว (ทำลายกุญแจแล้ว) "
    "จึงบันทึกรายการใหม่หรือเปิดอ่านรายการทั้งหมดของทะเบียนนี้ไม่ได้อีก",
    "this record's personal data was erased on request (its key destroyed): no statement can "
    "be added to it, nor its events replayed",
)
"""A statement on (or a read that replays) an erased person's record (field ``stream``)."""


class ErasedError(LedgerError, LookupError):
    """The person's key-encryption key is gone (erased) or was never made here: a statement
    on the record, or a read replaying it, is refused by the rule ``person.erased``."""

    def __init__(self) -> None:
        super().__init__("the person's key is destroyed: their personal data cannot be read")

    @property
    def violations(self) -> list[Violation]:
        return [Violation(PERSON_ERASED, "stream")]


KEY_FILES, TOKEN, SHARDED = "key-files", "token", "sharded"
"""The kinds of key store a vault records it was made with (``ledger.vault_identity``)."""


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    """Which key store this is, never a key: its kind, the store's id (key files: a random
    id kept in the key folder; sharded: the key database's store id; a token: empty) and the
    token's label and serial (empty for key files)."""

    kind: str
    store: str
    token: str = ""


class KeyStore(Protocol):
    """Per-person key-encryption keys (the subject id names the person)."""

    def identity(self, *, create: bool) -> StoreIdentity | None:
        """Which store this is; None for a key folder holding no id yet (made when
        ``create``: a new vault records it)."""
        ...

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        """``data_key`` wrapped under the subject's KEK (made now if the subject has none)."""
        ...

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        """The data key; ``ErasedError`` when the subject's KEK is gone or does not open it."""
        ...

    def destroy(self, subject: str) -> bool:
        """Destroy the subject's KEK; whether there was one."""
        ...

    def search_hmac(self, name: str, message: bytes, *, create: bool = False) -> bytes:
        """HMAC-SHA256 of ``message`` under the search key ``name`` (the ledger's name and
        the index generation: a secret never in the database, ``ledger.vault_search``), made
        first when ``create``; ``KeyError`` when it is gone (a later generation replaced it)."""
        ...

    def destroy_search_key(self, name: str) -> bool:
        """Destroy the search key ``name``; whether there was one."""
        ...

    def wrap_each(self, data_keys: Mapping[str, bytes]) -> dict[str, bytes]:
        """``wrap`` of each subject's data key (a store may keep them all in one write)."""
        ...

    def unwrap_each(self, wrapped: Mapping[str, bytes]) -> dict[str, bytes]:
        """``unwrap`` of each subject's wrapped key, those that open (a store may read them
        all at once); a subject whose key is erased is left out."""
        ...

    def discard(self, wrapped: Mapping[str, bytes]) -> None:
        """Forget what ``wrap_each`` kept for these wrapped keys, which nothing references (the
        write they were made for did not commit, or lost to another writer's first key): the
        sharded store deletes their rows of its key database. A per-person KEK stays: another
        writer's first key may be wrapped under it (it wraps nothing else, a later first key of
        the person is wrapped under it again, and the person's erasure destroys it)."""
        ...


class OneByOne:
    """``wrap_each`` and ``unwrap_each`` as one ``wrap`` or ``unwrap`` per subject."""

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        raise NotImplementedError

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        raise NotImplementedError

    def wrap_each(self, data_keys: Mapping[str, bytes]) -> dict[str, bytes]:
        return {subject: self.wrap(subject, key) for subject, key in data_keys.items()}

    def unwrap_each(self, wrapped: Mapping[str, bytes]) -> dict[str, bytes]:
        opened = {}
        for subject, sealed in wrapped.items():
            with contextlib.suppress(ErasedError):
                opened[subject] = self.unwrap(subject, sealed)
        return opened

    def discard(self, wrapped: Mapping[str, bytes]) -> None:
        """Nothing: the wrapped key was kept nowhere but in the write that failed, and the
        person's KEK stays (``KeyStore.discard``)."""


def key_name(subject: str) -> str:
    """A key's name in the store, from the subject id (a record's stream id, no personal
    value; hashed so a name's form never depends on what a subject id looks like)."""
    return hashlib.sha256(b"thai-lgov-ledger vault kek\n" + subject.encode()).hexdigest()[:40]


class KeyFileStore(OneByOne):
    """Development: one 32-byte key file per person in ``directory`` (0600), the data key
    wrapped with XSalsa20-Poly1305 (PyNaCl SecretBox). Erasure overwrites and unlinks it."""

    def __init__(self, directory: Path) -> None:
        """The folder is made with the first key or id written in it, never to read."""
        self.directory = directory
        self._lock = threading.Lock()

    def identity(self, *, create: bool) -> StoreIdentity | None:
        """The folder's id: 8 random bytes (hex) in ``store-id``, made when ``create``."""
        try:
            kept = self._secret(self.directory / "store-id", create=create, missing=KeyError)
        except KeyError:
            return None
        return StoreIdentity(KEY_FILES, kept[:8].hex())

    def _path(self, subject: str) -> Path:
        return self.directory / f"{key_name(subject)}.kek"

    def _kek(self, subject: str, *, create: bool) -> bytes:
        return self._secret(self._path(subject), create=create, missing=ErasedError)

    def _secret(self, path: Path, *, create: bool, missing: type[LookupError]) -> bytes:
        with self._lock:
            if not path.exists():
                if not create:
                    raise missing
                path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                key = secrets.token_bytes(nacl.secret.SecretBox.KEY_SIZE)
                partial = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
                descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(key)
                try:  # whole or not at all; another process's first key wins
                    os.link(partial, path)
                except FileExistsError:
                    pass
                finally:
                    partial.unlink()
            return path.read_bytes()

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        return bytes(nacl.secret.SecretBox(self._kek(subject, create=True)).encrypt(data_key))

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        try:
            return bytes(nacl.secret.SecretBox(self._kek(subject, create=False)).decrypt(wrapped))
        except nacl.exceptions.CryptoError:
            raise ErasedError from None

    def destroy(self, subject: str) -> bool:
        return self._shred(self._path(subject))

    def _shred(self, path: Path) -> bool:
        with self._lock:
            if not path.exists():
                return False
            path.write_bytes(b"\0" * nacl.secret.SecretBox.KEY_SIZE)
            path.unlink()
            return True

    def _search_path(self, name: str) -> Path:
        return self.directory / f"search-{key_name(name)}.key"

    def search_hmac(self, name: str, message: bytes, *, create: bool = False) -> bytes:
        key = self._secret(self._search_path(name), create=create, missing=KeyError)
        return hmac.digest(key, message, "sha256")

    def destroy_search_key(self, name: str) -> bool:
        return self._shred(self._search_path(name))


_IV_BYTES = 12
_KEPT_HANDLES = 100_000
"""KEK handles a ``TokenKeyStore`` keeps (an integer each; the oldest kept is dropped first)."""


class TokenKeyStore(OneByOne):
    """A PKCS#11 token (SoftHSM2 in tests): per person an AES-256 key made on the token,
    sensitive and not extractable, labelled ``vault:<hash of the subject id>``; the data key is
    encrypted on the token with CKM_AES_GCM (12-byte random IV, 128-bit tag, the subject id as
    associated data) and stored as IV || ciphertext. Erasure destroys the token object."""

    def __init__(self, module: Path, token_label: str, pin: str) -> None:
        import pkcs11  # the module is loaded only when a token is used

        self._p11 = pkcs11
        self._module = module
        self._lock = module_lock(module)  # the module's, for every store: also guards ours
        self._search_handles: dict[str, Any] = {}  # a search key is never remade under a name
        self._handles: dict[str, Any] = {}  # subject -> the KEK that last opened its data key
        with self._lock, self._files():  # the module's load reads every token's files
            token = pkcs11.lib(str(module)).get_token(token_label=token_label)
            serial = bytes(token.serial).decode("ascii", "replace").strip()
            self.token_id = f"label {token.label.strip()}, serial {serial}"
            self._session, self._login = open_session(module, token, pin)
        self._closed = False

    def identity(self, *, create: bool) -> StoreIdentity | None:
        return StoreIdentity(TOKEN, "", self.token_id)

    def close(self) -> None:
        """Close the store's session; the last store of the token in the process logs out."""
        with self._lock:
            if not self._closed:
                self._closed = True
                close_session(self._session, self._login)

    def _files(self) -> contextlib.AbstractContextManager[None]:
        """The process's turn on the token's files (``ledger.pkcs11_files``: SoftHSM2's, our
        processes take turns) for a search, a new key or a destroy, never a key's use; the
        caller holds the lock."""
        return token_files(self._module)

    def _labelled(self, label: str) -> list[Any]:
        """The token's secret keys labelled ``label`` (a scan of every object on SoftHSM2)."""
        p11 = self._p11
        with self._files():
            return list(
                self._session.get_objects(
                    {p11.Attribute.CLASS: p11.ObjectClass.SECRET_KEY, p11.Attribute.LABEL: label}
                )
            )

    def _destroy_labelled(self, label: str) -> bool:
        """Destroy every secret key labelled ``label`` (the caller holds the lock); whether
        there was one. One gone meanwhile (another process) counts as destroyed."""
        with self._files():
            found = self._labelled(label)
            for key in found:
                with contextlib.suppress(self._p11.PKCS11Error):
                    key.destroy()
        return bool(found)

    def _keys(self, subject: str) -> list[Any]:
        """The subject's KEKs: one (two processes making the first at once take turns: the
        second finds the first's), but a token of a ledger before the turns may hold two (the
        vault keeps one data key, wrapped under either, so ``unwrap`` tries each)."""
        return self._labelled(f"vault:{key_name(subject)}")

    def _key(self, subject: str, *, create: bool) -> Any:
        with self._files():  # found, else made, in one turn: one KEK, whoever makes it
            found = self._keys(subject)
            if found:
                return found[0]
            if not create:
                raise ErasedError
            return self._make_kek(f"vault:{key_name(subject)}")

    def _make_kek(self, label: str) -> Any:
        """A new AES-256 KEK on the token: sensitive, never extractable, encrypt and decrypt
        only (the caller holds the lock)."""
        attribute = self._p11.Attribute
        allowed, denied = (attribute.ENCRYPT, attribute.DECRYPT), (attribute.WRAP, attribute.UNWRAP)
        return self._generate(self._p11.KeyType.AES, label, allowed, denied)

    def _generate(self, key_type: Any, label: str, allowed: Any, denied: Any) -> Any:
        """A new 256-bit secret key on the token, private, sensitive, never extractable, for
        the ``allowed`` uses and not the ``denied`` ones (the caller holds the lock; made in
        the process's turn on the files)."""
        attribute = self._p11.Attribute
        template = {
            attribute.TOKEN: True,
            attribute.PRIVATE: True,
            attribute.SENSITIVE: True,
            attribute.EXTRACTABLE: False,
            **dict.fromkeys(allowed, True),
            **dict.fromkeys(denied, False),
        }
        with self._files():
            return self._session.generate_key(
                key_type, 256, label=label, store=True, template=template
            )

    def _params(self, iv: bytes, subject: str) -> Any:
        return self._p11.mechanisms.GCMParams(iv, subject.encode("utf-8"), 128)

    def _encrypt(self, key: Any, associated: str, data_key: bytes) -> bytes:
        """IV || CKM_AES_GCM of the data key under ``key``, ``associated`` as associated data
        (the caller holds the lock)."""
        iv = secrets.token_bytes(_IV_BYTES)
        sealed = key.encrypt(
            data_key,
            mechanism=self._p11.Mechanism.AES_GCM,
            mechanism_param=self._params(iv, associated),
        )
        return iv + bytes(sealed)

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        with self._lock:
            key = self._key(subject, create=True)
            self._keep(subject, key)
            return self._encrypt(key, subject, data_key)

    def unwrap(self, subject: str, wrapped: bytes) -> bytes:
        """The data key, opened with the KEK's handle kept from the last unwrap when it still
        opens it (a find by label scans every object of a SoftHSM2 token: ~9 ms at 300
        objects, ~170 ms at 3,000; a decrypt with a handle ~0.1 ms). A kept handle is checked
        by the token at each use: one whose key was destroyed, by this process or another,
        fails (CKR_OBJECT_HANDLE_INVALID), and GCM with the subject as associated data fails
        under any other key, so a handle never opens what its subject's KEK would not. Only
        ``unwrap`` uses kept handles: ``wrap`` (a person's first key) always finds, and keeps
        the handle it found or made."""
        with self._lock:
            cached = self._handles.get(subject)
            if cached is not None:
                opened = self._decrypt(cached, subject, wrapped)
                if opened is not None:
                    return opened
                del self._handles[subject]
            for key in self._keys(subject):
                opened = self._decrypt(key, subject, wrapped)
                if opened is not None:
                    self._keep(subject, key)
                    return opened
            raise ErasedError

    def _keep(self, subject: str, key: Any) -> None:
        if len(self._handles) >= _KEPT_HANDLES:
            del self._handles[next(iter(self._handles))]  # the oldest kept
        self._handles[subject] = key

    def _decrypt(self, key: Any, subject: str, wrapped: bytes) -> bytes | None:
        iv, sealed = wrapped[:_IV_BYTES], wrapped[_IV_BYTES:]
        try:
            return bytes(
                key.decrypt(
                    sealed,
                    mechanism=self._p11.Mechanism.AES_GCM,
                    mechanism_param=self._params(iv, subject),
                )
            )
        except self._p11.PKCS11Error:
            return None

    def destroy(self, subject: str) -> bool:
        with self._lock:
            self._handles.pop(subject, None)
            return self._destroy_labelled(f"vault:{key_name(subject)}")

    def search_hmac(self, name: str, message: bytes, *, create: bool = False) -> bytes:
        """CKM_SHA256_HMAC on the token with a generic secret key (256 bits, sensitive, not
        extractable) labelled ``vault-search:<name>``; the vault makes a generation's key
        once, in the transaction that records the generation, so no two processes make two. The
        key's handle is kept: finding an object by label costs a scan of the token's objects
        (SoftHSM2), and a name is never reused for another key."""
        p11 = self._p11
        with self._lock:
            cached = self._search_handles.get(name)
            if cached is not None:
                with contextlib.suppress(p11.PKCS11Error):  # destroyed: find it again
                    return bytes(cached.sign(message, mechanism=p11.Mechanism.SHA256_HMAC))
            with self._files():  # found, else made, in one turn
                found = self._labelled(f"vault-search:{name}")
                if found:
                    key = found[0]
                elif create:
                    attribute, label = p11.Attribute, f"vault-search:{name}"
                    allowed = (attribute.SIGN, attribute.VERIFY)
                    denied = (attribute.ENCRYPT, attribute.DECRYPT)
                    key = self._generate(p11.KeyType.GENERIC_SECRET, label, allowed, denied)
                else:
                    raise KeyError(name)
            self._search_handles[name] = key
            return bytes(key.sign(message, mechanism=p11.Mechanism.SHA256_HMAC))

    def destroy_search_key(self, name: str) -> bool:
        with self._lock:
            self._search_handles.pop(name, None)
            return self._destroy_labelled(f"vault-search:{name}")


__all__ = [
    "KEY_FILES",
    "PERSON_ERASED",
    "SHARDED",
    "TOKEN",
    "ErasedError",
    "KeyFileStore",
    "KeyStore",
    "OneByOne",
    "StoreIdentity",
    "TokenKeyStore",
    "key_name",
    "module_lock",
]
