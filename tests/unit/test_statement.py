"""The canonical statement's fields read by pattern agree with the parsed statement; the
submit path reads the signed form strictly, verifiers read what the log holds."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ledger.canonical import canonicalize
from ledger.errors import InvalidDataError
from ledger.statement import (
    CANONICAL_FIELDS,
    CANONICAL_FIELDS_TEXT,
    DATA_END,
    DATA_START,
    PREV_HASH_KEY,
    SignerRef,
    build_statement,
    read_statement,
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


def _with(**changes: Any) -> bytes:
    return canonicalize({**json.loads(canonical({})), **changes})


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"effective": 0}, "date.not_iso"),
        ({"effective": "2019-04-01T00:00:00"}, "date.not_iso"),
        ({"signed_at": 1_556_763_300}, "time.not_iso"),
        ({"signed_at": "1556763300"}, "time.not_iso"),
        ({"nonce": "\x00\u202e" + "0" * 8}, "statement.nonce_form"),
    ],
)
def test_the_submit_path_reads_the_signed_form_strictly(
    changes: dict[str, Any], rule_id: str
) -> None:
    """A statement that a lax parser reads (0 as 1970-01-01, seconds as a moment) is refused
    on the submit path, naming the rule."""
    with pytest.raises(InvalidDataError) as refused:
        read_statement(_with(**changes), bytes(64), strict=True)

    assert [rule_id] == [violation.id for violation in refused.value.violations]


def test_verifiers_read_what_the_log_holds() -> None:
    """Without ``strict`` (verifiers, readers) a stored ``effective: 0`` still reads."""
    read = read_statement(_with(effective=0), bytes(64))

    assert date(1970, 1, 1) == read.statement.effective


def test_a_statement_as_clients_sign_it_reads_strictly() -> None:
    """What ``build_statement`` writes passes the strict read unchanged."""
    assert (
        date(2019, 4, 1)
        == read_statement(canonical({}), bytes(64), strict=True).statement.effective
    )
