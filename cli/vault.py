"""``ledger vault reindex`` and ``ledger vault move-to-shards``.

``reindex`` writes the search index of citizen IDs again, under a fresh key.

The vault indexes each v2 record owner's citizen ID as it keeps it (``ledger.vault_search``).
This command writes the whole index again from the registry's v2 records (their citizen IDs'
commitments; the values are read from the vault, never printed) under a new search key, then
drops the old rows and destroys the old key. Run it after erasures: a database backup taken
before them then holds buckets under a key that no longer exists, which say nothing of anyone.
Run it too when the index was lost, or for records kept before the index existed.

``move-to-shards`` moves the people a token holds a KEK each for into the sharded store
(``ledger.vault_moves``): it prints counts only, never a record or a person.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.runtime import (
    DatabaseUrl,
    LedgerName,
    build_settings,
    err,
    fail,
    fail_on,
    open_ledger,
    out,
)
from ledger.errors import LedgerError
from ledger.vault import Vault, open_vault
from ledger.vault_moves import BATCH, MOVE_NEEDS_SHARDS, Moved, VaultMoveError, move_to_shards
from ledger.vault_search import BUCKET_BITS
from projections.reports.facade import Reports
from projections.views.catalogue import Projections

vault_app = typer.Typer(
    help="The personal-data vault: the search index of citizen IDs, moving keys into shards.",
    no_args_is_help=True,
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


@vault_app.command("move-to-shards")
def move(
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    batch: Annotated[
        int, typer.Option(min=1, max=1000, help="People moved in one transaction")
    ] = BATCH,
) -> None:
    """Move the people whose data keys the token holds a KEK each for into the sharded store
    (LEDGER_VAULT_KEY_DB), and destroy those KEKs. Safe to stop and run again."""
    settings = build_settings(database_url, name)
    with fail_on(LedgerError, ValueError):
        vault = open_vault(settings)
    if vault is None:
        fail(str(VaultMoveError(MOVE_NEEDS_SHARDS)))
    try:
        done = move_to_shards(vault, batch=batch, progress=_progress)
    except LedgerError as error:
        fail(str(error))
    except Exception as error:  # a token or database lost midway: the next run resumes
        fail(
            "การย้ายหยุดกลางคัน ทุกคนยังอ่านได้ สั่งอีกครั้งเพื่อย้ายต่อ / the move stopped "
            f"midway (everyone still reads): run it again to go on ({type(error).__name__})"
        )
    finally:
        vault.close()
    erased = done.unreadable + done.erased
    out.print(
        f"ย้ายกุญแจเข้าชาร์ดแล้ว {done.moved} คน, อยู่ในชาร์ดอยู่แล้ว {done.already} คน, "
        f"ถูกลบแล้ว (ไม่ย้าย) {erased} คน, ทำลายกุญแจรายบุคคลที่ค้างจากครั้งก่อน {done.leftover} ดอก"
        f" / moved into the shards: {done.moved}, already there: {done.already}, erased (not "
        f"moved): {erased}, per-person keys left by an earlier run destroyed: {done.leftover}",
        highlight=False,
        soft_wrap=True,
    )


def _progress(done: Moved, people: int) -> None:
    err.print(
        f"ย้ายแล้ว {done.people} จาก {people} คน / {done.people} of {people} people done",
        highlight=False,
        soft_wrap=True,
    )
