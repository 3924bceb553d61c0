"""GET /log: the signed log in order, paged, limited to the caller's scope and role."""

from __future__ import annotations

from base64 import b64decode
from typing import Any

from fastapi.testclient import TestClient

from ledger.domain.permissions import Role, Scope
from ledger.statement import event_hash
from tests.ledger_kit import TAK_LAO, LedgerKit, Operator
from tests.unit.api.http_kit import login, problem


def _pages(client: TestClient, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    """Every page from the start until ``next_after`` reaches the log's end."""
    pages, after = [], 0
    while True:
        page = client.get(f"/log?after={after}&limit={limit}", headers=headers).json()
        pages.append(page)
        if page["next_after"] >= page["log_end"]:
            return pages
        after = page["next_after"]


def _provincial_auditor(kit: LedgerKit) -> Operator:
    return kit.operator([Role.AUDITOR], Scope(level="province", province="นครพนม"))


def test_a_national_auditor_reads_every_event_as_signed(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """Pages of 3 hold the whole log in order, each event's bytes hashing to its hash."""
    kit.open_record()
    headers = login(client, auditor)

    events = [event for page in _pages(client, headers, 3) for event in page["events"]]

    assert list(range(1, kit.event_count() + 1)) == [e["notification_id"] for e in events]
    for event in events:
        statement, signature = b64decode(event["statement"]), b64decode(event["signature"])
        assert event_hash(statement, signature) == event["hash"]
    registry = [e for e in events if e["stream"] == str(kit.ledger.registry_id)]
    assert [e["hash"] for e in registry[:-1]] == [e["prev_hash"] for e in registry[1:]]


def test_a_provincial_auditor_sees_only_their_province(client: TestClient, kit: LedgerKit) -> None:
    """Tak's record and the national registry are gaps: the pages skip them and move on."""
    ours, theirs = kit.open_record(), kit.open_record(kit.other_hr, TAK_LAO)
    headers = login(client, _provincial_auditor(kit))

    pages = _pages(client, headers, 2)

    streams = {event["stream"] for page in pages for event in page["events"]}
    assert str(ours) in streams
    assert str(theirs) not in streams
    assert str(kit.ledger.registry_id) not in streams
    assert any(not page["events"] for page in pages)  # the registry's positions, skipped
    assert kit.event_count() == pages[-1]["next_after"]


def test_the_log_read_is_in_the_records_access_log(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """Reading a record's statements through the log is a logged read of that record."""
    record = kit.open_record()
    client.get("/log?limit=1000", headers=login(client, auditor))

    log = client.app.state.access_log.of_records([record])  # type: ignore[attr-defined]

    assert [(auditor.cid, "GET /log")] == [(entry.reader_cid, entry.endpoint) for entry in log]


def test_a_page_out_of_range_names_its_rule(client: TestClient, auditor: Operator) -> None:
    """A limit of 0 or over 1,000, or a negative position, is 400 with the rule."""
    headers = login(client, auditor)

    for query in ("limit=0", "limit=1001", "after=-1"):
        response = client.get(f"/log?{query}", headers=headers)
        assert (400, "page-out-of-range") == problem(response)
        assert "page.out_of_range" == response.json()["rule"]


def test_roles_that_do_not_read_the_log_are_refused(client: TestClient, kit: LedgerKit) -> None:
    """An HR officer's roles do not read the signed log (403 naming the kind)."""
    response = client.get("/log", headers=login(client, kit.hr))

    assert (403, "forbidden") == problem(response)
    assert "audit" in response.json()["detail"]
