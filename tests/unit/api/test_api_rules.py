"""The rules catalogue over HTTP (GET /rules): what a refusal's rule ids mean."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.unit.api.http_kit import problem


def test_the_catalogue_lists_every_rule_in_thai_and_english(client: TestClient) -> None:
    """Without a session, every rule comes with its Thai and English message, sorted by id."""
    rules = client.get("/rules").json()

    ids = [rule["id"] for rule in rules]
    assert "date.two_digit_year" in ids
    assert sorted(ids) == ids
    assert all(rule["th"] and rule["en"] for rule in rules)


def test_one_rule_by_its_id(client: TestClient) -> None:
    """A refusal's rule id can be looked up on its own."""
    found = client.get("/rules/statement.too_deep").json()

    assert "statement.too_deep" == found["id"]


def test_an_unknown_rule_is_404(client: TestClient) -> None:
    """An id the catalogue does not hold answers 404 in problem details."""
    assert (404, "unknown-rule") == problem(client.get("/rules/no.such_rule"))
