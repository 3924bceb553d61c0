"""Finding people (``/app/records``) and reading a person's ก.พ.๗ (``/app/records/{stream}``).

Both read exactly as the API's ``GET /records`` and ``GET /records/{id}`` do, through the same
pieces: ``api.access.Reader`` (the read matrix: personal data to search, personal and salary to
read a record, health for leave and discipline; the scope; the access log, which names these
pages as the endpoint) and the Reports facade (``find``, ``kp7``).

Search: one box, ``q``. Thirteen digits (Thai digits, spaces and dashes accepted) is a citizen
ID, anything else a name (``ledger.domain.search``). A query the rules refuse is shown beside
the box with the rule's Thai and English words. With htmx the box searches as one types and only
the results region is swapped; the count is announced in the layout's live region.

The form POSTs (``hx-post``, no ``hx-push-url``): a citizen ID or a name typed in the box never
enters the URL, so never the browser's history, the address bar's suggestions, a Referer, or a
server's access log (PDPA). Without script the form posts the whole page, which works the same;
the back button leaves the search page rather than stepping through searches, and the box keeps
what was typed. The pager's links are small POST forms for the same reason. ``GET ?q=`` still
answers, for links made before.

The ก.พ.๗ page: ``as_of`` (a date, Buddhist era and Thai digits accepted) shows the record as it
stood that day: by default the orders effective by then, with every correction recorded since
applied (``view=effective``: valid time, what an officer means by "his salary on 1/10/2565"), or
as the ledger knew it at the end of that day (``view=known``: both time axes, what an auditor
asks; a record keyed in later did not exist then). A record outside the caller's share, or none
at all, is the same 404 page (``web.errors.not_readable_page``, the rule ``stream.not_found`` as
the API answers), so the page tells nothing of records one may not read.

Stable ids for browser tests: ``#search-form``, ``#search-q`` (label "ค้นหา"), ``#search-button``,
``#search-results``, ``#results-table``, ``#search-error``; ``#kp7-heading``, ``#as-of-form``,
``#as-of`` (label "ณ วันที่"), ``#as-of-view``, ``#as-of-button``, ``#kp7-sections``, one
``section#section-<code>`` per section, one ``article#entry-<entry>`` per entry with
``a.correct-link``, ``a.void-link`` and its ``details.history``; ``#new-entry-link``; the
owners' change requests on the record now, ``#change-requests`` (each ``li.change-request``
with its outcome), and for a record owner ``#change-request-link`` (her request's form; the
menu's ``#nav-own-record`` and the home page's ``#shortcut-own-record`` and
``#shortcut-change-request`` lead to her record and that form).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.routes.records import SEARCH_KINDS
from api.routes.registry import RECORD_KINDS
from ledger.domain.dates import THAILAND, DateInputError, parse_human_date
from ledger.domain.permissions import ERASERS, HR
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.reading import DataKind
from ledger.domain.search import QueryError, SearchVaultNeededError, read_cid, read_name
from ledger.errors import StreamNotFoundError
from ledger.vault_keys import ErasedError
from projections.personal import ERASED
from projections.reports.scope import ReadScope
from web.deps import WebReaderDep, render, require_same_origin
from web.drafts import may_sign, section_label
from web.errors import require_readable
from web.kp7_view import kp7_sections
from web.routes.documents import KINDS, attachments

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])

PAGE_SIZE = 20
_CID_LIKE = re.compile(r"^[0-9๐-๙\s\-]+$")


@router.get("/app/records")
def search_page(
    request: Request,
    reports: ReportsDep,
    reader: WebReaderDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The search box (``?q=`` still answers, for links made before searching was a POST)."""
    return _search(request, reports, reader, q, page)


@router.post("/app/records")
def search(
    request: Request,
    reports: ReportsDep,
    reader: WebReaderDep,
    q: Annotated[str, Form(max_length=200)] = "",
    page: Annotated[int, Form(ge=1, le=100_000)] = 1,
) -> Response:
    """The search itself: the query in the body, never in the URL or the history."""
    return _search(request, reports, reader, q, page)


def _search(
    request: Request, reports: ReportsDep, reader: WebReaderDep, q: str, page: int
) -> Response:
    reader.require(*SEARCH_KINDS)
    context: dict[str, Any] = {"q": q, "found": None, "error": None, "page": page}
    text = q.strip()
    if text:
        try:
            cid, name = _criterion(text)
            found = reports.find(
                ReadScope.within(reader.session.enrolment.scope),
                cid=cid,
                name=name,
                owner=reader.owner,
                page=page,
                size=PAGE_SIZE,
            )
        except (QueryError, SearchVaultNeededError) as refused:  # beside the box, in words
            context["error"] = refused.violations[0]
        else:
            reader.logged([UUID(stream) for stream in found.streams], SEARCH_KINDS)
            context["found"] = found
            context["lao_names"] = reports.lao_names({row.lao for row in found.rows})
            context["pages"] = -(-found.total // PAGE_SIZE)
    template = "records_results.html" if _results_only(request) else "records_search.html"
    return render(request, template, context, session=reader.session)


def _results_only(request: Request) -> bool:
    """htmx asked for the results region only (the live search), not a whole page."""
    return request.headers.get("hx-target") == "search-results"


def _criterion(text: str) -> tuple[str | None, tuple[str, ...] | None]:
    if _CID_LIKE.fullmatch(text):
        return read_cid(text, "q"), None
    return None, read_name(text, "q")


@router.get("/app/records/{stream}")
def kp7_page(
    request: Request,
    stream: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    reader: WebReaderDep,
    as_of: Annotated[str, Query(max_length=40)] = "",
    view: Annotated[str, Query(pattern="^(known|effective)$")] = "effective",
) -> Response:
    require_readable(reader, ledger, stream)
    context: dict[str, Any] = {"stream": str(stream), "as_of": as_of, "view": view}
    day, date_error = as_of_day(as_of)
    context["as_of_error"] = date_error
    context["as_of_day"] = day
    health = reader.may(DataKind.HEALTH)
    valid_on, recorded_at = read_axes(day, view)
    try:
        kp7 = reports.kp7(stream, valid_on=valid_on, recorded_at=recorded_at, health=health)
    except StreamNotFoundError:
        context["not_yet"] = True
        return render(request, "kp7.html", context, session=reader.session)
    reader.logged([stream], (*RECORD_KINDS, DataKind.HEALTH) if health else RECORD_KINDS)
    hashes = {entry.version: entry.hash for entry in reports.audit_trail(stream).rows}
    enrolment = reader.session.enrolment
    context |= {
        "kp7": kp7.as_json(),
        "sections": kp7_sections(kp7.as_json(), hashes),
        "attachments": attachments(kp7.as_json()),
        "document_kinds": KINDS,
        "max_document_bytes": request.app.state.settings.max_document_bytes,
        "may_write": bool(HR & reader.session.enrolment.roles),
        "may_erase": bool(ERASERS & reader.session.enrolment.roles),
        "may_ask": may_sign(enrolment, "ChangeRequestedByOwner"),
        "change_requests": [] if day else change_requests(ledger, stream),
        "erased": kp7.record.erased or kp7.as_json()["record"].get("cid") == ERASED,
        "lao_name": reports.lao_names([kp7.record.lao]).get(kp7.record.lao),
    }
    return render(request, "kp7.html", context, session=reader.session)


def as_of_day(text: str) -> tuple[date | None, DateInputError | None]:
    if not text.strip():
        return None, None
    try:
        return parse_human_date(text), None
    except DateInputError as error:
        return None, error


def read_axes(day: date | None, view: str) -> tuple[date | None, datetime | None]:
    """The day as the registry's two time axes (see the module docstring)."""
    if day is None:
        return None, None
    if view == "effective":
        return day, None
    end_of_day = datetime.combine(day + timedelta(days=1), time(), THAILAND)
    return day, end_of_day - timedelta(microseconds=1)


OUTCOMES = {
    None: ("รอเจ้าหน้าที่พิจารณา", "waiting for HR"),
    "accepted": ("รับแก้ไขแล้ว", "accepted"),
    "rejected": ("ไม่รับแก้ไข", "rejected"),
}


def change_requests(ledger: LedgerDep, stream: UUID) -> list[dict[str, Any]]:
    """The owner's change requests on the record as it is now, oldest first: the request's
    number (its entry), section (Thai and English), proposal and outcome (Thai and English)."""
    try:
        record = ledger.aggregate(stream)
    except ErasedError:  # an erased person's requests went with their data
        return []
    if not isinstance(record, PersonnelRecord):
        return []
    return [
        {
            "request": number,
            "section": section_label(str(asked.section)),
            "proposal": asked.proposal,
            "outcome": OUTCOMES.get(asked.outcome, (str(asked.outcome), str(asked.outcome))),
        }
        for number, asked in sorted(record.change_requests.items())
    ]
