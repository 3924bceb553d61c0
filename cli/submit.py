"""``ledger submit``: sign a statement draft and send it, to a database directly or to the API.

The draft names the stream, the event type and its data; the expected version and the previous
hash are read from the stream's head (the ledger's, or the API's after opening a session with
the signing key) unless the draft gives them.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import httpx
import typer
from pydantic import ValidationError

from cli.api_client import LedgerClient, problem_text
from cli.options import check_cid, read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, out
from cli.token_options import Signing, with_token_options
from cli.tokens import open_token, with_presence
from ledger.application import Ledger
from ledger.disclosed import NO_VAULT, V1_IN_CLEAR
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.dates import thai_today
from ledger.domain.natural_streams import NATURAL_STREAMS, derived_stream
from ledger.drafting.prepare import DraftError, prepare_data
from ledger.drafting.signed import Format, SignedDraft, commitments_in, sign_draft
from ledger.errors import InvalidDataError, LedgerError
from ledger.settings import LedgerSettings
from ledger.signing import Signer

ServerOpt = Annotated[
    str | None, typer.Option(help="Send to this API (http://host:port) instead of a database")
]


class StatementFormat(StrEnum):
    """The statement format ``ledger submit`` signs (docs/personal-data.md)."""

    V2 = "v2"
    V1 = "v1"


FormatOpt = Annotated[
    StatementFormat,
    typer.Option(
        "--format",
        help="v2: personal fields signed as salted commitments, their values sent beside for "
        "the ledger's vault; v1: every value signed in clear, for a ledger with no vault (a "
        "ledger with one refuses it)",
    ),
]

NO_VAULT_HINT = (
    "บัญชีนี้ไม่มีห้องเก็บข้อมูลส่วนบุคคล (vault): ให้ผู้ดูแลระบบตั้ง LEDGER_VAULT_KEY_DIR "
    "หรือโทเค็น (LEDGER_VAULT_PKCS11_MODULE) หรือส่งเป็นรุ่น 1 ด้วย --format v1 "
    "(ค่าจริงจะอยู่ในข้อความที่ลงนามตลอดไป ลบไม่ได้)\n"
    "this ledger has no personal-data vault: its operator configures one (LEDGER_VAULT_KEY_DIR, "
    "or a token with LEDGER_VAULT_PKCS11_MODULE), or sign v1 with --format v1 (the values are "
    "then signed in clear, for good: they can never be erased)"
)
OWNER_HELP = (
    "เจ้าของประวัติที่ลงทะเบียนตามทะเบียนประวัติ: ลงนามรุ่น 2 โดยไม่ระบุเลขประจำตัวประชาชน "
    "/ a record owner enrolled by her record: sign v2 naming no citizen ID"
)
V1_HINT = (
    "บัญชีนี้เก็บข้อมูลส่วนบุคคลในห้องเก็บ (vault): ส่งเป็นรุ่น 2 (ไม่ต้องใส่ --format v1)\n"
    "this ledger keeps personal values in its vault: sign v2 (leave out --format v1)"
)


@with_token_options("signer", id_reader=True)
def submit(
    draft: Annotated[Path, typer.Argument(help="A statement draft: JSON with stream, type, data")],
    *,
    cid: Annotated[
        str | None,
        typer.Option(help="The signer's citizen ID (with --owner: her ID card's, never signed)"),
    ] = None,
    signing: Signing,
    server: ServerOpt = None,
    statement_format: FormatOpt = StatementFormat.V2,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
    owner: Annotated[bool, typer.Option("--owner", help=OWNER_HELP)] = False,
) -> None:
    """Sign a statement draft on the token (or with a key file) and send it; print the receipt.

    The draft names ``stream`` (a UUID; null when the data names it, as for an organization or
    a position), ``type`` and ``data``, optionally ``effective``
    (ISO or Buddhist-era date; the data's dates may be written the same ways, and its text is
    normalised to NFC before signing) and ``expected_version``/``prev_hash`` (read from the ledger's
    current head when absent). With --id-reader (required where LEDGER_REQUIRE_CARD_PRESENCE is
    set) the signer's ID card must be in that reader.

    Statements are signed v2 (--format v2, the default): the personal fields the event type
    declares are signed as salted commitments and their values sent beside the statement, to
    be kept encrypted in the ledger's vault; a statement with no personal value is signed v1.
    --format v1 signs every value in clear, for a ledger that has no vault. A record owner
    enrolled by her record signs with --owner: v2, naming no citizen ID.
    """
    try:
        text = draft.read_text(encoding="utf-8")
        body = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"cannot read draft {draft}: {error}")
    if cid is not None:
        check_cid(cid)
    elif not owner:
        fail("give --cid, the signer's citizen ID (a record owner enrolled by her record: --owner)")
    if owner and statement_format is not StatementFormat.V2:
        fail("--owner signs v2 only: a v1 statement names its signer's citizen ID")
    if not isinstance(body, dict) or not {"type", "data"} <= body.keys():
        fail(f"draft {draft} must be a JSON object with stream, type and data")
    effective = read_date(body.get("effective"))
    try:
        body["data"] = prepare_data(str(body["type"]), body["data"], _corrected_type(body))
    except DraftError as error:
        fail(f"draft {draft}: {error}")  # fail() escapes: a rule's [id] prints as written
    committed = commitments_in(str(body["type"]), body["data"])
    if committed:
        fail(
            f"draft {draft}: {', '.join(committed)}: ช่องนี้เป็นค่าผูกมัด (commitment) ที่คัดลอกมา "
            "ให้กรอกค่าจริง / holds a commitment copied from a signed statement: write the value"
        )
    sign_and_send(
        body, _stream(body, draft), effective, cid, signing, server, database_url, name,
        fmt=2 if statement_format is StatementFormat.V2 else 1, owner=owner,
    )  # fmt: skip


def sign_and_send(
    body: dict[str, Any],
    stream: UUID,
    effective: date | None,
    cid: str | None,
    signing: Signing,
    server: str | None,
    database_url: str | None,
    name: str | None,
    *,
    fmt: Format = 2,
    owner: bool = False,
) -> None:
    """Sign a prepared draft on the token (v2 unless ``fmt`` is 1) and send it to the API or
    the database; print the receipt, or fail with the ledger's refusal (``ledger submit``,
    ``ledger person erase``). A record ``owner`` signs naming no citizen ID; ``cid``, if given,
    is then only her ID card's, for the presence check."""
    settings = build_settings(database_url, name, existing=server is None)
    if cid is None and (signing.id_reader is not None or settings.require_card_presence):
        fail(
            "the ID card check needs --cid: the citizen ID of the card (never signed with --owner)"
        )
    with open_token(signing.spec) as opened:
        signer = with_presence(
            opened.signer(),
            id_reader=signing.id_reader,
            enrolled_cid=cid or "",  # the ledger accepts the key only for whom it was enrolled
            required=settings.require_card_presence,
            timeout=signing.spec.timeout,
        )
        try:
            receipt = submit_draft(
                body=body,
                stream=stream,
                effective=effective,
                signer=signer,
                cid=None if owner else cid,
                server=server,
                settings=None if server else settings,
                fmt=fmt,
            )
        except LedgerError as error:
            fail(refusal_text(error))
        except httpx.HTTPError as error:
            fail(f"cannot reach the ledger's API at {server}: {type(error).__name__}: {error}")
    out.print_json(json.dumps(receipt))


def submit_draft(
    *,
    body: dict[str, Any],
    stream: UUID,
    effective: date | None,
    signer: Signer,
    cid: str | None,
    server: str | None,
    settings: LedgerSettings | None,
    fmt: Format = 2,
) -> dict[str, Any]:
    """Sign the draft at the stream's head (unless it names one), v2 unless ``fmt`` is 1, and
    submit it with its disclosures."""
    if server is not None:
        with LedgerClient(server) as client:
            head = None
            if _needs_head(body):
                client.open_session(signer)
                spec = EVENT_TYPES.get(str(body.get("type")))
                head = client.head(stream, opening=spec is not None and spec.opens_stream)
            made = _sign(body, stream, effective, signer, cid, head, fmt)
            return client.submit(made.signed, made.disclosures)
    if settings is None:
        raise ValueError("submit_draft needs settings when no server is given")
    ledger = Ledger(settings)
    try:
        head = ledger.head(stream) if _needs_head(body) else None
        made = _sign(body, stream, effective, signer, cid, head, fmt)
        receipt = ledger.submit(made.signed.canonical, made.signed.signature, made.disclosures)
    finally:
        ledger.close()
    return {
        "notification_id": receipt.notification_id,
        "stream": str(receipt.stream),
        "version": receipt.version,
        "hash": receipt.hash,
    }


def _stream(body: dict[str, Any], draft: Path) -> UUID:
    """The draft's stream; when it names none, the one its data names (an organization, a
    position, a cycle, a plan, a subsidy: ``ledger.domain.natural_streams``)."""
    if body.get("stream") is None:
        try:
            derived = derived_stream(str(body["type"]), body["data"])
        except ValidationError as error:  # its messages never repeat the input
            problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
            fail(f"draft {draft}: its data names no stream: {'; '.join(problems)}")
        if derived is None:
            fail(f"draft {draft}: name the stream (a UUID); only {_derivable()} derive it")
        return derived
    try:
        return UUID(str(body["stream"]))
    except ValueError:
        fail(f"draft {draft}: stream is not a UUID")


def _derivable() -> str:
    return ", ".join(NATURAL_STREAMS)


def _corrected_type(body: dict[str, Any]) -> str | None:
    """The type of the entry a correction draft corrects (``corrects.type``), if it names it."""
    corrects = body.get("corrects")
    return str(corrects.get("type")) if isinstance(corrects, dict) else None


def _needs_head(body: dict[str, Any]) -> bool:
    return "expected_version" not in body or "prev_hash" not in body


def _sign(
    body: dict[str, Any],
    stream: UUID,
    effective: date | None,
    signer: Signer,
    cid: str | None,
    head: tuple[int, str] | None,
    fmt: Format,
) -> SignedDraft:
    return sign_draft(
        event_type=body["type"],
        stream=stream,
        data=body["data"],
        head=head if head is not None else (body["expected_version"], body["prev_hash"]),
        effective=effective or thai_today(),
        signer=signer,
        cid=cid,
        fmt=fmt,
    )


def refusal_text(error: LedgerError) -> str:
    """The ledger's refusal as the terminal shows it: a refusal of the data names each rule
    broken with its field, Thai first then English, as a refusal over the API reads
    (``cli.api_client.problem_text``); a refusal of the statement's format (no vault for v2, a
    vault refusing v1) says what to do about it."""
    text = str(error)
    if isinstance(error, InvalidDataError):
        errors = [violation.as_json() for violation in error.violations]
        text = problem_text({"title": f"invalid {error.event_type}", "errors": errors})
    if f"[{NO_VAULT.id}]" in text:
        return f"{text}\n{NO_VAULT_HINT}"
    if f"[{V1_IN_CLEAR.id}]" in text:
        return f"{text}\n{V1_HINT}"
    return text
