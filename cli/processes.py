"""``ledger process ...``: run the ledger's server-side processes, signed by its system key.

Each process is idempotent (running it twice adds nothing), so a scheduler may run them daily.
The system key here is a software key file (development); production keeps it on a token.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cli.options import load_key, read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, open_ledger, out
from ledger.application import Ledger
from ledger.domain.dates import thai_today
from ledger.processes import (
    ProcessReport,
    invalidate_stale_certifications,
    mark_overdue_cycles,
    schedule_retirements,
)
from ledger.settings import LedgerSettings
from ledger.signing import Signer

process_app = typer.Typer(
    help="Run server-side processes (retirement round, certification checks), signed by the "
    "system key.",
    no_args_is_help=True,
)

SystemKey = Annotated[Path, typer.Option(help="The system key file written by `ledger init`")]
Today = Annotated[str | None, typer.Option(help="The day to act as of (ISO or BE, default: today)")]


def _run(
    process: Callable[[Ledger, Signer], ProcessReport],
    system_key: Path,
    settings: LedgerSettings,
    what: str,
) -> None:
    """Run one process on the ledger with the system key; print what it signed and skipped.
    A refusal of the whole run (a v2 record read with no vault: ``personal.vault_needed``) is
    its catalogued message, exit 1 (``open_ledger``)."""
    with open_ledger(settings) as ledger:
        report = process(ledger, load_key(system_key))
    out.print(f"{report.emitted} {what} signed by the system key")
    for stream, reason in report.skipped:
        out.print(f"  skipped {stream}: {reason}", highlight=False)


@process_app.command("retirements")
def retirements(
    fiscal_year: Annotated[int, typer.Option(help="Buddhist-era fiscal year, e.g. 2563")],
    system_key: SystemKey,
    today: Today = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Emit RetirementScheduled for everyone due to retire at the end of the fiscal year."""
    _run(
        lambda ledger, key: schedule_retirements(ledger, key, fiscal_year, today=read_date(today)),
        system_key,
        build_settings(database_url, name),
        "RetirementScheduled",
    )


@process_app.command("certifications")
def certifications(
    system_key: SystemKey,
    today: Today = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Invalidate each LAO certification whose records changed since it was certified."""
    _run(
        lambda ledger, key: invalidate_stale_certifications(ledger, key, today=read_date(today)),
        system_key,
        build_settings(database_url, name),
        "CertificationInvalidated",
    )


@process_app.command("overdue")
def overdue(
    system_key: SystemKey,
    today: Today = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Mark each certification cycle whose deadline passed undone as overdue."""
    _run(
        lambda ledger, key: mark_overdue_cycles(ledger, key, read_date(today) or thai_today()),
        system_key,
        build_settings(database_url, name),
        "CycleOverdue",
    )
