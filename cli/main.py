"""The ``ledger`` command: create a ledger, manage operators, submit statements, serve, demo.

Configuration comes from ``LEDGER_*`` environment variables (see ``ledger.settings``), and
``--database-url`` overrides the database for one call. Errors print their message and exit 1;
no citizen ID or name is ever printed to logs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.console import Console

from cli import demo as demo_module
from cli.options import check_cid, load_key, load_or_create_key, parse_roles, parse_scope, read_date
from cli.serve import serve_api
from cli.submit import submit_draft
from ledger.application import Ledger
from ledger.domain.operators import KeyStorage
from ledger.errors import LedgerError
from ledger.genesis import compose, enrolment_data, initialise
from ledger.settings import LedgerSettings
from ledger.statement import key_id_of

app = typer.Typer(
    name="ledger",
    help="A signed, event-sourced ledger for Thai local-government records (ก.พ.๗, e-Plan).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
operator_app = typer.Typer(help="Enrol and revoke operators' signing keys.", no_args_is_help=True)
app.add_typer(operator_app, name="operator")

out = Console()
err = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="postgresql://... or sqlite:///path (default: LEDGER_DATABASE_URL)"),
]
LedgerName = Annotated[str | None, typer.Option(help="The ledger's name (default: LEDGER_NAME)")]


def fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(1)


def build_settings(database_url: str | None, name: str | None = None) -> LedgerSettings:
    overrides: dict[str, Any] = {}
    if database_url is not None:
        overrides["database_url"] = database_url
    if name is not None:
        overrides["name"] = name
    try:
        return LedgerSettings(**overrides)
    except ValidationError as error:
        fail(f"configuration: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}")


@contextmanager
def open_ledger(settings: LedgerSettings) -> Iterator[Ledger]:
    try:
        ledger = Ledger(settings)
    except Exception as error:  # the library raises driver errors on connection problems
        fail(f"cannot open the ledger database: {type(error).__name__}: {error}")
    try:
        yield ledger
    except LedgerError as error:
        fail(str(error))
    finally:
        ledger.close()


@app.command()
def init(
    system_key: Annotated[
        Path, typer.Option(help="The system key file (created if missing; keep it offline)")
    ],
    admin_cid: Annotated[str, typer.Option(help="Citizen ID of the first DLA admin")],
    admin_key: Annotated[
        Path, typer.Option(help="The first admin's key file (created if missing)")
    ],
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Create a ledger: the genesis enrols the system key, which then enrols the first admin."""
    check_cid(admin_cid)
    settings = build_settings(database_url, name)
    system = load_or_create_key(system_key)
    admin = load_or_create_key(admin_key)
    with open_ledger(settings) as ledger:
        receipts = initialise(
            ledger,
            system_signer=system,
            system_storage=KeyStorage(kind="software"),
            admin_cid=admin_cid,
            admin_public_key=admin.public_key,
            admin_storage=KeyStorage(kind="software"),
        )
    out.print(f"ledger [bold]{settings.name}[/bold] initialised ({len(receipts)} events)")
    out.print("trust anchor (the system key; auditors pin this):")
    out.print(f"  key id     {system.key_id}")
    out.print(f"  public key {system.public_key.hex()}")
    out.print(f"first admin enrolled with key {admin.key_id}")


@operator_app.command("enrol")
def operator_enrol(
    admin_key: Annotated[Path, typer.Option(help="The enrolling admin's key file")],
    admin_cid: Annotated[str, typer.Option(help="The enrolling admin's citizen ID")],
    cid: Annotated[str, typer.Option(help="The new operator's citizen ID")],
    role: Annotated[list[str], typer.Option(help="A role (repeat for several)")],
    scope: Annotated[
        str, typer.Option(help="national | province:<name> | lao:<province>:<DLA code>")
    ],
    key: Annotated[
        Path | None, typer.Option(help="The operator's key file (created if missing)")
    ] = None,
    public_key: Annotated[
        str | None, typer.Option(help="The operator's public key (hex), if the key is elsewhere")
    ] = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Enrol an operator's key with roles and a scope, signed by an admin."""
    check_cid(cid)
    roles = parse_roles(role)
    target = parse_scope(scope)
    if (key is None) == (public_key is None):
        raise typer.BadParameter("give exactly one of --key or --public-key")
    if key is not None:
        raw = load_or_create_key(key).public_key
    else:
        try:
            raw = bytes.fromhex(public_key or "")
        except ValueError:
            raise typer.BadParameter("--public-key is not hex") from None
        if len(raw) != 32:
            raise typer.BadParameter("--public-key must be 32 bytes (64 hex characters)")
    admin = load_key(admin_key)
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger:
        signed = compose(
            ledger,
            stream=ledger.registry_id,
            type="OperatorEnrolled",
            data=enrolment_data(
                cid=cid,
                public_key=raw,
                roles=roles,
                scope=target,
                storage=KeyStorage(kind="software"),
            ),
            signer=admin,
            cid=check_cid(admin_cid),
        )
        receipt = ledger.submit(signed.canonical, signed.signature)
    out.print(f"enrolled key {key_id_of(raw)} (notification {receipt.notification_id})")


@operator_app.command("revoke")
def operator_revoke(
    admin_key: Annotated[Path, typer.Option(help="The revoking admin's key file")],
    admin_cid: Annotated[str, typer.Option(help="The revoking admin's citizen ID")],
    key_id: Annotated[str, typer.Option(help="The key id to revoke")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the ledger)")],
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Revoke a key: it signs nothing new; what it signed before stays valid."""
    admin = load_key(admin_key)
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger:
        signed = compose(
            ledger,
            stream=ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": key_id, "reason": reason},
            signer=admin,
            cid=check_cid(admin_cid),
        )
        receipt = ledger.submit(signed.canonical, signed.signature)
    out.print(f"revoked key {key_id} (notification {receipt.notification_id})")


@app.command()
def submit(
    draft: Annotated[Path, typer.Argument(help="A statement draft: JSON with stream, type, data")],
    key: Annotated[Path, typer.Option(help="The signing key file")],
    cid: Annotated[str, typer.Option(help="The signer's citizen ID")],
    server: Annotated[
        str | None, typer.Option(help="Send to this API (http://host:port) instead of a database")
    ] = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Sign a statement draft with a key file and send it to the ledger; print the receipt.

    The draft names ``stream`` (a UUID), ``type`` and ``data``, optionally ``effective``
    (ISO or Buddhist-era date) and ``expected_version``/``prev_hash`` (read from the ledger's
    current head when absent).
    """
    try:
        text = draft.read_text(encoding="utf-8")
        body = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"cannot read draft {draft}: {error}")
    signer = load_key(key)
    check_cid(cid)
    if not isinstance(body, dict) or not {"stream", "type", "data"} <= body.keys():
        fail(f"draft {draft} must be a JSON object with stream, type and data")
    try:
        stream = UUID(str(body["stream"]))
    except ValueError:
        fail(f"draft {draft}: stream is not a UUID")
    effective = read_date(body.get("effective"))
    settings = None if server else build_settings(database_url, name)
    try:
        receipt = submit_draft(
            body=body,
            stream=stream,
            effective=effective,
            signer=signer,
            cid=cid,
            server=server,
            settings=settings,
        )
    except LedgerError as error:
        fail(str(error))
    out.print_json(json.dumps(receipt))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Serve the HTTP API over the configured ledger."""
    settings = build_settings(database_url, name)
    serve_api(settings, host=host, port=port)


@app.command()
def demo(
    database_url: DatabaseUrl = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo data and exit")
    ] = False,
    keys_dir: Annotated[
        Path, typer.Option(help="Where the demo operators' key files are written")
    ] = Path("var/demo-keys"),
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Load demo operators and signed events (made-up people), then serve the API.

    Without --database-url the demo uses its own SQLite file, var/demo.sqlite.
    """
    settings = build_settings(database_url or "sqlite:///var/demo.sqlite", "demo")
    with open_ledger(settings) as ledger:
        summary = demo_module.load(ledger, keys_dir)
    for line in summary:
        out.print(line)
    if not no_serve:
        serve_api(settings, host=host, port=port)


def main() -> None:  # pragma: no cover - console entry point
    app()
    sys.exit(0)
