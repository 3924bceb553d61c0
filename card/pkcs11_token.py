"""A PKCS#11 token behind the ledger's ``Signer`` port (python-pkcs11; SoftHSM2 in tests).

The key is an Ed25519 pair generated on the token (``CKM_EC_EDWARDS_KEY_PAIR_GEN`` with the
curve OID 1.3.101.112), found again by its label, and used through ``CKM_EDDSA`` to sign the
32-byte statement digest. Production uses the token vendor's module (or OpenSC's); the module
path, token label and PIN come from the caller. python-pkcs11's exceptions become ``CardError``s.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

import pkcs11
import pkcs11.exceptions as p11
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass, TokenFlag
from pkcs11.types import SignMixin
from pkcs11.util.ec import encode_named_curve_parameters

from card.errors import (
    CardDataError,
    NoSigningKeyError,
    PinBlockedError,
    TokenError,
    WrongPinError,
)
from ledger.domain.operators import KeyStorage
from ledger.pkcs11_files import token_files
from ledger.pkcs11_modules import close_session, log_in, log_out, module_lock
from ledger.statement import key_id_of

ED25519_OID = "1.3.101.112"
DEFAULT_KEY_LABEL = "ledger-signing"


def raw_public_key(ec_point: bytes) -> bytes:
    """The raw 32-byte key from ``CKA_EC_POINT`` (a DER OCTET STRING ``04 20 ...``, or raw)."""
    if len(ec_point) == 34 and ec_point[:2] == b"\x04\x20":
        return ec_point[2:]
    if len(ec_point) == 32:
        return ec_point
    raise CardDataError("PKCS#11 public key", "CKA_EC_POINT is not an Ed25519 point")


def _pin_retries(token: pkcs11.Token) -> int | None:
    flags = token.flags
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return 1
    return None


def _find_token(module: Path, token_label: str | None) -> pkcs11.Token:
    """The module's token labelled ``token_label`` (its only one when None); the lock held.
    The module's load and the search read a SoftHSM2 token's files: in the process's turn
    (``ledger.pkcs11_files``)."""
    with token_files(module):
        return _found_token(module, token_label)


def _found_token(module: Path, token_label: str | None) -> pkcs11.Token:
    try:
        library = pkcs11.lib(str(module))
    except (OSError, RuntimeError, p11.PKCS11Error) as error:
        raise TokenError(f"cannot load the PKCS#11 module {module}: {error}") from None
    try:
        if token_label is None:
            return library.get_token()
        return library.get_token(token_label=token_label)
    except p11.NoSuchToken:
        wanted = f"labelled {token_label!r}" if token_label else "at all"
        raise TokenError(f"the PKCS#11 module {module} has no token {wanted}") from None
    except p11.MultipleTokensReturned:
        raise TokenError(
            f"the PKCS#11 module {module} has several tokens; name one with its label"
        ) from None
    except p11.PKCS11Error as error:
        raise TokenError(f"PKCS#11 token lookup failed: {type(error).__name__}") from None


class Pkcs11Token:
    """An open, logged-in session with one PKCS#11 token. Close it (or use ``with``)."""

    def __init__(self, module: Path, *, token_label: str | None, pin: str) -> None:
        self.module = module
        self._lock = module_lock(module)  # every call into the module, with the vault's
        with self._lock:
            self._token = _find_token(module, token_label)
            self.label = str(self._token.label)
            try:  # shared with the vault's stores of the token: see ledger.pkcs11_modules
                self._login = log_in(module, self._token, pin)
            except p11.PinIncorrect:
                raise WrongPinError("PIN", _pin_retries(self._token)) from None
            except p11.PinLocked:
                raise PinBlockedError("PIN") from None
            except p11.PKCS11Error as error:
                name = type(error).__name__
                raise TokenError(f"cannot log in to token {self.label!r}: {name}") from None
            try:
                self._session = self._token.open(rw=True)
            except p11.PKCS11Error as error:
                log_out(self._login)
                name = type(error).__name__
                raise TokenError(f"cannot open token {self.label!r}: {name}") from None
        self._closed = False

    def __enter__(self) -> Pkcs11Token:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the session; the last user of the token in the process logs out."""
        with self._lock:
            if not self._closed:
                self._closed = True
                close_session(self._session, self._login)

    @property
    def serial(self) -> str:
        raw = self._token.serial
        text = raw.decode("ascii", errors="replace") if isinstance(raw, bytes) else str(raw)
        return text.strip()

    def key_storage(self) -> KeyStorage:
        """How an enrolment names this token: ``pkcs11`` with the token's serial number."""
        return KeyStorage(kind="pkcs11", serial=f"{self.label}:{self.serial}"[:128])

    def generate_key(self, label: str = DEFAULT_KEY_LABEL) -> bytes:
        """Generate an Ed25519 pair on the token under ``label``; return the public key.

        Refuses when the token already holds a key with that label, so an enrolled key is never
        overwritten by accident.
        """
        with self._lock:
            return self._generate_key(label)

    def _generate_key(self, label: str) -> bytes:
        if self._find(ObjectClass.PRIVATE_KEY, label) is not None:
            raise TokenError(
                f"token {self.label!r} already holds a key labelled {label!r}; choose another label"
            )
        try:
            parameters = self._session.create_domain_parameters(
                KeyType.EC_EDWARDS,
                {Attribute.EC_PARAMS: encode_named_curve_parameters(ED25519_OID)},
                local=True,
            )
            public, _private = parameters.generate_keypair(
                store=True, label=label, mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN
            )
            return raw_public_key(bytes(public[Attribute.EC_POINT]))
        except p11.PKCS11Error as error:
            raise TokenError(
                f"token {self.label!r} could not generate an Ed25519 key: {type(error).__name__}"
            ) from None

    def signer(self, label: str = DEFAULT_KEY_LABEL) -> Pkcs11Signer:
        """The signer for the key pair labelled ``label`` (signing under the module's lock)."""
        with self._lock:
            private = self._find(ObjectClass.PRIVATE_KEY, label)
            public = self._find(ObjectClass.PUBLIC_KEY, label)
            if private is None or public is None:
                raise NoSigningKeyError(f"PKCS#11 token {self.label!r} (key label {label!r})")
            try:
                point = bytes(public[Attribute.EC_POINT])
            except p11.PKCS11Error as error:
                raise TokenError(f"cannot read the public key: {type(error).__name__}") from None
        if not isinstance(private, SignMixin):
            raise TokenError(f"key {label!r} on token {self.label!r} cannot sign")
        return Pkcs11Signer(private, raw_public_key(point), self._lock)

    def _find(self, object_class: ObjectClass, label: str) -> pkcs11.Object | None:
        try:
            found = list(
                self._session.get_objects({Attribute.CLASS: object_class, Attribute.LABEL: label})
            )
        except p11.PKCS11Error as error:
            name = type(error).__name__
            raise TokenError(f"cannot search token {self.label!r}: {name}") from None
        if len(found) > 1:
            raise TokenError(f"token {self.label!r} holds several keys labelled {label!r}")
        return found[0] if found else None


class Pkcs11Signer:
    """``ledger.signing.Signer`` on a PKCS#11 private key (``CKM_EDDSA``)."""

    storage_kind = "pkcs11"

    def __init__(
        self, private: SignMixin, public_key: bytes, lock: AbstractContextManager[Any]
    ) -> None:
        self._private = private
        self._public_key = public_key
        self._lock = lock  # the module's (ledger.pkcs11_modules.module_lock)

    @property
    def public_key(self) -> bytes:
        return self._public_key

    @property
    def key_id(self) -> str:
        return key_id_of(self._public_key)

    def sign(self, message: bytes) -> bytes:
        try:
            with self._lock:
                signature = bytes(self._private.sign(message, mechanism=Mechanism.EDDSA))
        except p11.PinIncorrect:
            raise WrongPinError("PIN", None) from None
        except p11.PKCS11Error as error:
            raise TokenError(f"the PKCS#11 token failed to sign: {type(error).__name__}") from None
        if len(signature) != 64:
            raise TokenError(f"the token returned a {len(signature)}-byte signature, not 64")
        return signature
