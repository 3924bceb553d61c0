"""Signing tokens from command-line options: a software key file, an OpenPGP card, a PKCS#11 token.

Every command that signs takes the same options (operator's, or the admin's with an ``--admin-``
prefix) and gets a ``ledger.signing.Signer`` from ``open_token``. PINs come from the option, its
environment variable, or a hidden prompt when a terminal is attached; they are never printed.
A software key is for development only: enrolling one says so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Protocol

import typer

from card.errors import CardError
from card.openpgp import OpenPgpCard, OpenPgpCardSigner
from card.pkcs11_token import DEFAULT_KEY_LABEL, Pkcs11Token
from card.presence import PresenceCheckedSigner
from card.readers import DEFAULT_TIMEOUT, open_signing_card, read_citizen_id
from cli.options import load_key, load_or_create_key
from cli.runtime import fail
from ledger.domain.operators import KeyStorage
from ledger.signing import Signer


class TokenKind(StrEnum):
    SOFTWARE = "software"
    OPENPGP_CARD = "openpgp-card"
    PKCS11 = "pkcs11"


# The operator's token.
TokenOpt = Annotated[
    TokenKind,
    typer.Option("--token", help="Where the key lives: software (development only), "
                 "openpgp-card or pkcs11"),
]  # fmt: skip
TokenReaderOpt = Annotated[
    str | None,
    typer.Option(
        "--token-reader",
        help="openpgp-card: the PC/SC reader holding the card (or virtual:STATE.json)",
    ),
]
Pkcs11ModuleOpt = Annotated[
    Path | None,
    typer.Option(
        "--pkcs11-module", envvar="LEDGER_PKCS11_MODULE", help="pkcs11: the module (.so) path"
    ),
]
TokenLabelOpt = Annotated[
    str | None, typer.Option("--token-label", help="pkcs11: the token's label")
]
KeyLabelOpt = Annotated[
    str, typer.Option("--key-label", help="pkcs11: the label of the key pair on the token")
]
PinOpt = Annotated[
    str | None,
    typer.Option("--pin", envvar="LEDGER_TOKEN_PIN", help="The token's PIN (else prompted)"),
]
TokenAdminPinOpt = Annotated[
    str | None,
    typer.Option(
        "--token-admin-pin",
        envvar="LEDGER_TOKEN_ADMIN_PIN",
        help="openpgp-card: the card's admin PIN (PW3), needed to generate the key",
    ),
]
IdReaderOpt = Annotated[
    str | None,
    typer.Option(
        "--id-reader",
        help="The reader holding the Thai ID card (a PC/SC reader name, or virtual:PERSON.json)",
    ),
]
TimeoutOpt = Annotated[
    float, typer.Option("--card-timeout", help="Seconds to wait for a card to be inserted")
]
KeyFileOpt = Annotated[Path | None, typer.Option(help="software: the signing key file")]

# The admin's token (approving, revoking).
AdminKeyOpt = Annotated[
    Path | None, typer.Option("--admin-key", help="The admin's software key file (development)")
]
AdminTokenOpt = Annotated[
    TokenKind | None,
    typer.Option("--admin-token", help="The admin's token: software, openpgp-card or pkcs11"),
]
AdminTokenReaderOpt = Annotated[
    str | None, typer.Option("--admin-token-reader", help="openpgp-card: the admin's card reader")
]
AdminPkcs11ModuleOpt = Annotated[
    Path | None,
    typer.Option(
        "--admin-pkcs11-module",
        envvar="LEDGER_ADMIN_PKCS11_MODULE",
        help="pkcs11: the admin token's module",
    ),
]
AdminTokenLabelOpt = Annotated[
    str | None, typer.Option("--admin-token-label", help="pkcs11: the admin token's label")
]
AdminKeyLabelOpt = Annotated[
    str, typer.Option("--admin-key-label", help="pkcs11: the admin key pair's label")
]
AdminPinOpt = Annotated[
    str | None,
    typer.Option("--admin-pin", envvar="LEDGER_ADMIN_PIN", help="The admin token's PIN"),
]
AdminIdReaderOpt = Annotated[
    str | None,
    typer.Option(
        "--admin-id-reader",
        help="The reader holding the admin's Thai ID card, for the card-presence check",
    ),
]


@dataclass(frozen=True)
class TokenSpec:
    """Which token, and how to reach it, as the options said."""

    kind: TokenKind
    whose: str  # "operator" or "admin", for prompts and messages
    key_file: Path | None = None
    reader: str | None = None
    pkcs11_module: Path | None = None
    token_label: str | None = None
    key_label: str = DEFAULT_KEY_LABEL
    pin: str | None = None
    admin_pin: str | None = None
    timeout: float = DEFAULT_TIMEOUT


def token_spec(
    whose: str,
    key: Path | None,
    token: TokenKind,
    token_reader: str | None,
    pkcs11_module: Path | None,
    token_label: str | None,
    key_label: str,
    pin: str | None,
    card_timeout: float,
    admin_pin: str | None = None,
) -> TokenSpec:
    """The token the options name, read the same way by every command that signs (``ledger
    submit``, ``person erase``, ``session token``, ``operator enrol``, the admin's options)."""
    return TokenSpec(
        kind=token,
        whose=whose,
        key_file=key,
        reader=token_reader,
        pkcs11_module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        pin=pin,
        admin_pin=admin_pin,
        timeout=card_timeout,
    )


class Token(Protocol):
    """An open token: it can say where its key lives, make a new key, and sign."""

    def key_storage(self) -> KeyStorage: ...

    def generate(self) -> Signer:
        """Make a new key on the token and return its signer."""
        ...

    def signer(self) -> Signer:
        """The signer of the key already on the token."""
        ...


class SoftwareToken:
    def __init__(self, path: Path) -> None:
        self.path = path

    def key_storage(self) -> KeyStorage:
        return KeyStorage(kind="software")

    def generate(self) -> Signer:
        return load_or_create_key(self.path)

    def signer(self) -> Signer:
        return load_key(self.path)


class OpenPgpToken:
    def __init__(self, card: OpenPgpCard, spec: TokenSpec) -> None:
        self.card = card
        self.spec = spec

    def key_storage(self) -> KeyStorage:
        return self.card.key_storage()

    def generate(self) -> Signer:
        admin_pin = self.spec.admin_pin or _prompt(
            f"{self.spec.whose}'s card admin PIN (PW3)", "--token-admin-pin"
        )
        self.card.generate_key(admin_pin)
        return self.signer()

    def signer(self) -> Signer:
        return OpenPgpCardSigner(self.card, self.spec.pin or _prompt(self.spec.whose + "'s PIN"))


class Pkcs11TokenAdapter:
    def __init__(self, token: Pkcs11Token, spec: TokenSpec) -> None:
        self.token = token
        self.spec = spec

    def key_storage(self) -> KeyStorage:
        return self.token.key_storage()

    def generate(self) -> Signer:
        self.token.generate_key(self.spec.key_label)
        return self.signer()

    def signer(self) -> Signer:
        return self.token.signer(self.spec.key_label)


def _prompt(what: str, option: str = "--pin") -> str:
    if not sys.stdin.isatty():
        fail(f"the {what} is needed: give {option} (or its environment variable)")
    answer: str = typer.prompt(what[:1].upper() + what[1:], hide_input=True)
    return answer


@contextmanager
def open_token(spec: TokenSpec) -> Iterator[Token]:
    """Open the token the spec names; close it afterwards. ``CardError`` exits with its message."""
    try:
        if spec.kind is TokenKind.SOFTWARE:
            if spec.key_file is None:
                fail(f"a software token needs the {spec.whose}'s key file")
            yield SoftwareToken(spec.key_file)
        elif spec.kind is TokenKind.OPENPGP_CARD:
            if spec.reader is None:
                fail(f"an openpgp-card token needs the {spec.whose}'s card reader")
            with open_signing_card(spec.reader, timeout=spec.timeout) as transport:
                yield OpenPgpToken(OpenPgpCard(transport), spec)
        else:
            if spec.pkcs11_module is None:
                fail("a pkcs11 token needs its module: give --pkcs11-module")
            pin = spec.pin or _prompt(spec.whose + "'s PIN")
            with Pkcs11Token(spec.pkcs11_module, token_label=spec.token_label, pin=pin) as token:
                yield Pkcs11TokenAdapter(token, spec)
    except CardError as error:
        fail(str(error))


def with_presence(
    signer: Signer, *, id_reader: str | None, enrolled_cid: str, required: bool, timeout: float
) -> Signer:
    """Wrap ``signer`` in the card-presence check when a reader is given (or required)."""
    if id_reader is None:
        if required:
            fail(
                "this deployment requires the enrolled ID card in a reader while signing "
                "(LEDGER_REQUIRE_CARD_PRESENCE): give the ID card's reader"
            )
        return signer
    return PresenceCheckedSigner(
        signer,
        read_cid=lambda: read_citizen_id(id_reader, timeout=timeout),
        enrolled_cid=enrolled_cid,
        reader=id_reader,
    )


@dataclass(frozen=True)
class Admin:
    """The admin who signs a registry event, as the ``--admin-*`` options name them."""

    token: TokenSpec
    cid: str | None  # --admin-cid: needed only when their key is not enrolled in this ledger
    id_reader: str | None  # the reader holding their ID card, for the presence check


def admin_from_options(
    *,
    key: Path | None,
    cid: str | None,
    token: TokenKind | None,
    reader: str | None,
    module: Path | None,
    token_label: str | None,
    key_label: str,
    pin: str | None,
    id_reader: str | None,
    timeout: float,
) -> Admin | None:
    """The admin from the ``--admin-*`` options, or None when they name no token."""
    if token is None and key is None:
        return None
    kind = token or TokenKind.SOFTWARE
    if kind is TokenKind.SOFTWARE and key is None:
        fail("--admin-token software needs --admin-key FILE")
    spec = token_spec("admin", key, kind, reader, module, token_label, key_label, pin, timeout)
    return Admin(spec, cid, id_reader)
