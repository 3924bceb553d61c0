"""The ``ledger`` command: the Typer app, wiring one module per command group.

``cli.genesis`` init; ``cli.enrolment`` operator (``cli.operators`` its list); ``cli.card``
card; ``cli.submit`` submit; ``cli.audit`` audit; ``cli.replay`` replay; ``cli.transparency``
transparency; ``cli.processes`` process; ``cli.projections`` project; ``cli.reports`` report;
``cli.certification`` certification; ``cli.kafka`` publish and consume; ``cli.drafting``
draft, correct and void; ``cli.demo.command`` demo; ``cli.agent`` agent (the signing
agent); ``serve`` is here, over ``cli.serve``. What they share: ``cli.runtime`` (settings,
opening the ledger, failing cleanly), ``cli.options`` (values that name domain things) and
``cli.tokens`` (signing tokens from options).

Configuration comes from ``LEDGER_*`` environment variables (see ``ledger.settings``), and
``--database-url`` overrides the database for one call. Errors print their message and exit 1;
no citizen ID or name is ever printed to logs.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli import agent as agent_module
from cli import card as card_module
from cli import drafting, enrolment, genesis
from cli import kafka as kafka_module
from cli import operators as operators_module
from cli import processes as processes_module
from cli import rules as rules_module
from cli import session as session_module
from cli import submit as submit_module
from cli.audit import audit_app
from cli.certification import certification_app
from cli.demo import command as demo_module
from cli.person import person_app
from cli.projections import project_app
from cli.records import record_app
from cli.replay import replay_app
from cli.reports import report_app
from cli.runtime import DatabaseUrl, LedgerName, build_settings
from cli.serve import serve_api
from cli.transparency import transparency_app
from cli.vault import vault_app

app = typer.Typer(
    name="ledger",
    help="A signed, event-sourced ledger for Thai local-government records (ก.พ.๗, e-Plan).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Serve the HTTP API over the configured ledger."""
    settings = build_settings(database_url, name, existing=False)
    serve_api(settings, host=host, port=port)


# Every command, in the order `ledger --help` lists them.
enrolment.operator_app.command("list")(operators_module.list_operators)
app.add_typer(enrolment.operator_app, name="operator")
app.add_typer(card_module.card_app, name="card")
app.add_typer(audit_app, name="audit")
app.add_typer(replay_app, name="replay")
app.add_typer(transparency_app, name="transparency")
app.add_typer(processes_module.process_app, name="process")
app.add_typer(project_app, name="project")
app.add_typer(report_app, name="report")
app.add_typer(record_app, name="record")
app.add_typer(person_app, name="person")
app.add_typer(vault_app, name="vault")
app.command("token")(session_module.token)
app.command("rules")(rules_module.rules)
app.add_typer(certification_app, name="certification")
app.command("publish")(kafka_module.publish)
app.command("consume")(kafka_module.consume)
app.command("init")(genesis.init)
app.command("draft")(drafting.draft)
app.command("correct")(drafting.correct)
app.command("void")(drafting.void)
app.command("submit")(submit_module.submit)
app.command("serve")(serve)
app.command("demo")(demo_module.demo)
app.command("agent")(agent_module.agent)

__all__ = ["app"]


def main() -> None:  # pragma: no cover - console entry point
    app()
    sys.exit(0)
