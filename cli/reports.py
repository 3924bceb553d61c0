"""``ledger report ...``: reports from the views, as files.

``eplan-status`` draws the e-Plan status table of a province for a fiscal year in the Tak
letter's layout, as CSV, XLSX or HTML, to a file or to standard output. The views are brought
up to date first (``--no-catch-up`` reads them as they are).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.options import read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out
from projections.reports.facade import Reports
from projections.reports.render import Format, render
from projections.views.catalogue import Projections

report_app = typer.Typer(help="Reports from the views: the e-Plan status table.")


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


@report_app.command("eplan-status")
def eplan_status_report(
    province: Annotated[str, typer.Option(help="The province, e.g. ตาก")],
    fiscal_year: Annotated[
        int, typer.Option(min=2400, max=2700, help="Buddhist-era fiscal year, e.g. 2560")
    ],
    format: Annotated[ReportFormat, typer.Option(help="csv, xlsx or html")] = ReportFormat.CSV,
    as_of: Annotated[
        str | None,
        typer.Option(help="Data as of this date (valid time; ISO or BE, default: today)"),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output")
    ] = None,
    catch_up: Annotated[
        bool, typer.Option("--catch-up/--no-catch-up", help="Bring the views up to date first")
    ] = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """The e-Plan status table (รายงานสถานะการทำงานของแต่ละอปท.) of a province and year."""
    day = read_date(as_of)
    if output is None and format is ReportFormat.XLSX and sys.stdout.isatty():
        fail("an XLSX file is not for the terminal: give --output FILE, or redirect (> FILE)")
    with (
        open_ledger(build_settings(database_url, name)) as ledger,
        Projections.open(ledger) as views,
    ):
        if catch_up:
            views.catch_up()
        report = Reports(views).eplan_status(province, fiscal_year, day)
    rendered = render(report, Format(format.value))
    if output is None:
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(rendered.content)
    out.print(f"{len(report.rows)} LAOs of {province}, FY{fiscal_year}, written to {output}")
