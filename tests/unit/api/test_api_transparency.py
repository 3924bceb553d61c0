"""GET /transparency/...: the latest checkpoint, the verifier key, inclusion and consistency proofs.

A client holding nothing but the verifier key checks what it gets: the note's signature, and each
proof against the signed root.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.merkle import verify_consistency, verify_inclusion
from projections.transparency.checkpoints import open_checkpoint, read_verifier_key
from tests.audit_kit import populate, run_log
from tests.ledger_kit import LedgerKit
from tests.unit.api.http_kit import problem


@pytest.fixture
def logged(kit: LedgerKit) -> LedgerKit:
    """A populated ledger whose log has checkpoints every 4 events."""
    populate(kit, records=1, entries=2)
    run_log(kit, every_events=4)
    return kit


def hexes(values: list[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def test_the_latest_checkpoint_is_a_signed_note_the_key_opens(
    client: TestClient, logged: LedgerKit
) -> None:
    """The checkpoint comes as plain text and opens with the served verifier key."""
    note = client.get("/transparency/checkpoint")
    key = client.get("/transparency/key")

    name, public_key = read_verifier_key(key.text)
    checkpoint = open_checkpoint(note.text, public_key, name)
    assert note.headers["content-type"].startswith("text/plain")
    assert logged.system.signer.public_key == public_key
    assert checkpoint.tree_size % 4 == 0


def test_an_inclusion_proof_verifies_against_its_checkpoint(
    client: TestClient, logged: LedgerKit
) -> None:
    """The proof of notification 3 leads from its leaf hash to the checkpoint's root."""
    answer = client.get("/transparency/proofs/inclusion", params={"notification_id": 3}).json()

    root = bytes.fromhex(answer["checkpoint"]["root_hash"])
    assert 2 == answer["leaf_index"]
    assert verify_inclusion(
        2, answer["tree_size"], bytes.fromhex(answer["leaf_hash"]), hexes(answer["proof"]), root
    )


def test_a_consistency_proof_verifies_between_checkpoints(
    client: TestClient, logged: LedgerKit
) -> None:
    """The proof from the first checkpoint to the latest verifies against both roots."""
    first = client.get("/transparency/checkpoints", params={"limit": 1}).json()[0]

    answer = client.get(
        "/transparency/proofs/consistency", params={"old_size": first["tree_size"]}
    ).json()

    assert verify_consistency(
        answer["old_size"],
        answer["new_size"],
        bytes.fromhex(answer["old"]["root_hash"]),
        bytes.fromhex(answer["new"]["root_hash"]),
        hexes(answer["proof"]),
    )


def test_a_reversed_consistency_range_is_a_400_naming_it(
    client: TestClient, logged: LedgerKit
) -> None:
    """Asking from a newer checkpoint to an older one is the client's mistake, not a missing
    proof: 400 query.range_reversed on new_size, in Thai and English."""
    first, second = client.get("/transparency/checkpoints", params={"limit": 2}).json()

    response = client.get(
        "/transparency/proofs/consistency",
        params={"old_size": second["tree_size"], "new_size": first["tree_size"]},
    )

    assert (400, "bad-query") == problem(response)
    body = response.json()
    assert ("query.range_reversed", "query.new_size") == (body["rule"], body["errors"][0]["field"])
    assert "new_size" in body["errors"][0]["th"]
    assert "new_size" in body["errors"][0]["en"]


def test_checkpoints_page_by_tree_size(client: TestClient, logged: LedgerKit) -> None:
    """Checkpoints come in order of size, after the size given."""
    everything = [cp["tree_size"] for cp in client.get("/transparency/checkpoints").json()]

    after_first = client.get("/transparency/checkpoints", params={"after_size": everything[0]})

    assert everything[1:] == [cp["tree_size"] for cp in after_first.json()]


def test_no_checkpoint_yet_is_a_404_problem(client: TestClient, kit: LedgerKit) -> None:
    """Before the log signs anything, the checkpoint is a 404 problem."""
    response = client.get("/transparency/checkpoint")

    assert (404, "no-checkpoint") == problem(response)


@pytest.mark.parametrize(
    ("path", "params", "slug"),
    [
        ("/transparency/proofs/inclusion", {"notification_id": 9999}, "leaf-not-found"),
        (
            "/transparency/proofs/inclusion",
            {"notification_id": 1, "tree_size": 3},
            "no-such-proof",
        ),
        ("/transparency/proofs/consistency", {"old_size": 5}, "no-such-proof"),
    ],
)
def test_proofs_the_log_cannot_give_are_404_problems(
    client: TestClient, logged: LedgerKit, path: str, params: dict[str, int], slug: str
) -> None:
    """An unlogged notification or a size no checkpoint has answers a 404 problem."""
    response = client.get(path, params=params)

    assert (404, slug) == problem(response)


def test_an_event_after_the_newest_checkpoint_is_awaiting_one(
    client: TestClient, kit: LedgerKit
) -> None:
    """An event the log holds but no checkpoint covers yet has its own type, not no-such-proof."""
    populate(kit, records=1, entries=2)
    last = kit.ledger.recorder.max_notification_id()
    assert last is not None
    assert last > 2
    run_log(kit, every_events=last - 1)  # the newest checkpoint stops one event short

    response = client.get("/transparency/proofs/inclusion", params={"notification_id": last})

    assert (404, "awaiting-checkpoint") == problem(response)
    assert "ยังไม่อยู่ในจุดตรวจที่ลงนามแล้ว" == response.json()["title_th"]


def test_the_key_of_an_uninitialised_ledger_is_a_503_problem(client: TestClient) -> None:
    """Before the genesis there is no system key to name."""
    response = client.get("/transparency/key")

    assert (503, "not-initialised") == problem(response)
