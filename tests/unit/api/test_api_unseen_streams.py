"""A signed statement on a stream outside its signer's share is answered exactly as one on a
stream that does not exist: the same status, problem type, rule and words (404
``stream.not_found``), whatever its expected_version and prev_hash, on a single submission, in a
batch and in a group commit. Before, the Tak HR officer erasing a person of LAO 6480101 was told
``409 stale version: ... the stream is at version 5``: the record existed, and its version."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.admission_rules import NOT_FOUND
from ledger.application import Ledger, Receipt
from ledger.errors import LedgerError, UnseenStreamError
from ledger.statement import GENESIS_PREV_HASH, SignedStatement
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    education_data,
    record_data,
    vault_settings,
)
from tests.people import made_up_cid
from tests.unit.api.conftest import SESSION_SECRET
from tests.unit.api.http_kit import b64, body, problem

ERASURE = {"legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33", "reason": "เจ้าของขอลบ"}
STATEMENTS = ["EducationAdded", "PersonErased"]


def _heads(kit: LedgerKit, stream: uuid.UUID) -> list[tuple[int, str]]:
    """What a caller may claim: version 0, the stream's true head, and a made-up one."""
    return [(0, GENESIS_PREV_HASH), kit.ledger.head(stream), (7, "ab" * 32)]


def _as_sent(
    kit: LedgerKit,
    operator: Operator,
    stream: uuid.UUID,
    type_: str,
    head: tuple[int, str],
    data: dict[str, Any] | None = None,
) -> SignedStatement:
    """``operator``'s statement claiming ``head`` (version, prev_hash) of ``stream``."""
    if data is None:
        data = education_data() if type_ == "EducationAdded" else ERASURE
    version, prev_hash = head
    return kit.sign(
        operator,
        stream=stream,
        type=type_,
        data=data,
        expected_version=version,
        prev_hash=prev_hash,
    )


def _tak_record(kit: LedgerKit, stream: uuid.UUID, n: int) -> SignedStatement:
    """The Tak HR officer opening a record of her LAO on ``stream``, as a new stream."""
    data = record_data(TAK_LAO, made_up_cid(n))
    return _as_sent(kit, kit.other_hr, stream, "RecordOpened", (0, GENESIS_PREV_HASH), data)


def _without(content: bytes, *streams: uuid.UUID) -> bytes:
    """A body with the stream ids it names (the caller's own input) put as ``<stream>``."""
    for stream in streams:
        content = content.replace(str(stream).encode(), b"<stream>")
    return content


@pytest.fixture
def hidden(kit: LedgerKit) -> uuid.UUID:
    """A record of LAO 6480101 with a few events: outside the Tak HR officer's scope."""
    stream = kit.open_record()
    for n in range(4):
        kit.emit(kit.hr, stream, "EducationAdded", education_data(n))
    return stream


@pytest.mark.parametrize("type_", STATEMENTS)
def test_a_stream_outside_the_scope_is_answered_as_one_that_does_not_exist(
    client: TestClient, kit: LedgerKit, hidden: uuid.UUID, type_: str
) -> None:
    """Whatever version and head the statement claims, the answer is byte for byte the one a
    stream that does not exist gets: 404, no version, no hash."""
    missing = uuid.uuid4()
    count = kit.event_count()
    for head in _heads(kit, hidden):
        outside = client.post(
            "/statements", json=body(_as_sent(kit, kit.other_hr, hidden, type_, head))
        )
        nowhere = client.post(
            "/statements", json=body(_as_sent(kit, kit.other_hr, missing, type_, head))
        )

        assert (404, "stream-not-found") == problem(outside) == problem(nowhere)
        assert _without(outside.content, hidden) == _without(nowhere.content, missing)
        assert outside.json()["rule"] == NOT_FOUND.id
        assert "version" not in outside.text
        assert kit.ledger.head(hidden)[1] not in outside.text
    assert count == kit.event_count()


def test_an_opening_type_on_a_stream_outside_the_scope_says_only_that_it_exists(
    client: TestClient, kit: LedgerKit, hidden: uuid.UUID
) -> None:
    """An id already taken cannot open a new stream, in scope or not; outside the scope the
    refusal says only that (stream.already_open), never the stream's version or head."""
    opening = _tak_record(kit, hidden, 77)

    response = client.post("/statements", json=body(opening))

    assert (422, "invalid-data") == problem(response)
    assert response.json()["rule"] == "stream.already_open"
    assert "version" not in response.text


def test_a_batch_reveals_neither_statement(
    client: TestClient, kit: LedgerKit, hidden: uuid.UUID
) -> None:
    """A batch of the officer's own new record and a statement on another LAO's record is
    refused as the same batch naming a stream that does not exist; nothing is appended."""
    own = uuid.uuid4()
    opened = _tak_record(kit, own, 78)
    missing = uuid.uuid4()
    count = kit.event_count()
    for head in _heads(kit, hidden):
        for type_ in STATEMENTS:
            items = [body(opened), body(_as_sent(kit, kit.other_hr, hidden, type_, head))]
            outside = client.post("/statements/batch", json={"items": items})
            items = [body(opened), body(_as_sent(kit, kit.other_hr, missing, type_, head))]
            nowhere = client.post("/statements/batch", json={"items": items})

            assert (404, "stream-not-found") == problem(outside) == problem(nowhere)
            assert _without(outside.content, hidden) == _without(nowhere.content, missing)
    assert count == kit.event_count()


def test_a_group_commit_answers_each_alike(kit: LedgerKit, hidden: uuid.UUID) -> None:
    """Decided in one group, the statements on the hidden and the missing stream get the same
    refusal, and their neighbour its receipt."""
    missing = uuid.uuid4()
    head = kit.ledger.head(hidden)
    own = kit.open_record(kit.other_hr, TAK_LAO)
    good = kit.sign(kit.other_hr, stream=own, type="EducationAdded", data=education_data())
    outside = _as_sent(kit, kit.other_hr, hidden, "PersonErased", head)
    nowhere = _as_sent(kit, kit.other_hr, missing, "PersonErased", head)

    outcomes = kit.ledger.decide_each([outside, good, nowhere])

    refused = [o for o in outcomes if isinstance(o, LedgerError)]
    assert [type(o) for o in outcomes] == [UnseenStreamError, Receipt, UnseenStreamError]
    assert _without(str(refused[0]).encode(), hidden) == _without(str(refused[1]).encode(), missing)
    assert [(NOT_FOUND.id, "stream")] == [(v.id, v.field) for v in refused[0].violations]
    assert head == kit.ledger.head(hidden)


def test_in_scope_a_stale_version_is_still_409(
    client: TestClient, kit: LedgerKit, hidden: uuid.UUID
) -> None:
    """The record's own LAO still learns where its stream stands."""
    stale = _as_sent(kit, kit.hr, hidden, "EducationAdded", (0, GENESIS_PREV_HASH))

    response = client.post("/statements", json=body(stale))

    assert (409, "stale-version") == problem(response)
    assert "expects version 0, the stream is at version 5" in response.json()["detail"]


def test_in_scope_a_stream_not_opened_is_404_naming_what_opens_one(
    client: TestClient, kit: LedgerKit
) -> None:
    """An officer adding to a stream not opened is told so, in Thai and English, with the
    event types that open such a stream."""
    statement = _as_sent(kit, kit.hr, uuid.uuid4(), "EducationAdded", (3, "cd" * 32))

    response = client.post("/statements", json=body(statement))

    assert (404, "stream-not-found") == problem(response)
    error = response.json()["errors"][0]
    assert (NOT_FOUND.id, "stream") == (error["rule"], error["field"])
    assert "RecordOpened" in error["th"]
    assert "RecordOpened" in error["en"]
    assert "ไม่พบสตรีม" in error["th"]


def test_a_record_owner_sees_no_colleague_record(kit: LedgerKit, hidden: uuid.UUID) -> None:
    """A record owner's scope is her LAO, but she writes only on her own record: another's is
    answered as a stream that does not exist."""
    own = kit.open_record()
    owner = kit.record_owner(own, NAKHON_PHANOM_LAO, made_up_cid(79))
    data = {"section": "education", "proposal": "เพิ่มวุฒิปริญญาโท"}
    missing = uuid.uuid4()
    answers = []
    for stream in (hidden, missing):
        signed = kit.sign(owner, stream=stream, type="ChangeRequestedByOwner", data=data)
        with pytest.raises(UnseenStreamError) as refused:
            kit.submit(signed)
        answers.append(_without(str(refused.value).encode(), stream))

    assert answers[0] == answers[1]


@pytest.fixture
def erased_world(tmp_path: Path) -> Iterator[tuple[LedgerKit, TestClient, uuid.UUID]]:
    """A ledger with a vault, its API, and an erased person's record of LAO 6480101."""
    settings = vault_settings(f"sqlite:///{tmp_path}/v.sqlite", tmp_path).model_copy(
        update={"session_secret": SESSION_SECRET}
    )
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    kit.v2 = True
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(90)))
    kit.emit(kit.hr, stream, "PersonErased", ERASURE)
    with TestClient(create_app(settings, ledger)) as client:
        yield kit, client, stream
    ledger.close()


def test_an_erased_record_outside_the_scope_is_not_found(
    erased_world: tuple[LedgerKit, TestClient, uuid.UUID],
) -> None:
    """The ledger cannot load an erased record, and says so (410) to its own LAO; to another
    LAO's officer the record is answered as a stream that does not exist, alone or in a
    batch, so neither its existence nor its erasure is told."""
    kit, client, erased = erased_world
    missing = uuid.uuid4()
    ability = {"ability": "ภาษาลาว"}
    for head in [(0, GENESIS_PREV_HASH), (2, "ab" * 32)]:
        sent = {
            stream: kit.sign(
                kit.other_hr,
                stream=stream,
                type="AbilityRecorded",
                data=ability,
                expected_version=head[0],
                prev_hash=head[1],
            )
            for stream in (erased, missing)
        }
        outside = client.post("/statements", json=body(sent[erased]))
        nowhere = client.post("/statements", json=body(sent[missing]))
        in_batch = client.post("/statements/batch", json={"items": [body(sent[erased])]})
        missing_in_batch = client.post("/statements/batch", json={"items": [body(sent[missing])]})

        assert (404, "stream-not-found") == problem(outside) == problem(nowhere)
        assert _without(outside.content, erased) == _without(nowhere.content, missing)
        assert _without(in_batch.content, erased) == _without(missing_in_batch.content, missing)
    own = kit.sign(kit.hr, stream=erased, type="AbilityRecorded", data=ability)

    assert (410, "person-erased") == problem(client.post("/statements", json=body(own)))


def test_a_forged_statement_on_an_erased_record_learns_nothing(
    erased_world: tuple[LedgerKit, TestClient, uuid.UUID],
) -> None:
    """A statement naming the record's own LAO officer's key with a signature that is not
    hers is refused as a bad signature, not told that the record is erased."""
    kit, client, erased = erased_world
    signed = kit.sign(kit.hr, stream=erased, type="AbilityRecorded", data={"ability": "x"})
    forged = {**body(signed), "signature": b64(bytes(64))}

    assert (401, "bad-signature") == problem(client.post("/statements", json=forged))
