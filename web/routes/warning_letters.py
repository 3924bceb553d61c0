"""หนังสือแจ้งเตือน: the province's warning letter to an LAO past its certification deadline.

``GET /app/certify/overdue/{lao}/letter.pdf?cycle=2562&number=...`` prints, for the provincial
officer of the LAO's province (the role that chases late LAOs and records the letters,
``WarningLetterSent``; measure 2.2), a Thai official letter (หนังสือภายนอก, ระเบียบสำนัก
นายกรัฐมนตรีว่าด้วยงานสารบรรณ): ที่ (the letter's number, given or left to be filled in by the
registry), the sender's office, วันที่ in the Buddhist era, เรื่อง, เรียน the LAO's head, the
body citing the cycle, the deadline the LAO missed and by how many days, the state the cycle
stands in, ขอแสดงความนับถือ and the signature block of ท้องถิ่นจังหวัด; numbers in Thai digits,
as official letters write them. Printed by ``web.pdf`` (Chromium, Laksaman embedded).

Whether the LAO is overdue is ``Reports.overdue`` on the day (the same read as the worklist):
a cycle not overdue at the LAO's stage, or whose LAO stage is done by now (done late), has no
letter (409 page); an LAO outside the officer's
province, or unknown, is the 403 page; other roles are refused (403). The letter names no
person: it reads personnel data (certification states) only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.deps import ReportsDep
from ledger.domain.certification import CYCLE_PATTERN, STAGE_OPEN, Stage
from ledger.domain.permissions import Role
from ledger.domain.reading import DataKind
from ledger.domain.rules import to_thai_digits
from ledger.errors import LedgerError
from projections.reports.kpi import Overdue
from projections.reports.scope import ReadScope
from projections.reports.worklist import STATE_TH
from web.deps import WebReaderDep, require_same_origin
from web.errors import error_page
from web.rendering import format_be_date
from web.routes.home import TodayDep
from web.routes.printing import pdf_response

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


def head_title(lao_name: str) -> str:
    """Whom the letter addresses: the LAO's head by the title of its kind (a municipality's
    head is นายกเทศมนตรี, an อบต.'s and an อบจ.'s นายก + the organization's name)."""
    if lao_name.startswith("เทศบาล"):
        return "นายกเทศมนตรี" + lao_name.removeprefix("เทศบาล")
    return "นายก" + lao_name


def undone(row: Overdue) -> bool:
    """Whether the LAO's work is still to be done (a stage done late has nothing to urge)."""
    return row.state in STAGE_OPEN[Stage.LAO]


def thai_long_date(day: date) -> str:
    """๓๑ กรกฎาคม ๒๕๖๒: an official letter's date."""
    return to_thai_digits(format_be_date(day, "th", long=True))


@router.get("/app/certify/overdue/{lao}/letter.pdf")
def warning_letter(
    request: Request,
    reader: WebReaderDep,
    reports: ReportsDep,
    day: TodayDep,
    lao: Annotated[str, Path(pattern=r"^\d{7}$")],
    cycle: Annotated[str | None, Query(pattern=CYCLE_PATTERN, max_length=20)] = None,
    number: Annotated[str, Query(max_length=50)] = "",
) -> Response:
    enrolment = reader.session.enrolment
    if Role.PROVINCIAL_OFFICER not in enrolment.roles or enrolment.scope.level != "province":
        return error_page(
            request,
            403,
            "หนังสือแจ้งเตือนออกโดยเจ้าหน้าที่ สถ.จ. ของจังหวัดที่ อปท. สังกัด",
            "Warning letters are issued by the provincial officer of the LAO's province",
        )
    reader.require(DataKind.PERSONNEL)
    scope = ReadScope.within(enrolment.scope, lao=lao)
    late = reports.overdue(scope, day, cycle)
    found = [row for row in late.rows if row.lao == lao and row.stage == "lao" and undone(row)]
    if not found:
        if not reports.certification(scope, cycle).cycles:
            return error_page(
                request,
                403,
                "ไม่พบรอบการรับรองนี้ในส่วนที่ท่านมีสิทธิ์",
                "No such certification cycle within your share",
            )
        return error_page(
            request,
            409,
            "อปท. นี้ไม่ได้เกินกำหนดส่งข้อมูลในวันนี้ จึงไม่มีหนังสือแจ้งเตือน",
            "This LAO is not past its deadline today: there is no warning letter to print",
        )
    row = max(found, key=lambda item: item.cycle)
    name = late.names.laos.get(lao) or _lao_name(reports, lao)
    context = {
        "row": row,
        "lao_name": name,
        "head": head_title(name),
        "office": f"สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{row.province}",
        "signer_title": f"ท้องถิ่นจังหวัด{row.province}",
        "number": to_thai_digits(number.strip()),
        "letter_date": thai_long_date(day),
        "deadline": thai_long_date(row.deadline),
        "days": to_thai_digits(str(row.days_overdue)),
        "cycle_th": to_thai_digits(row.cycle),
        "state_th": STATE_TH.get(row.state, row.state),
        "warnings": to_thai_digits(str(row.warnings + 1)),
    }
    return pdf_response(request, "print_warning_letter.html", context, _filename(row, day))


def _lao_name(reports: ReportsDep, code: str) -> str:
    try:
        return str(reports.organization(code).organization.name)
    except LedgerError:
        return f"องค์กรปกครองส่วนท้องถิ่น รหัส {code}"


def _filename(row: Overdue, day: date) -> str:
    return f"warning-{row.lao}-{row.cycle}-{day.isoformat()}.pdf"
