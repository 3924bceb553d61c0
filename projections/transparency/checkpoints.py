"""Signed checkpoints of the transparency log, in the C2SP signed-note text format.

A checkpoint (c2sp.org/tlog-checkpoint) is a signed note (c2sp.org/signed-note) whose text is::

    thai-lgov-ledger/<ledger name>/<system key id>     origin: names the log
    <tree size>                                         decimal, no leading zeros
    <root hash>                                         standard padded base64
    time <POSIX seconds>                                extension line: when it was signed

followed by a blank line and one signature line, ``— <key name> base64(key ID || signature)``,
where the key name is the origin, the key ID is ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``
and the signature is Ed25519 by the ledger's system key over the whole text (the time line
included). Standard tools (transparency-dev/formats, sumdb/note-style verifiers) read the first
three lines and check the signature with the verifier key ``<name>+<key ID hex>+base64(0x01 ||
public key)`` that ``verifier_key`` prints; they keep the time line as an opaque extension.

The system key also signs statements, but those signatures are over 32-byte digests and a note's
text is always longer (the origin alone is), so neither kind of signature can stand for the other.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import nacl.exceptions
import nacl.signing

from ledger.merkle import HASH_SIZE
from ledger.signing import Signer
from projections.transparency.errors import CheckpointError

ED25519 = 0x01
"""The signed-note signature type of Ed25519 signatures."""

EM_DASH = "\u2014"
MAX_SIGNATURES = 16
ORIGIN_PREFIX = "thai-lgov-ledger"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_KEY_NAME = re.compile(r"[^\s+]+")


def log_origin(ledger_name: str, system_key_id: str) -> str:
    """The log's origin and key name: the ledger's name and its system key's id.

    Both come from the genesis event, so an auditor derives the origin from the ledger itself;
    the key id keeps apart two ledgers of the same name (a province's test and production).
    """
    return f"{ORIGIN_PREFIX}/{ledger_name}/{system_key_id}"


def note_key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 note key: ``SHA-256(name || 0x0A || 0x01 || key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The verifier key text standard note tools take: ``name+keyid+base64(0x01 || key)``."""
    material = base64.b64encode(bytes([ED25519]) + public_key).decode("ascii")
    return f"{name}+{note_key_id(name, public_key).hex()}+{material}"


def read_verifier_key(text: str) -> tuple[str, bytes]:
    """The key name and raw Ed25519 public key of a verifier key; ``CheckpointError`` if bad."""
    name, _, rest = text.strip().partition("+")
    key_id_hex, _, material = rest.partition("+")
    try:
        raw = base64.b64decode(material, validate=True)
        key_id = bytes.fromhex(key_id_hex)
    except (binascii.Error, ValueError):
        raise CheckpointError("the verifier key is not name+hex+base64") from None
    if not _KEY_NAME.fullmatch(name) or len(raw) != 33 or raw[0] != ED25519:
        raise CheckpointError("the verifier key is not an Ed25519 note key")
    if note_key_id(name, raw[1:]) != key_id:
        raise CheckpointError("the verifier key's id does not match its name and key")
    return name, raw[1:]


# Signed notes.


def sign_note(text: str, name: str, signer: Signer) -> str:
    """A signed note: ``text`` (ending in a newline), a blank line, one signature line."""
    _check_text(text)
    if not _KEY_NAME.fullmatch(name):
        raise CheckpointError(f"key name {name!r} is empty or holds a space or a plus")
    signature = signer.sign(text.encode("utf-8"))
    blob = base64.b64encode(note_key_id(name, signer.public_key) + signature).decode("ascii")
    return f"{text}\n{EM_DASH} {name} {blob}\n"


def open_note(note: str, name: str, public_key: bytes) -> str:
    """The text of a note that ``name``'s key signed; ``CheckpointError`` otherwise.

    Signatures by other keys are ignored (the note may carry witnesses' cosignatures); one by
    this key that fails to verify rejects the note, and so does the lack of one.
    """
    text, signatures = _split_note(note)
    wanted_id = note_key_id(name, public_key)
    verified = False
    for signer_name, blob in signatures:
        if signer_name != name or blob[:4] != wanted_id:
            continue
        if len(blob) != 4 + 64 or not _verifies(public_key, text.encode("utf-8"), blob[4:]):
            raise CheckpointError(f"the signature of {name} does not verify")
        verified = True
    if not verified:
        raise CheckpointError(f"the note carries no signature of {name}")
    return text


def _verifies(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public_key).verify(message, signature)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise CheckpointError("a note's text ends with a newline")
    if any(ord(char) < 0x20 and char != "\n" for char in text):
        raise CheckpointError("a note holds no control characters but newlines")


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    if not isinstance(note, str):
        raise CheckpointError("a note is text")
    separator = note.rfind("\n\n")
    if separator < 0 or not note.endswith("\n"):
        raise CheckpointError("a note is text, a blank line and signature lines")
    text, signature_block = note[: separator + 1], note[separator + 2 :]
    _check_text(text)
    lines = signature_block[:-1].split("\n")
    if not lines or len(lines) > MAX_SIGNATURES * 4:
        raise CheckpointError("a note has between one and a few dozen signature lines")
    signatures = []
    for line in lines:
        prefix = f"{EM_DASH} "
        parts = line[len(prefix) :].split(" ") if line.startswith(prefix) else []
        if len(parts) != 2 or not _KEY_NAME.fullmatch(parts[0]):
            raise CheckpointError("a signature line is '— <key name> <base64>'")
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            raise CheckpointError("a signature is standard base64") from None
        if len(blob) < 5:
            raise CheckpointError("a signature is a key ID and signature bytes")
        signatures.append((parts[0], blob))
    return text, signatures


# Checkpoints.


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The log's tree head at one size: what a checkpoint note says."""

    origin: str
    tree_size: int
    root_hash: bytes
    issued_at: datetime
    """When the log signed it (UTC, whole seconds)."""

    def text(self) -> str:
        """The note text: origin, size, base64 root, and the time extension line."""
        seconds = int(self.issued_at.timestamp())
        root = base64.b64encode(self.root_hash).decode("ascii")
        return f"{self.origin}\n{self.tree_size}\n{root}\ntime {seconds}\n"


def new_checkpoint(origin: str, tree_size: int, root_hash: bytes, at: datetime) -> Checkpoint:
    """A checkpoint issued at ``at`` (kept to whole seconds, as the note carries it)."""
    issued = datetime.fromtimestamp(int(at.timestamp()), UTC)
    return Checkpoint(origin, tree_size, root_hash, issued)


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note, signed by the log's key under the origin's name."""
    return sign_note(checkpoint.text(), checkpoint.origin, signer)


def open_checkpoint(note: str, public_key: bytes, origin: str | None = None) -> Checkpoint:
    """The checkpoint of a note signed by ``public_key`` (under ``origin``, when given).

    Raises ``CheckpointError`` when the note is malformed, unsigned by that key, or its
    signature fails. Without ``origin`` the note's own origin line names the key.
    """
    unverified = read_checkpoint(note)
    name = origin if origin is not None else unverified.origin
    if unverified.origin != name:
        raise CheckpointError(f"the checkpoint is of log {unverified.origin}, not {name}")
    open_note(note, name, public_key)
    return unverified


def read_checkpoint(note: str) -> Checkpoint:
    """The checkpoint a note claims, without checking its signature (for display and lookups)."""
    text, _ = _split_note(note)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a size and a root hash")
    origin, size_text, root_text, *extensions = lines
    if not origin or not _KEY_NAME.fullmatch(origin):
        raise CheckpointError("the origin is empty or holds a space or a plus")
    if not _DECIMAL.fullmatch(size_text):
        raise CheckpointError("the tree size is a decimal number without leading zeros")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        raise CheckpointError("the root hash is standard base64") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode("ascii") != root_text:
        raise CheckpointError("the root hash is 32 bytes in standard padded base64")
    times = [line for line in extensions if line.startswith("time ")]
    if len(times) != 1 or not _DECIMAL.fullmatch(times[0][5:]) or "" in extensions:
        raise CheckpointError("the checkpoint carries one time line, 'time <POSIX seconds>'")
    issued = datetime.fromtimestamp(int(times[0][5:]), UTC)
    return Checkpoint(origin, int(size_text), root, issued)


__all__ = [
    "Checkpoint",
    "log_origin",
    "new_checkpoint",
    "note_key_id",
    "open_checkpoint",
    "open_note",
    "read_checkpoint",
    "read_verifier_key",
    "sign_checkpoint",
    "sign_note",
    "verifier_key",
]
