"""What the certificate pages share: the data a certificate certifies (read from the record, never
typed), its submission once signed, its QR code, and amounts in Thai words.

* ``certified_data``: the ``CertificateIssued`` data for a record as of a day, its facts taken
  from the record itself (``ledger.domain.certificates.facts_on``), so the officer chooses only
  the kind, the day and the purpose; a day the record cannot certify (out of service, no
  salary line, in the future) is refused here with the rule the ledger would name;
* ``submit_certificate``: the signed statement submitted like any other (``/app/statements``
  hands certificates over here), answered with the certificate's receipt (its code, the PDF,
  the verification page) or the ledger's refusal in Thai and English;
* ``qr_svg``: a QR code of a URL as inline SVG (segno; nothing fetched, nothing written);
* ``baht_text``: ``21,010.50`` as ``สองหมื่นหนึ่งพันสิบบาทห้าสิบสตางค์``, as a Thai letter spells
  an amount beside its digits.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import segno
from fastapi import Request
from fastapi.responses import Response

from api.errors import problem_kind
from ledger.application import Ledger
from ledger.domain.certificates import (
    AS_OF_FUTURE,
    NO_NAME,
    NO_POSITION,
    NOT_IN_SERVICE,
    CertificateKind,
    facts_on,
)
from ledger.domain.dates import thai_today
from ledger.domain.employment import IN_SERVICE
from ledger.domain.personnel import PersonnelRecord
from ledger.errors import InvalidDataError, LedgerError
from ledger.statement import SignedStatement
from ledger.violations import Violation
from web.deps import WebSessionDep, render

CERTIFICATE_TYPE = "CertificateIssued"


class NotCertifiableError(Exception):
    """The record cannot be certified on that day: the ledger's rule, for the page."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.en)
        self.violation = violation


def certified_data(
    record: PersonnelRecord, stream: UUID, kind: CertificateKind, as_of: date, purpose: str
) -> dict[str, Any]:
    """The certificate's data: what the record says on ``as_of`` (see the module docstring)."""
    day = as_of.isoformat()
    if as_of > thai_today():
        effective = thai_today().isoformat()
        raise NotCertifiableError(
            Violation(AS_OF_FUTURE, "as_of", {"as_of": day, "effective": effective})
        )
    facts = facts_on(record, as_of)
    if facts.status not in IN_SERVICE:
        details = {"as_of": day, "status": str(facts.status)}
        raise NotCertifiableError(Violation(NOT_IN_SERVICE, "as_of", details))
    if not facts.named:
        raise NotCertifiableError(Violation(NO_NAME, "as_of", {"as_of": day}))
    if facts.position_title is None or facts.level is None or facts.salary is None:
        raise NotCertifiableError(Violation(NO_POSITION, "as_of", {"as_of": day}))
    data: dict[str, Any] = {
        "kind": kind.value,
        "record": str(stream),
        "lao": record.lao,
        "province": record.province,
        "as_of": day,
        "position_title": facts.position_title,
        "level": facts.level,
        "purpose": purpose,
    }
    if kind is CertificateKind.SALARY:
        data["salary"] = f"{facts.salary:.2f}"
    return data


def submit_certificate(
    request: Request, ledger: Ledger, session: WebSessionDep, signed: SignedStatement
) -> Response:
    """Submit a signed certificate; its receipt, or the refusal naming each rule."""
    try:
        receipt = ledger.submit(signed.canonical, signed.signature)
    except InvalidDataError as error:
        th = " ".join(violation.th for violation in error.violations) or str(error)
        en = " ".join(violation.en for violation in error.violations) or str(error)
        context = {"refusal_th": th, "refusal_en": en}
        return render(request, "refusal.html", context, status_code=422, session=session)
    except LedgerError as error:
        kind = problem_kind(error)
        context = {"refusal_th": kind.title_th or kind.title, "refusal_en": str(error)}
        return render(request, "refusal.html", context, status_code=kind.status, session=session)
    context = {
        "code": receipt.hash,
        "record": str(signed.statement.data.get("record", "")),
        "kind": str(signed.statement.data.get("kind", "")),
    }
    return render(request, "certificate_receipt.html", context, status_code=201, session=session)


def qr_svg(url: str) -> str:
    """A QR code of ``url`` as an inline ``<svg>`` element (no XML declaration)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, title="QR", nl=False
    )
    return buffer.getvalue().decode("utf-8")


_DIGITS = ("", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _below_million(number: int, after_millions: bool = False) -> str:
    words = []
    digits = str(number)
    for position, character in enumerate(digits):
        digit, place = int(character), len(digits) - position - 1
        if digit == 0:
            continue
        if place == 1 and digit == 1:
            words.append("สิบ")
        elif place == 1 and digit == 2:
            words.append("ยี่สิบ")
        elif place == 0 and digit == 1 and (len(digits) > 1 or after_millions):
            words.append("เอ็ด")
        else:
            words.append(_DIGITS[digit] + _PLACES[place])
    return "".join(words)


def _number_text(number: int) -> str:
    if number == 0:
        return "ศูนย์"
    millions, rest = divmod(number, 1_000_000)
    head = _number_text(millions) + "ล้าน" if millions else ""
    return head + (_below_million(rest, bool(millions)) if rest else "")


def baht_text(amount: Decimal) -> str:
    """An amount of baht in Thai words (บาทถ้วน when there are no satang)."""
    satang_total = int((amount * 100).to_integral_value())
    baht, satang = divmod(satang_total, 100)
    words = _number_text(baht) + "บาท" if baht else ""
    if satang == 0:
        return (words or "ศูนย์บาท") + "ถ้วน"
    return words + _number_text(satang) + "สตางค์"


__all__ = [
    "CERTIFICATE_TYPE",
    "NotCertifiableError",
    "baht_text",
    "certified_data",
    "qr_svg",
    "submit_certificate",
]
