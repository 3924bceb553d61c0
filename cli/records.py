"""``ledger record find``: people by citizen ID or name, from the registry view, as a Thai table.

The same search as ``GET /records`` (``ledger.domain.search``: Thai digits and dashes in a
citizen ID, its check digit checked; a name's prefix, tone marks, case and invisible characters
aside; the Thai order of names), read from the database like the other read commands: it is for
those who run the ledger. ``--person`` is the name searched for; ``--name`` is the ledger's, as
in every other command (``--ledger`` is still taken, unlisted, and with it ``--name`` keeps its old
meaning, the person, so old scripts run as they did). Over v2 records with no vault a
search is refused (``search.vault_needed``) rather than answering that no one is there.
Officers search over the API, where the read is limited to their share and written to each
person's access log.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out
from ledger.domain.search import SearchVaultNeededError, read_cid, read_name
from ledger.errors import LedgerError
from projections.reports.facade import Reports
from projections.reports.labels import Lang, code_label
from projections.reports.names import full_name
from projections.reports.scope import ReadScope
from projections.views.catalogue import Projections

record_app = typer.Typer(help="Personnel records: find them by citizen ID or name.")

NO_CRITERION_TEXT = (
    "ระบุ --cid หรือ --person (ชื่อหรือนามสกุล) ที่จะค้นหา; --name คือชื่อบัญชี (ledger) "
    "เหมือนคำสั่งอื่น\n"
    "give --cid or --person (a first or last name) to search for; --name names the ledger, "
    "as in every other command"
)
"""Why nothing was searched: ``--name`` was this command's person name before it named the
ledger, so an old ``--name สม`` lands here and is told what changed."""


@record_app.command("find")
def find(
    cid: Annotated[
        str | None, typer.Option(help="A citizen ID (Thai digits, dashes allowed)")
    ] = None,
    person: Annotated[
        str | None, typer.Option(help="A first or last name, or its beginning")
    ] = None,
    lao: Annotated[str | None, typer.Option(help="Only this LAO (7-digit DLA code)")] = None,
    province: Annotated[str | None, typer.Option(help="Only this province, e.g. ตาก")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    ledger: Annotated[  # before --name named the ledger; with it, --name is still the person
        str | None, typer.Option("--ledger", hidden=True, help="Old spelling of --name")
    ] = None,
) -> None:
    """People of the registry by citizen ID and/or name, in the Thai order of names."""
    if ledger is not None and person is None:  # the old spelling: --name was the person then
        name, person = ledger, name
    if cid is None and person is None:
        fail(NO_CRITERION_TEXT)
    try:
        wanted_cid = None if cid is None else read_cid(cid, "--cid")
        words = None if person is None else read_name(person, "--person")
    except LedgerError as error:
        fail(str(error))
    with (
        open_ledger(build_settings(database_url, name or ledger)) as opened,
        Projections.open(opened) as views,
    ):
        views.catch_up()
        try:
            page = Reports(views).find(
                ReadScope(lao=lao, province=province), cid=wanted_cid, name=words, size=limit
            )
        except SearchVaultNeededError as refused:
            broken = refused.violations[0]
            fail(f"{broken.th}\n{broken.en} [{broken.id}]")
    if as_json:
        out.print_json(json.dumps(page.as_json(), ensure_ascii=False))
        return
    # Lines, not a table: on a narrow terminal a table would cut the citizen ID and the record
    # id, which are what one pastes into the next command.
    for row in page.rows:
        full = full_name(row.prefix, row.first_name, row.last_name)
        facts = [
            f"เลขประจำตัวประชาชน {row.cid}",
            f"อปท. {row.lao}",
            code_label("employment", row.status, Lang.TH),
            row.position_title or "",
        ]
        out.print(full or "(ไม่มีชื่อในระเบียน)", highlight=False, soft_wrap=True)
        out.print("  " + " · ".join(filter(None, facts)), highlight=False, soft_wrap=True)
        out.print(f"  ระเบียน {row.stream}", highlight=False, soft_wrap=True)
    shown = f" (แสดง {len(page.rows)})" if page.total > len(page.rows) else ""
    out.print(f"พบ {page.total} คน{shown}")


__all__ = ["record_app"]
