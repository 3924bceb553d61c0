"""The ``ledger`` command: create a ledger, manage operators, submit statements, serve, demo.

Configuration comes from ``LEDGER_*`` environment variables (see ``ledger.settings``), and
``--database-url`` overrides the database for one call. Errors print their message and exit 1;
no citizen ID or name is ever printed to logs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from card.readers import DEFAULT_TIMEOUT
from cli import card as card_module
from cli import enrolment
from cli import kafka as kafka_module
from cli import processes as processes_module
from cli.audit import audit_app
from cli.demo import loader as demo_module
from cli.options import check_cid, load_or_create_key, read_date
from cli.projections import project_app
from cli.replay import replay_app
from cli.reports import report_app
from cli.runtime import DatabaseUrl, LedgerName, build_settings, err, fail, open_ledger, out
from cli.serve import serve_api
from cli.submit import submit_draft
from cli.tokens import (
    IdReaderOpt,
    KeyLabelOpt,
    PinOpt,
    Pkcs11ModuleOpt,
    TimeoutOpt,
    TokenKind,
    TokenLabelOpt,
    TokenOpt,
    TokenReaderOpt,
    TokenSpec,
    open_token,
    with_presence,
)
from cli.transparency import transparency_app
from ledger.domain.operators import KeyStorage
from ledger.errors import LedgerError
from ledger.genesis import initialise

app = typer.Typer(
    name="ledger",
    help="A signed, event-sourced ledger for Thai local-government records (ก.พ.๗, e-Plan).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(enrolment.operator_app, name="operator")
app.add_typer(card_module.card_app, name="card")
app.add_typer(audit_app, name="audit")
app.add_typer(replay_app, name="replay")
app.add_typer(transparency_app, name="transparency")
app.add_typer(processes_module.process_app, name="process")
app.add_typer(project_app, name="project")
app.add_typer(report_app, name="report")
app.command("publish")(kafka_module.publish)
app.command("consume")(kafka_module.consume)

__all__ = ["DatabaseUrl", "LedgerName", "app", "build_settings", "err", "fail", "open_ledger"]


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


@app.command()
def submit(
    draft: Annotated[Path, typer.Argument(help="A statement draft: JSON with stream, type, data")],
    cid: Annotated[str, typer.Option(help="The signer's citizen ID")],
    key: Annotated[Path | None, typer.Option(help="software: the signing key file")] = None,
    token: TokenOpt = TokenKind.SOFTWARE,
    token_reader: TokenReaderOpt = None,
    pkcs11_module: Pkcs11ModuleOpt = None,
    token_label: TokenLabelOpt = None,
    key_label: KeyLabelOpt = "ledger-signing",
    pin: PinOpt = None,
    id_reader: IdReaderOpt = None,
    card_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    server: Annotated[
        str | None, typer.Option(help="Send to this API (http://host:port) instead of a database")
    ] = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Sign a statement draft on the token (or with a key file) and send it; print the receipt.

    The draft names ``stream`` (a UUID), ``type`` and ``data``, optionally ``effective``
    (ISO or Buddhist-era date) and ``expected_version``/``prev_hash`` (read from the ledger's
    current head when absent). With --id-reader (required where LEDGER_REQUIRE_CARD_PRESENCE is
    set) the signer's ID card must be in that reader.
    """
    try:
        text = draft.read_text(encoding="utf-8")
        body = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"cannot read draft {draft}: {error}")
    check_cid(cid)
    if not isinstance(body, dict) or not {"stream", "type", "data"} <= body.keys():
        fail(f"draft {draft} must be a JSON object with stream, type and data")
    try:
        stream = UUID(str(body["stream"]))
    except ValueError:
        fail(f"draft {draft}: stream is not a UUID")
    effective = read_date(body.get("effective"))
    settings = build_settings(database_url, name)
    spec = TokenSpec(
        kind=token,
        whose="signer",
        key_file=key,
        reader=token_reader,
        pkcs11_module=pkcs11_module,
        token_label=token_label,
        key_label=key_label,
        pin=pin,
        timeout=card_timeout,
    )
    with open_token(spec) as opened:
        signer = with_presence(
            opened.signer(),
            id_reader=id_reader,
            enrolled_cid=cid,  # the ledger accepts the key only for the citizen it was enrolled for
            required=settings.require_card_presence,
            timeout=card_timeout,
        )
        try:
            receipt = submit_draft(
                body=body,
                stream=stream,
                effective=effective,
                signer=signer,
                cid=cid,
                server=server,
                settings=None if server else settings,
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
