"""``ledger operator enrol | approve | revoke``: the enrolment ceremony (DESIGN.md section 4).

Face to face, two people. ``enrol`` reads the operator's Thai ID card, has their token generate
an Ed25519 key, and builds the enrolment request (card data and public key, signed by the new
key as proof of possession); it writes the request for the admin (``--request``), or, when the
admin's token is given too, approves it at once. ``approve`` checks a request (proof, key id,
checksum, expiry, and, with ``--id-reader``, that the card in the reader is the request's card)
and has the admin sign ``OperatorEnrolled`` with their own token. ``revoke`` ends a key.

A record owner is enrolled by her personnel record (``--record``; ``cli.owners``): no citizen
ID in the enrolment nor her signatures; her card (or ``--cid``) is checked against the record.

Where ``LEDGER_REQUIRE_CARD_PRESENCE`` is set, the admin's signature needs the admin's ID card in
a reader (``--admin-id-reader``) holding the citizen ID their key was enrolled for, and
operators are enrolled only from a read ID card. Without a card (``--cid``), the old software-key
path keeps working for development. Nothing prints a citizen ID, a name or a photo.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from card.enrolment import (
    EnrolmentRequest,
    build_request,
    check_same_card,
    read_request,
    statement_data,
    verify_request,
    write_request,
)
from card.errors import IdentityMismatchError
from card.readers import DEFAULT_TIMEOUT, read_id_card
from card.thai_id import ThaiIdCard
from cli.options import check_cid, parse_roles, parse_scope
from cli.owners import RecordOpt, check_owner
from cli.runtime import (
    DatabaseUrl,
    LedgerName,
    build_settings,
    card_errors,
    fail,
    open_ledger,
    out,
    warn,
)
from cli.tokens import (
    Admin,
    AdminIdReaderOpt,
    AdminKeyLabelOpt,
    AdminKeyOpt,
    AdminPinOpt,
    AdminPkcs11ModuleOpt,
    AdminTokenLabelOpt,
    AdminTokenOpt,
    AdminTokenReaderOpt,
    IdReaderOpt,
    KeyLabelOpt,
    PinOpt,
    Pkcs11ModuleOpt,
    TimeoutOpt,
    TokenAdminPinOpt,
    TokenKind,
    TokenLabelOpt,
    TokenOpt,
    TokenReaderOpt,
    TokenSpec,
    admin_from_options,
    open_token,
    token_spec,
    with_presence,
)
from ledger.application import Ledger
from ledger.domain.dates import thai_today
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.genesis import compose, enrolment_data
from ledger.settings import LedgerSettings
from ledger.signing import Signer
from ledger.statement import key_id_of

operator_app = typer.Typer(
    help="The enrolment ceremony: enrol operators' keys, approve requests, revoke keys.",
    no_args_is_help=True,
)

RolesOpt = Annotated[list[str] | None, typer.Option("--role", help="A role (repeat for several)")]
ScopeOpt = Annotated[
    str | None,
    typer.Option(help="national | province:<name> | lao:<province>:<DLA code>"),
]
AdminCidOpt = Annotated[
    str | None,
    typer.Option(help="The admin's citizen ID (default: the one their key was enrolled for)"),
]
KEY_LABEL_DEFAULT = "ledger-signing"


def _roles_and_scope(
    role: list[str] | None, scope: str | None, record: UUID | None = None
) -> tuple[list[Role] | None, Scope | None]:
    """The roles and scope given (a record owner's roles, record_owner, when only ``record``)."""
    roles = parse_roles(role) if role else ([Role.RECORD_OWNER] if record is not None else None)
    return roles, (parse_scope(scope) if scope else None)


def _required(admin: Admin | None) -> Admin:
    if admin is None:
        raise typer.BadParameter("give the admin's token: --admin-key FILE or --admin-token KIND")
    return admin


@operator_app.command("enrol")
def operator_enrol(
    cid: Annotated[
        str | None, typer.Option(help="The operator's citizen ID (read from --id-reader if given)")
    ] = None,
    role: RolesOpt = None,
    scope: ScopeOpt = None,
    record: RecordOpt = None,
    id_reader: IdReaderOpt = None,
    photo: Annotated[
        Path | None, typer.Option(help="Save the ID card's photo here, to compare with the face")
    ] = None,
    token: TokenOpt = TokenKind.SOFTWARE,
    key: Annotated[
        Path | None, typer.Option(help="software: the operator's key file (created if missing)")
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(help="software: enrol a public key (hex) held elsewhere, without a request"),
    ] = None,
    token_reader: TokenReaderOpt = None,
    pkcs11_module: Pkcs11ModuleOpt = None,
    token_label: TokenLabelOpt = None,
    key_label: KeyLabelOpt = KEY_LABEL_DEFAULT,
    pin: PinOpt = None,
    token_admin_pin: TokenAdminPinOpt = None,
    request: Annotated[
        Path | None, typer.Option(help="Write the signed enrolment request here for an admin")
    ] = None,
    admin_key: AdminKeyOpt = None,
    admin_cid: AdminCidOpt = None,
    admin_token: AdminTokenOpt = None,
    admin_token_reader: AdminTokenReaderOpt = None,
    admin_pkcs11_module: AdminPkcs11ModuleOpt = None,
    admin_token_label: AdminTokenLabelOpt = None,
    admin_key_label: AdminKeyLabelOpt = KEY_LABEL_DEFAULT,
    admin_pin: AdminPinOpt = None,
    admin_id_reader: AdminIdReaderOpt = None,
    card_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Read the operator's ID card, generate their key on the token, build the request.

    With the admin's token (--admin-key or --admin-token) the request is approved at once;
    otherwise --request FILE carries it to `ledger operator approve`.
    """
    if cid is not None:
        check_cid(cid)
    if admin_cid is not None:
        check_cid(admin_cid)
    roles, target = _roles_and_scope(role, scope, record)
    admin = admin_from_options(
        key=admin_key,
        cid=admin_cid,
        token=admin_token,
        reader=admin_token_reader,
        module=admin_pkcs11_module,
        token_label=admin_token_label,
        key_label=admin_key_label,
        pin=admin_pin,
        id_reader=admin_id_reader,
        timeout=card_timeout,
    )
    if admin is None and request is None:
        raise typer.BadParameter(
            "give --request FILE (for `ledger operator approve`), or the admin's token to "
            "approve now"
        )
    if admin is not None and (roles is None or target is None):
        raise typer.BadParameter("approving now needs --role and --scope")
    settings = build_settings(database_url, name)
    if public_key is not None:
        _enrol_public_key(public_key, key, token, (cid, record), roles, target, admin, settings)
        return
    card = _read_operator_card(id_reader, cid, photo, settings, card_timeout)
    operator_cid = card.cid if card is not None else cid
    if operator_cid is None:
        raise typer.BadParameter("give --cid, or --id-reader to read it from the ID card")
    spec = token_spec(
        "operator",
        key,
        token,
        token_reader,
        pkcs11_module,
        token_label,
        key_label,
        pin,
        card_timeout,
        admin_pin=token_admin_pin,
    )
    document, key_id = _new_request(spec, operator_cid, card, roles or (), target)
    if request is not None:
        write_request(request, document)
        out.print(f"enrolment request for key {key_id} written to {request}")
    if admin is not None and roles is not None and target is not None:
        _approve(
            document, (roles, target, record), admin, settings, id_reader=None, timeout=card_timeout
        )


def _new_request(
    spec: TokenSpec, cid: str, card: ThaiIdCard | None, roles: Iterable[Role], scope: Scope | None
) -> tuple[dict[str, Any], str]:
    """Generate the operator's key on their token and build the signed enrolment request;
    the request and the new key's id."""
    with open_token(spec) as opened:
        signer = opened.generate()
        storage = opened.key_storage()
        document = build_request(
            signer=signer, key_storage=storage, cid=cid, card=card, roles=roles, scope=scope
        )
    if storage.kind == "software":
        warn("software key: for development only (the enrolment records key_storage software)")
    return document, key_id_of(signer.public_key)


def _read_operator_card(
    id_reader: str | None,
    cid: str | None,
    photo: Path | None,
    settings: LedgerSettings,
    timeout: float,
) -> ThaiIdCard | None:
    if id_reader is None:
        if settings.require_card_presence:
            fail(
                "this deployment enrols operators only from their ID card "
                "(LEDGER_REQUIRE_CARD_PRESENCE): give --id-reader"
            )
        return None
    with card_errors():
        card = read_id_card(id_reader, photo=True, timeout=timeout)
        card.check_valid(thai_today())
        if cid is not None and cid != card.cid:
            raise IdentityMismatchError(
                "the ID card in the reader belongs to another citizen ID than --cid"
            )
    if photo is not None and card.photo is not None:
        photo.touch(mode=0o600, exist_ok=True)
        photo.write_bytes(card.photo)
    return card


def _enrol_public_key(
    public_key: str,
    key: Path | None,
    token: TokenKind,
    person: tuple[str | None, UUID | None],
    roles: list[Role] | None,
    scope: Scope | None,
    admin: Admin | None,
    settings: LedgerSettings,
) -> None:
    """The development path: enrol a bare public key (no card, no proof of possession); a
    record owner's by her ``record`` (its citizen ID checked against ``--cid`` if given)."""
    cid, record = person
    if key is not None or token is not TokenKind.SOFTWARE:
        raise typer.BadParameter("give exactly one of --key or --public-key")
    if (cid is None and record is None) or admin is None or roles is None or scope is None:
        raise typer.BadParameter(
            "--public-key needs --cid (or --record), --role, --scope and the admin's token"
        )
    if settings.require_card_presence:
        fail("this deployment enrols operators only from their ID card and a signed request")
    try:
        raw = bytes.fromhex(public_key)
    except ValueError:
        raise typer.BadParameter("--public-key is not hex") from None
    if len(raw) != 32:
        raise typer.BadParameter("--public-key must be 32 bytes (64 hex characters)")
    data = enrolment_data(
        cid=cid if record is None else None,
        public_key=raw,
        roles=roles,
        scope=scope,
        storage=KeyStorage(kind="software"),
        record=record,
    )
    warn("a bare public key is enrolled as a software key, with no proof of possession")
    # Card presence is not required wherever this path runs (checked above): no presence check.
    owner = (record, cid) if record is not None else None
    receipt = _sign_and_submit(
        replace(admin, id_reader=None), settings, "OperatorEnrolled", data, owner=owner
    )
    out.print(f"enrolled key {key_id_of(raw)} (notification {receipt})")


@operator_app.command("approve")
def operator_approve(
    request: Annotated[Path, typer.Argument(help="The enrolment request written by `enrol`")],
    role: RolesOpt = None,
    scope: ScopeOpt = None,
    record: RecordOpt = None,
    id_reader: Annotated[
        str | None,
        typer.Option(
            "--id-reader",
            help="Read the operator's ID card again: it must be the card of the request",
        ),
    ] = None,
    admin_key: AdminKeyOpt = None,
    admin_cid: AdminCidOpt = None,
    admin_token: AdminTokenOpt = None,
    admin_token_reader: AdminTokenReaderOpt = None,
    admin_pkcs11_module: AdminPkcs11ModuleOpt = None,
    admin_token_label: AdminTokenLabelOpt = None,
    admin_key_label: AdminKeyLabelOpt = KEY_LABEL_DEFAULT,
    admin_pin: AdminPinOpt = None,
    admin_id_reader: AdminIdReaderOpt = None,
    card_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Check an enrolment request and sign OperatorEnrolled with the admin's own token."""
    if admin_cid is not None:
        check_cid(admin_cid)
    roles, target = _roles_and_scope(role, scope, record)
    admin = _required(
        admin_from_options(
            key=admin_key,
            cid=admin_cid,
            token=admin_token,
            reader=admin_token_reader,
            module=admin_pkcs11_module,
            token_label=admin_token_label,
            key_label=admin_key_label,
            pin=admin_pin,
            id_reader=admin_id_reader,
            timeout=card_timeout,
        )
    )
    with card_errors():
        document = read_request(request)
    settings = build_settings(database_url, name)
    _approve(
        document,
        (roles, target, record),
        admin,
        settings,
        id_reader=id_reader,
        timeout=card_timeout,
    )


def _approve(
    document: object,
    granted: tuple[list[Role] | None, Scope | None, UUID | None],
    admin: Admin,
    settings: LedgerSettings,
    *,
    id_reader: str | None,
    timeout: float,
) -> None:
    """Check the request (and, with ``id_reader``, the operator's card again); have the admin
    sign ``OperatorEnrolled`` with the roles and scope given, or else those requested (a
    record owner's naming her record, whose citizen ID must be the request's)."""
    roles, scope, record = granted
    with card_errors():
        enrolment_request = verify_request(document, today=thai_today())
        if settings.require_card_presence and enrolment_request.card is None:
            fail(
                "this deployment enrols operators only from their ID card "
                "(LEDGER_REQUIRE_CARD_PRESENCE); the request holds none"
            )
        if id_reader is not None:
            card = read_id_card(id_reader, photo=False, timeout=timeout)
            check_same_card(enrolment_request, card)
    granted_roles = roles or enrolment_request.requested_roles
    granted_scope = scope or enrolment_request.requested_scope
    if not granted_roles or granted_scope is None:
        raise typer.BadParameter("the request names no roles or scope: give --role and --scope")
    if enrolment_request.is_development_key:
        warn("the key is a software key (development only)")
    notification = _sign_and_submit(
        admin,
        settings,
        "OperatorEnrolled",
        statement_data(enrolment_request, granted_roles, granted_scope, record),
        owner=(record, enrolment_request.cid) if record is not None else None,
    )
    out.print(
        f"enrolled key {enrolment_request.key_id} ({_storage(enrolment_request)}) "
        f"(notification {notification})"
    )


def _storage(request: EnrolmentRequest) -> str:
    serial = f" {request.key_storage.serial}" if request.key_storage.serial else ""
    return f"{request.key_storage.kind}{serial}"


@operator_app.command("revoke")
def operator_revoke(
    key_id: Annotated[str, typer.Option(help="The key id to revoke")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the ledger)")],
    admin_key: AdminKeyOpt = None,
    admin_cid: AdminCidOpt = None,
    admin_token: AdminTokenOpt = None,
    admin_token_reader: AdminTokenReaderOpt = None,
    admin_pkcs11_module: AdminPkcs11ModuleOpt = None,
    admin_token_label: AdminTokenLabelOpt = None,
    admin_key_label: AdminKeyLabelOpt = KEY_LABEL_DEFAULT,
    admin_pin: AdminPinOpt = None,
    admin_id_reader: AdminIdReaderOpt = None,
    card_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Revoke a key: it signs nothing new; what it signed before stays valid."""
    if admin_cid is not None:
        check_cid(admin_cid)
    admin = _required(
        admin_from_options(
            key=admin_key,
            cid=admin_cid,
            token=admin_token,
            reader=admin_token_reader,
            module=admin_pkcs11_module,
            token_label=admin_token_label,
            key_label=admin_key_label,
            pin=admin_pin,
            id_reader=admin_id_reader,
            timeout=card_timeout,
        )
    )
    settings = build_settings(database_url, name)
    notification = _sign_and_submit(
        admin, settings, "OperatorKeyRevoked", {"key_id": key_id, "reason": reason}
    )
    out.print(f"revoked key {key_id} (notification {notification})")


def _sign_and_submit(
    admin: Admin,
    settings: LedgerSettings,
    event_type: str,
    data: dict[str, Any],
    *,
    owner: tuple[UUID, str | None] | None = None,
) -> int:
    """Sign a registry event with the admin's token (presence-checked) and submit it (for a
    record owner's enrolment, ``owner``, once ``check_owner`` finds the record hers).

    Signing happens before submission: if the token, the PIN or the presence check fails,
    nothing reaches the ledger.
    """
    with open_token(admin.token) as opened, open_ledger(settings) as ledger:
        if owner is not None:
            check_owner(ledger, *owner)
        signer = opened.signer()
        enrolled_cid = _enrolled_cid(ledger, signer, admin.cid)
        checked = with_presence(
            signer,
            id_reader=admin.id_reader,
            enrolled_cid=enrolled_cid,
            required=settings.require_card_presence,
            timeout=admin.token.timeout,
        )
        signed = compose(
            ledger,
            stream=ledger.registry_id,
            type=event_type,
            data=data,
            signer=checked,
            cid=admin.cid or enrolled_cid,
        )
        receipt = ledger.submit(signed.canonical, signed.signature)
    return receipt.notification_id


def _enrolled_cid(ledger: Ledger, signer: Signer, given: str | None) -> str:
    """The citizen ID the admin's key was enrolled for (``given`` if the key is unknown here)."""
    enrolment = ledger.enrolment_for(key_id_of(signer.public_key))
    if enrolment is not None:
        if enrolment.cid is None:
            fail(f"key {enrolment.key_id} is a record owner's: it enrols no one")
        return enrolment.cid
    if given is None:
        fail(f"the admin's key {key_id_of(signer.public_key)} is not enrolled in this ledger")
    return given
