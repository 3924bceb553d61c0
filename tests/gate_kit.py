"""Refusals at the gate through the HTTP API: post, check the rule and that the log did not
grow, then post the statement put right; and the issue 12 "Why" cases of dates, text and money
as (wrong, right) statement pairs, for the tests of each backend."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from ledger.canonical import canonicalize
from ledger.statement import SignedStatement, digest
from tests import domain_data as d
from tests.ledger_kit import LedgerKit, record_data
from tests.unit.api.http_kit import b64, body, problem


def refusal(client: TestClient, kit: LedgerKit, request: dict[str, str]) -> dict[str, Any]:
    """Post a statement that must be refused (422); the problem, once the log did not grow."""
    count = kit.event_count()

    response = client.post("/statements", json=request)

    assert (422, "invalid-data") == problem(response)
    assert count == kit.event_count()
    payload: dict[str, Any] = response.json()
    return payload


def accepted(client: TestClient, request: dict[str, str]) -> None:
    """Post a statement that must be accepted (201)."""
    response = client.post("/statements", json=request)

    assert 201 == response.status_code, response.text


def rules_of(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The (rule, field) pairs a problem lists."""
    return [(error["rule"], error["field"]) for error in payload["errors"]]


def resigned(kit: LedgerKit, signed: SignedStatement, **changes: Any) -> dict[str, str]:
    """The request body of ``signed`` with top-level fields changed, signed again by the HR
    officer (as a client that writes its own JSON would)."""
    statement = {**json.loads(signed.canonical), **changes}
    raw = canonicalize(statement)
    return {"statement": b64(raw), "signature": b64(kit.hr.signer.sign(digest(raw)))}


@dataclass(frozen=True)
class WhyCase:
    """A statement of the issue refused with ``rule`` on ``field``, and the one put right."""

    rule: str
    field: str
    wrong: Build
    right: Build


Build = Callable[[LedgerKit], dict[str, str]]


def _openings(
    wrong: dict[str, Any], right: dict[str, Any], effective: date = date(2019, 4, 1)
) -> tuple[Build, Build]:
    """A record opened wrongly (its data, or its ``effective``) and rightly, on one stream."""
    stream = uuid.uuid4()

    def opening(data: dict[str, Any], day: date) -> Build:
        return lambda kit: body(
            kit.sign(kit.hr, stream=stream, type="RecordOpened", data=data, effective=day)
        )

    return opening(wrong, effective), opening(right, date(2019, 4, 1))


def _entry(type_: str, data: dict[str, Any]) -> Build:
    return lambda kit: body(kit.sign(kit.hr, stream=kit.open_record(), type=type_, data=data))


def _effective_zero(kit: LedgerKit) -> dict[str, str]:
    return resigned(
        kit,
        kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data()),
        effective=0,
    )


def _named(first_name: str) -> Build:
    data = {**d.ENTRY_DATA["PersonalDataRecorded"], "first_name": first_name}
    return _entry("PersonalDataRecorded", data)


WHY_CASES = {
    "effective 0062-04-01": WhyCase(
        "date.out_of_range", "effective", *_openings(record_data(), record_data(), date(62, 4, 1))
    ),
    "birth_date 2518-01-15": WhyCase(
        "date.out_of_range",
        "data.birth_date",
        *_openings(
            {**record_data(), "birth_date": "2518-01-15"},
            {**record_data(), "birth_date": "1975-01-15"},
        ),
    ),
    "effective 0": WhyCase(
        "date.not_iso", "effective", _effective_zero, _openings(record_data(), record_data())[1]
    ),
    "a name with U+0001": WhyCase(
        "text.control_character", "data.first_name", _named("สม\x01ชาย"), _named("สมชาย")
    ),
    "a salary 1e5": WhyCase(
        "money.not_plain_decimal",
        "data.salary",
        _entry("PositionSalaryEntryAdded", d.salary_entry("1e5")),
        _entry("PositionSalaryEntryAdded", d.salary_entry("100000.00")),
    ),
}
"""The issue's cases of dates, text and money, by name."""
