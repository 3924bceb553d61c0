"""Certification worklists: what waits for a caller, by role, in their scope (DOMAIN.md 5.2).

A cycle waits for the role whose step comes next (``ledger.domain.certification``):

* the LAO's HR officer, a cycle in ``draft`` or ``stale``: submit a snapshot (its root is read
  at ``GET /laos/{code}/snapshot``);
* an LAO superior, a ``submitted`` cycle: review it (return it, or leave it to the head);
* the LAO head, a ``submitted`` cycle: certify the submitted snapshot (or return it);
* the provincial officer, a ``lao_certified`` cycle: verify the certified snapshot (or return
  it); a ``province_verified`` one whose report to DLA is not sent yet: send it;
* DLA, a ``province_verified`` cycle: accept the certified snapshot (or return it).

Each item names the cycle, the LAO, the stage and its deadline, whether it is overdue on the
day asked (the LAO's and the province's stages as ``CycleRow.is_overdue`` judges them; DLA's
when its deadline passed), and the snapshot the step names: root, record count, log position,
and where to see what it covers; and how many warning letters the cycle drew. Other roles
(e-Plan staff, auditors...) have nothing to do here: their list is empty.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.domain.permissions import Role
from ledger.domain.rules import format_buddhist_date
from projections.views.certification import CycleRow


@dataclass(frozen=True, slots=True)
class Step:
    """The step a role takes on a cycle in one of ``states``."""

    role: Role
    states: frozenset[str]
    stage: str  # whose deadline: lao, province, dla
    action: str
    action_th: str
    snapshot: str  # which snapshot it names: none, submitted, certified


STEPS: tuple[Step, ...] = (
    Step(Role.LAO_HR_OFFICER, frozenset({"draft", "stale"}), "lao", "submit",
         "เสนอข้อมูลต่อผู้บังคับบัญชา", "none"),
    Step(Role.LAO_SUPERIOR, frozenset({"submitted"}), "lao", "review",
         "ตรวจสอบข้อมูลที่เสนอ", "submitted"),
    Step(Role.LAO_HEAD, frozenset({"submitted"}), "lao", "certify",
         "รับรองข้อมูล", "submitted"),
    Step(Role.PROVINCIAL_OFFICER, frozenset({"lao_certified"}), "province", "verify",
         "ตรวจสอบและรับรองข้อมูลของ อปท.", "certified"),
    Step(Role.PROVINCIAL_OFFICER, frozenset({"province_verified"}), "dla", "send_report",
         "ส่งรายงานผลการตรวจสอบถึง สถ.", "certified"),
    Step(Role.DLA_ADMIN, frozenset({"province_verified"}), "dla", "accept",
         "รับข้อมูล", "certified"),
)  # fmt: skip
"""Every certification step and who takes it."""

STATE_TH = {
    "draft": "อยู่ระหว่างบันทึกข้อมูล",
    "submitted": "เสนอผู้บังคับบัญชาแล้ว",
    "lao_certified": "อปท. รับรองข้อมูลแล้ว",
    "province_verified": "สถ.จ. ตรวจสอบและรับรองแล้ว",
    "dla_accepted": "สถ. รับข้อมูลแล้ว",
    "stale": "ข้อมูลเปลี่ยนหลังการรับรอง",
}
STAGE_TH = {"lao": "อปท.", "province": "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัด", "dla": "สถ."}


@dataclass(frozen=True, slots=True)
class WorkItem:
    """One cycle waiting for one of the caller's roles."""

    cycle: CycleRow
    lao_name: str | None
    step: Step
    as_of: date

    @property
    def deadline(self) -> date | None:
        stage = self.step.stage
        if stage == "lao":
            return self.cycle.lao_deadline
        return self.cycle.province_deadline if stage == "province" else self.cycle.dla_deadline

    @property
    def overdue(self) -> bool:
        if self.step.stage in ("lao", "province"):
            return self.cycle.is_overdue(self.step.stage, self.as_of)
        return self.deadline is not None and self.as_of > self.deadline

    def snapshot(self) -> dict[str, Any] | None:
        """The snapshot the step names: root, record count, position, where to read it."""
        row = self.cycle
        if self.step.snapshot == "submitted":
            root, position = row.submitted_root, row.submitted_position
        elif self.step.snapshot == "certified":
            root, position = row.certified_root, row.certified_position
        else:
            return None
        if root is None:
            return None
        return {
            "root": root,
            "record_count": row.record_count,
            "position": position,
            "covers": f"/laos/{row.lao}/snapshots/{root}" if position is not None else None,
        }

    def as_json(self) -> dict[str, Any]:
        row, step, deadline = self.cycle, self.step, self.deadline
        return {
            "cycle": row.cycle,
            "stream": row.stream,
            "lao": row.lao,
            "lao_name": self.lao_name,
            "province": row.province,
            "state": row.state,
            "state_th": STATE_TH.get(row.state, row.state),
            "role": str(step.role),
            "action": step.action,
            "action_th": step.action_th,
            "stage": step.stage,
            "stage_th": STAGE_TH[step.stage],
            "deadline": None if deadline is None else deadline.isoformat(),
            "deadline_th": None if deadline is None else format_buddhist_date(deadline),
            "days_left": None if deadline is None else (deadline - self.as_of).days,
            "overdue": self.overdue,
            "warnings": row.warnings,
            "snapshot": self.snapshot(),
        }


@dataclass(frozen=True, slots=True)
class Worklist:
    """What waits for the caller on a day: overdue items first, then by deadline."""

    roles: tuple[str, ...]
    as_of: date
    items: tuple[WorkItem, ...]

    @property
    def name(self) -> str:
        return "worklist"

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "as_of_th": format_buddhist_date(self.as_of),
            "roles": list(self.roles),
            "items": [item.as_json() for item in self.items],
        }

    def tabulate(self) -> tuple[list[str], list[dict[str, Any]]]:
        rows = [
            {name: value for name, value in item.as_json().items() if name != "snapshot"}
            for item in self.items
        ]
        return (list(rows[0]) if rows else []), rows


def worklist(
    cycles: Sequence[CycleRow],
    roles: Collection[str],
    as_of: date,
    lao_names: dict[str, str],
) -> Worklist:
    """The steps ``roles`` take on ``cycles`` (already narrowed to the caller's scope)."""
    mine = [step for step in STEPS if str(step.role) in roles]
    items = [
        WorkItem(cycle, lao_names.get(cycle.lao), step, as_of)
        for cycle in cycles
        for step in mine
        if cycle.state in step.states and not (step.action == "send_report" and cycle.report_sent)
    ]
    items.sort(
        key=lambda item: (
            not item.overdue,
            item.deadline or date.max,
            item.cycle.province,
            item.cycle.lao,
            item.cycle.cycle,
            item.step.action,
        )
    )
    return Worklist(tuple(sorted(roles)), as_of, tuple(items))
