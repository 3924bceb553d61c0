"""``ledger person erase RECORD_ID --legal-basis ... --reason ...``: erase a person (PDPA).

Signs a ``PersonErased`` statement on the person's record with the officer's key (the LAO's HR
officer, or the DLA administrator) and sends it, like ``ledger submit``; once the ledger has
appended it, the ledger destroys the person's vault key (``ledger.erasure``). Nothing is
destroyed when the ledger refuses it. The values of the person's v2 statements become
unreadable for good, in backups too; every signature, chain and proof still verifies
(docs/personal-data.md).
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from rich.markup import escape

from card.readers import DEFAULT_TIMEOUT
from cli.options import check_cid
from cli.runtime import DatabaseUrl, LedgerName, fail
from cli.submit import ServerOpt, sign_and_send
from cli.tokens import (
    IdReaderOpt,
    KeyFileOpt,
    KeyLabelOpt,
    PinOpt,
    Pkcs11ModuleOpt,
    TimeoutOpt,
    TokenKind,
    TokenLabelOpt,
    TokenOpt,
    TokenReaderOpt,
    token_spec,
)
from ledger.drafting.prepare import DraftError, prepare_data
from ledger.erasure import ERASURE

person_app = typer.Typer(help="A person's personal data: erasure on request (PDPA).")


@person_app.command("erase")
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
    key: KeyFileOpt = None,
    token: TokenOpt = TokenKind.SOFTWARE,
    token_reader: TokenReaderOpt = None,
    pkcs11_module: Pkcs11ModuleOpt = None,
    token_label: TokenLabelOpt = None,
    key_label: KeyLabelOpt = "ledger-signing",
    pin: PinOpt = None,
    id_reader: IdReaderOpt = None,
    card_timeout: TimeoutOpt = DEFAULT_TIMEOUT,
    server: ServerOpt = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Sign a PersonErased statement on the record and send it; print the receipt. Once it is
    appended the ledger destroys the person's key: their personal values are gone for good."""
    try:
        stream = UUID(record)
    except ValueError:
        fail(f"ไม่ใช่รหัสระเบียน (UUID) / not a record id: {escape(record)}")
    check_cid(cid)
    data = {"legal_basis": legal_basis, "reason": reason}
    try:
        prepared = prepare_data(ERASURE, data, None)
    except DraftError as error:
        fail(escape(str(error)))
    spec = token_spec(
        "signer", key, token, token_reader, pkcs11_module, token_label, key_label, pin, card_timeout
    )
    body = {"stream": str(stream), "type": ERASURE, "data": prepared}
    sign_and_send(body, stream, None, cid, spec, id_reader, server, database_url, name)


__all__ = ["person_app"]
