"""The vault's key stores: one key-encryption key per person, kept outside the database.

The vault (``ledger.vault``) encrypts a person's fields under that person's random data key and
keeps the data key in the database only wrapped. What wraps it is the person's own
key-encryption key (KEK), held here: in a PKCS#11 token (``TokenKeyStore``: an AES-256 key
generated on the token, never extractable, used with CKM_AES_GCM) or, for development, in a
directory of key files (``KeyFileStore``). Erasure destroys the person's KEK. A database backup
taken before the erasure still holds the wrapped data key and the ciphertexts, but nothing
can unwrap them any more: the KEK was never in the database, and the key store does not bring
destroyed keys back (docs/personal-data.md: the key store's own replication and backups).

One master key wrapping every person's data key would not do: a backup of the database holds
the erased person's wrapped key, and the master key still opens it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path
from typing import Any, Protocol

import nacl.exceptions
import nacl.secret

from ledger.errors import LedgerError
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


class KeyStore(Protocol):
    """Per-person key-encryption keys (the subject id names the person)."""

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


def _name(subject: str) -> str:
    """A key's name in the store, from the subject id (a record's stream id, no personal
    value; hashed so a name's form never depends on what a subject id looks like)."""
    return hashlib.sha256(b"thai-lgov-ledger vault kek\n" + subject.encode()).hexdigest()[:40]


class KeyFileStore:
    """Development: one 32-byte key file per person in ``directory`` (0600), the data key
    wrapped with XSalsa20-Poly1305 (PyNaCl SecretBox). Erasure overwrites and unlinks it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.Lock()

    def _path(self, subject: str) -> Path:
        return self.directory / f"{_name(subject)}.kek"

    def _kek(self, subject: str, *, create: bool) -> bytes:
        return self._secret(self._path(subject), create=create, missing=ErasedError)

    def _secret(self, path: Path, *, create: bool, missing: type[LookupError]) -> bytes:
        with self._lock:
            if not path.exists():
                if not create:
                    raise missing
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
        return self.directory / f"search-{_name(name)}.key"

    def search_hmac(self, name: str, message: bytes, *, create: bool = False) -> bytes:
        key = self._secret(self._search_path(name), create=create, missing=KeyError)
        return hmac.digest(key, message, "sha256")

    def destroy_search_key(self, name: str) -> bool:
        return self._shred(self._search_path(name))


_IV_BYTES = 12
_KEPT_HANDLES = 100_000
"""KEK handles a ``TokenKeyStore`` keeps (an integer each; the oldest kept is dropped first)."""


class TokenKeyStore:
    """A PKCS#11 token (SoftHSM2 in tests): per person an AES-256 key made on the token,
    sensitive and not extractable, labelled ``vault:<hash of the subject id>``; the data key is
    encrypted on the token with CKM_AES_GCM (12-byte random IV, 128-bit tag, the subject id as
    associated data) and stored as IV || ciphertext. Erasure destroys the token object."""

    def __init__(self, module: Path, token_label: str, pin: str) -> None:
        import pkcs11  # the module is loaded only when a token is used

        self._p11 = pkcs11
        self._lock = threading.Lock()
        self._search_handles: dict[str, Any] = {}  # a search key is never remade under a name
        self._handles: dict[str, Any] = {}  # subject -> the KEK that last opened its data key
        token = pkcs11.lib(str(module)).get_token(token_label=token_label)
        try:
            self._session: Any = token.open(user_pin=pin, rw=True)
        except pkcs11.UserAlreadyLoggedIn:  # another session of this process logged in
            self._session = token.open(rw=True)

    def close(self) -> None:
        with self._lock, contextlib.suppress(self._p11.PKCS11Error):
            self._session.close()

    def _keys(self, subject: str) -> list[Any]:
        """The subject's KEKs: one, but two processes making the first at once make two (the
        vault keeps one data key, wrapped under either, so ``unwrap`` tries each)."""
        p11 = self._p11
        return list(
            self._session.get_objects(
                {
                    p11.Attribute.CLASS: p11.ObjectClass.SECRET_KEY,
                    p11.Attribute.LABEL: f"vault:{_name(subject)}",
                }
            )
        )

    def _key(self, subject: str, *, create: bool) -> Any:
        p11 = self._p11
        label = f"vault:{_name(subject)}"
        found = self._keys(subject)
        if found:
            return found[0]
        if not create:
            raise ErasedError
        attribute = p11.Attribute
        template = {
            attribute.TOKEN: True,
            attribute.PRIVATE: True,
            attribute.SENSITIVE: True,
            attribute.EXTRACTABLE: False,
            attribute.ENCRYPT: True,
            attribute.DECRYPT: True,
            attribute.WRAP: False,
            attribute.UNWRAP: False,
        }
        return self._session.generate_key(
            p11.KeyType.AES, 256, label=label, store=True, template=template
        )

    def _params(self, iv: bytes, subject: str) -> Any:
        return self._p11.mechanisms.GCMParams(iv, subject.encode("utf-8"), 128)

    def wrap(self, subject: str, data_key: bytes) -> bytes:
        iv = secrets.token_bytes(_IV_BYTES)
        with self._lock:
            key = self._key(subject, create=True)
            self._keep(subject, key)
            sealed = key.encrypt(
                data_key,
                mechanism=self._p11.Mechanism.AES_GCM,
                mechanism_param=self._params(iv, subject),
            )
        return iv + bytes(sealed)

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
            found = self._keys(subject)
            for key in found:
                key.destroy()
            return bool(found)

    def _search_keys(self, name: str) -> list[Any]:
        p11 = self._p11
        label = f"vault-search:{name}"
        return list(
            self._session.get_objects(
                {p11.Attribute.CLASS: p11.ObjectClass.SECRET_KEY, p11.Attribute.LABEL: label}
            )
        )

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
            found = self._search_keys(name)
            if found:
                key = found[0]
            elif create:
                attribute = p11.Attribute
                template = {
                    attribute.TOKEN: True,
                    attribute.PRIVATE: True,
                    attribute.SENSITIVE: True,
                    attribute.EXTRACTABLE: False,
                    attribute.SIGN: True,
                    attribute.VERIFY: True,
                    attribute.ENCRYPT: False,
                    attribute.DECRYPT: False,
                }
                key = self._session.generate_key(
                    p11.KeyType.GENERIC_SECRET,
                    256,
                    label=f"vault-search:{name}",
                    store=True,
                    template=template,
                )
            else:
                raise KeyError(name)
            self._search_handles[name] = key
            return bytes(key.sign(message, mechanism=p11.Mechanism.SHA256_HMAC))

    def destroy_search_key(self, name: str) -> bool:
        with self._lock:
            self._search_handles.pop(name, None)
            found = self._search_keys(name)
            for key in found:
                key.destroy()
            return bool(found)


__all__ = ["PERSON_ERASED", "ErasedError", "KeyFileStore", "KeyStore", "TokenKeyStore"]
