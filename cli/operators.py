"""``ledger operator list``: the operator registry as a Thai table, read from the database.

One row per enrolled key, revoked ones too, oldest first: the key id, its roles (Thai names),
its scope, its status and the days it was enrolled and revoked (Buddhist era, Thai time). No
citizen ID is printed: the key id names the operator, and ``GET /operators`` shows the citizen
IDs to the roles that may read them, with the read logged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Column, Table

from cli.runtime import DatabaseUrl, LedgerName, build_settings, open_ledger, out
from ledger.domain.dates import THAILAND
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import NATIONAL
from ledger.domain.rules import format_buddhist_date
from projections.operators import STATUS_TH, operators_within, roles_th, status


def list_operators(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Every enrolled key: roles, scope, status, when enrolled and revoked."""
    with open_ledger(build_settings(database_url, name)) as ledger:
        found = operators_within(ledger, NATIONAL)
    if json_output:
        out.print_json(json.dumps([_as_json(item) for item in found], ensure_ascii=False))
        return
    # The key id is what `operator revoke --key-id` takes: never cut short.
    table = Table(
        Column("รหัสกุญแจ", min_width=16, no_wrap=True),
        "บทบาท",
        "ขอบเขต",
        "สถานะ",
        "ลงทะเบียน",
        "เพิกถอน",
    )
    for item in found:
        table.add_row(
            item.key_id,
            "\n".join(roles_th(item.roles)),
            item.scope.describe_th(),
            STATUS_TH[status(item)],
            _day(item.enrolled_at),
            _day(item.revoked_at),
        )
    out.print(table)


def _day(moment: datetime | None) -> str:
    return "-" if moment is None else format_buddhist_date(moment.astimezone(THAILAND).date())


def _as_json(item: Enrolment) -> dict[str, object]:
    return {
        "key_id": item.key_id,
        "roles": sorted(item.roles),
        "roles_th": roles_th(item.roles),
        "scope": item.scope.model_dump(mode="json", exclude_none=True),
        "scope_th": item.scope.describe_th(),
        "status": status(item),
        "enrolled_at": item.enrolled_at.isoformat(),
        "enrolled_by": item.enrolled_by,
        "revoked_at": item.revoked_at.isoformat() if item.revoked_at else None,
        "revoked_by": item.revoked_by,
    }


__all__ = ["list_operators"]
