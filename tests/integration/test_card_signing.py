"""Signing tokens behind the ledger's Signer port, through pcscd and SoftHSM2, into the ledger.

The OpenPGP-style virtual card sits in vpcd slot 01 and is reached through pyscard and pcscd;
the PKCS#11 token is SoftHSM2 through python-pkcs11. Each signs a statement that the ledger
verifies and appends; when signing fails, nothing reaches the ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from card.errors import CardPresenceError, CardRemovedError, PinBlockedError, WrongPinError
from card.openpgp import PW1_SIGN, OpenPgpCard, OpenPgpCardSigner
from card.pcsc import Disposition, connect
from card.pkcs11_token import Pkcs11Token
from card.presence import PresenceCheckedSigner
from card.readers import read_citizen_id
from card.virtual.signing import VirtualSigningCard
from card.virtual.thai_id import VirtualThaiIdCard
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role
from ledger.genesis import compose, enrolment_data
from ledger.signing import Signer, verify_signature
from tests.card_stack import ID_READER, TOKEN_READER, Slot, SoftHsmToken
from tests.cards import SAMPLES, PullingTransport
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator, record_data

PIN = "123456"
ADMIN_PIN = "12345678"
OPERATOR_CID = "1999900000111"  # somying.json, the made-up card holder


@contextmanager
def signing_session() -> Iterator[OpenPgpCard]:
    with connect(TOKEN_READER, timeout=5, disposition=Disposition.RESET) as connection:
        yield OpenPgpCard(connection)


def enrol_token_key(kit: LedgerKit, public_key: bytes, storage: KeyStorage) -> None:
    """The admin enrols the token's key for the made-up operator (signed by the admin's key)."""
    kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorEnrolled",
            data=enrolment_data(
                cid=OPERATOR_CID,
                public_key=public_key,
                roles=[Role.LAO_HR_OFFICER],
                scope=NAKHON_PHANOM_LAO,
                storage=storage,
            ),
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )


def open_record_with(kit: LedgerKit, signer: Signer) -> uuid.UUID:
    """Sign a RecordOpened with ``signer`` (through the kit's statement builder) and submit it."""
    stream = uuid.uuid4()
    operator = Operator(cid=OPERATOR_CID, signer=signer)  # type: ignore[arg-type]
    kit.submit(kit.sign(operator, stream=stream, type="RecordOpened", data=record_data()))
    return stream


def test_virtual_card_signature_verifies_and_its_event_lands(
    kit: LedgerKit, signing_card: VirtualSigningCard
) -> None:
    """A key generated on the card through pcscd signs a statement the ledger appends."""
    with signing_session() as card:
        public_key = card.generate_key(ADMIN_PIN)
        enrol_token_key(kit, public_key, card.key_storage())
        signer = OpenPgpCardSigner(card, PIN)

        stream = open_record_with(kit, signer)

    [event] = kit.ledger.stream_events(stream)
    assert verify_signature(public_key, event.statement, event.signature)
    enrolment = kit.ledger.enrolment_for(signer.key_id)
    assert enrolment is not None
    assert "openpgp-card" == enrolment.key_storage.kind
    assert (enrolment.key_storage.serial or "").startswith("FFFF:")


def test_softhsm_signature_verifies_and_its_event_lands(
    kit: LedgerKit, softhsm: SoftHsmToken
) -> None:
    """An Ed25519 key generated in SoftHSM2 signs through CKM_EDDSA; the ledger appends."""
    label = softhsm.new_key_label()
    with Pkcs11Token(softhsm.module, token_label=softhsm.label, pin=softhsm.pin) as token:
        public_key = token.generate_key(label)
        enrol_token_key(kit, public_key, token.key_storage())
        signer = token.signer(label)

        stream = open_record_with(kit, signer)

    [event] = kit.ledger.stream_events(stream)
    assert verify_signature(public_key, event.statement, event.signature)
    enrolment = kit.ledger.enrolment_for(signer.key_id)
    assert enrolment is not None
    assert "pkcs11" == enrolment.key_storage.kind


def test_three_wrong_pins_block_the_card_through_pcscd(signing_card: VirtualSigningCard) -> None:
    """Through pcscd the tries count down 2, 1, then blocked; even the right PIN fails after."""
    errors: list[Exception] = []
    with signing_session() as card:
        card.generate_key(ADMIN_PIN)
        for _ in range(3):
            with pytest.raises((WrongPinError, PinBlockedError)) as caught:
                card.verify(PW1_SIGN, "654321")
            errors.append(caught.value)
        with pytest.raises(PinBlockedError):
            card.sign(PIN, b"\x00" * 32)

    assert [2, 1] == [getattr(error, "retries_left", None) for error in errors[:2]]
    assert isinstance(errors[2], PinBlockedError)


def test_wrong_pin_while_signing_appends_nothing(
    kit: LedgerKit, signing_card: VirtualSigningCard
) -> None:
    """A wrong PIN stops the signature, and no event reaches the ledger."""
    with signing_session() as card:
        enrol_token_key(kit, card.generate_key(ADMIN_PIN), card.key_storage())
        before = kit.event_count()

        with pytest.raises(WrongPinError):
            open_record_with(kit, OpenPgpCardSigner(card, "000000"))

    assert before == kit.event_count()


def test_wrong_softhsm_pin_is_refused(softhsm: SoftHsmToken) -> None:
    """Logging in to the PKCS#11 token with a wrong PIN raises ``WrongPinError``."""
    with pytest.raises(WrongPinError, match="wrong PIN"):
        Pkcs11Token(softhsm.module, token_label=softhsm.label, pin="000000")


def test_card_pulled_while_signing_appends_nothing(
    kit: LedgerKit, token_slot: Slot, signing_card: VirtualSigningCard
) -> None:
    """Pulling the signing card between VERIFY and PSO: removal error, and nothing appended."""
    [plugged] = token_slot.inserted
    with signing_session() as card:
        enrol_token_key(kit, card.generate_key(ADMIN_PIN), card.key_storage())
        signer = OpenPgpCardSigner(card, PIN)
        card.channel.transport = PullingTransport(card.transport, at=2, pull=plugged.remove)
        before = kit.event_count()

        with pytest.raises(CardRemovedError):
            open_record_with(kit, signer)

    assert before == kit.event_count()


def test_presence_check_with_the_enrolled_card_lands(
    kit: LedgerKit, signing_card: VirtualSigningCard, somying_card: VirtualThaiIdCard
) -> None:
    """With the operator's own ID card in slot 00, the card-bound signature lands."""
    with signing_session() as card:
        enrol_token_key(kit, card.generate_key(ADMIN_PIN), card.key_storage())
        signer = PresenceCheckedSigner(
            OpenPgpCardSigner(card, PIN),
            read_cid=lambda: read_citizen_id(ID_READER, timeout=5),
            enrolled_cid=OPERATOR_CID,
            reader=ID_READER,
        )

        stream = open_record_with(kit, signer)

    assert 1 == len(kit.ledger.stream_events(stream))


def test_presence_check_with_another_citizens_card_refuses(
    kit: LedgerKit, signing_card: VirtualSigningCard, id_slot: Slot
) -> None:
    """With another citizen's ID card in the reader the client signs nothing; nothing lands."""
    id_slot.insert(VirtualThaiIdCard.from_file(SAMPLES / "prasert.json"))
    with signing_session() as card:
        enrol_token_key(kit, card.generate_key(ADMIN_PIN), card.key_storage())
        signatures_before = signing_card.state.signatures
        signer = PresenceCheckedSigner(
            OpenPgpCardSigner(card, PIN),
            read_cid=lambda: read_citizen_id(ID_READER, timeout=5),
            enrolled_cid=OPERATOR_CID,
            reader=ID_READER,
        )
        before = kit.event_count()

        with pytest.raises(CardPresenceError):
            open_record_with(kit, signer)

    assert before == kit.event_count()
    assert signatures_before == signing_card.state.signatures
