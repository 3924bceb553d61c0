"""The enrolment request: the operator's card data and new public key, signed by the new key.

The ceremony (DESIGN.md section 4) has two people face to face. The operator's ID card is read,
their token generates a key, and the client builds this request: what the card says, the public
key, where the key lives, and a proof of possession (the new key's signature over the request).
The admin checks the request (the proof verifies, the key id is the key's, the citizen ID passes
its checksum, the card has not expired, and if the card is read again it is the same card), then
signs ``OperatorEnrolled`` with their own token. The request is a client-side document: the
ledger records the enrolment event, not the request.

What is signed is ``sha256(ENROLMENT_CONTEXT + RFC 8785 bytes of the request object)``: the
context makes the proof useless as a statement or session signature, and the canonical bytes
let any party recompute it from the JSON file. The file holds personal data (PDPA): it is
written readable by its owner only, and carries the photo's hash, never the photo.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from card.errors import EnrolmentRequestError, ExpiredCardError, IdentityMismatchError
from card.thai_id import ThaiIdCard
from ledger.canonical import canonicalize
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import is_valid_cid
from ledger.genesis import enrolment_data
from ledger.signing import Signer, verify_signature
from ledger.statement import describe_validation_error, key_id_of, new_nonce

ENROLMENT_CONTEXT = b"thai-lgov-ledger enrolment request v1\n"


class CardName(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    prefix: str
    first: str
    middle: str
    last: str


class CardAddress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    house_no: str
    moo: str
    trok: str
    soi: str
    road: str
    tambon: str
    amphoe: str
    province: str


class CardRecord(BaseModel):
    """The ID card as read at enrolment: the same keys as ``ledger card read --json``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    cid: str
    name_th: CardName
    name_en: CardName
    birth_date: str
    gender: Literal["male", "female"]
    issuer: str
    issue_date: date
    expiry_date: date | None
    address: CardAddress
    laser_code: str | None
    photo_sha256: str | None = Field(pattern=r"^[0-9a-f]{64}$")


class EnrolmentRequest(BaseModel):
    """What the operator's new key signs to ask for enrolment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1]
    type: Literal["OperatorEnrolmentRequest"]
    cid: str
    card: CardRecord | None
    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    key_storage: KeyStorage
    requested_roles: list[Role] = Field(default_factory=list)
    requested_scope: Scope | None = None
    created_at: AwareDatetime
    nonce: str = Field(min_length=8, max_length=128)

    @model_validator(mode="after")
    def _consistent(self) -> EnrolmentRequest:
        if not is_valid_cid(self.cid):
            raise ValueError("cid: citizen ID must be 13 digits with a valid check digit")
        if self.card is not None and self.card.cid != self.cid:
            raise ValueError("cid: it is not the citizen ID of the card in the request")
        if key_id_of(bytes.fromhex(self.public_key)) != self.key_id:
            raise ValueError("key_id: it is not the id of public_key")
        return self

    @property
    def public_key_bytes(self) -> bytes:
        return bytes.fromhex(self.public_key)

    @property
    def is_development_key(self) -> bool:
        return self.key_storage.kind == "software"


def proof_digest(request: dict[str, Any]) -> bytes:
    """What the new key signs: sha256 of the context and the request's canonical bytes."""
    return hashlib.sha256(ENROLMENT_CONTEXT + canonicalize(request)).digest()


def build_request(
    *,
    signer: Signer,
    key_storage: KeyStorage,
    cid: str,
    card: ThaiIdCard | None,
    roles: Iterable[Role] = (),
    scope: Scope | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed request document: ``{"request": {...}, "proof": base64 signature}``."""
    public_key = signer.public_key
    request = EnrolmentRequest(
        v=1,
        type="OperatorEnrolmentRequest",
        cid=cid,
        card=CardRecord.model_validate(card.to_json()) if card is not None else None,
        public_key=public_key.hex(),
        key_id=key_id_of(public_key),
        key_storage=key_storage,
        requested_roles=list(roles),
        requested_scope=scope,
        created_at=now or datetime.now(UTC),
        nonce=new_nonce(),
    )
    body = request.model_dump(mode="json", exclude_none=False)
    signature = signer.sign(proof_digest(body))
    return {"request": body, "proof": base64.b64encode(signature).decode("ascii")}


def verify_request(document: object, *, today: date) -> EnrolmentRequest:
    """Check a request document before an admin signs its enrolment; return the request.

    Raises ``EnrolmentRequestError`` (malformed, proof fails) or ``ExpiredCardError``.
    """
    if not isinstance(document, dict) or set(document) != {"request", "proof"}:
        raise EnrolmentRequestError('a request document has exactly "request" and "proof"')
    body, proof = document["request"], document["proof"]
    if not isinstance(body, dict) or not isinstance(proof, str):
        raise EnrolmentRequestError('"request" is an object and "proof" base64 text')
    try:
        request = EnrolmentRequest.model_validate(body)
    except ValidationError as error:
        raise EnrolmentRequestError(describe_validation_error(error)) from None
    try:
        signature = base64.b64decode(proof, validate=True)
    except (binascii.Error, ValueError):
        raise EnrolmentRequestError("the proof is not base64") from None
    if len(signature) != 64 or not _verifies(request.public_key_bytes, body, signature):
        raise EnrolmentRequestError(
            "the proof of possession does not verify: the request was altered, or not signed "
            "by the key it enrols"
        )
    card = request.card
    if card is not None and card.expiry_date is not None and card.expiry_date < today:
        raise ExpiredCardError(card.expiry_date.isoformat())
    return request


def _verifies(public_key: bytes, body: dict[str, Any], signature: bytes) -> bool:
    """The proof signs ``proof_digest(body)``, i.e. sha256 of the context and canonical bytes."""
    return verify_signature(public_key, ENROLMENT_CONTEXT + canonicalize(body), signature)


def check_same_card(request: EnrolmentRequest, card: ThaiIdCard) -> None:
    """Raise ``IdentityMismatchError`` unless ``card`` is the card the request was built from."""
    if not hmac.compare_digest(card.cid.encode(), request.cid.encode()):
        raise IdentityMismatchError(
            "the ID card in the reader belongs to another citizen ID than the request"
        )
    recorded = request.card
    if (
        recorded is not None
        and recorded.laser_code
        and card.laser_code
        and not hmac.compare_digest(recorded.laser_code.encode(), card.laser_code.encode())
    ):
        raise IdentityMismatchError(
            "the ID card in the reader is another card (laser code) than the request's"
        )


def statement_data(
    request: EnrolmentRequest, roles: Iterable[Role], scope: Scope, record: UUID | None = None
) -> dict[str, Any]:
    """The data of the ``OperatorEnrolled`` statement the admin signs for this request: a
    record owner's names her personnel ``record`` in place of the request's citizen ID."""
    return enrolment_data(
        cid=request.cid if record is None else None,
        public_key=request.public_key_bytes,
        roles=roles,
        scope=scope,
        storage=request.key_storage,
        record=record,
    )


def write_request(path: Path, document: dict[str, Any]) -> None:
    """Write a request document readable by its owner only (it holds personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def read_request(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EnrolmentRequestError(f"cannot read {path}: {error}") from None
