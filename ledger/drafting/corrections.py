"""Correction and void drafts of an entry of a ก.พ.๗ record, from the record's stored events.

Entries are never edited (``ledger.domain.record_history``): ``EntryCorrected`` names the
version of the entry's latest event (``supersedes``) and gives the entry's whole corrected data
(``replacement``), valid for the entry's own type; ``EntryVoided`` names the entry (the version
of the event that added it). An officer names the entry by any version of it (the one that
added it, or any of its corrections, as the record's history shows them); this finds the entry,
its latest version and its current data, so the officer edits only what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from ledger.commitments import is_commitment
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.event_labels import EVENT_LABELS
from ledger.domain.event_schemas import event_schema
from ledger.domain.record_history import EntryEvent
from ledger.drafting.templates import REQUIRED, draft, field_guide
from ledger.errors import LedgerError

StoredEvent = tuple[int, str, dict[str, Any]]
"""One event of a stream as a draft needs it: its version, its type and its data."""

REASON = "เหตุผล (reason): " + REQUIRED
COMMITTED = (
    "ค่าเดิมลงนามเป็นค่าผูกมัด (commitment) อ่านจากที่นี่ไม่ได้: กรอกค่าทั้งหมดอีกครั้ง / "
    "signed as a commitment, its value not read here: write the whole value again."
)
WITHHELD = (
    "บทบาทของผู้ใช้อ่านข้อมูลประเภท {kind} ไม่ได้ จึงเว้นว่างไว้: กรอกค่าทั้งหมดอีกครั้ง "
    "หรือให้ผู้มีสิทธิ์อ่านเป็นผู้ทำร่าง / your roles do not read {kind} data, so the value is "
    "left blank: write the whole value again, or have an officer who reads it draft this."
)


class EntryNotFoundError(LedgerError):
    """The version names no live entry of the record."""


@dataclass
class StoredEntry:
    """An entry of the record as its events leave it."""

    type: str  # the event type that added it
    id: int  # the version of the event that added it
    version: int  # the version of its latest event (the addition or its latest correction)
    data: dict[str, Any]
    versions: list[int] = field(default_factory=list)  # every version of it, oldest first
    voided: bool = False


def entries(events: Sequence[StoredEvent]) -> dict[int, StoredEntry]:
    """The record's entries by id, corrections and voids applied, from its events in order."""
    found: dict[int, StoredEntry] = {}
    latest: dict[int, int] = {}  # an entry's latest version -> its id
    for version, event_type, data in events:
        if event_type == "EntryCorrected" and data.get("supersedes") in latest:
            entry = found[latest.pop(data["supersedes"])]
            entry.version, entry.data = version, dict(data.get("replacement") or {})
            entry.versions.append(version)
            latest[version] = entry.id
        elif event_type == "EntryVoided" and data.get("entry") in found:
            found[data["entry"]].voided = True
        elif _adds_an_entry(event_type):
            found[version] = StoredEntry(event_type, version, version, dict(data), [version])
            latest[version] = version
    return found


def entry_at(events: Sequence[StoredEvent], version: int) -> StoredEntry:
    """The live entry that ``version`` is a version of, else the error saying why not."""
    for entry in entries(events).values():
        if version in entry.versions:
            if entry.voided:
                raise EntryNotFoundError(f"entry {entry.id} (version {version}) is voided")
            return entry
    raise EntryNotFoundError(f"version {version} of the record is not an entry")


def correction_draft(
    stream: UUID,
    entry: StoredEntry,
    head: tuple[int, str],
    withheld: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An ``EntryCorrected`` draft superseding ``entry``'s latest version, its replacement the
    entry's current data to edit, its reason to give. A value still a commitment is left
    ``null`` with a note: ``withheld`` (field -> its kind of data) names those the caller's
    roles may not read, the others were not read at all (a ledger without its vault)."""
    committed = [key for key, value in entry.data.items() if is_commitment(value)]
    replacement = {key: None if key in committed else value for key, value in entry.data.items()}
    data = {"supersedes": entry.version, "reason": None, "replacement": replacement}
    guide = {
        "data.supersedes": f"แก้ไขรายการฉบับที่ {entry.version} (entry {entry.id}): {REQUIRED}",
        "data.reason": REASON,
        **field_guide(event_schema(entry.type), "data.replacement"),
    }
    withheld = withheld or {}
    for key in committed:  # a v2 value not read here: the officer writes it
        why = WITHHELD.format(kind=withheld[key]) if key in withheld else COMMITTED
        guide[f"data.replacement.{key}"] = f"{why} {guide.get(f'data.replacement.{key}', '')}"
    return _entry_draft("EntryCorrected", stream, entry, head, data, guide)


def void_draft(
    stream: UUID, entry: StoredEntry, head: tuple[int, str], reason: str | None
) -> dict[str, Any]:
    """An ``EntryVoided`` draft of ``entry``, with the reason when given."""
    if not getattr(EVENT_TYPES[entry.type].event_class, "is_voidable", True):
        raise EntryNotFoundError(
            f"entry {entry.id} is the record's header ({entry.type}): it is corrected, never "
            "voided (ledger correct)"
        )
    data = {"entry": entry.id, "reason": reason}
    guide = {"data.entry": f"ยกเลิกรายการที่ {entry.id} (entry): {REQUIRED}", "data.reason": REASON}
    return _entry_draft("EntryVoided", stream, entry, head, data, guide)


def _entry_draft(
    event_type: str,
    stream: UUID,
    entry: StoredEntry,
    head: tuple[int, str],
    data: dict[str, Any],
    guide: dict[str, str],
) -> dict[str, Any]:
    """The draft of ``event_type`` about ``entry``: its data and its fields' guide."""
    made = draft(event_type, stream, head)
    made["data"] = data
    made["corrects"] = _corrects(entry)
    made["fields"] = {"effective": made["fields"]["effective"], **guide}
    return made


def _corrects(entry: StoredEntry) -> dict[str, Any]:
    """What the draft is about (``submit`` reads ``type`` to write the replacement's dates)."""
    label = EVENT_LABELS.get(entry.type)
    return {"type": entry.type, "type_th": label.th if label else entry.type, "entry": entry.id}


def _adds_an_entry(event_type: str) -> bool:
    spec = EVENT_TYPES.get(event_type)
    return spec is not None and issubclass(spec.event_class, EntryEvent)


__all__ = [
    "COMMITTED",
    "WITHHELD",
    "EntryNotFoundError",
    "StoredEntry",
    "correction_draft",
    "entries",
    "entry_at",
    "void_draft",
]
