"""The canonical statement's fields read by pattern agree with the parsed statement."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.statement import (
    CANONICAL_FIELDS,
    CANONICAL_FIELDS_TEXT,
    DATA_END,
    DATA_START,
    PREV_HASH_KEY,
    SignerRef,
    build_statement,
)
from tests.people import HR_CID

DATA: list[dict[str, Any]] = [
    {"name": "สมหญิง รักษ์ถิ่น", "salary": "15000.00"},
    {"note": 'a "quoted" word', "effective": "2001-01-01", "v": 1},
    {"inner": {"signer": {"cid": "system", "key": "0" * 16}, "prev_hash": "f" * 64}},
    {},
]


def canonical(data: dict[str, Any]) -> bytes:
    """A statement as the ledger signs it, with the given data."""
    return build_statement(
        stream=uuid.UUID("3f0c1d9e-1234-4d7a-9d7e-123456789abc"),
        expected_version=41,
        prev_hash="ab" * 32,
        type="RecordOpened",
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid=HR_CID, key="0123456789abcdef"),
        signed_at=datetime(2019, 5, 2, 2, 15, tzinfo=UTC),
        nonce="0123456789abcdef",
    ).canonical_bytes()


@pytest.mark.parametrize("data", DATA)
def test_the_pattern_reads_the_real_fields(data: dict[str, Any]) -> None:
    """Copies of the keys inside the data do not mislead the pattern: it reads the real fields."""
    raw = canonical(data)
    parsed = json.loads(raw)

    found = CANONICAL_FIELDS.fullmatch(raw)

    assert found is not None
    assert (
        parsed["effective"],
        str(parsed["expected_version"]),
        parsed["prev_hash"],
        parsed["signer"]["cid"],
        parsed["signer"]["key"],
        parsed["stream"],
        parsed["type"],
    ) == tuple(item.decode("ascii") for item in found.groups())


@pytest.mark.parametrize("data", DATA)
def test_the_data_is_sliced_exactly_as_signed(data: dict[str, Any]) -> None:
    """The text between DATA_START and the effective date's key is the data's canonical JSON."""
    text = canonical(data).decode("utf-8")

    found = CANONICAL_FIELDS_TEXT.fullmatch(text)

    assert found is not None
    assert (
        json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        == (text[DATA_START : found.start(1) - DATA_END])
    )


def test_the_prev_hash_follows_its_last_key() -> None:
    """The last occurrence of PREV_HASH_KEY is the real key, even when the data holds one."""
    raw = canonical(DATA[2])

    at = raw.rfind(PREV_HASH_KEY) + len(PREV_HASH_KEY)

    assert b"ab" * 32 == raw[at : at + 64]


@pytest.mark.parametrize(
    ("old", "new"),
    [(b'"v":1}', b'"v":2}'), (b'"expected_version":41', b'"expected_version":041')],
)
def test_a_statement_laid_out_otherwise_does_not_match(old: bytes, new: bytes) -> None:
    """Anything but the usual form of the fields is left to the full parse."""
    assert None is CANONICAL_FIELDS.fullmatch(canonical(DATA[0]).replace(old, new))
