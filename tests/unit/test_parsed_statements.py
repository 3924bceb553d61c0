"""A ledger's memo of parsed statements serves replays the parse its admission made."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from ledger.domain.personnel import PersonnelRecord
from ledger.domain.signed import SignedAggregate
from ledger.parsed_statements import ParsedStatements
from tests import domain_data as d
from tests.ledger_kit import offline_chain


def _events(count: int) -> list[SignedAggregate.Event]:
    chain = offline_chain([("EducationAdded", d.education(n)) for n in range(count)])
    return [
        PersonnelRecord.EducationAdded(
            statement=signed.canonical.decode("utf-8"),
            signature=signed.signature.hex(),
            hash=signed.hash,
            originator_id=uuid.uuid4(),
            originator_version=1,
            timestamp=datetime.now(UTC),
        )
        for signed in chain
    ]


def test_a_parse_put_is_served_for_the_same_text() -> None:
    """The replay of an event gets the parse admission put for its exact text."""
    memo, (event,) = ParsedStatements(), _events(1)
    parsed = event.parse()
    memo.put(event.statement, parsed)

    served = memo.of(event)

    assert parsed is served


def test_an_unknown_text_is_parsed_once_and_kept() -> None:
    """A text the memo lacks is parsed, kept, and served from then on."""
    memo, (event,) = ParsedStatements(), _events(1)

    first = memo.of(event)
    second = memo.of(event)

    assert event.parse() == first
    assert first is second


def test_the_least_recently_used_parse_goes_first() -> None:
    """Beyond its capacity the memo drops the parse used least recently."""
    memo = ParsedStatements(capacity=2)
    a, b, c = _events(3)
    kept_a, kept_b = memo.of(a), memo.of(b)

    memo.of(a)
    memo.of(c)

    assert kept_a is memo.of(a)
    assert kept_b is not memo.of(b)
