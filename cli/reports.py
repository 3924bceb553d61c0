"""``ledger report NAME``: every report of the views as a file, CSV, XLSX or an HTML page.

Each command is one call of the reports (``projections.reports.facade``) and its drawing
(``projections.reports.render``), in Thai unless ``--lang en``; ``--lao`` and ``--province``
narrow what it reads. ``eplan-status`` draws the e-Plan status table in the Tak letter's
layout. The views are brought up to date first (``--no-catch-up`` reads them as they are).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from cli.options import read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out
from projections.reports.facade import Reports
from projections.reports.labels import Lang
from projections.reports.render import Format, render
from projections.reports.scope import ReadScope
from projections.views.catalogue import Projections

report_app = typer.Typer(help="Reports from the views, as CSV, XLSX or HTML files.")


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"


FormatOption = Annotated[ReportFormat, typer.Option(help="csv, xlsx or html")]
LangOption = Annotated[Lang, typer.Option(help="th (default) or en")]
Output = Annotated[Path | None, typer.Option(help="Write here instead of standard output")]
CatchUp = Annotated[
    bool, typer.Option("--catch-up/--no-catch-up", help="Bring the views up to date first")
]
Lao = Annotated[str | None, typer.Option(help="Only this LAO (7-digit DLA code)")]
Province = Annotated[str | None, typer.Option(help="Only this province, e.g. ตาก")]
Year = Annotated[int | None, typer.Option(min=2400, max=2700, help="Buddhist-era fiscal year")]
Cycle = Annotated[str | None, typer.Option(help="A certification cycle (default: latest)")]
Build = Callable[[Reports, ReadScope], Any]


def draw(
    build: Build,
    fmt: ReportFormat,
    lang: Lang,
    output: Path | None,
    catch_up: bool,
    database_url: str | None,
    name: str | None,
    lao: str | None = None,
    province: str | None = None,
) -> None:
    """Open the views, read the report in the scope, draw it, write it out."""
    if output is None and fmt is ReportFormat.XLSX and sys.stdout.isatty():
        fail("an XLSX file is not for the terminal: give --output FILE, or redirect (> FILE)")
    with (
        open_ledger(build_settings(database_url, name)) as ledger,
        Projections.open(ledger) as views,
    ):
        if catch_up:
            views.catch_up()
        report = build(Reports(views), ReadScope(lao=lao, province=province))
    rendered = render(report, Format(fmt.value), lang)
    if output is None:
        sys.stdout.buffer.write(rendered.content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(rendered.content)
    out.print(f"{report.name} written to {output}")


def _scoped(command: str, help_text: str, build: Build) -> None:
    """A report command reading one scope, with the options every report has."""

    def run(
        lao: Lao = None,
        province: Province = None,
        format: FormatOption = ReportFormat.CSV,
        lang: LangOption = Lang.TH,
        output: Output = None,
        catch_up: CatchUp = True,
        database_url: DatabaseUrl = None,
        name: LedgerName = None,
    ) -> None:
        draw(build, format, lang, output, catch_up, database_url, name, lao, province)

    run.__doc__ = help_text
    report_app.command(command)(run)


_scoped("registry", "ทะเบียนประวัติ: personnel records now.", lambda r, s: r.registry(s))
_scoped(
    "positions", "Positions of the frame with their status and holder.", lambda r, s: r.positions(s)
)
_scoped(
    "occupancy",
    "Per LAO: the frame, occupied, vacant, frozen and abolished positions.",
    lambda r, s: r.occupancy(s),
)
_scoped(
    "organizations",
    "LAOs with their type, district and open units.",
    lambda r, s: r.organizations(s),
)
_scoped(
    "kpi", "Completeness KPI per LAO (latest cycle) and the LPA 2.9 score.", lambda r, s: r.kpi(s)
)
_scoped("certification", "Each LAO's certification cycles.", lambda r, s: r.certification(s))
_scoped(
    "record-certification",
    "Each record's certification state.",
    lambda r, s: r.record_certification(s),
)


@report_app.command("overdue")
def overdue_report(
    lao: Lao = None,
    province: Province = None,
    as_of: Annotated[
        str | None, typer.Option(help="Overdue on this day (ISO or BE, default: today)")
    ] = None,
    cycle: Cycle = None,
    format: FormatOption = ReportFormat.CSV,
    lang: LangOption = Lang.TH,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Certification stages whose deadline passed with the work undone."""
    day = read_date(as_of)
    draw(
        lambda r, s: r.overdue(s, day, cycle),
        format,
        lang,
        output,
        catch_up,
        database_url,
        name,
        lao,
        province,
    )


@report_app.command("retirements")
def retirements_report(
    lao: Lao = None,
    province: Province = None,
    first_year: Year = None,
    last_year: Year = None,
    format: FormatOption = ReportFormat.CSV,
    lang: LangOption = Lang.TH,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Upcoming retirements by fiscal year, LAO and line (default: the next five years)."""
    draw(
        lambda r, s: r.retirements(s, first_year, last_year),
        format,
        lang,
        output,
        catch_up,
        database_url,
        name,
        lao,
        province,
    )


@report_app.command("section35")
def section35_report(
    fiscal_year: Annotated[int, typer.Option(min=2400, max=2700, help="Buddhist-era fiscal year")],
    lao: Lao = None,
    province: Province = None,
    format: FormatOption = ReportFormat.CSV,
    lang: LangOption = Lang.TH,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Personnel cost over the annual expenditure budget per LAO (Section 35, 40%)."""
    draw(
        lambda r, s: r.section35(s, fiscal_year),
        format,
        lang,
        output,
        catch_up,
        database_url,
        name,
        lao,
        province,
    )


@report_app.command("leave")
def leave_report(
    lao: Lao = None,
    province: Province = None,
    year: Year = None,
    format: FormatOption = ReportFormat.CSV,
    lang: LangOption = Lang.TH,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Per record and fiscal year: leave taken by type and the ก.พ.๗ leave line."""
    draw(
        lambda r, s: r.leave(s, year),
        format,
        lang,
        output,
        catch_up,
        database_url,
        name,
        lao,
        province,
    )


@report_app.command("audit")
def audit_report(
    stream: Annotated[UUID, typer.Argument(help="The record's stream ID")],
    format: FormatOption = ReportFormat.CSV,
    lang: LangOption = Lang.TH,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """The audit trail of one stream: every event, its signer and its checked signature."""
    draw(lambda r, s: r.audit_trail(stream), format, lang, output, catch_up, database_url, name)


@report_app.command("eplan-status")
def eplan_status_report(
    province: Annotated[str, typer.Option(help="The province, e.g. ตาก")],
    fiscal_year: Annotated[
        int, typer.Option(min=2400, max=2700, help="Buddhist-era fiscal year, e.g. 2560")
    ],
    format: FormatOption = ReportFormat.CSV,
    as_of: Annotated[
        str | None,
        typer.Option(help="Data as of this date (valid time; ISO or BE, default: today)"),
    ] = None,
    output: Output = None,
    catch_up: CatchUp = True,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """The e-Plan status table (รายงานสถานะการทำงานของแต่ละอปท.) of a province and year."""
    day = read_date(as_of)
    draw(
        lambda r, s: r.eplan_status(province, fiscal_year, day),
        format,
        Lang.TH,
        output,
        catch_up,
        database_url,
        name,
    )
