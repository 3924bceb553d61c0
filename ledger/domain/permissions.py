"""Roles and scopes, and the check that a signer may emit an event type on a target.

The role names follow DOMAIN.md section 5.3. Which role may emit which event type is declared
beside each event type (its ``roles``), and ``ledger.domain.catalog.permission_matrix`` collects
them; this module names the roles, groups them as the matrix uses them, and answers whether a
scope covers a target (an LAO in a province, a province, or the whole country).

The ledger grants a statement when (1) one of the signer's roles may emit its type, (2) the
signer's scope covers the target the aggregate names (``target_scope``: for most events the LAO
holding the stream) and (3) the aggregate's own permission rule, where it has one, agrees (a
record owner only on their own record; education staff only on education subsidies).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Role(StrEnum):
    """Operator roles (DOMAIN.md section 5.3)."""

    SYSTEM = "system"  # the ledger's own key: genesis and server-side events
    DLA_ADMIN = "dla_admin"  # กรมส่งเสริมการปกครองท้องถิ่น (DLA) administrator
    LAO_HR_OFFICER = "lao_hr_officer"  # นักทรัพยากรบุคคล
    LAO_SUPERIOR = "lao_superior"  # ผู้บังคับบัญชาตามลำดับชั้น
    LAO_HEAD = "lao_head"  # นายก อปท. / ปลัด
    RECORD_OWNER = "record_owner"  # เจ้าของประวัติ
    PROVINCIAL_OFFICER = "provincial_officer"  # สถ.จ. กลุ่มงานมาตรฐานการบริหารงานบุคคลส่วนท้องถิ่น
    COMMITTEE_SECRETARY = "committee_secretary"  # เลขานุการ ก.จ.จ./ก.ท.จ./ก.อบต.จังหวัด
    PLAN_ANALYST = "plan_analyst"  # จนท.วถ. (provincial local-plan analysis officer)
    EPLAN_PLANNING = "eplan_planning"  # บุคลากรด้านการวางแผน
    EPLAN_FINANCE = "eplan_finance"  # ด้านการคลัง
    EPLAN_EDUCATION = "eplan_education"  # ด้านการศึกษา
    EPLAN_ENGINEERING = "eplan_engineering"  # ด้านช่าง
    AUDITOR = "auditor"  # read-only


ROLE_TH: dict[Role, str] = {
    Role.SYSTEM: "ระบบ",
    Role.DLA_ADMIN: "ผู้ดูแลระบบ สถ.",
    Role.LAO_HR_OFFICER: "นักทรัพยากรบุคคล",
    Role.LAO_SUPERIOR: "ผู้บังคับบัญชาตามลำดับชั้น",
    Role.LAO_HEAD: "นายก อปท. / ปลัด",
    Role.RECORD_OWNER: "เจ้าของประวัติ",
    Role.PROVINCIAL_OFFICER: "เจ้าหน้าที่ สถ.จ.",
    Role.COMMITTEE_SECRETARY: "เลขานุการ ก.จ.จ./ก.ท.จ./ก.อบต.จังหวัด",
    Role.PLAN_ANALYST: "เจ้าหน้าที่วิเคราะห์แผน",
    Role.EPLAN_PLANNING: "บุคลากรด้านการวางแผน",
    Role.EPLAN_FINANCE: "บุคลากรด้านการคลัง",
    Role.EPLAN_EDUCATION: "บุคลากรด้านการศึกษา",
    Role.EPLAN_ENGINEERING: "บุคลากรด้านช่าง",
    Role.AUDITOR: "ผู้ตรวจสอบ",
}
"""Each role's Thai name, shown beside its code."""


class Scope(BaseModel):
    """Where an operator may act: one LAO, one province, or the whole country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    level: Literal["national", "province", "lao"]
    province: str | None = Field(default=None, min_length=1, max_length=100)
    lao: str | None = Field(default=None, pattern=r"^\d{7}$")

    @model_validator(mode="after")
    def _fields_match_level(self) -> Scope:
        if self.level == "national" and (self.province or self.lao):
            raise ValueError("a national scope names no province or LAO")
        if self.level == "province" and (not self.province or self.lao):
            raise ValueError("a province scope names a province and no LAO")
        if self.level == "lao" and (not self.province or not self.lao):
            raise ValueError("an LAO scope names its province and its 7-digit DLA code")
        return self

    def covers(self, target: Scope) -> bool:
        """True when everything in ``target`` lies inside this scope."""
        if self.level == "national":
            return True
        if self.level == "province":
            return target.level != "national" and target.province == self.province
        return target.level == "lao" and target.lao == self.lao

    def describe(self) -> str:
        if self.level == "national":
            return "national"
        if self.level == "province":
            return f"province {self.province}"
        return f"LAO {self.lao} ({self.province})"

    def describe_th(self) -> str:
        if self.level == "national":
            return "ทั่วประเทศ"
        if self.level == "province":
            return f"จังหวัด{self.province}"
        return f"อปท. {self.lao} (จังหวัด{self.province})"


NATIONAL = Scope(level="national")


def lao_scope(province: str, lao: str) -> Scope:
    """The scope of one LAO (its 7-digit DLA code) in its province."""
    return Scope(level="lao", province=province, lao=lao)


def province_scope(province: str) -> Scope:
    """The scope of one province."""
    return Scope(level="province", province=province)


# Who emits what (DOMAIN.md section 5.3); each event type names one of these sets.
SYSTEM_ONLY = frozenset({Role.SYSTEM})
DLA = frozenset({Role.DLA_ADMIN})
HR = frozenset({Role.LAO_HR_OFFICER})
LAO_HEAD = frozenset({Role.LAO_HEAD})
LAO_REVIEWERS = frozenset({Role.LAO_SUPERIOR, Role.LAO_HEAD})
PROVINCE = frozenset({Role.PROVINCIAL_OFFICER})
OWNER = frozenset({Role.RECORD_OWNER})
ERASERS = frozenset({Role.LAO_HR_OFFICER, Role.DLA_ADMIN})  # a person's erasure (PDPA)
PLANNING = frozenset({Role.EPLAN_PLANNING})
PLAN_APPROVERS = frozenset({Role.EPLAN_PLANNING, Role.LAO_HEAD})
FINANCE = frozenset({Role.EPLAN_FINANCE})
PROGRESS_REPORTERS = frozenset({Role.EPLAN_FINANCE, Role.EPLAN_ENGINEERING})
ENGINEERING = frozenset({Role.EPLAN_ENGINEERING})
SUBSIDY_PAYERS = frozenset({Role.EPLAN_FINANCE, Role.EPLAN_EDUCATION})
SUBSIDY_REPORTERS = frozenset({Role.EPLAN_PLANNING, Role.EPLAN_FINANCE, Role.EPLAN_EDUCATION})

READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.COMMITTEE_SECRETARY, Role.PLAN_ANALYST})
"""Roles that emit no event type (yet): they read within their scope."""
