"""``ledger init``: create a ledger, its genesis enrolling the system key and the first admin.

The system key (a software key file here; keep it offline) signs the genesis and the first
admin's enrolment; its public key is the trust anchor that auditors and Kafka consumers pin, so
``init`` prints it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.options import check_cid, load_or_create_key
from cli.runtime import DatabaseUrl, LedgerName, build_settings, open_ledger, out
from ledger.domain.operators import KeyStorage
from ledger.genesis import initialise


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
    settings = build_settings(database_url, name, existing=False)
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
