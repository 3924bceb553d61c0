"""Every role, in its own scope and outside it, against every read the API offers.

The routes come from the app's own OpenAPI document, so a read added later is in the matrix the
day it is added (a path parameter this test cannot fill fails it, naming the parameter). The
world is ``tests.projection_world``; the person watched is record ``r1`` of LAO 6480101 (นครพนม).

For each role x scope x read:
* never a 5xx;
* r1's citizen ID appears only in answers to a caller whose roles read personal data and
  whose scope covers r1 (a record owner: only their own record, so never r1 here);
* r1's access log grows whenever an answer shows r1's personal data, and never for a refusal
  or for a caller who may not read r1 (statements in base64, as the log and bundles carry
  them, show no citizen ID as text: those reads are logged without this test seeing why);
* and every read answers 200 to at least one caller, so each was really exercised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import NATIONAL, Role, Scope, province_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.reading import DataKind, kinds_readable
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator
from tests.projection_world import (
    ProjectionWorld,
    build_projection_world,
    issue_certificate,
    record_owner,
    seal_twice,
)
from tests.unit.api.http_kit import attach_photo, login

NATIONAL_ROLES = {Role.DLA_ADMIN, Role.AUDITOR}
PROVINCIAL_ROLES = {Role.PROVINCIAL_OFFICER, Role.PLAN_ANALYST, Role.COMMITTEE_SECRETARY}
QUERY = {
    "fiscal_year": "2562",
    "notification_id": "1",
    "old_size": "1",  # the world's first checkpoint's size, once it is sealed
    "event": "1",  # a disclosure of r1's opening...
    "path": "cid",  # ...citizen ID
}
"""Values for the reads' required query parameters."""
V2_READS = {"/records/{stream_id}/disclosure"}
"""Reads of a v2 record's committed fields: the world's records are v1, so these answer 400 to
a caller who may read r1 (nothing is committed); their 200s are tests/integration/
test_disclosures.py's."""


@dataclass(frozen=True)
class Caller:
    role: Role
    inside: bool  # the scope covers r1's LAO
    headers: dict[str, str]

    @property
    def may_see_r1(self) -> bool:
        readable = kinds_readable({self.role})
        return self.inside and DataKind.PERSONAL in readable and self.role != Role.RECORD_OWNER


def _scopes(role: Role) -> list[tuple[bool, Scope]]:
    if role in NATIONAL_ROLES:
        return [(True, NATIONAL), (False, province_scope("ตาก"))]
    if role in PROVINCIAL_ROLES:
        return [(True, province_scope("นครพนม")), (False, province_scope("ตาก"))]
    return [(True, NAKHON_PHANOM_LAO), (False, TAK_LAO)]


def _callers(client: TestClient, world: ProjectionWorld) -> Iterator[Caller]:
    kit: LedgerKit = world.kit
    for role in Role:
        if role in (Role.SYSTEM, Role.RECORD_OWNER):
            continue
        for inside, scope in _scopes(role):
            operator: Operator = kit.operator([role], scope)
            yield Caller(role, inside, login(client, operator))
    yield Caller(Role.RECORD_OWNER, True, login(client, record_owner(world, "r2")))


def _path_values(client: TestClient, world: ProjectionWorld) -> dict[str, str]:
    """What each path parameter is, in the world: things of r1's LAO."""
    cycle = world.kit.ledger.stream_events(certification_stream_id("6480101", "2562"))
    submitted = next(e for e in cycle if e.type == "LaoDataSubmitted")
    record = world.kit.ledger.aggregate(world.records["r1"])
    assert isinstance(record, PersonnelRecord)
    return {
        "r1_cid": record.cid,
        "stream_id": str(world.records["r1"]),
        "code": "6480101",
        "root": json.loads(submitted.statement)["data"]["snapshot_root"],
        "rule_id": "date.two_digit_year",
        "event_type": "RecordOpened",
        "number": "P-1",  # r1 holds it
        "plan_id": str(world.plans["main"]),
        "project_id": str(world.projects["a"]),
        "sha256": attach_photo(client, world.kit, world.records["r1"]),
        "certificate_code": issue_certificate(world),
    }


SEARCH = {"/records": "cid"}
"""Reads that answer only when asked something: asked for r1."""


def _url(path: str, values: dict[str, str], params: list[dict[str, Any]]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"the matrix test has no value for path parameter {name!r}"
        return values[name]

    query = [
        f"{p['name']}={QUERY[p['name']]}"
        for p in params
        if p["in"] == "query" and p.get("required") and p["name"] in QUERY
    ]
    missing = [p["name"] for p in params if p["in"] == "query" and p.get("required")]
    assert set(missing) <= set(QUERY), f"no value for query parameters {missing} of {path}"
    if path in SEARCH:
        query.append(f"{SEARCH[path]}={values['r1_cid']}")
    filled = re.sub(r"\{(\w+)\}", fill, path)
    return filled + ("?" + "&".join(query) if query else "")


def _urls(path: str, values: dict[str, str], params: list[dict[str, Any]]) -> list[str]:
    """The read as JSON and, for a report, also drawn (CSV shows names where JSON has ids)."""
    url = _url(path, values, params)
    if not any(p["name"] == "format" for p in params):
        return [url]
    return [url, url + ("&" if "?" in url else "?") + "format=csv"]


def _judge(who: str, caller: Caller, status: int, *, shown: bool, grew: bool) -> list[str]:
    problems = []
    if status >= 500:
        problems.append(f"{who}: {status}")
    if shown and not caller.may_see_r1:
        problems.append(f"{who}: shows r1's personal data")
    if shown and not grew:
        problems.append(f"{who}: showed r1's personal data without logging it")
    if grew and (status != 200 or not caller.may_see_r1):
        problems.append(f"{who}: {status}, yet logged as a read of r1")
    return problems


def _reads(client: TestClient) -> list[tuple[str, list[dict[str, Any]]]]:
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(path, ops["get"].get("parameters", [])) for path, ops in paths.items() if "get" in ops]


@pytest.fixture
def world(kit: LedgerKit) -> ProjectionWorld:
    """The projection world, its transparency log sealed (so proofs can be served)."""
    built = build_projection_world(kit)
    QUERY["old_size"] = str(seal_twice(kit))  # a checkpoint, and a newer one after it
    return built


def test_every_role_reads_its_share_and_no_more(client: TestClient, world: ProjectionWorld) -> None:
    record = world.kit.ledger.aggregate(world.records["r1"])
    assert isinstance(record, PersonnelRecord)
    watched = [record.cid, '"หนึ่ง"', "นายหนึ่ง"]  # its first name as a JSON string, its full name
    log = client.app.state.access_log  # type: ignore[attr-defined]
    values = _path_values(client, world)
    reads = _reads(client)
    answered: dict[str, set[int]] = {path: set() for path, _ in reads}
    problems: list[str] = []

    for caller in list(_callers(client, world)):
        for path, params in reads:
            for url in _urls(path, values, params):
                before = len(log.of_records([world.records["r1"]]))
                response = client.get(url, headers=caller.headers)
                grew = len(log.of_records([world.records["r1"]])) > before
                shown = any(mark in response.text for mark in watched)
                who = f"{caller.role.value} {'inside' if caller.inside else 'outside'} GET {url}"
                answered[path].add(response.status_code)
                problems.extend(_judge(who, caller, response.status_code, shown=shown, grew=grew))

    never = [
        path
        for path, statuses in answered.items()
        if (400 if path in V2_READS else 200) not in statuses
    ]
    assert [] == problems, "\n".join(problems)
    assert [] == [(p, answered[p]) for p in never], "reads that answered 200 to nobody"
