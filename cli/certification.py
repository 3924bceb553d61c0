"""``ledger certification ...``: what an LAO certifies.

``snapshot`` prints the LAO's snapshot at a log position (default: the log's end now): the
position, the Merkle root and the record count a ``LaoDataSubmitted`` names (docs/domain.md,
"The snapshot"); ``--records`` lists each covered record's stream, version and event hash, the
leaves an auditor recomputes the root from.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out

certification_app = typer.Typer(
    help="Certification: an LAO's snapshot (position, root, record count) to submit or check.",
    no_args_is_help=True,
)


@certification_app.command("snapshot")
def snapshot(
    lao: Annotated[str, typer.Option(help="The LAO's DLA code, e.g. 6480101")],
    position: Annotated[
        int | None, typer.Option(min=1, help="The log position (default: the log's end now)")
    ] = None,
    records: Annotated[
        bool, typer.Option("--records", help="List each covered record: stream, version, hash")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """The LAO's snapshot at a log position: what a submission for certification names."""
    with open_ledger(build_settings(database_url, name)) as ledger:
        found = ledger.snapshot(lao, position)
        end = ledger.lao_snapshots.log_end()
    if found is None:
        fail(f"position {position} is beyond the end of the log ({end})")
    leaves = [
        {"stream": str(leaf.stream), "version": leaf.version, "hash": leaf.hash}
        for leaf in found.leaves
    ]
    if json_output:
        summary = {
            "lao": found.lao,
            "position": found.position,
            "root": found.root,
            "record_count": found.record_count,
        }
        out.print_json(json.dumps(summary | ({"records": leaves} if records else {})))
        return
    out.print(f"LAO {found.lao} at position {found.position}", highlight=False)
    out.print(f"  root          {found.root}", highlight=False)
    out.print(f"  record count  {found.record_count}", highlight=False)
    for leaf in leaves if records else []:
        out.print(f"  {leaf['stream']}  v{leaf['version']:<4} {leaf['hash']}", highlight=False)
