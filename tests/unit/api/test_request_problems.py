"""A request the API cannot read, an unknown path, a method a path does not take: each refusal
has its Thai title, its rule, and says in Thai and English what is wrong and where
(``api.request_problems``), like every other refusal (README: every refusal has title_th)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi.testclient import TestClient

from ledger.domain.permissions import NATIONAL, Role
from tests.ledger_kit import LedgerKit
from tests.unit.api.http_kit import login, problem


def _refusal(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    """The problem of a refusal with its Thai title, whose rule is its first error's."""
    assert (status, slug) == problem(response)
    payload: dict[str, Any] = response.json()
    assert payload["title_th"]
    assert payload["rule"] == payload["errors"][0]["rule"]
    return payload


def _thai(text: str) -> bool:
    return any("\u0e01" <= character <= "\u0e5b" for character in text)


def test_a_search_name_that_is_a_number_names_the_field(client: TestClient, kit: LedgerKit) -> None:
    """{"name": 123} to POST /records/search: request.invalid on body.name, saying text is
    asked for, in Thai and English; the refused value is not repeated."""
    response = client.post("/records/search", json={"name": 123}, headers=login(client, kit.hr))

    payload = _refusal(response, 400, "malformed-request")

    (error,) = payload["errors"]
    assert ("request.invalid", "body.name") == (error["rule"], error["field"])
    assert "must be text" in error["en"]
    assert "ต้องเป็นข้อความ" in error["th"]
    assert "123" not in payload["detail"]


def test_an_impossible_date_in_a_query_keeps_its_date_rule(
    client: TestClient, kit: LedgerKit
) -> None:
    """?valid_on=31/02/2562 is refused naming query.valid_on with the date reader's rule and
    message in both languages."""
    headers = login(client, kit.operator([Role.AUDITOR], NATIONAL))

    response = client.get(
        f"/records/{uuid.uuid4()}", params={"valid_on": "31/02/2562"}, headers=headers
    )

    payload = _refusal(response, 400, "malformed-request")
    (error,) = payload["errors"]
    assert error["rule"].startswith("date.")
    assert "query.valid_on" == error["field"]
    assert _thai(error["th"])
    assert "query.valid_on" in payload["detail"]


def test_a_path_segment_that_is_no_uuid_names_the_segment(
    client: TestClient, kit: LedgerKit
) -> None:
    """GET /records/not-a-uuid: request.invalid on the path parameter, asking for a UUID."""
    headers = login(client, kit.operator([Role.AUDITOR], NATIONAL))

    payload = _refusal(client.get("/records/not-a-uuid", headers=headers), 400, "malformed-request")

    (error,) = payload["errors"]
    assert "request.invalid" == error["rule"]
    assert error["field"].startswith("path.")
    assert "UUID" in error["en"]
    assert "UUID" in error["th"]


def test_a_body_that_is_not_json_says_what_and_where(client: TestClient, kit: LedgerKit) -> None:
    """A body broken at its 14th character: request.not_json on the body, saying what the
    reader expected and at which character, in Thai and English (not "body.13: JSON decode
    error")."""
    response = client.post(
        "/statements",
        content=b'{"statement":}',
        headers={"content-type": "application/json"},
    )

    payload = _refusal(response, 400, "malformed-request")

    (error,) = payload["errors"]
    assert ("request.not_json", "body") == (error["rule"], error["field"])
    assert "a value was expected at character 13" in error["en"]
    assert "ต้องมีค่า" in error["th"]
    assert "อักขระตัวที่ 13" in error["th"]
    assert "JSON decode error" not in payload["detail"]
    assert _thai(payload["detail"])


def test_a_missing_field_is_request_missing(client: TestClient, kit: LedgerKit) -> None:
    """A statement without its signature: request.missing on body.signature."""
    payload = _refusal(
        client.post("/statements", json={"statement": "YWJj"}), 400, "malformed-request"
    )

    assert [("request.missing", "body.signature")] == [
        (error["rule"], error["field"]) for error in payload["errors"]
    ]
    assert _thai(payload["errors"][0]["th"])


def test_an_unknown_path_is_not_found_in_thai(client: TestClient) -> None:
    """GET of a path the API does not have: 404 not-found with its Thai title and rule, not
    about:blank."""
    payload = _refusal(client.get("/no/such/path"), 404, "not-found")

    assert "http.not_found" == payload["rule"]
    assert _thai(payload["errors"][0]["th"])


def test_a_method_the_path_does_not_take_is_405_in_thai(client: TestClient) -> None:
    """DELETE /rules: 405 method-not-allowed naming the methods it takes, with an Allow
    header."""
    response = client.delete("/rules")

    payload = _refusal(response, 405, "method-not-allowed")

    assert "http.method_not_allowed" == payload["rule"]
    assert "GET" in response.headers["allow"]
    assert "DELETE" in payload["errors"][0]["en"]
