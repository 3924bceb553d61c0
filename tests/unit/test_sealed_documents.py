"""Documents sealed under the person's vault key (ledger.documents with a sealer): never in clear
on disk, read back through the record, unreadable once the person is erased, in a restored copy
of the folder too; the same file for two records sealed twice; without a vault, as before."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.commitments import Disclosure, commitment
from ledger.disclosed import Sealing
from ledger.documents import DocumentNotFoundError, DocumentStore
from ledger.vault import Vault
from ledger.vault_keys import ErasedError, KeyFileStore

PNG = b"\x89PNG\r\n\x1a\n" + b"a made-up face, sealed" * 8


@pytest.fixture
def vault(tmp_path: Path) -> Iterator[Vault]:
    opened = Vault(f"sqlite:///{tmp_path}/v.sqlite", "t", KeyFileStore(tmp_path / "keys"))
    yield opened
    opened.close()


def files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_a_record_s_document_is_sealed_and_reads_back_through_the_record(
    tmp_path: Path, vault: Vault
) -> None:
    """Put for a record: no file holds the plain bytes; the record reads them back with their
    media type; without the record, or through another record, nothing is found."""
    store = DocumentStore(tmp_path / "docs", sealer=vault)
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    sha = hashlib.sha256(PNG).hexdigest()

    stored = store.put(PNG, subject=person)

    assert (sha, "image/png") == (stored.sha256, stored.media_type)
    assert [store.sealed_path(sha, person)] == files(tmp_path / "docs")
    assert [] == [path for path in files(tmp_path / "docs") if PNG[8:30] in path.read_bytes()]
    assert (stored, PNG) == store.get(sha, person)
    assert store.holds(sha, person)
    assert not store.holds(sha)
    assert not store.holds(sha, other)
    assert sha not in store
    with pytest.raises(DocumentNotFoundError):
        store.get(sha)
    with pytest.raises(DocumentNotFoundError):
        store.get(sha, other)


def test_erasure_makes_it_unreadable_even_from_an_older_copy_of_the_folder(
    tmp_path: Path, vault: Vault
) -> None:
    """The same file kept for two people; one erased: their copy (and a backup of the folder
    taken before the erasure, restored) no longer opens, the other's still does."""
    store = DocumentStore(tmp_path / "docs", sealer=vault)
    erased, kept = str(uuid.uuid4()), str(uuid.uuid4())
    sha = store.put(PNG, subject=erased).sha256
    store.put(PNG, subject=kept)
    shutil.copytree(tmp_path / "docs", tmp_path / "backup")

    vault.erase(erased)
    shutil.rmtree(tmp_path / "docs")
    shutil.copytree(tmp_path / "backup", tmp_path / "docs")

    with pytest.raises(ErasedError):
        store.get(sha, erased)
    assert PNG == store.get(sha, kept)[1]


def test_a_sealed_file_moved_to_another_person_does_not_open(tmp_path: Path, vault: Vault) -> None:
    """The associated data binds the person and the hash: a copy renamed to another record
    fails to open (as erased), never shows another's document."""
    store = DocumentStore(tmp_path / "docs", sealer=vault)
    person, other = str(uuid.uuid4()), str(uuid.uuid4())
    sha = store.put(PNG, subject=person).sha256
    store.put(b"\x89PNG\r\n\x1a\n other", subject=other)  # the other person has a key
    target = store.sealed_path(sha, other)
    shutil.copy(store.sealed_path(sha, person), target)

    with pytest.raises(ErasedError):
        store.get(sha, other)


def test_without_a_vault_the_subject_changes_nothing(tmp_path: Path, vault: Vault) -> None:
    """No sealer: the file is kept in clear under its hash, as before, and read by anyone's
    record; a clear file kept before a vault is still read through a record once there is one."""
    store = DocumentStore(tmp_path)
    person = str(uuid.uuid4())

    stored = store.put(PNG, subject=person)

    assert PNG == store.path(stored.sha256).read_bytes()
    assert PNG == store.get(stored.sha256, person)[1]
    assert store.holds(stored.sha256, person)
    assert PNG == DocumentStore(tmp_path, sealer=vault).get(stored.sha256, person)[1]


def test_no_new_key_is_made_for_an_erased_person(tmp_path: Path, vault: Vault) -> None:
    """A person whose values the vault keeps, erased: sealing a document for her (a new file,
    so nothing on disk answers for it), or keeping a new value, is refused ``ErasedError``; no
    key file, no wrapped key row and no sealed file is made for her. A new person still gets
    her first key from a document."""
    store = DocumentStore(tmp_path / "docs", sealer=vault)
    erased, newcomer = str(uuid.uuid4()), str(uuid.uuid4())
    salt = bytes(range(32))
    value = "1999900005015"
    kept = Sealing(
        erased, {"cid": (commitment(erased, "cid", salt, value), Disclosure(value, salt))}
    )
    vault.store([kept])
    vault.erase(erased)
    keys_before = files(tmp_path / "keys")

    with pytest.raises(ErasedError):
        store.put(PNG, subject=erased)
    with pytest.raises(ErasedError):
        vault.store([kept])
    with pytest.raises(ErasedError):
        vault.prepare([kept])

    assert keys_before == files(tmp_path / "keys")
    assert not store.holds(hashlib.sha256(PNG).hexdigest(), erased)
    with sqlite3.connect(tmp_path / "v.sqlite") as db:
        rows = db.execute("SELECT subject FROM t_vault_keys WHERE subject = ?", [erased])
        assert [] == rows.fetchall()
    store.put(PNG, subject=newcomer)
    assert PNG == store.get(hashlib.sha256(PNG).hexdigest(), newcomer)[1]
