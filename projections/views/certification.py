"""Certification states (ระบบตรวจสอบ และรับรองข้อมูล): per LAO per cycle, and per record.

``cycles`` has one row per certification cycle stream: its state, deadlines, the snapshot roots
and positions, when (valid and transaction time) and by whom each step was signed, overdue
stages and warning letters. ``steps`` keeps every event of every cycle with its signer, for the
dashboard's "who signed what, when".

A record's certification follows its LAO's cycle (the seed certifies per LAO): the record is
``certified`` when the LAO head certified a snapshot whose position is at or after the record's
latest operator event (so the certification covers the record as it stands; the system's
notices, such as RetirementScheduled, change nothing certified), ``stale`` when an operator
changed (or opened, or transferred in) the record after that position, and otherwise in the
cycle's own state (``draft``, ``submitted``); an LAO with no cycle leaves its records ``draft``.

Deadlines are judged on transaction time: a stage is done on the day (in Thailand) its
certification was recorded, whatever date its signer gave it (``is_overdue``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.log import LogEvent
from projections.rows import thai_day, utc_text
from projections.store import Cursor
from projections.views.folding import StreamRows, streams_of
from projections.views.registry_queries import record_rows
from projections.views.registry_rows import NOT_SEPARATED
from projections.views.runner import View

CYCLE_TYPES = frozenset(
    {
        "CycleOpened",
        "LaoDataSubmitted",
        "LaoDataReturned",
        "LaoDataCertified",
        "ProvinceVerificationReturned",
        "ProvinceCertified",
        "ProvinceReportSent",
        "DlaReturned",
        "DlaAccepted",
        "WarningLetterSent",
        "CycleOverdue",
        "CertificationInvalidated",
    }
)
STATE_AFTER = {
    "LaoDataSubmitted": "submitted",
    "LaoDataReturned": "draft",
    "LaoDataCertified": "lao_certified",
    "ProvinceVerificationReturned": "draft",
    "ProvinceCertified": "province_verified",
    "DlaReturned": "lao_certified",
    "DlaAccepted": "dla_accepted",
    "CertificationInvalidated": "stale",
}
CERTIFIED_STATES = frozenset({"lao_certified", "province_verified", "dla_accepted"})
STAGE_OPEN = {
    "lao": frozenset({"draft", "submitted", "stale"}),
    "province": frozenset({"lao_certified"}),
}
STAGE_DONE = {
    "lao": CERTIFIED_STATES,
    "province": frozenset({"province_verified", "dla_accepted"}),
}
COLUMNS = (
    "stream",
    "version",
    "lao",
    "province",
    "cycle",
    "state",
    "lao_deadline",
    "province_deadline",
    "dla_deadline",
    "submitted_root",
    "record_count",
    "submitted_position",
    "certified_root",
    "certified_position",
    "submitted_on",
    "lao_certified_at",
    "lao_certified_on",
    "lao_certified_recorded_at",
    "lao_certified_by",
    "province_certified_on",
    "province_certified_recorded_at",
    "province_certified_by",
    "dla_accepted_on",
    "report_sent",
    "stale_records",
    "overdue",
    "warnings",
    "opened_on",
)
STEP_COLUMNS = (
    "notification_id",
    "stream",
    "lao",
    "cycle",
    "type",
    "signer",
    "effective",
    "recorded_at",
)


class CertificationView(View):
    """รอบการรับรองข้อมูล: every cycle's state and every step's signer."""

    name = "certification"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "cycles": (
                "stream TEXT PRIMARY KEY, version BIGINT NOT NULL, lao TEXT NOT NULL, "
                "province TEXT NOT NULL, cycle TEXT NOT NULL, state TEXT NOT NULL, "
                "lao_deadline TEXT NOT NULL, province_deadline TEXT NOT NULL, dla_deadline TEXT, "
                "submitted_root TEXT, record_count INTEGER, submitted_position BIGINT, "
                "certified_root TEXT, certified_position BIGINT, "
                "submitted_on TEXT, lao_certified_at BIGINT, lao_certified_on TEXT, "
                "lao_certified_recorded_at TEXT, lao_certified_by TEXT, "
                "province_certified_on TEXT, province_certified_recorded_at TEXT, "
                "province_certified_by TEXT, dla_accepted_on TEXT, "
                "report_sent INTEGER NOT NULL, stale_records INTEGER NOT NULL, "
                "overdue TEXT NOT NULL, warnings INTEGER NOT NULL, opened_on TEXT NOT NULL"
            ),
            "steps": (
                "notification_id BIGINT PRIMARY KEY, stream TEXT NOT NULL, lao TEXT NOT NULL, "
                "cycle TEXT NOT NULL, type TEXT NOT NULL, signer TEXT NOT NULL, "
                "effective TEXT NOT NULL, recorded_at TEXT NOT NULL"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {"cycles": ["lao", "province"], "steps": ["stream"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        streams = streams_of(events, CYCLE_TYPES)
        if not streams:
            return
        rows = StreamRows(cursor, tables["cycles"], COLUMNS, streams)
        steps = []
        for event in events:
            if event.type not in CYCLE_TYPES or not rows.is_new(event):
                continue
            data = event.data
            if event.type == "CycleOpened":
                row = rows.create(
                    event,
                    {
                        "lao": data["lao"],
                        "province": data["province"],
                        "cycle": data["cycle"],
                        "state": "draft",
                        "lao_deadline": data["lao_deadline"],
                        "province_deadline": data["province_deadline"],
                        "dla_deadline": data.get("dla_deadline"),
                        "report_sent": 0,
                        "stale_records": 0,
                        "overdue": "",
                        "warnings": 0,
                        "opened_on": event.effective,
                    },
                )
            elif rows.get(str(event.stream)) is None:
                continue
            else:
                row = rows.touch(event)
                _apply(row, event, data)
            steps.append(
                (
                    event.notification_id,
                    row["stream"],
                    row["lao"],
                    row["cycle"],
                    event.type,
                    event.actor,
                    event.effective,
                    utc_text(event.recorded_at),
                )
            )
        rows.write()
        cursor.upsert(tables["steps"], STEP_COLUMNS, steps, key=("notification_id",), update=())


def _apply(row: dict[str, Any], event: LogEvent, data: dict[str, Any]) -> None:
    kind = event.type
    if kind in STATE_AFTER:
        row["state"] = STATE_AFTER[kind]
    if kind == "LaoDataSubmitted":
        row.update(
            submitted_root=data["snapshot_root"],
            record_count=data["record_count"],
            submitted_position=data.get("position"),
            submitted_on=event.effective,
        )
    elif kind == "LaoDataCertified":
        # A submission from before positions were named covers the records as certified.
        position = row["submitted_position"] or event.notification_id
        row.update(
            certified_root=data["snapshot_root"],
            certified_position=position,
            lao_certified_at=event.notification_id,
            lao_certified_on=event.effective,
            lao_certified_recorded_at=utc_text(event.recorded_at),
            lao_certified_by=event.signer_cid,
            stale_records=0,
        )
    elif kind == "ProvinceVerificationReturned":
        row.update(certified_root=None)
    elif kind == "ProvinceCertified":
        row.update(
            province_certified_on=event.effective,
            province_certified_recorded_at=utc_text(event.recorded_at),
            province_certified_by=event.signer_cid,
        )
    elif kind == "ProvinceReportSent":
        row["report_sent"] = 1
    elif kind == "DlaReturned":
        row["report_sent"] = 0
    elif kind == "DlaAccepted":
        row["dla_accepted_on"] = event.effective
    elif kind == "WarningLetterSent":
        row["warnings"] = int(row["warnings"]) + 1
    elif kind == "CycleOverdue":
        stages = {s for s in str(row["overdue"]).split(",") if s} | {data["stage"]}
        row["overdue"] = ",".join(sorted(stages))
    elif kind == "CertificationInvalidated":
        row["stale_records"] = len(data["records"])


@dataclass(frozen=True, slots=True)
class CycleRow:
    """One LAO's certification cycle."""

    stream: str
    lao: str
    province: str
    cycle: str
    state: str
    lao_deadline: date
    province_deadline: date
    dla_deadline: date | None
    submitted_root: str | None
    record_count: int | None
    submitted_position: int | None
    certified_root: str | None
    certified_position: int | None  # the log position the LAO head's certification covers
    submitted_on: date | None
    lao_certified_at: int | None
    lao_certified_on: date | None
    lao_certified_recorded_at: str | None
    lao_certified_by: str | None
    province_certified_on: date | None
    province_certified_recorded_at: str | None
    province_certified_by: str | None
    dla_accepted_on: date | None
    report_sent: bool
    stale_records: int
    overdue: tuple[str, ...]
    warnings: int
    opened_on: date

    @property
    def is_certified(self) -> bool:
        return self.state in CERTIFIED_STATES

    def done_on(self, stage: str) -> date | None:
        """The day (in Thailand) the stage's certification was recorded, if it stands done."""
        if self.state not in STAGE_DONE[stage]:
            return None
        recorded = (
            self.lao_certified_recorded_at
            if stage == "lao"
            else self.province_certified_recorded_at
        )
        return thai_day(recorded)

    def is_overdue(self, stage: str, as_of: date) -> bool:
        """The stage's deadline passed by ``as_of`` with its work not recorded by then: open
        now, or done by a certification recorded after ``as_of`` (transaction time; the date
        its signer gave it does not count). A cycle opened after ``as_of`` is not overdue."""
        deadline = self.lao_deadline if stage == "lao" else self.province_deadline
        if as_of <= deadline or as_of < self.opened_on:
            return False
        if self.state in STAGE_OPEN[stage]:
            return True
        done = self.done_on(stage)
        return done is not None and done > as_of

    def as_json(self) -> dict[str, Any]:
        return {
            name: (value.isoformat() if isinstance(value := getattr(self, name), date) else value)
            for name in self.__slots__
        } | {"overdue": list(self.overdue)}


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _cycle(row: Sequence[Any]) -> CycleRow:
    values = dict(zip(COLUMNS, row, strict=True))
    return CycleRow(
        stream=values["stream"],
        lao=values["lao"],
        province=values["province"],
        cycle=values["cycle"],
        state=values["state"],
        lao_deadline=date.fromisoformat(values["lao_deadline"]),
        province_deadline=date.fromisoformat(values["province_deadline"]),
        dla_deadline=_day(values["dla_deadline"]),
        submitted_root=values["submitted_root"],
        record_count=values["record_count"],
        submitted_position=values["submitted_position"],
        certified_root=values["certified_root"],
        certified_position=values["certified_position"],
        submitted_on=_day(values["submitted_on"]),
        lao_certified_at=values["lao_certified_at"],
        lao_certified_on=_day(values["lao_certified_on"]),
        lao_certified_recorded_at=values["lao_certified_recorded_at"],
        lao_certified_by=values["lao_certified_by"],
        province_certified_on=_day(values["province_certified_on"]),
        province_certified_recorded_at=values["province_certified_recorded_at"],
        province_certified_by=values["province_certified_by"],
        dla_accepted_on=_day(values["dla_accepted_on"]),
        report_sent=bool(values["report_sent"]),
        stale_records=int(values["stale_records"]),
        overdue=tuple(s for s in str(values["overdue"]).split(",") if s),
        warnings=int(values["warnings"]),
        opened_on=date.fromisoformat(values["opened_on"]),
    )


def cycles(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    cycle: str | None = None,
    lao: str | None = None,
    province: str | None = None,
) -> list[CycleRow]:
    """Certification cycles, filtered; ordered by province, LAO and cycle."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("cycle", cycle), ("lao", lao), ("province", province)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    cursor.execute(f"SELECT {', '.join(COLUMNS)} FROM {tables['cycles']}{where}", params)
    found = [_cycle(row) for row in cursor.fetchall()]
    return sorted(found, key=lambda c: (c.province, c.lao, c.cycle))


def current_cycles(
    cursor: Cursor,
    tables: Mapping[str, str],
    *,
    cycle: str | None = None,
    lao: str | None = None,
    province: str | None = None,
) -> dict[str, CycleRow]:
    """Each LAO's cycle ``cycle``, or its latest cycle when None; by DLA code."""
    chosen: dict[str, CycleRow] = {}
    for row in cycles(cursor, tables, cycle=cycle, lao=lao, province=province):
        if row.lao not in chosen or row.cycle > chosen[row.lao].cycle:
            chosen[row.lao] = row
    return chosen


@dataclass(frozen=True, slots=True)
class StepRow:
    """One signed step of a cycle: who, what, when."""

    notification_id: int
    stream: str
    lao: str
    cycle: str
    type: str
    signer: str
    effective: str
    recorded_at: str

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def steps_of(
    cursor: Cursor, tables: Mapping[str, str], streams: Collection[str]
) -> dict[str, list[StepRow]]:
    """The signed steps of each cycle (by stream), in log order; one query for them all."""
    found: dict[str, list[StepRow]] = defaultdict(list)
    rows = cursor.select_in(tables["steps"], STEP_COLUMNS, "stream", streams)
    for step in sorted((StepRow(*row) for row in rows), key=lambda s: s.notification_id):
        found[step.stream].append(step)
    return dict(found)


def record_state(last_change_id: int, cycle: CycleRow | None) -> str:
    """A record's certification state, from its latest operator event and its LAO's cycle."""
    if cycle is None:
        return "draft"
    if cycle.certified_position is not None and cycle.state in CERTIFIED_STATES | {"stale"}:
        return "certified" if last_change_id <= cycle.certified_position else "stale"
    return "submitted" if cycle.state == "submitted" else "draft"


@dataclass(frozen=True, slots=True)
class RecordCertification:
    """One record's certification state within its LAO's cycle."""

    stream: str
    lao: str
    province: str
    cycle: str | None
    state: str
    last_notification_id: int
    last_change_id: int  # the record's latest operator event (what staleness compares)

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def record_certifications(
    cursor: Cursor,
    registry_tables: Mapping[str, str],
    certification_tables: Mapping[str, str],
    *,
    lao: str | None = None,
    province: str | None = None,
    cycle: str | None = None,
) -> list[RecordCertification]:
    """The certification state of every record not separated from service, per LAO cycle, by
    LAO and record id (never by citizen ID, which a v2 record's row holds as a commitment)."""
    chosen = current_cycles(cursor, certification_tables, cycle=cycle, lao=lao, province=province)
    found = [
        RecordCertification(
            stream=row.stream,
            lao=row.lao,
            province=row.province,
            cycle=chosen[row.lao].cycle if row.lao in chosen else None,
            state=record_state(row.last_change_id, chosen.get(row.lao)),
            last_notification_id=row.last_notification_id,
            last_change_id=row.last_change_id,
        )
        for row in record_rows(
            cursor, registry_tables, lao=lao, province=province, statuses=NOT_SEPARATED, reveal=()
        )
    ]
    return sorted(found, key=lambda row: (row.province, row.lao, row.stream))
