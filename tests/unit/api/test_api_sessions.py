"""Sessions: challenge, signed answer, bearer token; and every way a session is refused."""

from __future__ import annotations

import hashlib
import time
from base64 import b64decode

from fastapi.testclient import TestClient

from api.sessions import CHALLENGE_BYTES, SessionAuthority
from ledger.signing import sign_challenge
from tests.ledger_kit import LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.api.conftest import SESSION_SECRET
from tests.unit.api.http_kit import b64, login, problem, revoke

AN_HOUR_AGO = time.time() - 3600


def _challenge(client: TestClient, operator: Operator) -> str:
    response = client.post("/sessions/challenge", json={"key_id": operator.signer.key_id})
    challenge: str = response.json()["challenge"]
    return challenge


def _answer(operator: Operator, challenge: str, signer: Operator | None = None) -> dict[str, str]:
    signature = sign_challenge((signer or operator).signer, b64decode(challenge))
    return {"key_id": operator.signer.key_id, "challenge": challenge, "signature": b64(signature)}


def _events_of_registry(client: TestClient, kit: LedgerKit, headers: dict[str, str]) -> int:
    response = client.get(f"/streams/{kit.ledger.registry_id}/events", headers=headers)
    status: int = response.status_code
    return status


def test_challenge_is_base64_with_expiry(client: TestClient, kit: LedgerKit) -> None:
    """A challenge is base64 of the fixed-size HMAC-protected bytes, with its expiry."""
    response = client.post("/sessions/challenge", json={"key_id": kit.admin.signer.key_id})

    assert response.status_code == 200
    assert len(b64decode(response.json()["challenge"], validate=True)) == CHALLENGE_BYTES
    assert response.json()["expires_at"].endswith("Z")


def test_challenge_for_malformed_key_id_is_400(client: TestClient) -> None:
    """A key id is 16 lowercase hex characters."""
    response = client.post("/sessions/challenge", json={"key_id": "not-a-key"})

    assert problem(response) == (400, "malformed-request")


def test_signed_challenge_gives_a_bearer_token(client: TestClient, kit: LedgerKit) -> None:
    """An enrolled key that signs its challenge gets a bearer token and its expiry."""
    challenge = _challenge(client, kit.admin)

    response = client.post("/sessions", json=_answer(kit.admin, challenge))

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    assert response.json()["access_token"].startswith(f"v1.{kit.admin.signer.key_id}.")


def test_token_opens_authenticated_reads(client: TestClient, kit: LedgerKit) -> None:
    """The token from the flow authenticates a read."""
    headers = login(client, kit.admin)

    status = _events_of_registry(client, kit, headers)

    assert status == 200


def test_signature_by_another_key_is_401(client: TestClient, kit: LedgerKit) -> None:
    """Only the enrolled key's holder can answer its challenge."""
    challenge = _challenge(client, kit.admin)

    response = client.post("/sessions", json=_answer(kit.admin, challenge, signer=kit.hr))

    assert problem(response) == (401, "bad-session-signature")


def test_statement_style_signature_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A signature over sha256(challenge) without the session context is refused."""
    challenge = _challenge(client, kit.admin)
    bare = kit.admin.signer.sign(hashlib.sha256(b64decode(challenge)).digest())

    response = client.post(
        "/sessions",
        json={"key_id": kit.admin.signer.key_id, "challenge": challenge, "signature": b64(bare)},
    )

    assert problem(response) == (401, "bad-session-signature")


def test_challenge_of_another_key_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A challenge is bound to the key id that asked for it."""
    challenge_for_hr = _challenge(client, kit.hr)

    response = client.post("/sessions", json=_answer(kit.admin, challenge_for_hr))

    assert problem(response) == (401, "invalid-challenge")


def test_tampered_challenge_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A challenge whose bytes were changed fails its HMAC."""
    raw = bytearray(b64decode(_challenge(client, kit.admin)))
    raw[5] ^= 0x01

    response = client.post("/sessions", json=_answer(kit.admin, b64(bytes(raw))))

    assert problem(response) == (401, "invalid-challenge")


def test_expired_challenge_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A challenge answered after its expiry is refused."""
    old = SessionAuthority(
        SESSION_SECRET.encode(), token_ttl_seconds=900, clock=lambda: AN_HOUR_AGO
    ).issue_challenge(kit.admin.signer.key_id)

    response = client.post("/sessions", json=_answer(kit.admin, b64(old.value)))

    assert problem(response) == (401, "invalid-challenge")
    assert "expired" in response.json()["detail"]


def test_unknown_key_gets_no_session(client: TestClient, kit: LedgerKit) -> None:
    """A key that is not enrolled cannot open a session even with a valid challenge."""
    stranger = Operator(cid=made_up_cid(31))
    challenge = _challenge(client, stranger)

    response = client.post("/sessions", json=_answer(stranger, challenge))

    assert problem(response) == (401, "unknown-key")


def test_revoked_key_gets_no_session(client: TestClient, kit: LedgerKit) -> None:
    """A revoked key cannot open a session."""
    challenge = _challenge(client, kit.hr)
    revoke(kit, kit.hr)

    response = client.post("/sessions", json=_answer(kit.hr, challenge))

    assert problem(response) == (401, "revoked-key")


def test_missing_token_is_401(client: TestClient, kit: LedgerKit) -> None:
    """Reading a stream needs a bearer token, and the 401 says so."""
    response = client.get(f"/streams/{kit.ledger.registry_id}/events")

    assert problem(response) == (401, "missing-token")
    assert response.headers["www-authenticate"] == 'Bearer realm="ledger"'


def test_expired_token_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A token past its expiry is refused."""
    old = SessionAuthority(
        SESSION_SECRET.encode(), token_ttl_seconds=900, clock=lambda: AN_HOUR_AGO
    ).issue_token(kit.admin.signer.key_id)

    response = client.get(
        f"/streams/{kit.ledger.registry_id}/events",
        headers={"Authorization": f"Bearer {old.value}"},
    )

    assert problem(response) == (401, "invalid-token")
    assert "expired" in response.json()["detail"]


def test_tampered_token_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A token whose key id was swapped no longer matches its HMAC."""
    token = login(client, kit.hr)["Authorization"]
    forged = token.replace(kit.hr.signer.key_id, kit.admin.signer.key_id)

    response = client.get(
        f"/streams/{kit.ledger.registry_id}/events", headers={"Authorization": forged}
    )

    assert problem(response) == (401, "invalid-token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_token_with_extended_expiry_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A token whose expiry was pushed forward no longer matches its HMAC."""
    version, key_id, expiry, mac = login(client, kit.admin)["Authorization"].split(".")
    forged = f"{version}.{key_id}.{int(expiry) + 86_400}.{mac}"

    response = client.get(
        f"/streams/{kit.ledger.registry_id}/events", headers={"Authorization": forged}
    )

    assert problem(response) == (401, "invalid-token")


def test_token_of_another_secret_is_401(client: TestClient, kit: LedgerKit) -> None:
    """A token made under another secret (another deployment) is refused."""
    other = SessionAuthority(b"another-deployment-secret", token_ttl_seconds=900)
    token = other.issue_token(kit.admin.signer.key_id)

    response = client.get(
        f"/streams/{kit.ledger.registry_id}/events",
        headers={"Authorization": f"Bearer {token.value}"},
    )

    assert problem(response) == (401, "invalid-token")


def test_revocation_ends_open_sessions(client: TestClient, kit: LedgerKit) -> None:
    """A key revoked after its session opened is refused on the next request."""
    stream = kit.open_record()
    headers = login(client, kit.hr)
    revoke(kit, kit.hr)

    response = client.get(f"/streams/{stream}/events", headers=headers)

    assert problem(response) == (401, "revoked-key")
