"""The enrolment request (card data + public key + proof of possession) and the presence check."""

from __future__ import annotations

import base64
import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from card.enrolment import (
    build_request,
    check_same_card,
    read_request,
    statement_data,
    verify_request,
    write_request,
)
from card.errors import (
    CardPresenceError,
    EnrolmentRequestError,
    ExpiredCardError,
    IdentityMismatchError,
)
from card.presence import PresenceCheckedSigner
from card.readers import read_id_card
from card.thai_id import ThaiIdCard
from ledger.domain.operators import EnrolmentData, KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.signing import SoftwareSigner
from tests.cards import SAMPLES, person_file

TODAY = date(2026, 11, 21)
NAKHON_PHANOM = Scope(level="lao", province="นครพนม", lao="6480101")
CARD_STORAGE = KeyStorage(kind="openpgp-card", serial="FFFF:01020304")


def somying() -> ThaiIdCard:
    return read_id_card(f"virtual:{SAMPLES / 'somying.json'}")


def signed_request(card: ThaiIdCard | None = None) -> tuple[dict[str, Any], SoftwareSigner]:
    signer = SoftwareSigner.generate()
    card = card or somying()
    document = build_request(
        signer=signer,
        key_storage=CARD_STORAGE,
        cid=card.cid,
        card=card,
        roles=[Role.LAO_HR_OFFICER],
        scope=NAKHON_PHANOM,
    )
    return document, signer


def test_request_verifies_and_names_key_and_card() -> None:
    """A fresh request verifies; it carries the card's data, the public key and its storage."""
    document, signer = signed_request()

    request = verify_request(document, today=TODAY)

    assert signer.public_key == request.public_key_bytes
    assert signer.key_id == request.key_id
    assert request.card is not None
    assert somying().to_json() == request.card.model_dump(mode="json")
    assert CARD_STORAGE == request.key_storage


def test_altered_request_fails_its_proof() -> None:
    """Changing any field after signing (here the citizen's name) breaks the proof."""
    document, _ = signed_request()
    altered = copy.deepcopy(document)
    altered["request"]["card"]["name_th"]["first"] = "สมศรี"

    with pytest.raises(EnrolmentRequestError, match="proof of possession does not verify"):
        verify_request(altered, today=TODAY)


def test_proof_by_another_key_is_refused() -> None:
    """A request signed by a key other than the one it enrols is refused."""
    document, _ = signed_request()
    other, _ = signed_request()
    document["proof"] = other["proof"]

    with pytest.raises(EnrolmentRequestError, match="does not verify"):
        verify_request(document, today=TODAY)


def test_key_id_must_be_the_id_of_the_key() -> None:
    """A request whose key_id is not derived from its public key is malformed."""
    document, _ = signed_request()
    document["request"]["key_id"] = "0" * 16

    with pytest.raises(EnrolmentRequestError, match="key_id"):
        verify_request(document, today=TODAY)


def test_request_with_expired_card_is_refused(tmp_path: Path) -> None:
    """An enrolment request built from an expired card cannot be approved."""
    card = read_id_card(f"virtual:{person_file(tmp_path, expiry_date='2024-12-31')}")
    document, _ = signed_request(card)

    with pytest.raises(ExpiredCardError, match="2024-12-31"):
        verify_request(document, today=TODAY)


def test_malformed_document_is_named() -> None:
    """A document without request and proof is refused with a message saying so."""
    with pytest.raises(EnrolmentRequestError, match='exactly "request" and "proof"'):
        verify_request({"request": {}}, today=TODAY)


def test_proof_signs_the_digest_not_a_statement() -> None:
    """The proof is a 64-byte Ed25519 signature in standard base64."""
    document, _ = signed_request()

    assert 64 == len(base64.b64decode(document["proof"], validate=True))


def test_same_card_passes_and_another_card_is_refused() -> None:
    """At approval the card read again must be the request's card (citizen ID and laser code)."""
    document, _ = signed_request()
    request = verify_request(document, today=TODAY)
    prasert = read_id_card(f"virtual:{SAMPLES / 'prasert.json'}")

    check_same_card(request, somying())
    with pytest.raises(IdentityMismatchError, match="another citizen ID") as caught:
        check_same_card(request, prasert)

    assert request.cid not in str(caught.value)


def test_card_with_same_cid_but_another_laser_code_is_refused(tmp_path: Path) -> None:
    """A replacement card (same citizen, new laser code) is not the card that was read."""
    document, _ = signed_request()
    request = verify_request(document, today=TODAY)
    replacement = read_id_card(f"virtual:{person_file(tmp_path, laser_code='ZZ9999999999')}")

    with pytest.raises(IdentityMismatchError, match="laser code"):
        check_same_card(request, replacement)


def test_statement_data_is_valid_enrolment_data() -> None:
    """The OperatorEnrolled data built from a request passes the domain's EnrolmentData model."""
    document, signer = signed_request()
    request = verify_request(document, today=TODAY)

    data = EnrolmentData.model_validate(
        statement_data(request, [Role.LAO_HR_OFFICER], NAKHON_PHANOM)
    )

    assert (signer.key_id, "openpgp-card") == (data.key_id, data.key_storage.kind)


def test_request_file_is_private_and_reads_back(tmp_path: Path) -> None:
    """The request file is mode 0600 (personal data) and reads back to the same document."""
    document, _ = signed_request()
    path = tmp_path / "request.json"

    write_request(path, document)

    assert 0o600 == path.stat().st_mode & 0o777
    assert document == read_request(path)


def test_presence_signer_signs_while_the_enrolled_card_is_in() -> None:
    """With the enrolled citizen's card present, the wrapped signer signs."""
    inner = SoftwareSigner.generate()
    signer = PresenceCheckedSigner(
        inner, read_cid=lambda: "1999900000111", enrolled_cid="1999900000111", reader="r"
    )

    assert inner.sign(b"\x00" * 32) == signer.sign(b"\x00" * 32)


def test_presence_signer_refuses_another_citizens_card() -> None:
    """With another citizen's card in the reader nothing is signed."""
    calls: list[bytes] = []

    class Recording(SoftwareSigner):
        def sign(self, message: bytes) -> bytes:
            calls.append(message)
            return super().sign(message)

    signer = PresenceCheckedSigner(
        Recording(bytes(32)),
        read_cid=lambda: "1999900000129",
        enrolled_cid="1999900000111",
        reader="r",
    )

    with pytest.raises(CardPresenceError, match="nothing was signed"):
        signer.sign(b"\x00" * 32)

    assert [] == calls
