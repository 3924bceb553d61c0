"""``ledger card``: read a Thai ID card, list readers, start virtual cards.

``ledger card read --json`` prints the card as one JSON object (the keys of
``card.thai_id.ThaiIdCard.to_json``); ``--photo FILE`` saves the JPEG. ``ledger card virtual
thai-id | signing`` plugs a virtual card into pcscd's vpcd reader and serves it until stopped:
for test machines and the demo only, since the vpcd port accepts any card from anyone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from card.pcsc import PcscContext
from card.readers import DEFAULT_TIMEOUT, is_virtual, read_id_card
from card.thai_id import ThaiIdCard
from card.virtual.signing import (
    DEFAULT_ADMIN_PIN,
    DEFAULT_PIN,
    VirtualSigningCard,
    load_or_create_state,
)
from card.virtual.thai_id import AtrVariant, VirtualThaiIdCard
from card.virtual.vpcd import DEFAULT_HOST, DEFAULT_PORT, VpcdCard
from cli.runtime import card_errors, fail, out

card_app = typer.Typer(
    help="Thai ID cards over PC/SC, and virtual cards for tests and the demo.",
    no_args_is_help=True,
)
virtual_app = typer.Typer(
    help="Insert a virtual card into pcscd's vpcd reader (test machines only).",
    no_args_is_help=True,
)
card_app.add_typer(virtual_app, name="virtual")


@card_app.command("readers")
def readers() -> None:
    """List the PC/SC readers and whether a card is in each."""
    with card_errors(), PcscContext() as context:
        names = context.readers()
        if not names:
            fail("no smart-card reader is connected")
        for name in names:
            state = "card present" if context.is_card_present(name) else "empty"
            out.print(f"{name}\t{state}", highlight=False)


def _reader_with_card() -> str:
    """The one reader holding a card, when --reader is not given."""
    with PcscContext() as context:
        names = context.readers()
        holding = [name for name in names if context.is_card_present(name)]
    if len(holding) == 1:
        return holding[0]
    listed = ", ".join(repr(name) for name in names) or "none"
    return fail(f"give --reader: {len(holding)} of the readers hold a card (readers: {listed})")


@card_app.command("read")
def read(
    reader: Annotated[
        str | None,
        typer.Option(
            help="The reader's name (or a part only it has), or virtual:PERSON.json "
            "(default: the one reader holding a card)"
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    photo: Annotated[Path | None, typer.Option(help="Save the card's photo (JPEG) here")] = None,
    no_photo: Annotated[
        bool, typer.Option("--no-photo", help="Skip the photo (about 5 KB, the slow part)")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for a card to be inserted")
    ] = DEFAULT_TIMEOUT,
) -> None:
    """Read every field of the Thai ID card: citizen ID, names, dates, address, laser code."""
    if photo is not None and no_photo:
        raise typer.BadParameter("--photo and --no-photo exclude each other")
    with card_errors():
        name = reader if reader is not None else _reader_with_card()
        card = read_id_card(name, photo=not no_photo, timeout=timeout)
    if photo is not None and card.photo is not None:
        photo.touch(mode=0o600, exist_ok=True)
        photo.write_bytes(card.photo)
    if as_json:
        typer.echo(json.dumps(card.to_json(), ensure_ascii=False))
    else:
        _print_card(card)


def _print_card(card: ThaiIdCard) -> None:
    def name(parts: dict[str, str]) -> str:
        return " ".join(part for part in parts.values() if part)

    data = card.to_json()
    rows = [
        ("citizen ID", card.cid),
        ("name (th)", name(data["name_th"])),
        ("name (en)", name(data["name_en"])),
        ("birth date", card.birth_date),
        ("gender", card.gender.value),
        ("issuer", card.issuer),
        ("issued", card.issue_date.isoformat()),
        ("expires", card.expiry_date.isoformat() if card.expiry_date else "lifetime"),
        ("address", name(data["address"])),
        ("laser code", card.laser_code or "(none)"),
        ("photo sha256", card.photo_sha256 or "(not read)"),
    ]
    for label, value in rows:
        out.print(f"{label:<13} {value}", highlight=False)


HostOpt = Annotated[str, typer.Option(help="Where pcscd's vpcd listens")]


@virtual_app.command("thai-id")
def virtual_thai_id(
    person: Annotated[Path, typer.Option(help="A made-up person file (see card/virtual/samples)")],
    host: HostOpt = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="vpcd's port (35963 is slot 00)")] = DEFAULT_PORT,
    atr: Annotated[
        AtrVariant, typer.Option(help="standard (TH NID), or 3b67 (GET RESPONSE with P2 = 01)")
    ] = AtrVariant.STANDARD,
) -> None:
    """Insert a virtual Thai ID card into vpcd and answer pcscd until stopped (Ctrl-C)."""
    if is_virtual(str(person)):
        raise typer.BadParameter("--person takes a file path")
    with card_errors():
        card = VirtualThaiIdCard.from_file(person, atr)
    _serve(VpcdCard(card, host=host, port=port), f"virtual Thai ID card ({atr.value} ATR)")


@virtual_app.command("signing")
def virtual_signing(
    state: Annotated[
        Path, typer.Option(help="The card's state file (PINs, counters, key); created if missing")
    ],
    host: HostOpt = DEFAULT_HOST,
    port: Annotated[int, typer.Option(help="vpcd's port (35964 is slot 01)")] = DEFAULT_PORT + 1,
    pin: Annotated[str, typer.Option(help="PIN of a new card")] = DEFAULT_PIN,
    admin_pin: Annotated[str, typer.Option(help="Admin PIN (PW3) of a new card")] = (
        DEFAULT_ADMIN_PIN
    ),
) -> None:
    """Insert a virtual OpenPGP-style signing card into vpcd and serve it until stopped."""
    with card_errors():
        card = VirtualSigningCard(load_or_create_state(state, pin=pin, admin_pin=admin_pin), state)
    _serve(VpcdCard(card, host=host, port=port), "virtual signing card")


def _serve(card: VpcdCard, what: str) -> None:
    out.print(
        f"{what} connecting to vpcd at {card.host}:{card.port}; Ctrl-C removes it",
        highlight=False,
    )
    try:
        card.run()
    except KeyboardInterrupt:
        out.print("removed", highlight=False)
