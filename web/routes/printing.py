"""The printed ก.พ.๗: ``GET /app/records/{stream}/kp7.pdf?as_of=...&view=...``.

It reads exactly what the ก.พ.๗ page reads (``web.routes.records``: the read matrix through
``api.access.Reader``, the scope, the health sections only for roles that read health, the
access log naming this endpoint) and lays it out as the paper form: the header (name, citizen
ID, birth and retirement dates, category, status, position and salary), then each section of
the form in its order, as a table whose first column is the day in the Buddhist era; the
position-and-salary section in the form's own columns (date, position, position number, level,
salary, the order). Printed by ``web.pdf`` (Chromium, the Thai font embedded).

A record outside the caller's share, or none, is the same 404 page as the ก.พ.๗ page; a date
that does not read is a 422 page naming the rule; no Chromium is a 503 page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.deps import LedgerDep, ReportsDep
from api.routes.registry import RECORD_KINDS
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.dates import thai_today
from ledger.domain.reading import DataKind
from ledger.errors import LedgerError, StreamNotFoundError
from web.deps import WebReaderDep, get_web, require_same_origin
from web.errors import error_page, require_readable
from web.kp7_view import kp7_sections
from web.pdf import PdfError, font_face_css, html_to_pdf
from web.routes.records import as_of_day, read_axes

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


def pdf_response(
    request: Request, template: str, context: dict[str, Any], filename: str
) -> Response:
    """The template printed to PDF (inline, not cached), or a 503 page without Chromium."""
    settings = request.app.state.settings
    ledger = getattr(request.app.state, "ledger", None)
    full = {
        "lang": "th",
        "font_css": font_face_css(),
        "ledger_name": ledger.name if ledger is not None else settings.name,
        "printed_at": datetime.now(UTC),
    } | context
    html = get_web(request).templates.env.get_template(template).render(full)
    try:
        pdf = html_to_pdf(html)
    except PdfError:
        return error_page(
            request,
            503,
            "พิมพ์เอกสารไม่ได้ในขณะนี้ (เครื่องพิมพ์ PDF ของระบบไม่พร้อม)",
            "The document cannot be printed now (the PDF printer is not available)",
        )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def lao_name(reports: Any, code: str) -> str:
    """The LAO's Thai name, or its code when the registry has no name for it."""
    try:
        return str(reports.organization(code).organization.name)
    except LedgerError:
        return f"อปท. รหัส {code}"


@router.get("/app/records/{stream}/kp7.pdf")
def kp7_pdf(
    request: Request,
    stream: UUID,
    reports: ReportsDep,
    ledger: LedgerDep,
    reader: WebReaderDep,
    as_of: Annotated[str, Query(max_length=40)] = "",
    view: Annotated[str, Query(pattern="^(known|effective)$")] = "known",
) -> Response:
    require_readable(reader, ledger, stream)
    day, date_error = as_of_day(as_of)
    if date_error is not None:
        return error_page(request, 422, date_error.th, date_error.en)
    health = reader.may(DataKind.HEALTH)
    valid_on, recorded_at = read_axes(day, view)
    try:
        kp7 = reports.kp7(stream, valid_on=valid_on, recorded_at=recorded_at, health=health)
    except StreamNotFoundError:
        return error_page(
            request,
            404,
            "ประวัตินี้ยังไม่ได้เปิด ณ วันที่เลือก",
            "This record had not been opened by the chosen date",
        )
    reader.logged([stream], (*RECORD_KINDS, DataKind.HEALTH) if health else RECORD_KINDS)
    read = kp7.as_json()
    read["record"]["lao_name"] = lao_name(reports, str(read["record"]["lao"]))
    hashes = {entry.version: entry.hash for entry in reports.audit_trail(stream).rows}
    context = {
        "kp7": read,
        "sections": in_form_order(kp7_sections(read, hashes)),
        "shown_on": day or thai_today(),
        "view": view,
        "printed_by": reader.session.key_id,
    }
    shown: date = day or thai_today()
    return pdf_response(request, "print_kp7.html", context, f"kp7-{shown.isoformat()}.pdf")


def in_form_order(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each entry's fields in the order its event type declares them (prefix before first
    name, as a form lists them), not the read's alphabetical order."""
    for section in sections:
        for entry in section["entries"]:
            spec = EVENT_TYPES.get(str(entry["type"]))
            if spec is None:
                continue
            order = list(spec.data_model.model_fields)
            entry["fields"] = sorted(
                entry["fields"],
                key=lambda item: order.index(item.code) if item.code in order else len(order),
            )
    return sections
