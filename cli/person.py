"""``ledger person erase RECORD_ID --legal-basis ... --reason ...``: erase a person (PDPA);
``ledger person disclose RECORD_ID PATH --event N --server URL``: prove one field to a third
party (its disclosure file, checked offline with ``ledger audit check-disclosure``).

Signs a ``PersonErased`` statement on the person's record with the officer's key (the LAO's HR
officer, or the DLA administrator) and sends it, like ``ledger submit``; once the ledger has
appended it, the ledger destroys the person's vault key (``ledger.erasure``). Nothing is
destroyed when the ledger refuses it. The values of the person's v2 statements become
unreadable for good, in backups too; every signature, chain and proof still verifies
(docs/personal-data.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from uuid import UUID

import httpx
import typer

from cli.api_client import LedgerClient, ServerError
from cli.options import check_cid
from cli.runtime import DatabaseUrl, LedgerName, err, fail
from cli.submit import ServerOpt, sign_and_send
from cli.token_options import Signing, with_token_options
from cli.tokens import open_token
from ledger.drafting.prepare import DraftError, prepare_data
from ledger.erasure import ERASURE

person_app = typer.Typer(
    help="A person's personal data: erasure on request (PDPA), one field proven to a third party."
)


@person_app.command("erase")
@with_token_options("signer", id_reader=True)
def erase(
    record: Annotated[str, typer.Argument(help="The person's record id (its stream UUID)")],
    legal_basis: Annotated[
        str,
        typer.Option(
            "--legal-basis", help="The law, its section and the request, e.g. พ.ร.บ.... มาตรา ๓๓"
        ),
    ],
    reason: Annotated[str, typer.Option(help="Why the person's data is erased now")],
    cid: Annotated[str, typer.Option(help="The signer's citizen ID")],
    signing: Signing,
    server: ServerOpt = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Sign a PersonErased statement on the record and send it; print the receipt. Once it is
    appended the ledger destroys the person's key: their personal values are gone for good."""
    try:
        stream = UUID(record)
    except ValueError:
        fail(f"ไม่ใช่รหัสระเบียน (UUID) / not a record id: {record}")
    check_cid(cid)
    data = {"legal_basis": legal_basis, "reason": reason}
    try:
        prepared = prepare_data(ERASURE, data, None)
    except DraftError as error:
        fail(str(error))
    body = {"stream": str(stream), "type": ERASURE, "data": prepared}
    sign_and_send(body, stream, None, cid, signing, server, database_url, name)


@person_app.command("disclose")
@with_token_options("reader")
def disclose(
    record: Annotated[str, typer.Argument(help="The person's record id (its stream UUID)")],
    path: Annotated[str, typer.Argument(help="The personal field's path: cid, first_name...")],
    event: Annotated[int, typer.Option(min=1, help="The event's version in the record")],
    server: Annotated[str, typer.Option(help="The ledger's API, e.g. http://127.0.0.1:8000")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the file here (default: print)")
    ] = None,
    *,
    signing: Signing,
) -> None:
    """Export one personal field of one v2 event of a record as a disclosure file: the signed
    statement with the field's value and salt. The API checks that the reader's roles read the
    field, and logs the export in the record's access log."""
    try:
        stream = UUID(record)
    except ValueError:
        fail(f"ไม่ใช่รหัสระเบียน (UUID) / not a record id: {record}")
    with open_token(signing.spec) as opened, LedgerClient(server) as client:
        try:
            client.open_session(opened.signer())
            document = client.disclosure(stream, event, path)
        except ServerError as error:
            fail(str(error))
        except httpx.HTTPError as error:
            fail(f"cannot reach the ledger's API at {server}: {type(error).__name__}: {error}")
    text = json.dumps(document, ensure_ascii=False, sort_keys=True)
    if output is None:
        typer.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        err.print(f"เขียนแฟ้มการเปิดเผยแล้ว / disclosure written: {output}", highlight=False)


__all__ = ["person_app"]
