"""The auditor's pages: the log's checkpoints, proofs checked in the browser, a record's signed
history, and audit bundles.

Who: roles that read the signed log (``DataKind.AUDIT``: auditors and DLA administrators),
within their scope; anyone else gets the API's 403 page. The server shows what it holds and
its own verdicts, but the page's point is that the auditor need not take its word:
``/static/audit.js`` checks, in the browser with WebCrypto (Ed25519 and SHA-256), each
checkpoint note's signature against a trust anchor the auditor pins (the system public key that
``ledger init`` printed, or the log's verifier key; kept in the browser's localStorage), and
recomputes RFC 9162 inclusion and consistency proofs fetched from the public transparency API
(``/transparency/proofs/...``) against the roots *in the signed notes*, not the JSON's fields.

* ``GET /app/audit``: the pinned anchor and its fingerprint, the checkpoint history (size, root,
  time in the Buddhist era, the server's signature verdict and the browser's), a form to prove
  any event's inclusion and one to prove two checkpoints consistent, a record's history by id,
  and an LAO's bundle.
* ``GET /app/audit/checkpoints/{size}``: one checkpoint's signed note as a file, to keep for
  ``ledger audit verify --since``.
* ``GET /app/audit/records/{stream}``: every signed event of one stream (any stream the scope
  covers), each with the server's verdict on its hash and signature (the key as enrolled), and
  buttons that check the signature and the event's inclusion in the browser; the read is logged
  in the record's access log.
* ``GET /app/audit/bundles/record/{stream}``, ``/app/audit/bundles/lao/{code}``: the offline
  audit bundle (``replay.bundles``) as ``GET /bundles/...`` answers it to a bearer token; here to
  the web session.

Stable ids for browser tests: ``#anchor-form``, ``#anchor-input``, ``#anchor-pin``,
``#anchor-fingerprint``, ``#checkpoints``, ``tr.checkpoint`` (``data-size``) with
``.server-status`` and ``.browser-status``, ``#inclusion-form`` (``#inclusion-nid``,
``#inclusion-size``, ``#inclusion-button``), ``#consistency-form`` (``#consistency-old``,
``#consistency-new``, ``#consistency-button``), ``#audit-result`` (the live region),
``#history-form``, ``#history-events``, ``tr.event`` with ``button.verify-event``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, ReportsDep, TransparencyDep
from api.routes.audit import BUNDLE_MEDIA_TYPE
from api.routes.streams import kinds_held
from ledger.application import Ledger, RecordedEvent
from ledger.domain.event_labels import EVENT_LABELS
from ledger.domain.permissions import lao_scope
from ledger.domain.reading import PERSON_KINDS, DataKind
from ledger.errors import MalformedStatementError, SnapshotNotFoundError
from ledger.signing import verify_signature
from ledger.statement import event_hash, key_id_of, read_statement
from projections.signed_log import personnel_records
from projections.transparency.checkpoints import log_origin, open_checkpoint
from projections.transparency.errors import CheckpointError, ProofRangeError
from replay.bundles import Scope, build_bundle
from web.deps import WebReaderDep, render, require_same_origin

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

SHOWN_CHECKPOINTS = 200
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


@dataclass(frozen=True)
class CheckpointRow:
    """One checkpoint as the history table shows it, with the server's verdict."""

    tree_size: int
    root_hex: str
    issued_at: Any
    note: str
    server_ok: bool


@dataclass(frozen=True)
class EventRow:
    """One signed event of a stream, with the server's verdicts and what the browser needs."""

    event: RecordedEvent
    type_th: str
    type_en: str
    key_id: str
    public_key_hex: str
    hash_ok: bool
    signature_ok: bool

    @property
    def statement_b64(self) -> str:
        return base64.b64encode(self.event.statement).decode("ascii")

    @property
    def signature_b64(self) -> str:
        return base64.b64encode(self.event.signature).decode("ascii")


@router.get("/app/audit")
def audit_home(
    request: Request, ledger: LedgerDep, log: TransparencyDep, reader: WebReaderDep
) -> Response:
    reader.require(DataKind.AUDIT)
    system_key = _system_key(ledger)
    stored = log.checkpoints()
    rows = [
        CheckpointRow(
            item.tree_size,
            item.root_hash.hex(),
            item.issued_at,
            item.note,
            _opens(item.note, system_key, ledger.name),
        )
        for item in stored[-SHOWN_CHECKPOINTS:]
    ]
    rows.reverse()
    return render(
        request,
        "audit.html",
        {
            "checkpoints": rows,
            "older": max(0, len(stored) - SHOWN_CHECKPOINTS),
            "system_key_id": _key_id(ledger),
        },
        session=reader.session,
    )


@router.get("/app/audit/checkpoints/{size}")
def checkpoint_note(
    size: Annotated[int, Path(ge=0, le=2**62)], log: TransparencyDep, reader: WebReaderDep
) -> Response:
    """One checkpoint's signed note as a file, to keep for ``ledger audit verify --since``."""
    reader.require(DataKind.AUDIT)
    found = log.checkpoint_at(size)
    if found is None:
        raise ProofRangeError(f"the log signed no checkpoint of size {size}")
    return Response(
        found.note,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="checkpoint-{size}.note"'},
    )


@router.get("/app/audit/records")
def find_history(stream: Annotated[str, Query(max_length=100)] = "") -> Response:
    """The history form's target: the record's page by its id (a bad id shows the 404 page)."""
    text = stream.strip()
    try:
        target = UUID(text)
    except ValueError:
        return RedirectResponse("/app/audit/records/not-an-id", status_code=303)
    return RedirectResponse(f"/app/audit/records/{target}", status_code=303)


@router.get("/app/audit/records/{stream}")
def record_history(
    request: Request, stream: UUID, ledger: LedgerDep, reports: ReportsDep, reader: WebReaderDep
) -> Response:
    reader.require(DataKind.AUDIT)
    aggregate = reader.require_visible(ledger, stream)  # None: an erased person's record
    registry = ledger.registry()
    rows = [_event_row(event, registry) for event in ledger.stream_events(stream)]
    reader.logged([stream], PERSON_KINDS if aggregate is None else kinds_held(aggregate))
    kind = "PersonnelRecord" if aggregate is None else type(aggregate).__name__
    lao = getattr(aggregate, "lao", None) if aggregate is not None else None
    return render(
        request,
        "audit_history.html",
        {
            "stream": stream,
            "stream_kind": kind,
            "events": rows,
            "all_ok": all(row.hash_ok and row.signature_ok for row in rows),
            "lao": lao,
            "lao_name": reports.lao_names([lao]).get(lao) if lao else None,
        },
        session=reader.session,
    )


@router.get("/app/audit/bundles/lao")
def find_lao_bundle(code: Annotated[str, Query(max_length=20)] = "") -> Response:
    """The bundle form's target: the LAO's bundle by its code (Thai digits read as digits)."""
    digits = code.strip().translate(THAI_DIGITS)
    if not digits.isascii() or not digits.isdigit() or len(digits) != 7:
        digits = "0000000"  # no LAO has it: the same 404 page as one outside the scope
    return RedirectResponse(f"/app/audit/bundles/lao/{digits}", status_code=303)


@router.get("/app/audit/bundles/record/{stream}")
def record_bundle(stream: UUID, ledger: LedgerDep, reader: WebReaderDep) -> Response:
    reader.require(DataKind.AUDIT)
    reader.require_visible(ledger, stream)
    return _bundle(ledger, reader, Scope("record", stream=stream), f"record-{stream}")


@router.get("/app/audit/bundles/lao/{code}")
def lao_bundle(
    code: Annotated[str, Path(pattern=r"^[0-9]{7}$")],
    ledger: LedgerDep,
    reports: ReportsDep,
    reader: WebReaderDep,
) -> Response:
    """An LAO's bundle; one unknown or outside the caller's scope is the same 404 as the API's."""
    reader.require(DataKind.AUDIT)
    province = reports.lao_province(code)
    if province is None or not reader.session.enrolment.scope.covers(lao_scope(province, code)):
        raise SnapshotNotFoundError(f"no LAO {code} within the caller's scope")
    return _bundle(ledger, reader, Scope("lao", lao=code), f"lao-{code}")


def _bundle(ledger: Ledger, reader: Any, scope: Scope, name: str) -> Response:
    """As the API's bundle endpoints answer; the personnel records' access logs note the read."""
    bundle = build_bundle(ledger.settings.database_url, ledger.name, scope)
    reader.logged(personnel_records(ledger, bundle.streams), PERSON_KINDS)
    return Response(
        bundle.data,
        media_type=BUNDLE_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.bundle"'},
    )


def _system_key(ledger: Ledger) -> bytes | None:
    registry = ledger.registry()
    if registry is None:
        return None
    enrolment = registry.enrolment(registry.system_key_id)
    return enrolment.public_key if enrolment is not None else None


def _key_id(ledger: Ledger) -> str:
    registry = ledger.registry()
    return registry.system_key_id if registry is not None else ""


def _opens(note: str, system_key: bytes | None, ledger_name: str) -> bool:
    """The server's verdict: the note is signed by the genesis system key under the origin."""
    if system_key is None:
        return False
    try:
        open_checkpoint(note, system_key, log_origin(ledger_name, key_id_of(system_key)))
    except CheckpointError:
        return False
    return True


def _event_row(event: RecordedEvent, registry: Any) -> EventRow:
    """The server's verdicts on one event: its hash, and its signature by the enrolled key."""
    label = EVENT_LABELS.get(event.type)
    try:
        key_id = read_statement(event.statement, event.signature).statement.signer.key
    except MalformedStatementError:
        key_id = ""
    enrolment = registry.enrolment(key_id) if registry is not None and key_id else None
    public_key = enrolment.public_key if enrolment is not None else b""
    return EventRow(
        event=event,
        type_th=label.th if label else event.type,
        type_en=label.en if label else event.type,
        key_id=key_id,
        public_key_hex=public_key.hex(),
        hash_ok=event_hash(event.statement, event.signature) == event.hash,
        signature_ok=bool(public_key)
        and verify_signature(public_key, event.statement, event.signature),
    )
