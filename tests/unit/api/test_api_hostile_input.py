"""No malformed input makes the API fail: random bodies and mutated statements get a 4xx.

Property tests post random bytes, random JSON, and valid statements with a field mutated to a
wrong type, a huge number, deep nesting or bytes that are not UTF-8 (each re-signed by an
enrolled key, so they reach every check) to ``POST /statements`` and ``/statements/batch``.
Every answer must be a 4xx, nothing may be appended, and nothing may be logged as an error.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from api.app import create_app
from ledger.application import Ledger
from ledger.canonical import CanonicalizationError, canonicalize
from ledger.settings import LedgerSettings
from ledger.statement import digest
from tests.ledger_kit import LedgerKit, education_data, record_data
from tests.unit.api.http_kit import b64

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
WRONG_VALUES = (
    st.integers().filter(lambda n: n not in (0, 1))
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x))
    | st.lists(JSON_SCALARS, max_size=3)
    | st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=3)
    | st.just(10**40)
    | st.just(-(10**4000))  # the most digits json.dumps writes; the server reads any
    | st.just(1e308)
    | st.integers(min_value=40, max_value=200).map(lambda depth: _nested(depth))
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=1).map(lambda s: "\x00\u202e" + s)
    | st.just("\ud800 a lone surrogate")
)
"""Values of a type no field of the base statements takes (or a string no field accepts)."""


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture
def hostile_client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """A client that answers a server error as a 500 instead of raising it in the test."""
    with TestClient(create_app(settings, ledger), raise_server_exceptions=False) as client:
        yield client


DECORATION = {
    "decoration": "ทวีติยาภรณ์ช้างเผือก (ท.ช.)",
    "gazette": {"date": "2019-12-01", "volume": "136", "part": "12ข", "page": "1"},
    "received": "2019-07-28",
}


@pytest.fixture
def bases(kit: LedgerKit) -> list[dict[str, Any]]:
    """Valid statements as JSON: a record opened, an education entry and a decoration (with
    its gazette reference nested), each on a stored record."""
    opened = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    education = kit.sign(
        kit.hr, stream=kit.open_record(), type="EducationAdded", data=education_data()
    )
    decoration = kit.sign(
        kit.hr, stream=kit.open_record(), type="DecorationRecorded", data=DECORATION
    )
    return [json.loads(signed.canonical) for signed in (opened, education, decoration)]


def _paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path into a JSON object, nested objects' keys included."""
    if not isinstance(value, dict):
        return []
    found = []
    for key, item in value.items():
        found.append((*path, key))
        found.extend(_paths(item, (*path, key)))
    return found


def _signed_body(kit: LedgerKit, statement: Any) -> dict[str, str]:
    """The request body of a statement signed by the HR officer: canonical bytes when the
    value has them, else plain JSON bytes (which the ledger must refuse as not canonical)."""
    try:
        raw = canonicalize(statement)
    except CanonicalizationError:
        raw = json.dumps(statement, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return {"statement": b64(raw), "signature": b64(kit.hr.signer.sign(digest(raw)))}


def _check_refused(response: Any, kit: LedgerKit, count: int, caplog: Any) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert count == kit.event_count()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@EXAMPLES
@given(raw=st.binary(max_size=300))
@example(raw=b'{"statement":' + b"9" * 5000 + b',"signature":""}')
@example(raw=b"[" * 100_000 + b"]" * 100_000)
@example(raw=b'{"items":[' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"]}")
@example(raw=b'{"statement":"\xff\xfe","signature":"AA=="}')
def test_random_bytes_are_refused(
    hostile_client: TestClient, kit: LedgerKit, caplog: Any, raw: bytes
) -> None:
    """Any bytes posted as a body, to either path, are a 4xx."""
    count = kit.event_count()

    for path in ("/statements", "/statements/batch"):
        response = hostile_client.post(
            path, content=raw, headers={"content-type": "application/json"}
        )

        _check_refused(response, kit, count, caplog)


@EXAMPLES
@given(value=JSON_VALUES)
def test_random_json_is_refused(
    hostile_client: TestClient, kit: LedgerKit, caplog: Any, value: Any
) -> None:
    """Any JSON posted as a body, or as a signed statement inside one, is a 4xx."""
    count = kit.event_count()

    for path, body in (
        ("/statements", value),
        ("/statements", _signed_body(kit, value)),
        ("/statements/batch", {"items": [_signed_body(kit, value)]}),
    ):
        response = hostile_client.post(path, json=body)

        _check_refused(response, kit, count, caplog)


@EXAMPLES
@given(which=st.integers(0, 2), where=st.integers(0, 999), wrong=WRONG_VALUES)
def test_a_statement_with_a_field_mutated_is_refused(
    hostile_client: TestClient,
    kit: LedgerKit,
    bases: list[dict[str, Any]],
    caplog: Any,
    which: int,
    where: int,
    wrong: Any,
) -> None:
    """A valid statement with one field at any depth (of the statement, its signer, its data
    or an object in its data) replaced by a wrong value, signed by an enrolled key, is a 4xx
    alone and inside a batch."""
    statement = json.loads(json.dumps(bases[which]))
    paths = _paths(statement)
    *parents, field = paths[where % len(paths)]
    target = statement
    for key in parents:
        target = target[key]
    assume(target[field] != wrong)
    # Format 2 (salted commitments, docs/personal-data.md) is a valid version: a statement whose
    # data has no personal field reads the same in both formats, so "v": 2 is not a wrong value.
    assume(not (parents == [] and field == "v" and wrong == 2))
    target[field] = wrong
    count = kit.event_count()

    for path, body in (
        ("/statements", _signed_body(kit, statement)),
        ("/statements/batch", {"items": [_signed_body(kit, statement)]}),
    ):
        response = hostile_client.post(path, json=body)

        _check_refused(response, kit, count, caplog)


@EXAMPLES
@given(which=st.integers(0, 2), at=st.integers(0, 10_000), junk=st.binary(min_size=1, max_size=4))
def test_a_signed_statement_with_bytes_not_utf8_is_refused(
    hostile_client: TestClient,
    kit: LedgerKit,
    bases: list[dict[str, Any]],
    caplog: Any,
    which: int,
    at: int,
    junk: bytes,
) -> None:
    """Valid statement bytes with bytes that are not UTF-8 put in, signed, are a 4xx."""
    canonical = canonicalize(bases[which])
    position = at % len(canonical)
    raw = canonical[:position] + b"\xff" + junk + canonical[position:]
    body = {"statement": b64(raw), "signature": b64(kit.hr.signer.sign(digest(raw)))}
    count = kit.event_count()

    response = hostile_client.post("/statements", json=body)

    _check_refused(response, kit, count, caplog)


def test_the_unmutated_bases_are_accepted(
    hostile_client: TestClient, kit: LedgerKit, bases: list[dict[str, Any]]
) -> None:
    """The statements the property tests mutate are themselves valid (so a refusal is the
    mutation's)."""
    count = kit.event_count()

    answers = [
        hostile_client.post("/statements", json=_signed_body(kit, base)).status_code
        for base in bases
    ]

    assert ([201, 201, 201], count + 3) == (answers, kit.event_count())
