"""Composing the statements that create a ledger and manage its operators.

Clients (the CLI, the demo, tests) use these to prepare statements; the ledger checks them like
any other. ``initialise`` writes the genesis (the system key enrolling itself) and the first
admin's enrolment signed by the system key; ``register_organization`` has DLA register an LAO,
which comes before enrolling the LAO's staff (an LAO scope names a registered organization).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger, Receipt
from ledger.domain.operators import KeyStorage
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.signing import Signer, sign_statement
from ledger.statement import SYSTEM_CID, SignedStatement, SignerRef, build_statement, key_id_of


def now() -> datetime:
    return datetime.now(UTC)


def compose(
    ledger: Ledger,
    *,
    stream: UUID,
    type: str,
    data: dict[str, Any],
    signer: Signer,
    cid: str,
    effective: date | None = None,
) -> SignedStatement:
    """Sign a statement for the stream's current head (version and prev_hash read from it)."""
    version, head = ledger.head(stream)
    statement = build_statement(
        stream=stream,
        expected_version=version,
        prev_hash=head,
        type=type,
        data=data,
        effective=effective or now().date(),
        signer=SignerRef(cid=cid, key=key_id_of(signer.public_key)),
        signed_at=now(),
    )
    return sign_statement(statement, signer)


def submit(ledger: Ledger, signed: SignedStatement) -> Receipt:
    return ledger.submit(signed.canonical, signed.signature)


def enrolment_data(
    *,
    cid: str | None,
    public_key: bytes,
    roles: Iterable[Role],
    scope: Scope,
    storage: KeyStorage,
    record: UUID | None = None,
) -> dict[str, Any]:
    """The data of an OperatorEnrolled statement: an officer's by ``cid``, a record owner's by
    her personnel ``record`` (its stream id; ``cid`` None), never both."""
    named: dict[str, str] = {"record": str(record)} if record is not None else {}
    if cid is not None:
        named["cid"] = cid
    return {
        **named,
        "public_key": public_key.hex(),
        "key_id": key_id_of(public_key),
        "key_storage": storage.model_dump(mode="json", exclude_none=True),
        "roles": [role.value for role in roles],
        "scope": scope.model_dump(mode="json", exclude_none=True),
    }


def initialise(
    ledger: Ledger,
    *,
    system_signer: Signer,
    system_storage: KeyStorage,
    admin_cid: str,
    admin_public_key: bytes,
    admin_storage: KeyStorage,
) -> list[Receipt]:
    """Write the genesis and enrol the first DLA admin (national scope)."""
    genesis = compose(
        ledger,
        stream=ledger.registry_id,
        type="LedgerInitialised",
        data={
            "ledger": ledger.settings.name,
            "public_key": system_signer.public_key.hex(),
            "key_id": key_id_of(system_signer.public_key),
            "key_storage": system_storage.model_dump(mode="json", exclude_none=True),
        },
        signer=system_signer,
        cid=SYSTEM_CID,
    )
    receipts = [submit(ledger, genesis)]
    admin = compose(
        ledger,
        stream=ledger.registry_id,
        type="OperatorEnrolled",
        data=enrolment_data(
            cid=admin_cid,
            public_key=admin_public_key,
            roles=[Role.DLA_ADMIN],
            scope=NATIONAL,
            storage=admin_storage,
        ),
        signer=system_signer,
        cid=SYSTEM_CID,
    )
    receipts.append(submit(ledger, admin))
    return receipts


def register_organization(
    ledger: Ledger,
    *,
    code: str,
    province: str,
    name: str,
    district: str,
    signer: Signer,
    cid: str,
    type: str = "sao",
    effective: date | None = None,
) -> Receipt:
    """DLA registers the LAO ``code`` (its 7-digit DLA code) in ``province`` (one of the 77),
    signed by a DLA admin's ``signer``."""
    data = {"code": code, "name": name, "type": type, "province": province, "district": district}
    registered = compose(
        ledger,
        stream=organization_stream_id(code),
        type="OrganizationRegistered",
        data=data,
        signer=signer,
        cid=cid,
        effective=effective,
    )
    return submit(ledger, registered)
