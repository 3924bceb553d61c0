"""Sign requests (ledger.sign_requests): the web application's signed asks to the agent."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import nacl.signing
import pytest

from ledger.canonical import canonicalize
from ledger.commitments import Disclosure
from ledger.sign_requests import (
    REQUEST_CONTEXT,
    SignRequest,
    SignRequestError,
    _b64,
    read_request,
)

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def key() -> nacl.signing.SigningKey:
    return nacl.signing.SigningKey.generate()


def trusted(key: nacl.signing.SigningKey) -> list[bytes]:
    return [bytes(key.verify_key)]


def test_a_request_reads_back_as_written(key: nacl.signing.SigningKey) -> None:
    request = SignRequest.new("statement", b'{"a":1}', ORIGIN)
    assert request == read_request(request.to_wire(key), trusted(key))


def test_a_login_request_binds_its_origin_and_nonce(key: nacl.signing.SigningKey) -> None:
    request = SignRequest.login(ORIGIN)
    read = read_request(request.to_wire(key), trusted(key))
    assert ORIGIN.encode() in read.payload
    assert read.nonce.encode() in read.payload
    assert (
        read.signed_message() != SignRequest.new("statement", read.payload, ORIGIN).signed_message()
    )


def test_a_request_signed_by_another_key_is_refused(key: nacl.signing.SigningKey) -> None:
    other = nacl.signing.SigningKey.generate()
    wire = SignRequest.new("statement", b"{}", ORIGIN).to_wire(other)
    with pytest.raises(SignRequestError, match="not signed by a server"):
        read_request(wire, trusted(key))


def test_an_expired_request_is_refused(key: nacl.signing.SigningKey) -> None:
    wire = SignRequest.new("statement", b"{}", ORIGIN, ttl=-1).to_wire(key)
    with pytest.raises(SignRequestError, match="expired"):
        read_request(wire, trusted(key))


@pytest.mark.parametrize("wire", ["", "a", "a.b.c", "!!.??", "e30.AAAA"])
def test_garbage_is_unreadable_or_untrusted(key: nacl.signing.SigningKey, wire: str) -> None:
    with pytest.raises(SignRequestError):
        read_request(wire, trusted(key))


def test_a_changed_payload_breaks_the_request_signature(key: nacl.signing.SigningKey) -> None:
    body, signature = SignRequest.new("statement", b'{"a":1}', ORIGIN).to_wire(key).split(".")
    forged = SignRequest.new("statement", b'{"a":2}', ORIGIN).to_wire(key).split(".")[0]
    with pytest.raises(SignRequestError, match="not signed by a server"):
        read_request(f"{forged}.{signature}", trusted(key))
    assert body != forged


def test_a_v2_statement_request_carries_its_disclosures_signed(
    key: nacl.signing.SigningKey,
) -> None:
    """A v2 statement's disclosures ride in the body (``"v": 2``), under the request key's
    signature: they read back as written, and changing one breaks the signature."""
    sent = {"cid": Disclosure("1999900000111", bytes(range(32)))}
    request = SignRequest.new("statement", b'{"a":1}', ORIGIN, disclosures=sent)
    wire = request.to_wire(key)

    assert request == read_request(wire, trusted(key))
    assert {"cid": sent["cid"].as_json()} == request.disclosures_json()
    other = dataclasses.replace(
        request, disclosures={"cid": Disclosure("1999900000222", bytes(32))}
    )
    forged = other.to_wire(key).split(".")[0] + "." + wire.split(".")[1]
    with pytest.raises(SignRequestError, match="not signed by a server"):
        read_request(forged, trusted(key))


@pytest.mark.parametrize(
    "body",
    [
        {"disclosures": {"cid": {"value": "x", "salt": "short"}}},  # not a 32-byte salt
        {"disclosures": []},  # not an object
        {"disclosures": {}, "kind": "login"},  # a login has none
        {"v": 1},  # a v1 body has no disclosures
        {"v": True},  # a boolean is no version
    ],
)
def test_a_malformed_v2_body_is_unreadable(
    key: nacl.signing.SigningKey, body: dict[str, Any]
) -> None:
    request = SignRequest.new("statement", b"{}", ORIGIN, disclosures={})
    fields = {**json.loads(request.body()), **body}
    raw = canonicalize(fields)
    signature = key.sign(hashlib.sha256(REQUEST_CONTEXT + raw).digest()).signature
    wire = f"{_b64(raw)}.{_b64(signature)}"
    with pytest.raises(SignRequestError, match="unreadable"):
        read_request(wire, trusted(key))
