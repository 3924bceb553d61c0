"""``GET /verify/{certificate_code}``: is this certificate genuine, and does it still stand?

Public, no login: whoever holds a printed certificate (a bank, a landlord, another office)
types or scans its verification code, the hash of its ``CertificateIssued`` event
(``projections.reports.certificates`` checks it). The answer reveals no more than the paper:

* ``valid``: the statement's signature verifies under the key enrolled when it was signed and
  its hash is the code; ``current``: what it certified still stands in the record now, else
  ``changed`` names what no longer does (``salary``, ``position_title``, ``level``,
  ``status``, ``lao``, ``erased``), with Thai labels;
* once the person is erased (PDPA): still ``valid`` (it was issued), never ``current``,
  ``changed`` starting with ``erased`` and ``erasure`` saying why, in Thai and English: the
  day, and the legal basis the erasure was signed under (it names no one); the name can no
  longer be checked (``name_matches`` null: no name is kept to compare);
* what the paper prints: the kind, the day it is as of and the day it was issued (ISO and
  Buddhist era), the issuing LAO and the issuer's role, the position and level, the salary on a
  salary certificate, and the purpose;
* never the person's name, citizen ID, birth date or record id. The verifier compares the name
  on the paper instead: ``POST`` with ``{"name": ...}`` (or the older ``?name=``, which puts
  the name in the URL and so in logs and history), as printed, with or without the prefix, answers
  ``name_matches`` true or false, so a name pasted onto another person's genuine code fails.
  Name tries are limited per certificate and per client address (``api.name_checks``: 429
  ``certificate.name_checks`` with Retry-After), so names cannot be guessed one by one.

A code that is no certificate (unknown, or the hash of another kind of event) is the same
404 problem, in Thai and English, so the answer tells nothing of what else the ledger holds.
Nothing of a person is read (no name, no citizen ID), so nothing is written to an access log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ReportsDep
from api.errors import problem_responses
from api.name_checks import admit_name_check
from ledger.domain.event_labels import ROLE_LABELS
from ledger.domain.field_labels import field_label, value_label
from ledger.domain.rules import format_buddhist_date
from ledger.errors import UnknownCertificateError
from projections.reports.certificates import CertificateCheck
from projections.views.registry_rows import Erasure

router = APIRouter(tags=["certificates"])

CODE_PATTERN = r"^[0-9a-f]{64}$"

CHANGED_TH = {
    "salary": "เงินเดือน",
    "position_title": "ตำแหน่ง",
    "level": "ระดับ",
    "status": "สถานภาพ (ไม่ได้ปฏิบัติงานแล้ว)",
    "lao": "สังกัด (ย้ายหรือโอนไปแล้ว)",
    "record": "ทะเบียนประวัติ",
    "erased": "ข้อมูลส่วนบุคคลของผู้ที่ได้รับการรับรองถูกลบตามคำขอแล้ว",
}
CHANGED_EN = {"erased": "the certified person's personal data was erased on request"}


class LabelOut(BaseModel):
    code: str
    th: str
    en: str


class IssuerOut(BaseModel):
    """Who issued it: the LAO (code, Thai name, province) and the signer's roles."""

    lao: str
    lao_name: str
    province: str
    roles: list[LabelOut]


class ErasureOut(BaseModel):
    """Why a certificate is no longer current: its person's data erased (PDPA)."""

    on: str = Field(description="the day the erasure took effect (ISO)")
    on_be: str
    legal_basis: str = Field(description="the law, section and request it was signed under")
    th: str
    en: str


def erasure_out(erasure: Erasure) -> ErasureOut:
    """The erasure as a verifier and the pages are told it, in Thai and English."""
    on_be = format_buddhist_date(erasure.on)
    return ErasureOut(
        on=erasure.on.isoformat(),
        on_be=on_be,
        legal_basis=erasure.legal_basis,
        th=f"ข้อมูลส่วนบุคคลของผู้ที่ได้รับการรับรองถูกลบตามคำขอเมื่อ {on_be} "
        f"ตาม {erasure.legal_basis} หนังสือรับรองนี้ออกจริง แต่ใช้ยืนยันข้อมูลปัจจุบันไม่ได้อีก",
        en=f"the certified person's personal data was erased on request on "
        f"{erasure.on.isoformat()} under {erasure.legal_basis}: the certificate was issued, "
        "but no longer confirms anything current",
    )


class VerificationOut(BaseModel):
    """What a certificate's verification shows: its standing and what the paper prints."""

    code: str = Field(description="the verification code: the certificate's event hash")
    valid: bool = Field(description="issued by the ledger: signature and hash verify")
    current: bool = Field(description="valid, and what it certified still stands")
    changed: list[LabelOut] = Field(description="certified facts the record no longer says")
    kind: LabelOut
    as_of: str = Field(description="the day the certificate is as of (ISO)")
    as_of_be: str
    issued_on: str = Field(description="the day it was issued (ISO)")
    issued_on_be: str
    issuer: IssuerOut
    position_title: str
    level: str
    salary: str | None = Field(description="on a salary certificate: baht, a decimal string")
    purpose: str
    name_matches: bool | None = Field(
        default=None,
        description="whether the name given is the one the certificate names (null: none "
        "given, or the person erased, so no name is kept to compare)",
    )
    erasure: ErasureOut | None = Field(
        default=None, description="the person's data erased: when and under which legal basis"
    )


def verification(check: CertificateCheck, name: str | None) -> VerificationOut:
    """The public view of a checked certificate (see the module docstring)."""
    kind_th = value_label("CertificateKind", check.kind) or check.kind
    return VerificationOut(
        code=check.code,
        valid=check.valid,
        current=check.current,
        changed=[_changed(field) for field in check.changed],
        kind=LabelOut(code=check.kind, th=kind_th, en=f"{check.kind} certificate"),
        as_of=check.as_of.isoformat(),
        as_of_be=format_buddhist_date(check.as_of),
        issued_on=check.issued_on.isoformat(),
        issued_on_be=format_buddhist_date(check.issued_on),
        issuer=IssuerOut(
            lao=check.lao,
            lao_name=check.lao_name,
            province=check.province,
            roles=[_role(role) for role in check.signer_roles],
        ),
        position_title=check.position_title,
        level=check.level,
        salary=None if check.salary is None else f"{check.salary:.2f}",
        purpose=check.purpose,
        name_matches=None if name is None or check.erasure else name_matches(check, name),
        erasure=None if check.erasure is None else erasure_out(check.erasure),
    )


def name_matches(check: CertificateCheck, name: str) -> bool:
    """Whether ``name`` is the certified person's name, spaces aside, prefix optional."""
    person = check.person
    if person is None:
        return False
    given = "".join(name.split())
    full = "".join(f"{person.first_name or ''}{person.last_name or ''}".split())
    return bool(full) and given in (full, "".join(check.name.split()))


def _changed(field: str) -> LabelOut:
    label = field_label("CertificateIssuedData", field)
    th = CHANGED_TH.get(field) or (label.th if label else field)
    en = CHANGED_EN.get(field) or (label.en if label else field)
    return LabelOut(code=field, th=th, en=en)


def _role(role: str) -> LabelOut:
    label = ROLE_LABELS.get(role)
    return LabelOut(code=role, th=label.th if label else role, en=label.en if label else role)


@router.get("/verify/{certificate_code}", responses=problem_responses(400, 404, 429))
def verify_certificate(
    request: Request,
    reports: ReportsDep,
    certificate_code: Annotated[str, Path(pattern=CODE_PATTERN, description="64 hex digits")],
    name: Annotated[str | None, Query(max_length=200)] = None,
) -> VerificationOut:
    """Check a certificate by its verification code: genuine and still current? (Public.)
    ``?name=`` stays for old clients; ``POST`` sends the name in the body, out of the URL."""
    return _verified(request, reports, certificate_code, name)


class NameCheckIn(BaseModel):
    """The name printed on the certificate, as typed."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=200, description="The name on the paper, prefix optional")


@router.post("/verify/{certificate_code}", responses=problem_responses(400, 404, 429))
def verify_certificate_name(
    request: Request,
    reports: ReportsDep,
    certificate_code: Annotated[str, Path(pattern=CODE_PATTERN, description="64 hex digits")],
    typed: NameCheckIn,
) -> VerificationOut:
    """The certificate's check with ``name_matches`` for the name in the JSON body: no name
    in the URL, which access logs and browser history keep. Counted as ``?name=`` is."""
    return _verified(request, reports, certificate_code, typed.name)


def _verified(
    request: Request, reports: ReportsDep, certificate_code: str, name: str | None
) -> VerificationOut:
    check = reports.certificate(certificate_code)
    if check is None:
        raise UnknownCertificateError
    if name is not None:
        admit_name_check(request, certificate_code)
    return verification(check, name)
