"""Reading the log: the direct read of stored rows gives what the library's mapper gives."""

from __future__ import annotations

import json

from projections.log import follow_log, log_end, read_log, read_log_through_mapper
from tests.ledger_kit import LedgerKit
from tests.projection_world import build_projection_world


def test_direct_read_equals_the_mapper(kit: LedgerKit) -> None:
    """Every field of every event, positions included, read both ways."""
    build_projection_world(kit)

    direct = read_log(kit.ledger, 0, 1000)
    mapped = read_log_through_mapper(kit.ledger, 0, 1000)

    assert mapped == direct
    assert kit.event_count() == len(direct)


def test_sliced_fields_equal_the_parsed_statement(kit: LedgerKit) -> None:
    """Valid time, signer, key and the data's text, sliced from the canonical text, are what
    parsing the statement gives."""
    build_projection_world(kit)

    events = read_log(kit.ledger, 0, 1000)

    for event in events:
        statement = json.loads(event.canonical)
        sliced = (event.effective, event.signer_cid, event.key_id, json.loads(event.data_text))
        parsed = (
            statement["effective"],
            statement["signer"]["cid"],
            statement["signer"]["key"],
            statement["data"],
        )
        assert parsed == sliced


def test_batches_follow_from_a_position(kit: LedgerKit) -> None:
    """Batches after a position cover the rest of the log once, in order."""
    build_projection_world(kit)

    batches = list(follow_log(kit.ledger, 10, 7))

    ids = [event.notification_id for batch in batches for event in batch]
    assert list(range(11, log_end(kit.ledger) + 1)) == ids
    assert all(len(batch) <= 7 for batch in batches)
