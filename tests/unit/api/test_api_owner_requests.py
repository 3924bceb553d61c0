"""A record owner's change request over ``POST /statements``: a section her form does not offer
(``OWNER_SECTIONS``) is refused, 422 naming the rule ``record.change_request_section`` and the
field ``data.section`` in Thai and English, and nothing is appended; one it offers is taken."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit
from tests.people import made_up_cid
from tests.unit.api.http_kit import body, problem

OWNER_CID = made_up_cid(612)


def test_an_owner_asks_about_no_section_her_form_does_not_offer(
    client: TestClient, kit: LedgerKit
) -> None:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(NAKHON_PHANOM_LAO, cid=OWNER_CID))
    owner = kit.record_owner(stream, NAKHON_PHANOM_LAO, OWNER_CID)
    count = kit.event_count()

    def request(section: str) -> dict[str, str]:
        data = {"section": section, "proposal": "ขอแก้ไขสถานภาพ"}
        return body(kit.sign(owner, stream=stream, type="ChangeRequestedByOwner", data=data))

    refused = client.post("/statements", json=request("employment"))

    assert (422, "invalid-data") == problem(refused)
    assert "record.change_request_section" == refused.json()["rule"]
    [error] = refused.json()["errors"]
    assert ("record.change_request_section", "data.section") == (error["rule"], error["field"])
    assert "สถานภาพการรับราชการ" in error["th"]
    assert "the section employment" in error["en"]
    assert count == kit.event_count()

    accepted = client.post("/statements", json=request("general"))

    assert 201 == accepted.status_code, accepted.text
    assert count + 1 == kit.event_count()
