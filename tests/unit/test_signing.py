"""Signed statements: canonical bytes, Ed25519 over their digest, and tamper evidence."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import BadSignatureError, MalformedStatementError
from ledger.signing import (
    HAND_OVER_FROM,
    SoftwareSigner,
    VerifierPool,
    sign_statement,
    verify_signature,
)
from ledger.statement import (
    GENESIS_PREV_HASH,
    SignerRef,
    build_statement,
    event_hash,
    key_id_of,
    read_statement,
)
from tests.people import HR_CID

SIGNER = SoftwareSigner(bytes(range(32)))


def _signed() -> tuple[bytes, bytes]:
    statement = build_statement(
        stream=uuid.UUID("3f0c1d9e-1234-4d7a-9d7e-123456789abc"),
        expected_version=0,
        prev_hash=GENESIS_PREV_HASH,
        type="RecordOpened",
        data={"name": "สมหญิง รักษ์ถิ่น", "salary": "15000.00"},
        effective=date(2019, 4, 1),
        signer=SignerRef(cid=HR_CID, key=SIGNER.key_id),
        signed_at=datetime(2019, 5, 2, 2, 15, tzinfo=UTC),
        nonce="0123456789abcdef",
    )
    signed = sign_statement(statement, SIGNER)
    return signed.canonical, signed.signature


CANONICAL, SIGNATURE = _signed()


def test_signature_verifies() -> None:
    """A statement signed by a key verifies under that key's public key."""
    assert verify_signature(SIGNER.public_key, CANONICAL, SIGNATURE)


def test_other_key_does_not_verify() -> None:
    """A signature does not verify under another key."""
    other = SoftwareSigner.generate()

    assert not verify_signature(other.public_key, CANONICAL, SIGNATURE)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=len(CANONICAL) * 8 - 1))
def test_one_flipped_bit_in_statement_fails(bit: int) -> None:
    """Flipping any single bit of the statement bytes breaks the signature."""
    tampered = bytearray(CANONICAL)
    tampered[bit // 8] ^= 1 << (bit % 8)

    assert not verify_signature(SIGNER.public_key, bytes(tampered), SIGNATURE)


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=len(SIGNATURE) * 8 - 1))
def test_one_flipped_bit_in_signature_fails(bit: int) -> None:
    """Flipping any single bit of the signature makes it fail."""
    tampered = bytearray(SIGNATURE)
    tampered[bit // 8] ^= 1 << (bit % 8)

    assert not verify_signature(SIGNER.public_key, CANONICAL, bytes(tampered))


def test_statement_round_trips_from_canonical_bytes() -> None:
    """Reading the signed bytes gives back the statement's fields, Thai text intact."""
    signed = read_statement(CANONICAL, SIGNATURE)

    assert "สมหญิง รักษ์ถิ่น" == signed.statement.data["name"]
    assert CANONICAL == signed.statement.canonical_bytes()


def test_event_hash_covers_statement_and_signature() -> None:
    """The event hash is sha256 of the canonical bytes followed by the signature."""
    import hashlib

    expected = hashlib.sha256(CANONICAL + SIGNATURE).hexdigest()

    assert expected == event_hash(CANONICAL, SIGNATURE)


def test_key_id_is_prefix_of_key_hash() -> None:
    """A key id is the first 16 hex characters of sha256 of the raw public key."""
    import hashlib

    assert hashlib.sha256(SIGNER.public_key).hexdigest()[:16] == key_id_of(SIGNER.public_key)


@pytest.mark.parametrize(
    ("canonical", "signature", "problem"),
    [
        (CANONICAL, SIGNATURE[:63], "64 bytes"),
        (b"\xff\xfe", SIGNATURE, "not UTF-8"),
        (b"not json", SIGNATURE, "not JSON"),
        (b"[1,2]", SIGNATURE, "JSON object"),
        (b'{"v":1}', SIGNATURE, "stream: Field required"),
        (CANONICAL.replace(b'"v":1', b'"v":3'), SIGNATURE, "v: Input should be 1 or 2"),
        (CANONICAL.replace(b"{", b"{ ", 1), SIGNATURE, "not RFC 8785 canonical"),
    ],
)
def test_malformed_statements_are_named(canonical: bytes, signature: bytes, problem: str) -> None:
    """Unreadable statements raise MalformedStatementError saying what is wrong."""
    with pytest.raises(MalformedStatementError, match=problem):
        read_statement(canonical, signature)


def test_key_file_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A software key written to a file is read back as the same key, owner-readable only."""
    path = tmp_path / "key.hex"
    SIGNER.to_file(path)

    loaded = SoftwareSigner.from_file(path)

    assert SIGNER.public_key == loaded.public_key
    assert 0o600 == path.stat().st_mode & 0o777


@pytest.mark.parametrize("size", [1, HAND_OVER_FROM])
def test_verifier_pool_passes_good_signatures(size: int) -> None:
    """A batch of good signatures passes, whether checked inline or on the verifier threads."""
    pool = VerifierPool()
    signed = [read_statement(CANONICAL, SIGNATURE)] * size

    verification = pool.start(signed, [SIGNER.public_key] * size)

    verification.check()
    assert (size >= HAND_OVER_FROM) == verification.in_background
    pool.close()


@pytest.mark.parametrize("size", [1, HAND_OVER_FROM + 1])
def test_verifier_pool_names_the_key_of_a_bad_signature(size: int) -> None:
    """A signature that fails under its key raises BadSignatureError naming the signer's key."""
    pool = VerifierPool()
    signed = [read_statement(CANONICAL, SIGNATURE)] * size
    keys = [SIGNER.public_key] * (size - 1) + [SoftwareSigner.generate().public_key]

    verification = pool.start(signed, keys)

    with pytest.raises(BadSignatureError, match=SIGNER.key_id):
        verification.check()
    pool.close()
