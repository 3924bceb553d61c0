"""The API against its own OpenAPI document, by schemathesis (issue 16, the API's contract).

Schemathesis reads ``/openapi.json`` from the app in-process and sends requests it generates
from it, as a national DLA administrator and auditor (who may read everything), over the
projection world (``tests.projection_world``) with a sealed transparency log. Every answer must
be what the document says: never a 5xx, a documented status code, a documented content type,
and a body that matches the documented schema. Generated path parameters rarely name anything
that exists, so each read is also asked once per format with the world's own ids, where it
answers 200 and its JSON is checked against its model. The writes (``POST /statements``,
``/sessions``) are fuzzed for "never a 5xx" only: their refusals are many and their bodies are
checked by their own tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import NATIONAL, Role
from ledger.domain.personnel import PersonnelRecord
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.projection_world import (
    ProjectionWorld,
    build_projection_world,
    issue_certificate,
    seal_twice,
)
from tests.unit.api.http_kit import PHOTO, attach_photo, login, problem

CONFORMS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12
"""Generated requests per operation: enough to reach the edges, within the time budget."""
WRITES = ["/statements", "/statements/batch", "/sessions", "/sessions/challenge", "/documents"]


@pytest.fixture
def world(kit: LedgerKit, client: TestClient) -> ProjectionWorld:
    """The projection world with two checkpoints, so proofs exist, and a photo on r1."""
    built = build_projection_world(kit)
    attach_photo(client, kit, built.records["r1"])
    QUERIES["/transparency/proofs/consistency"] = {"old_size": str(seal_twice(kit))}
    return built


@pytest.fixture
def api(client: TestClient) -> Iterator[schemathesis.BaseSchema]:
    """The app's OpenAPI document, loaded by schemathesis; its ASGI lifespan ended after."""
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", client.app)
    finally:
        asgi.shutdown_lifespans()


@pytest.fixture
def headers(client: TestClient, world: ProjectionWorld) -> dict[str, str]:
    operator = world.kit.operator([Role.DLA_ADMIN, Role.AUDITOR], NATIONAL)
    return login(client, operator)


def _fuzz(operation: Any, headers: dict[str, str], checks: list[Any]) -> list[str]:
    """What went wrong in ``EXAMPLES`` generated requests (one line each, distinct)."""
    found: dict[str, str] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except (Exception, BaseExceptionGroup) as error:
            kinds = sorted({type(e).__name__ for e in getattr(error, "exceptions", [error])})
            found.setdefault(f"{operation.label} {kinds}", str(error)[:800])

    run()
    return [f"{key}: {detail}" for key, detail in found.items()]


def test_every_read_answers_as_documented(
    api: schemathesis.BaseSchema, headers: dict[str, str]
) -> None:
    problems: list[str] = []
    for result in api.include(method="GET").get_all_operations():
        problems.extend(_fuzz(result.ok(), headers, CONFORMS))
    assert [] == problems, "\n\n".join(problems)


def test_the_writes_never_answer_5xx(api: schemathesis.BaseSchema, headers: dict[str, str]) -> None:
    problems: list[str] = []
    for result in api.include(method="POST", path=WRITES).get_all_operations():
        problems.extend(_fuzz(result.ok(), headers, [not_a_server_error]))
    assert [] == problems, "\n\n".join(problems)


def _values(world: ProjectionWorld) -> dict[str, str]:
    """What each path parameter is, in the world: things of LAO 6480101."""
    cycle = world.kit.ledger.stream_events(certification_stream_id("6480101", "2562"))
    submitted = next(e for e in cycle if e.type == "LaoDataSubmitted")
    record = world.kit.ledger.aggregate(world.records["r1"])
    assert isinstance(record, PersonnelRecord)
    return {
        "stream_id": str(world.records["r1"]),
        "code": "6480101",
        "root": json.loads(submitted.statement)["data"]["snapshot_root"],
        "rule_id": "date.two_digit_year",
        "event_type": "RecordOpened",
        "number": "P-1",
        "plan_id": str(world.plans["main"]),
        "project_id": str(world.projects["a"]),
        "sha256": hashlib.sha256(PHOTO).hexdigest(),
        "certificate_code": issue_certificate(world),
    }


QUERIES: dict[str, dict[str, str]] = {
    "/records": {"name": "หนึ่ง"},
    "/reports/section35": {"fiscal_year": "2562"},
    "/reports/eplan-status": {"fiscal_year": "2562", "province": "นครพนม"},
    "/transparency/proofs/inclusion": {"notification_id": "1"},
}
"""What the reads that need a query are asked, so they answer 200 (and the older checkpoint of
a consistency proof, once sealed)."""
HEALTH_READS = {"/reports/leave"}
"""Reads of health data: only the LAO's own roles make them (the read matrix)."""
V2_READS = {"/records/{stream_id}/disclosure"}
"""Reads of a v2 record's committed fields: the world's records are v1, so these answer 400
(``personal.no_commitment``), checked against the documented problem; their 200 is
tests/integration/test_disclosures.py's."""


def test_every_read_of_the_world_matches_its_model(
    api: schemathesis.BaseSchema,
    client: TestClient,
    headers: dict[str, str],
    world: ProjectionWorld,
) -> None:
    values = _values(world)
    officer = login(client, world.kit.operator([Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO))
    problems: list[str] = []
    answered: dict[str, int] = {}
    for result in api.include(method="GET").get_all_operations():
        operation = result.ok()
        path_names = {p.name for p in operation.path_parameters}
        formats = [{}] + [
            {"format": drawn}
            for drawn in ("csv", "xlsx", "html")
            if any(p.name == "format" for p in operation.query)
        ]
        for query in formats:
            case = operation.Case(
                path_parameters={name: values[name] for name in path_names},
                query=QUERIES.get(operation.path, {}) | query,
            )
            try:
                caller = officer if operation.path in HEALTH_READS else headers
                response = case.call_and_validate(headers=caller, checks=CONFORMS)
            except (Exception, BaseExceptionGroup) as error:
                problems.append(f"{operation.label} {query}: {str(error)[:800]}")
                continue
            answered[operation.path] = response.status_code
    assert [] == problems, "\n\n".join(problems)
    assert [] == [
        path for path, status in answered.items() if status != (400 if path in V2_READS else 200)
    ]


HUGE = "99999999999999999999"
"""Beyond any 64-bit integer: SQLite's INTEGER and PostgreSQL's bigint would overflow."""


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        (f"/transparency/proofs/inclusion?notification_id={HUGE}", "malformed-request"),
        (f"/transparency/proofs/inclusion?notification_id=1&tree_size={HUGE}", "malformed-request"),
        (f"/transparency/proofs/consistency?old_size={HUGE}", "malformed-request"),
        (f"/transparency/proofs/consistency?old_size=1&new_size={HUGE}", "malformed-request"),
        (f"/transparency/checkpoints?after_size={HUGE}", "malformed-request"),
        (f"/log?after={HUGE}", "page-out-of-range"),
        (f"/records?name=a&page={HUGE}", "page-out-of-range"),
        (f"/projects?page={HUGE}", "malformed-request"),
    ],
)
def test_integers_beyond_the_database_are_400(
    client: TestClient, kit: LedgerKit, url: str, slug: str
) -> None:
    headers = login(client, kit.operator([Role.DLA_ADMIN, Role.AUDITOR], NATIONAL))
    assert (400, slug) == problem(client.get(url, headers=headers))
