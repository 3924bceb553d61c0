"""Checkpoints as C2SP signed notes: the reference vector, the format, the ways to break one."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from ledger.merkle import root_hash
from ledger.signing import SoftwareSigner
from projections.transparency.checkpoints import (
    new_checkpoint,
    note_key_id,
    open_checkpoint,
    open_note,
    read_checkpoint,
    read_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
)
from projections.transparency.errors import CheckpointError

# golang.org/x/mod/sumdb/note's documented example: key, text and the note it signs.
GO_SIGNER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VERIFIER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXg"
    "KvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ORIGIN = "thai-lgov-ledger/test/0123456789abcdef"
SIGNER = SoftwareSigner(bytes(range(32)))
ISSUED = datetime(2026, 1, 5, 9, 0, 1, tzinfo=UTC)


def signed_checkpoint(size: int = 8) -> str:
    root = root_hash([bytes([n]) for n in range(size)])
    return sign_checkpoint(new_checkpoint(ORIGIN, size, root, ISSUED), SIGNER)


def test_the_go_reference_note_is_reproduced_byte_for_byte() -> None:
    """Signing the sumdb/note example text with its key gives exactly the published note."""
    signer = SoftwareSigner(GO_SIGNER_SEED)

    note = sign_note(GO_TEXT, "PeterNeumann", signer)

    assert GO_NOTE == note
    assert GO_VERIFIER_KEY == verifier_key("PeterNeumann", signer.public_key)


def test_the_go_reference_note_opens_with_its_verifier_key() -> None:
    """The published note verifies under the published verifier key."""
    name, public_key = read_verifier_key(GO_VERIFIER_KEY)

    assert GO_TEXT == open_note(GO_NOTE, name, public_key)


def test_a_checkpoint_note_has_origin_size_root_and_time() -> None:
    """The note is origin, size, base64 root, a time line, then the key ID and signature."""
    note = signed_checkpoint(8)

    text, _, signature_line = note.rpartition("\n\n")
    lines = text.split("\n")
    assert [ORIGIN, "8"] == lines[:2]
    assert root_hash([bytes([n]) for n in range(8)]) == base64.b64decode(lines[2])
    assert f"time {int(ISSUED.timestamp())}" == lines[3]
    assert signature_line.startswith(f"— {ORIGIN} ")
    blob = base64.b64decode(signature_line.split(" ")[2])
    assert note_key_id(ORIGIN, SIGNER.public_key) == blob[:4]


def test_a_signed_checkpoint_opens_to_what_it_says() -> None:
    """Opening gives back the origin, size, root and (whole-second) time."""
    checkpoint = open_checkpoint(signed_checkpoint(5), SIGNER.public_key, ORIGIN)

    assert (ORIGIN, 5, ISSUED) == (checkpoint.origin, checkpoint.tree_size, checkpoint.issued_at)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda note: note.replace("\n8\n", "\n9\n", 1), "does not verify"),
        (lambda note: note.replace("time 1", "time 2", 1), "does not verify"),
        (lambda note: note.replace(ORIGIN, ORIGIN + "x"), "not thai-lgov-ledger"),
        (lambda note: note[:-5] + "AAAA\n", "does not verify"),
        (lambda note: note.rpartition("\n\n")[0] + "\n\n", "signature line"),
        (lambda note: note.replace("\n\n", "\n"), "blank line"),
        (lambda note: note.replace(ORIGIN, "x\ty", 1), "control"),
    ],
)
def test_a_changed_checkpoint_is_refused(change: object, reason: str) -> None:
    """A changed size, time, origin, signature, or a broken layout does not open."""
    note = change(signed_checkpoint(8))  # type: ignore[operator]

    with pytest.raises(CheckpointError, match=reason):
        open_checkpoint(note, SIGNER.public_key, ORIGIN)


def test_a_note_signed_by_another_key_is_refused() -> None:
    """A well-formed checkpoint signed by another key does not open under the log's key."""
    other = SoftwareSigner(bytes(range(1, 33)))
    root = root_hash([b"a"])
    note = sign_checkpoint(new_checkpoint(ORIGIN, 1, root, ISSUED), other)

    with pytest.raises(CheckpointError, match="no signature of"):
        open_checkpoint(note, SIGNER.public_key, ORIGIN)


def test_cosignatures_of_other_keys_are_ignored() -> None:
    """A witness's extra signature line does not stop the log's own signature verifying."""
    witness = SoftwareSigner(bytes(range(2, 34)))
    note = signed_checkpoint(3)
    text = note.rpartition("\n\n")[0] + "\n"
    cosigned = note + sign_note(text, "witness.example/w1", witness).rpartition("\n\n")[2]

    checkpoint = open_checkpoint(cosigned, SIGNER.public_key, ORIGIN)

    assert 3 == checkpoint.tree_size


@pytest.mark.parametrize(
    "text",
    [
        "origin\n08\nAAAA\ntime 1\n",
        "origin\n8\nnot-base64!\ntime 1\n",
        "origin\n8\n" + base64.b64encode(b"short").decode() + "\ntime 1\n",
        "origin\n8\n" + base64.b64encode(bytes(32)).decode() + "\n",
        "origin\n8\n" + base64.b64encode(bytes(32)).decode() + "\ntime 01\n",
        "origin\n8\n",
    ],
)
def test_malformed_checkpoint_text_is_refused(text: str) -> None:
    """Leading zeros, a bad root, a missing or malformed time line, or missing lines: refused."""
    note = sign_note(text, "origin", SIGNER)

    with pytest.raises(CheckpointError):
        read_checkpoint(note)


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_a_mangled_verifier_key_is_refused(key: str) -> None:
    """A verifier key whose id, type byte, material or name is wrong is refused."""
    with pytest.raises(CheckpointError):
        read_verifier_key(key)
