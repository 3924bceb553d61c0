"""``ledger vault reindex``: write the search index of citizen IDs again, under a fresh key.

The vault indexes each v2 record owner's citizen ID as it keeps it (``ledger.vault_search``).
This command writes the whole index again from the registry's v2 records (their citizen IDs'
commitments; the values are read from the vault, never printed) under a new search key, then
drops the old rows and destroys the old key. Run it after erasures: a database backup taken
before them then holds buckets under a key that no longer exists, which say nothing of anyone.
Run it too when the index was lost, or for records kept before the index existed.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, open_ledger, out
from ledger.vault import Vault
from ledger.vault_search import BUCKET_BITS
from projections.reports.facade import Reports
from projections.views.catalogue import Projections

vault_app = typer.Typer(
    help="The personal-data vault: the search index of citizen IDs.", no_args_is_help=True
)


@vault_app.command("reindex")
def reindex(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    bits: Annotated[
        int, typer.Option(min=1, max=20, help="Bits of a bucket (about records / 2**bits each)")
    ] = BUCKET_BITS,
) -> None:
    """Write the citizen-ID search index again under a fresh search key, from the registry's
    v2 records, and destroy the old key (after erasures, or when the index was lost)."""
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger, Projections.open(ledger) as views:
        vault = ledger.vault
        if not isinstance(vault, Vault):
            fail(
                "ไม่มีคลังข้อมูลส่วนบุคคล / the ledger has no vault: set LEDGER_VAULT_KEY_DIR, "
                "or LEDGER_VAULT_PKCS11_MODULE with its token label and PIN"
            )
        views.catch_up()
        indexed = vault.reindex(Reports(views).committed_cids, bits=bits)
    out.print(
        f"จัดทำดัชนีค้นหาเลขประจำตัวประชาชนใหม่ {indexed} ระเบียน / "
        f"citizen-ID search index rebuilt: {indexed} records, a fresh search key",
        highlight=False,
    )
