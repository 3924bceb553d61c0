"""GET /operators, and an admin enrolling and revoking keys over POST /statements."""

from __future__ import annotations

from base64 import b64decode
from typing import Any

import httpx
from fastapi.testclient import TestClient

from ledger.domain.permissions import Role, Scope
from ledger.genesis import compose, enrolment_data
from ledger.signing import sign_challenge
from tests.ledger_kit import NAKHON_PHANOM_LAO, SOFTWARE, LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.api.http_kit import b64, body, login, problem


def _post(client: TestClient, kit: LedgerKit, type_: str, data: dict[str, Any]) -> int:
    """The admin signs a registry statement and submits it over HTTP; the status answered."""
    signed = compose(
        kit.ledger,
        stream=kit.ledger.registry_id,
        type=type_,
        data=data,
        signer=kit.admin.signer,
        cid=kit.admin.cid,
    )
    return client.post("/statements", json=body(signed)).status_code


def _enrol_and_revoke_over_http(client: TestClient, kit: LedgerKit) -> Operator:
    newcomer = Operator(cid=made_up_cid(31))
    data = enrolment_data(
        cid=newcomer.cid,
        public_key=newcomer.signer.public_key,
        roles=[Role.LAO_HEAD, Role.LAO_SUPERIOR],
        scope=NAKHON_PHANOM_LAO,
        storage=SOFTWARE,
    )
    assert 201 == _post(client, kit, "OperatorEnrolled", data)
    login(client, newcomer)  # the new key opens a session at once
    revocation = {"key_id": newcomer.signer.key_id, "reason": "บัตรหาย"}
    assert 201 == _post(client, kit, "OperatorKeyRevoked", revocation)
    return newcomer


def test_an_admin_enrols_and_revokes_over_http(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """The enrolment and the revocation show who signed them; the revoked key is refused."""
    newcomer = _enrol_and_revoke_over_http(client, kit)

    listed = client.get("/operators", headers=login(client, auditor)).json()

    entry = next(item for item in listed if item["key_id"] == newcomer.signer.key_id)
    assert newcomer.cid == entry["cid"]
    assert [("lao_head", "นายก อปท. / ปลัด"), ("lao_superior", "ผู้บังคับบัญชาตามลำดับชั้น")] == [
        (role["code"], role["th"]) for role in entry["roles"]
    ]
    assert "อปท. 6480101 (จังหวัดนครพนม)" == entry["scope"]["th"]
    assert ("revoked", "เพิกถอนแล้ว") == (entry["status"], entry["status_th"])
    assert (kit.admin.signer.key_id, kit.admin.signer.key_id) == (
        entry["enrolled_by"],
        entry["revoked_by"],
    )
    assert "บัตรหาย" == entry["revocation_reason"]
    assert (401, "revoked-key") == problem(_open_session(client, newcomer))


def _open_session(client: TestClient, operator: Operator) -> httpx.Response:
    key_id = operator.signer.key_id
    challenge = client.post("/sessions/challenge", json={"key_id": key_id}).json()["challenge"]
    signature = sign_challenge(operator.signer, b64decode(challenge))
    return client.post(
        "/sessions", json={"key_id": key_id, "challenge": challenge, "signature": b64(signature)}
    )


def test_a_provincial_auditor_sees_their_province_s_operators(
    client: TestClient, kit: LedgerKit
) -> None:
    """Nakhon Phanom's HR officer, not Tak's, nor the national admin and system key."""
    auditor = kit.operator([Role.AUDITOR], Scope(level="province", province="นครพนม"))

    listed = client.get("/operators", headers=login(client, auditor)).json()

    keys = {item["key_id"] for item in listed}
    assert {kit.hr.signer.key_id, auditor.signer.key_id} == keys


def test_reading_operators_citizen_ids_is_logged(
    client: TestClient, kit: LedgerKit, auditor: Operator
) -> None:
    """The list names people: the read is in the access log, under the registry's stream."""
    client.get("/operators", headers=login(client, auditor))

    log = client.app.state.access_log.of_records([kit.ledger.registry_id])  # type: ignore[attr-defined]

    assert [(auditor.cid, "GET /operators", ("personal",))] == [
        (entry.reader_cid, entry.endpoint, entry.kinds) for entry in log
    ]


def test_roles_that_do_not_read_operators_are_refused(client: TestClient, kit: LedgerKit) -> None:
    """An HR officer does not read the operator registry (403 naming the kind)."""
    response = client.get("/operators", headers=login(client, kit.hr))

    assert (403, "forbidden") == problem(response)
    assert "operators" in response.json()["detail"]
