"""Signing and verification of statements behind the ``Signer`` port.

The ledger owns the port; smart-card and PKCS#11 adapters live in ``card/`` and implement the
same protocol. ``SoftwareSigner`` keeps the key in memory or in a file and is for development
and tests only: its enrolment says ``key_storage.kind == "software"`` so reports can show it.

``VerifierPool`` checks a batch's signatures on threads of its own (libsodium releases the GIL),
so the ledger can load streams and insert rows meanwhile and ask for the verdicts last.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, runtime_checkable

import nacl.exceptions
import nacl.signing
from nacl.bindings import crypto_sign_open

from ledger.errors import BadSignatureError
from ledger.statement import SignedStatement, Statement, digest, key_id_of, read_statement


@runtime_checkable
class Signer(Protocol):
    """Something that holds an Ed25519 private key and signs 32-byte digests with it."""

    @property
    def public_key(self) -> bytes:
        """The raw 32-byte Ed25519 public key."""
        ...

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message`` (a statement digest)."""
        ...


class SoftwareSigner:
    """An Ed25519 key held in process memory (development and tests only)."""

    storage_kind = "software"

    def __init__(self, seed: bytes) -> None:
        if len(seed) != 32:
            raise ValueError(f"an Ed25519 seed has 32 bytes, got {len(seed)}")
        self._key = nacl.signing.SigningKey(seed)

    @classmethod
    def generate(cls) -> SoftwareSigner:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @classmethod
    def from_file(cls, path: Path) -> SoftwareSigner:
        """Load a key file written by ``to_file``: the 32-byte seed as 64 hex characters."""
        text = path.read_text(encoding="ascii").strip()
        try:
            seed = bytes.fromhex(text)
        except ValueError:
            raise ValueError(f"{path} does not hold a hex Ed25519 seed") from None
        return cls(seed)

    def to_file(self, path: Path) -> None:
        """Write the seed as hex, readable by the owner only."""
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(bytes(self._key).hex() + "\n", encoding="ascii")

    @property
    def public_key(self) -> bytes:
        return bytes(self._key.verify_key)

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message).signature


def sign_statement(statement: Statement, signer: Signer) -> SignedStatement:
    """Canonicalize a statement and sign ``sha256(canonical bytes)`` with the given signer."""
    canonical = statement.canonical_bytes()
    signature = signer.sign(digest(canonical))
    return read_statement(canonical, signature)


def verify_signature(public_key: bytes, canonical: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature of ``sha256(canonical)``."""
    try:
        nacl.signing.VerifyKey(public_key).verify(digest(canonical), signature)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


VERIFIER_THREADS = 2
"""Threads of a ``VerifierPool``: one per core of the machine the ledger was measured on."""

HAND_OVER_FROM = 4
"""Batches of at least this many statements are verified on the verifier threads."""

_Check = tuple[bytes, bytes, bytes]  # public key, canonical bytes, signature


def _verify_all(work: Sequence[_Check]) -> list[bool]:
    return [verify_signature(key, canonical, signature) for key, canonical, signature in work]


class BatchVerification:
    """The signature checks of one batch: running on the verifier threads, or, for a batch of
    a few statements, done on the calling thread when first asked for (handing a few checks
    over and back costs more than the checks themselves)."""

    def __init__(
        self, signed: Sequence[SignedStatement], work: list[_Check], pool: ThreadPoolExecutor
    ) -> None:
        self._signed = signed
        self._work = work
        self.in_background = len(work) >= HAND_OVER_FROM
        self._chunks: list[Future[list[bool]]] = []
        if self.in_background:
            size = -(-len(work) // VERIFIER_THREADS)
            self._chunks = [
                pool.submit(_verify_all, work[start : start + size])
                for start in range(0, len(work), size)
            ]

    def check(self) -> None:
        """Wait for the verdicts; raise ``BadSignatureError`` for the first bad signature."""
        if self.in_background:
            verdicts = [ok for chunk in self._chunks for ok in chunk.result()]
        else:
            verdicts = _verify_all(self._work)
        for item, ok in zip(self._signed, verdicts, strict=True):
            if not ok:
                raise BadSignatureError(item.statement.signer.key)


class VerifierPool:
    """The verifier threads of one ledger, shared by its batches."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=VERIFIER_THREADS, thread_name_prefix="verify")

    def start(self, signed: Sequence[SignedStatement], keys: Sequence[bytes]) -> BatchVerification:
        """Start checking each statement's signature with its signer's public key.

        A big batch is cut into one chunk per verifier thread, so it costs a handful of
        hand-overs rather than one per statement.
        """
        work = [
            (key, item.canonical, item.signature) for key, item in zip(keys, signed, strict=True)
        ]
        return BatchVerification(signed, work, self._pool)

    def verified(self) -> BatchVerification:
        """The checks of a batch whose signatures were checked already: nothing to wait for."""
        return BatchVerification((), [], self._pool)

    def close(self) -> None:
        """Let the threads go once their running checks end."""
        self._pool.shutdown(wait=False)


SESSION_CONTEXT = b"thai-lgov-ledger session v1\n"
"""Prefix of what a client signs to open an API session. A statement digest is the hash of a
JSON object, so a session signature can never be replayed as a statement signature."""


def session_message(challenge: bytes) -> bytes:
    """What is hashed and signed to answer a session challenge: the context and the challenge."""
    return SESSION_CONTEXT + challenge


def sign_challenge(signer: Signer, challenge: bytes) -> bytes:
    """Client side: the 64-byte answer to a session challenge, signed with the enrolled key."""
    return signer.sign(digest(session_message(challenge)))


def verify_digests(signed: list[tuple[bytes, bytes]]) -> list[bool]:
    """``verify_signature`` for many statements whose digests are already computed.

    Each item is ``(signature || sha256(canonical), public key)``, libsodium's signed-message
    form. The auditor hashes each statement once for both its digest and its event hash, and
    checks a batch of signatures in one tight loop, so libsodium's tables stay in the CPU's
    caches.
    """
    verdicts: list[bool] = []
    verdict, open_signed = verdicts.append, crypto_sign_open
    for message, public_key in signed:
        try:
            open_signed(message, public_key)
        except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
            verdict(False)
        else:
            verdict(True)
    return verdicts
