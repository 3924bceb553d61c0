"""Reading virtual Thai ID cards through the real stack: pyscard -> pcscd -> vpcd -> card."""

from __future__ import annotations

import threading
import time

import pytest

from card.errors import CardRemovedError, NoCardError, NoReaderError
from card.pcsc import PcscContext, connect
from card.readers import read_id_card
from card.thai_id import ThaiIdReader
from card.virtual.stack import Pcscd
from card.virtual.thai_id import AtrVariant, VirtualThaiIdCard
from tests.card_stack import ID_READER, Slot
from tests.cards import SAMPLE_PHOTO, SAMPLES, PullingTransport
from tests.unit.test_thai_id_reader import expected_json


def test_full_read_through_pcscd(somying_card: VirtualThaiIdCard) -> None:
    """Every field, the laser code and the 5,118-byte photo arrive intact through pcscd."""
    card = read_id_card(ID_READER, photo=True, timeout=5)

    assert expected_json("somying") == card.to_json()
    assert SAMPLE_PHOTO.read_bytes() == card.photo


def test_3b67_card_reads_through_pcscd(id_slot: Slot) -> None:
    """A 3B 67 card (GET RESPONSE P2 = 01) reads correctly through pcscd over T=0."""
    id_slot.insert(VirtualThaiIdCard.from_file(SAMPLES / "malee.json", AtrVariant.ATR_3B67))

    card = read_id_card(ID_READER, photo=True, timeout=5)

    assert expected_json("malee") == card.to_json()


def test_hundred_consecutive_reads_are_all_correct(somying_card: VirtualThaiIdCard) -> None:
    """100 full reads in a row (connect, read everything with the photo, disconnect) all match."""
    expected = expected_json("somying")

    results = [read_id_card(ID_READER, photo=True, timeout=5).to_json() for _ in range(100)]

    assert 100 == sum(1 for result in results if result == expected)


def test_card_removed_mid_read_gives_the_removal_error(id_slot: Slot) -> None:
    """Pulling the card during the photo raises ``CardRemovedError`` naming the exchange."""
    plugged = id_slot.insert(VirtualThaiIdCard.from_file(SAMPLES / "somying.json"))

    with connect(ID_READER, timeout=5) as connection:
        pulling = PullingTransport(connection, at=20, pull=plugged.remove)
        with pytest.raises(CardRemovedError) as caught:
            ThaiIdReader(pulling).read(photo=True)

    assert "READ photo" in caught.value.during
    assert ID_READER == caught.value.reader


def test_empty_reader_times_out_with_no_card_error(id_slot: Slot) -> None:
    """With no card inserted, reading waits for the timeout and raises ``NoCardError``."""
    started = time.monotonic()

    with pytest.raises(NoCardError, match="no card in reader 'Virtual PCD 00 00'"):
        read_id_card(ID_READER, timeout=0.5)

    assert 0.4 < time.monotonic() - started < 3


def test_unknown_reader_lists_the_readers_there_are(card_stack: Pcscd) -> None:
    """A reader name that matches nothing raises ``NoReaderError`` naming the available ones."""
    with pytest.raises(NoReaderError, match="'Virtual PCD 00 00', 'Virtual PCD 00 01'"):
        read_id_card("Gemalto PC Twin Reader", timeout=1)


def test_reader_is_chosen_by_a_unique_part_of_its_name(somying_card: VirtualThaiIdCard) -> None:
    """``00 00`` names exactly one reader, so it selects it."""
    card = read_id_card("PCD 00 00", photo=False, timeout=5)

    assert somying_card.person.cid == card.cid


def test_read_waits_for_a_card_inserted_later(id_slot: Slot) -> None:
    """A read started on an empty reader completes once the card is inserted within the timeout."""
    card = VirtualThaiIdCard.from_file(SAMPLES / "prasert.json")
    inserter = threading.Timer(0.5, id_slot.insert, args=(card,))
    inserter.start()

    try:
        read = read_id_card(ID_READER, photo=False, timeout=8)
    finally:
        inserter.join()

    assert card.person.cid == read.cid


def test_removal_is_awaited(id_slot: Slot) -> None:
    """``wait_for_removal`` returns once the card leaves the reader."""
    plugged = id_slot.insert(VirtualThaiIdCard.from_file(SAMPLES / "somying.json"))
    threading.Timer(0.3, plugged.remove).start()

    with PcscContext() as context:
        context.wait_for_removal(ID_READER, timeout=5)

        assert not context.is_card_present(ID_READER)
