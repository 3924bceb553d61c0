"""What the certifiers (the LAO's superiors and head, the provincial officer, DLA) see and sign.

The chain is ``ledger.domain.certification``'s: the head certifies (``LaoDataCertified``) or a
superior or the head returns (``LaoDataReturned``) a *submitted* cycle; the province certifies
(``ProvinceCertified``) or returns (``ProvinceVerificationReturned``) an *LAO-certified* one;
DLA accepts (``DlaAccepted``) or returns (``DlaReturned``) a *province-verified* one; the
province also records the letters it sent: its report to DLA (``ProvinceReportSent``, once)
and a warning letter to an LAO late with its work undone (``WarningLetterSent``). Each
certification names the snapshot root the step before it named, so the page shows that very
snapshot, recomputed from the log at its position (``web.certify.submission``, the same read
the HR officer's submission page makes): the records it covers, by name when the caller reads
names, with what each lacks for the KPI now and whether it changed since the snapshot.

Nothing here reads of its own: the worklist is ``Reports.worklist`` (what ``GET /worklist``
answers), the cycles ``Reports.certification``, and the LAOs past a deadline read from those
cycles by date (``kpi.stages_overdue``: every cycle, not only the current one that
``Reports.overdue`` and ``ledger process overdue`` look at, each saying whether it was marked);
the past returns' reasons are on the cycle's aggregate. ``draft_step`` turns the form into
the step's statement at the cycle's head, checked by the event's own data model first so a
missing reason is shown beside its field before anything is signed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.certification import (
    STAGE_OPEN,
    CertificationCycle,
    Stage,
    certification_stream_id,
)
from ledger.domain.dates import DateInputError, parse_human_date
from ledger.domain.event_labels import Label
from ledger.domain.operators import Enrolment
from ledger.domain.permissions import Role
from ledger.domain.record_entries import RecordSection
from ledger.domain.value_checks import value_violations
from ledger.errors import StreamNotFoundError, model_violations
from ledger.statement import SignerRef, Statement, build_statement
from projections.reports.facade import Reports
from projections.reports.kpi import Overdue, stages_overdue
from projections.reports.scope import ReadScope
from projections.reports.worklist import WorkItem
from projections.views.certification import CycleRow, StepRow
from web.certify import Submission, submission
from web.forms.errors import FieldError, form_name, violation_error

CERTIFIER_ROLES = frozenset(
    {Role.LAO_SUPERIOR, Role.LAO_HEAD, Role.PROVINCIAL_OFFICER, Role.DLA_ADMIN}
)
"""The roles that take a step after the LAO's submission (the worklist's reviewers)."""


def is_certifier(enrolment: Enrolment) -> bool:
    return bool(CERTIFIER_ROLES & set(enrolment.roles))


@dataclass(frozen=True, slots=True)
class Action:
    """A step a certifier signs on a cycle in one of ``states``: certify (naming ``root``, the
    submitted or the certified snapshot) or return (with a reason, maybe sections)."""

    code: str  # the address: /app/certify/{lao}/{cycle}/{code}
    event_type: str
    states: frozenset[str]
    label: Label
    root: str = ""  # "submitted" or "certified": the root the data names
    reason: bool = False  # a return: the reason is required
    sections: bool = False  # the return names the sections to correct
    letter: bool = False  # records a letter the province sent (its number and date)

    @property
    def returns(self) -> bool:
        return self.reason

    def allowed(self, enrolment: Enrolment) -> bool:
        spec = EVENT_TYPES.get(self.event_type)
        return spec is not None and bool(spec.roles & set(enrolment.roles))


ACTIONS: tuple[Action, ...] = (
    Action("lao-certify", "LaoDataCertified", frozenset({"submitted"}),
           Label("รับรองข้อมูล", "Certify"), root="submitted"),
    Action("lao-return", "LaoDataReturned", frozenset({"submitted"}),
           Label("ส่งคืนให้แก้ไข", "Return for correction"), reason=True, sections=True),
    Action("province-certify", "ProvinceCertified", frozenset({"lao_certified"}),
           Label("รับรองข้อมูล", "Certify"), root="certified"),
    Action("province-return", "ProvinceVerificationReturned", frozenset({"lao_certified"}),
           Label("ส่งคืนให้แก้ไข", "Return for correction"), reason=True, sections=True),
    Action("dla-accept", "DlaAccepted", frozenset({"province_verified"}),
           Label("รับข้อมูล", "Accept"), root="certified"),
    Action("dla-return", "DlaReturned", frozenset({"province_verified"}),
           Label("ส่งคืนให้จังหวัด", "Return to the province"), reason=True),
    Action("province-report", "ProvinceReportSent", frozenset({"province_verified"}),
           Label("บันทึกการส่งรายงานผลถึง สถ.", "Record the report sent to DLA"), letter=True),
    Action("warning-letter", "WarningLetterSent", frozenset(STAGE_OPEN[Stage.LAO]),
           Label("บันทึกการส่งหนังสือแจ้งเตือน", "Record the warning letter sent"), letter=True),
)  # fmt: skip
"""Every step a certifier signs from the page, by its address."""

ACTION_BY_CODE = {action.code: action for action in ACTIONS}
STEP_TYPES = frozenset(action.event_type for action in ACTIONS)


def actions_for(enrolment: Enrolment, row: CycleRow, today: date) -> tuple[Action, ...]:
    """The steps the caller's roles may sign on the cycle as it stands on ``today``: a report
    to DLA once, a warning letter while the LAO is late with its work undone."""
    return tuple(
        action
        for action in ACTIONS
        if row.state in action.states
        and action.allowed(enrolment)
        and not (action.event_type == "ProvinceReportSent" and row.report_sent)
        and not (action.event_type == "WarningLetterSent" and not row.is_overdue("lao", today))
    )


def office_of(province: str) -> str:
    """The provincial office that issues the province's letters."""
    return f"สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด{province}"


def lao_scope_of(row: CycleRow) -> ReadScope:
    return ReadScope(lao=row.lao, province=row.province)


@dataclass(frozen=True, slots=True)
class CertifierWork:
    """The certifier's home: the steps waiting, the stages past their deadline, every cycle."""

    today: date
    items: tuple[WorkItem, ...]
    overdue: tuple[Overdue, ...]
    cycles: tuple[CycleRow, ...]
    lao_names: Mapping[str, str]

    def lao_name(self, code: str) -> str:
        return self.lao_names.get(code) or code


def certifier_work(
    reports: Reports, scope: ReadScope, roles: frozenset[str], today: date
) -> CertifierWork:
    """What waits for ``roles`` in ``scope`` on ``today`` (overdue first, then by deadline),
    and every stage of every cycle past its deadline by date: the worklist's overdue items
    are all among them, whether or not the system marked them."""
    items = reports.worklist(scope, roles, today).items
    report = reports.certification(scope)
    cycles = sorted(report.cycles, key=lambda row: (row.province, row.lao, row.cycle))
    late = stages_overdue(cycles, today)
    return CertifierWork(today, items, tuple(late), tuple(cycles), dict(report.names.laos))


@dataclass(frozen=True, slots=True)
class PastReturn:
    """A return of this cycle: which step, the sections, the reason."""

    event_type: str
    sections: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class CycleReview:
    """A cycle as its certifier sees it: the snapshot under review and what may be signed."""

    row: CycleRow
    lao_name: str
    root: str | None
    shown: Submission | None
    changed: frozenset[UUID]
    actions: tuple[Action, ...]
    steps: tuple[StepRow, ...]
    returns: tuple[PastReturn, ...] = field(default=())

    @property
    def stream(self) -> UUID:
        return certification_stream_id(self.row.lao, self.row.cycle)


def find_cycle(reports: Reports, scope: ReadScope, lao: str, cycle: str) -> CycleRow | None:
    """The cycle of ``lao`` named ``cycle`` within the caller's ``scope`` (None outside it)."""
    narrowed = ReadScope(lao=lao, province=scope.province)
    if scope.lao is not None and scope.lao != lao:
        return None
    found = reports.certification(narrowed, cycle).cycles
    return next((row for row in found if row.lao == lao and row.cycle == cycle), None)


def review_cycle(
    ledger: Ledger, reports: Reports, row: CycleRow, enrolment: Enrolment, today: date
) -> CycleReview:
    """The cycle's snapshot under review (the submitted one while submitted, the certified one
    after), its records, and the steps the caller may sign now."""
    scope = lao_scope_of(row)
    report = reports.certification(scope, row.cycle)
    certified = row.state in ("lao_certified", "province_verified", "dla_accepted")
    root, position = (
        (row.certified_root, row.certified_position)
        if certified
        else (row.submitted_root, row.submitted_position)
    )
    shown = None
    changed: set[UUID] = set()
    if root is not None and position is not None:
        shown = submission(ledger, reports, scope, row, position)
        if shown.snapshot.root != root:  # cannot happen for a submission the ledger admitted
            shown = None
        else:
            changed = {r.stream for r in shown.records if ledger.head(r.stream)[0] != r.version}
    return CycleReview(
        row=row,
        lao_name=report.names.laos.get(row.lao) or row.lao,
        root=root,
        shown=shown,
        changed=frozenset(changed),
        actions=actions_for(enrolment, row, today),
        steps=report.steps.get(row.stream, ()),
        returns=_past_returns(ledger, row),
    )


def _past_returns(ledger: Ledger, row: CycleRow) -> tuple[PastReturn, ...]:
    try:
        cycle = ledger.aggregate(UUID(row.stream))
    except StreamNotFoundError:
        return ()
    if not isinstance(cycle, CertificationCycle):
        return ()
    types = {event.version: event.type for event in ledger.stream_events(cycle.id)}
    return tuple(
        PastReturn(types.get(version, ""), tuple(str(s) for s in sections), reason)
        for version, sections, reason in cycle.returns
    )


SECTIONS = tuple(section.value for section in RecordSection)


@dataclass(slots=True)
class StepForm:
    """What the certifier filled in: the sections, reason and records of a return, DLA's note."""

    sections: list[str] = field(default_factory=list)
    reason: str = ""
    records: list[str] = field(default_factory=list)
    note: str = ""
    letter_number: str = ""
    letter_date: str = ""
    errors: dict[str, list[FieldError]] = field(default_factory=dict)

    def data(self, action: Action, review: CycleReview) -> dict[str, Any]:
        """The step's statement data (``snapshot_root`` is the one under review)."""
        data: dict[str, Any] = {}
        if action.root:
            data["snapshot_root"] = review.root
        if action.sections:
            data["sections"] = list(self.sections)
            if self.records:
                data["records"] = list(self.records)
        if action.reason:
            data["reason"] = self.reason.strip()
        if action.event_type == "DlaAccepted" and self.note.strip():
            data["note"] = self.note.strip()
        if action.letter:
            data["letter"] = {
                "number": self.letter_number.strip(),
                "date": self._letter_day(),
                "issuer": office_of(review.row.province),
            }
            if action.event_type == "WarningLetterSent":
                data["stage"] = "lao"
        return data

    def _letter_day(self) -> str:
        """The letter's date as ISO (typed in the Buddhist era, Thai digits accepted)."""
        try:
            return parse_human_date(self.letter_date).isoformat()
        except DateInputError as error:
            self.errors.setdefault("letter_date", []).append(
                FieldError(error.rule_id, error.th, error.en)
            )
            return ""


REASON_REQUIRED = FieldError(
    "certification.reason_required",
    "ต้องระบุเหตุผลที่ส่งคืน",
    "give the reason for returning the data",
)
SECTION_REQUIRED = FieldError(
    "certification.sections_required",
    "เลือกหมวดที่ต้องแก้ไขอย่างน้อยหนึ่งหมวด",
    "choose at least one section to correct",
)
RECORD_NOT_COVERED = FieldError(
    "certification.record_not_covered",
    "เลือกได้เฉพาะทะเบียนประวัติที่อยู่ในชุดข้อมูลที่เสนอ",
    "choose only records the submitted snapshot covers",
)


def check_step(form: StepForm, action: Action, review: CycleReview) -> dict[str, Any]:
    """The data to sign, or ``form.errors`` filled (each on its input) when it is not right."""
    if action.reason and not form.reason.strip():
        form.errors.setdefault("reason", []).append(REASON_REQUIRED)
    if action.sections and not form.sections:
        form.errors.setdefault("sections", []).append(SECTION_REQUIRED)
    covered = {str(r.stream) for r in review.shown.records} if review.shown else set()
    if action.sections and not set(form.records) <= covered:
        form.errors.setdefault("records", []).append(RECORD_NOT_COVERED)
    data = form.data(action, review)
    if form.errors:
        return data
    model = EVENT_TYPES[action.event_type].data_model
    try:
        model.model_validate(data)
    except ValidationError as error:
        problems = error.errors()
        for problem, violation in zip(problems, model_violations(problems), strict=True):
            form.errors.setdefault(_input(violation.field), []).append(
                violation_error(violation, problem)
            )
        return data
    for violation in value_violations(model, data):
        form.errors.setdefault(_input(violation.field), []).append(violation_error(violation))
    return data


def _input(path: str) -> str:
    """The input a violation's path names: ``data.letter.number`` -> ``letter_number``."""
    return form_name(path).replace("letter.", "letter_").split(".")[0]


def draft_step(
    ledger: Ledger, review: CycleReview, action: Action, data: dict[str, Any],
    enrolment: Enrolment, effective: date,
) -> Statement:  # fmt: skip
    """The step's statement at the cycle's head now, signed by the enrolment's key."""
    version, head = ledger.head(review.stream)
    return build_statement(
        stream=review.stream,
        expected_version=version,
        prev_hash=head,
        type=action.event_type,
        data=data,
        effective=effective,
        signer=SignerRef(cid=enrolment.cid, key=enrolment.key_id),
        signed_at=datetime.now(UTC),
    )
