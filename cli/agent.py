"""``ledger agent``: the signing agent on the operator's PC (``agent/``), served on 127.0.0.1.

The operator starts it beside the card reader with what the administrator gave them: the web
application's request key (``--trust-key`` or ``--trust-key-file``: its Ed25519 *public* key,
64 hex characters) and the application's origin (``--origin``). The card is a PC/SC reader
(``--reader``) or, for the demo and tests, a virtual card kept in a state file
(``--virtual-card var/demo-keys/<name>.card.json``, no pcscd). ``--presence`` also requires
the enrolled citizen's ID card in a reader while signing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from agent.app import create_agent_app
from agent.config import (
    DEFAULT_PORT,
    HOST,
    AgentConfig,
    CardOpener,
    Presence,
    normalise_origin,
)
from card.readers import DEFAULT_TIMEOUT, open_signing_card, read_citizen_id
from cli.runtime import fail, out
from ledger.domain.rules import is_valid_cid

DEFAULT_ORIGIN = "http://127.0.0.1:8000"
PRESENCE_TIMEOUT = 2.0
"""Seconds to wait for the ID card when signing: the operator is looking at the page."""


def agent(
    trust_key: Annotated[
        list[str] | None,
        typer.Option(
            "--trust-key",
            help="The web application's request key (hex Ed25519 public key); repeatable",
        ),
    ] = None,
    trust_key_file: Annotated[
        list[Path] | None,
        typer.Option(help="A file of request keys, one hex public key a line ('#' comments)"),
    ] = None,
    origin: Annotated[
        list[str] | None,
        typer.Option(help=f"An origin allowed to ask for signatures (default {DEFAULT_ORIGIN})"),
    ] = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1")] = DEFAULT_PORT,
    virtual_card: Annotated[
        Path | None,
        typer.Option(help="A virtual signing card's state file (demo and tests; no pcscd)"),
    ] = None,
    reader: Annotated[
        str | None, typer.Option(help="The PC/SC reader holding the signing card")
    ] = None,
    presence: Annotated[
        bool, typer.Option(help="Sign only while the enrolled citizen's ID card is in a reader")
    ] = False,
    cid: Annotated[
        str | None, typer.Option(help="--presence: the enrolled operator's citizen ID")
    ] = None,
    id_card_reader: Annotated[
        str | None, typer.Option(help="--presence: the PC/SC reader holding the ID card")
    ] = None,
    virtual_id_card: Annotated[
        Path | None, typer.Option(help="--presence: a virtual ID card's person file (demo)")
    ] = None,
    card_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the signing card")
    ] = DEFAULT_TIMEOUT,
) -> None:
    """Run the signing agent: sign requests from the web application on the card, after
    showing what is signed and asking the PIN, on 127.0.0.1 only."""
    config = AgentConfig(
        trusted_keys=_trusted_keys(trust_key or [], trust_key_file or []),
        origins=tuple(_origins(origin or [DEFAULT_ORIGIN])),
        open_card=_card(virtual_card, reader, card_timeout),
        card_name=str(f"virtual:{virtual_card}" if virtual_card else reader),
        port=port,
        presence=_presence(presence, cid, id_card_reader, virtual_id_card),
    )
    _print_startup(config)
    uvicorn.run(
        create_agent_app(config), host=HOST, port=port, access_log=False, log_level="warning"
    )


def _trusted_keys(keys: list[str], files: list[Path]) -> tuple[bytes, ...]:
    texts = list(keys)
    for path in files:
        try:
            lines = path.read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            fail(f"trust key file {path}: {error}")
        texts += [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]
    if not texts:
        fail(
            "ต้องระบุกุญแจคำขอของระบบทะเบียนที่เชื่อถือ / give the web application's request "
            "key: --trust-key HEX or --trust-key-file PATH (ask the administrator)"
        )
    found = []
    for text in texts:
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != 32:
            fail(f"a request key is 64 hex characters (an Ed25519 public key), not {text!r}")
        found.append(key)
    return tuple(found)


def _origins(origins: list[str]) -> list[str]:
    try:
        return [normalise_origin(origin) for origin in origins]
    except ValueError as error:
        fail(str(error))


def _card(virtual_card: Path | None, reader: str | None, timeout: float) -> CardOpener:
    if (virtual_card is None) == (reader is None):
        fail(
            "ระบุบัตรลงนามอย่างใดอย่างหนึ่ง / give exactly one signing card: --reader NAME "
            "(PC/SC) or --virtual-card STATE.json (demo)"
        )
    if virtual_card is not None:
        if not virtual_card.is_file():
            fail(f"no virtual card state file {virtual_card} (ledger demo writes them)")
        name = f"virtual:{virtual_card}"
        return lambda: open_signing_card(name, timeout=timeout)
    assert reader is not None  # noqa: S101 (one of the two, checked above)
    return lambda: open_signing_card(reader, timeout=timeout)


def _presence(
    required: bool, cid: str | None, reader: str | None, virtual: Path | None
) -> Presence | None:
    if not required:
        if cid or reader or virtual:
            fail("--cid, --id-card-reader and --virtual-id-card go with --presence")
        return None
    if cid is None or not is_valid_cid(cid):
        fail("--presence needs --cid: the enrolled operator's 13-digit citizen ID")
    if (reader is None) == (virtual is None):
        fail("--presence needs one ID card reader: --id-card-reader NAME or --virtual-id-card FILE")
    name = reader if reader is not None else f"virtual:{virtual}"
    return Presence(
        read_cid=lambda: read_citizen_id(name, timeout=PRESENCE_TIMEOUT),
        enrolled_cid=cid,
        reader=name,
    )


def _print_startup(config: AgentConfig) -> None:
    """Thai first: where it listens, whom it trusts, which card signs."""
    lines = [
        f"ตัวลงนามรับคำขอที่ http://{HOST}:{config.port} (เครื่องนี้เท่านั้น) · "
        f"signing agent on http://{HOST}:{config.port} (this PC only)",
        "รับคำขอจากเว็บไซต์ · allowed origins: " + ", ".join(config.origins),
        "เชื่อถือกุญแจคำขอ · trusted request keys: "
        + ", ".join(
            f"{fingerprint} ({key.hex()})"
            for fingerprint, key in zip(config.key_fingerprints(), config.trusted_keys, strict=True)
        ),
        f"บัตรลงนาม · signing card: {config.card_name}",
    ]
    if config.presence is not None:
        lines.append(
            f"ต้องมีบัตรประชาชนของผู้ลงนามในเครื่องอ่าน · ID card required in: {config.presence.reader}"
        )
    lines.append("กด Ctrl-C เพื่อหยุด · Ctrl-C stops it")
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
