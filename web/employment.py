"""The employment transitions a record may take now, each with the legal reference it needs.

The table is the domain's (``ledger.domain.employment.TRANSITIONS``): from the record's status
the transitions allowed, to the status each leads to. What each must cite is the document its
data model requires (``order``, ``legal_ref`` for a revocation, the optional death certificate
``reference``); the notes say what the domain documentation (docs/domain.md, DOMAIN.md 5.2)
says of each: the retirement rule with this person's last day in service, re-entry after a
resignation, a revocation only with a legal reference. The ledger checks the rest when the
signed statement comes in (a contract ends by ``ContractEnded``, not by retirement...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.employment import TRANSITIONS, EmploymentStatus
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.field_labels import field_label
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import Scope, lao_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import StaffCategory
from ledger.domain.rules import format_buddhist_date
from projections.reports.labels import CODES
from web.drafts import may_sign
from web.forms import EFFECTIVE

LEGAL_FIELDS = ("order", "legal_ref", "reference")
"""The data fields that carry a transition's legal document."""

_NOTES: dict[str, Label] = {
    "EmploymentStarted": Label(
        "บรรจุแต่งตั้ง รับโอน จ้าง หรือกลับเข้ารับราชการหลังลาออก ปลดออก ให้ออก หรือสิ้นสุดสัญญา ตามคำสั่ง",
        "appointment, transfer in, contract, or re-entry after a resignation, discharge, "
        "removal or contract end, by order",
    ),
    "Suspended": Label(
        "สั่งพักราชการหรือให้ออกไว้ก่อนระหว่างการสอบสวน ตามคำสั่ง พร้อมเหตุผล",
        "suspension pending an inquiry, by order, with the reason",
    ),
    "Reinstated": Label("กลับเข้าปฏิบัติราชการหลังถูกสั่งพัก ตามคำสั่ง", "back from suspension, by order"),
    "TransferredOut": Label(
        "โอนไป อปท. อื่นที่ขึ้นทะเบียนแล้ว อปท. ปลายทางเป็นผู้ลงนามรับโอน ทะเบียนประวัติเดิมใช้ต่อไป",
        "transfer to another registered LAO; the destination signs the arrival and the same "
        "record continues",
    ),
    "TransferredIn": Label(
        "อปท. ปลายทางรับโอน การดูแลทะเบียนประวัติย้ายมาที่ อปท. นี้",
        "the destination LAO receives the transfer; custody of the record moves to it",
    ),
    "Retired": Label(
        "เกษียณอายุเมื่อสิ้นปีงบประมาณที่มีอายุครบ ๖๐ ปี (วันสุดท้ายที่รับราชการคือ 30 ก.ย.)",
        "retirement at the end of the fiscal year in which the person turns 60 (the last day "
        "in service is a 30 September)",
    ),
    "Resigned": Label("ลาออกจากราชการ ตามคำสั่งอนุญาต", "resignation, by the order allowing it"),
    "Discharged": Label(
        "ปลดออก (โทษทางวินัย) ตามคำสั่ง", "discharge (a disciplinary penalty), by order"
    ),
    "Dismissed": Label("ไล่ออก (โทษทางวินัย) ตามคำสั่ง", "dismissal (a disciplinary penalty), by order"),
    "RemovedFromService": Label(
        "ให้ออกจากราชการ (มิใช่โทษทางวินัย) ตามคำสั่ง", "removal from service (not a penalty), by order"
    ),
    "Died": Label(
        "ถึงแก่กรรม อ้างอิงมรณบัตรถ้ามี ทะเบียนประวัติยังคงอยู่กับ อปท.",
        "death, citing the death certificate where there is one; the LAO keeps the record",
    ),
    "ContractEnded": Label(
        "สิ้นสุดสัญญาจ้าง (เฉพาะพนักงานจ้าง) ตามคำสั่ง", "end of a contract (contract staff only), by order"
    ),
    "SeparationRevoked": Label(
        "ยกเลิกหรือเพิกถอนคำสั่งให้พ้นจากราชการ (คำวินิจฉัยอุทธรณ์ คำพิพากษา) ต้องมีเอกสารอ้างอิงทางกฎหมาย "
        "สถานภาพกลับเป็นก่อนพ้นจากราชการ",
        "an appeal, a court or the authority reverses a separation: a legal reference is "
        "required and the status returns to what it was before",
    ),
}


@dataclass(frozen=True, slots=True)
class Transition:
    """One transition the record may take now."""

    event_type: str
    name: Label
    target: Label
    document: Label  # the legal document the form asks for
    document_required: bool
    note: Label


def status_label(status: str) -> Label:
    th, en = CODES["employment"].get(status, (status, status))
    return Label(th, en)


def allowed_transitions(record: PersonnelRecord, enrolment: Enrolment) -> list[Transition]:
    """The transitions from the record's status that the caller's roles may sign, in the
    table's order; retirement and contract end as the record's staff category allows; the
    arrival of a transfer for the destination LAO only, the others for the LAO holding it."""
    found = []
    for name, (sources, target) in TRANSITIONS.items():
        if record.status not in sources or not may_sign(enrolment, name):
            continue
        if not enrolment.scope.covers(_signing_scope(record, name)):
            continue  # the arrival is the destination's to sign, the rest the holder's
        contract = record.category is StaffCategory.CONTRACT
        if (name == "Retired" and contract) or (name == "ContractEnded" and not contract):
            continue
        back = record.status_before_separation
        found.append(
            Transition(
                name,
                EVENT_LABELS[name],
                status_label((target or back).value),
                *_document(name),
                _note(name, record),
            )
        )
    return found


def _signing_scope(record: PersonnelRecord, name: str) -> Scope:
    if name == "TransferredIn" and record.transfer is not None:
        to_lao, to_province = record.transfer
        return lao_scope(to_province, to_lao)
    return record.read_scope()


def _document(name: str) -> tuple[Label, bool]:
    model = EVENT_TYPES[name].data_model
    for field in LEGAL_FIELDS:
        info = model.model_fields.get(field)
        if info is not None:
            label = field_label(model.__name__, field) or Label(field, field)
            return label, info.is_required()
    return Label("-", "-"), False


def _note(name: str, record: PersonnelRecord) -> Label:
    note = _NOTES[name]
    if name == "Retired":
        last = format_buddhist_date(record.retirement_date)
        return Label(
            f"{note.th}: ตามวันเกิด วันสุดท้ายที่รับราชการของบุคคลนี้คือ {last}",
            f"{note.en}: by the birth date this person's last day in service is {last}",
        )
    return note


def current_status(record: PersonnelRecord) -> EmploymentStatus:
    return record.status


def known_values(record: PersonnelRecord, event_type: str) -> dict[str, str]:
    """What the record already says of a transition, typed for the officer (who may change
    it; the ledger checks it): a retirement's last day by the birth date, and the day after
    as its effective date; the LAO a transfer arrives from; the owner's change request still
    open that an answer names (the latest, when several are); for a transfer out and a
    suspension, the authority that signed the record's latest order (the LAO's head, who
    usually signs these too), and for a transfer out the record's province (most transfers
    stay in it). A death gets nothing: the record cannot know its date, and its reference is
    the district's death certificate, not an order of the LAO."""
    if event_type == "Retired":
        last = record.retirement_date
        return {
            "last_day": format_buddhist_date(last),
            EFFECTIVE: format_buddhist_date(last + timedelta(days=1)),
        }
    if event_type == "TransferredIn":
        return {"from_lao": record.lao}
    if event_type == "ChangeRequestResolved":  # the owner's latest request still open
        waiting = [n for n, asked in record.change_requests.items() if asked.outcome is None]
        return {"request": str(max(waiting))} if waiting else {}
    known: dict[str, str] = {}
    issuer = _latest_issuer(record)
    if event_type in ("TransferredOut", "Suspended") and issuer:
        known["order.issuer"] = issuer
    if event_type == "TransferredOut" and record.province:
        known["to_province"] = record.province
    return known


def _latest_issuer(record: PersonnelRecord) -> str:
    """Who issued the latest order among the record's live entries ("" when none names one)."""
    for entry in reversed(record.live_entries()):
        issuer = getattr(getattr(entry.data, "order", None), "issuer", None)
        if isinstance(issuer, str) and issuer:
            return issuer
    return ""


__all__ = ["Transition", "allowed_transitions", "current_status", "known_values", "status_label"]
