"""Which records can be erased: only one whose personal values are all in the vault.

An erasure (``PersonErased``) destroys the person's vault key, which makes unreadable what a
v2 statement committed to (docs/personal-data.md). A v1 statement signed the values
themselves: they are in the log, its backups, bundles and Kafka envelopes, and no key opens or
closes them. Erasing such a record would append a signed "erased" while its values stay
readable forever, so the ledger refuses it (``erasure.v1_values``), appends nothing and
destroys nothing, and names the v1 events that hold them.

What counts: any v1 event of the stream whose data holds a value (present, not ``null``) at a
path its event type declares personal (``ledger.domain.personal_fields``: a ``RecordOpened``'s
citizen ID, a name, an address, a photo's hash, a sick leave's type, a correction's replaced
personal field...). A record every one of whose personal values was signed in v2 may be erased,
whatever other v1 events it holds (an education entry names no person).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ledger.domain.base import broken
from ledger.domain.personal_fields import personal_paths
from ledger.domain.signed import SignedAggregate
from ledger.statement import Statement
from ledger.violations import rule

V1_VALUES = rule(
    "erasure.v1_values",
    "ลบข้อมูลส่วนบุคคลของทะเบียนประวัตินี้ไม่ได้: ข้อมูลส่วนบุคคลอยู่ในรายการที่ลงนามแบบเดิม (v1) "
    "{count} รายการ (ลำดับที่ {versions}) ซึ่งลงนามค่าจริงไว้ในบันทึก แก้หรือลบไม่ได้โดยไม่ทำลาย"
    "ลายมือชื่อ การทำลายกุญแจจึงไม่ทำให้ข้อมูลนั้นหายไป ไม่ได้บันทึกและไม่ได้ทำลายสิ่งใด "
    "ให้ปฏิบัติตามหัวข้อ 'Records signed in v1' (ทะเบียนประวัติแบบเดิม) ใน docs/personal-data.md",
    "this record's personal data cannot be erased: {count} of its events (versions {versions}) "
    "were signed in format v1, which signs the values themselves into the log; they cannot be "
    "changed or removed without breaking the signatures, so destroying a key would not erase "
    "them. Nothing was appended or destroyed; follow 'Records signed in v1' in "
    "docs/personal-data.md",
)
"""An erasure of a record holding v1 personal values (field ``stream``)."""

MAX_NAMED = 10
"""How many of the v1 events a refusal lists by version (then "..."; the count is exact)."""


def personal_values(data_model: type[BaseModel], data: Mapping[str, Any]) -> list[str]:
    """The declared personal paths of ``data_model`` that hold a value in ``data``."""
    found = []
    for path in personal_paths(data_model):
        head, _, rest = path.partition(".")
        value = data.get(head)
        if rest:
            value = value.get(rest) if isinstance(value, Mapping) else None
        if value is not None:
            found.append(path)
    return found


def signs_clear_values(data_model: type[BaseModel], statement: Statement) -> bool:
    """Whether ``statement`` is v1 and signs a personal value in clear."""
    return statement.v == 1 and bool(personal_values(data_model, statement.data))


class ErasableRecord:
    """What a personnel record remembers for its erasure: the versions of its v1 events that
    signed a personal value (``signs_clear_values``), in order."""

    def __init__(self) -> None:
        super().__init__()
        self.clear_value_versions: list[int] = []

    def note_statement(
        self, version: int, data_model: type[BaseModel], statement: Statement
    ) -> None:
        if signs_clear_values(data_model, statement):
            self.clear_value_versions.append(version)

    def check_erasable(self, eraser: type[SignedAggregate.Event]) -> None:
        """Refuse an erasure of a record holding v1 personal values (``erasure.v1_values`` on
        ``stream``, naming how many and which versions)."""
        versions = self.clear_value_versions
        if versions:
            named = ", ".join(str(version) for version in versions[:MAX_NAMED])
            more = ", ..." if len(versions) > MAX_NAMED else ""
            raise broken(
                eraser, V1_VALUES, "stream", count=str(len(versions)), versions=named + more
            )


class ErasureCheck:
    """The check of an erasure event (mixed in before its ``LedgerEvent``): the record holds no
    v1 personal value (``ErasableRecord.check_erasable``)."""

    @classmethod
    def check_with(cls, record: Any, data: Any, context: Any) -> None:
        record.check_erasable(cls)


__all__ = ["V1_VALUES", "ErasableRecord", "ErasureCheck", "personal_values", "signs_clear_values"]
