"""Every view against expectations computed here, independently, from the ledger's own events
and aggregates (never from the projection code), on PostgreSQL and SQLite."""

from __future__ import annotations

import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.certification import CertificationCycle, Stage, certification_stream_id
from ledger.domain.dates import THAILAND
from ledger.domain.organizations import Organization, organization_stream_id
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.positions import Position, position_stream_id
from ledger.domain.record_entries import RecordSection
from ledger.domain.rules import fiscal_year, retirement_fiscal_year
from ledger.settings import LedgerSettings
from projections.reports.eplan_status import eplan_status
from projections.reports.kpi import lao_kpis, overdue
from projections.reports.retirements import upcoming_retirements
from projections.views.audit_trail import audit_trail
from projections.views.catalogue import Projections
from projections.views.certification import record_certifications
from projections.views.eplan_status import eplan_facts
from projections.views.leave import leave_summary
from projections.views.organizations import organizations
from projections.views.positions import occupancy, positions
from projections.views.registry_queries import current_registry
from projections.views.section35 import section35_ratios
from tests.conftest import NO_VAULT
from tests.ledger_kit import build_kit
from tests.projection_world import LAO, NEIGHBOUR, TAK, ProjectionWorld, build_projection_world


@dataclass
class Built:
    world: ProjectionWorld
    projections: Projections

    @property
    def ledger(self) -> Ledger:
        return self.world.kit.ledger

    def tables(self, name: str) -> dict[str, str]:
        return self.projections.tables(name)


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Built]:
    """The projection world, its views caught up in batches of 7 (so batches cut streams)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('views')) / 'views.sqlite'}"
    # No vault on either backend: both views are built from the same (v1) statements.
    named = {"database_url": url, "name": f"v{uuid.uuid4().hex[:10]}"}
    ledger = Ledger(LedgerSettings.model_validate(named | NO_VAULT))
    world = build_projection_world(build_kit(ledger))
    projections = Projections.open(ledger)
    projections.runner.batch_size = 7
    projections.catch_up()
    yield Built(world, projections)
    projections.close()
    ledger.close()


def _events(ledger: Ledger, stream: uuid.UUID) -> list[dict[str, Any]]:
    """The stream's statements as signed, with their log positions."""
    return [
        json.loads(event.statement) | {"notification_id": event.notification_id}
        for event in ledger.stream_events(stream)
    ]


def _record(ledger: Ledger, stream: uuid.UUID) -> PersonnelRecord:
    found = ledger.aggregate(stream)
    assert isinstance(found, PersonnelRecord)
    return found


def _latest(record: PersonnelRecord, types: set[str]) -> Any:
    entries = [entry for entry in record.live_entries() if entry.type in types]
    return max(entries, key=lambda e: (e.effective, e.id)).data if entries else None


def test_registry_now_is_each_records_state(built: Built) -> None:
    """Custody, status, category, name and the latest live position-and-salary line of each
    record: a corrected salary shows corrected, a voided later line is gone."""
    expected = set()
    for stream in built.world.records.values():
        record = _record(built.ledger, stream)
        line = _latest(record, {"PositionSalaryEntryAdded"})
        name = _latest(record, {"PersonalDataRecorded", "NameChanged"})
        expected.add(
            (
                str(stream),
                record.lao,
                record.province,
                str(record.status),
                str(record.category),
                name.first_name,
                line.salary,
                line.allowance,
            )
        )

    with built.projections.read() as cursor:
        rows = current_registry(cursor, built.tables("registry"))

    actual = {
        (r.stream, r.lao, r.province, r.status, r.category, r.first_name, r.salary, r.allowance)
        for r in rows
    }
    assert expected == actual
    assert Decimal("31000.00") == next(r.salary for r in rows if r.first_name == "สอง")


def test_positions_and_occupancy(built: Built) -> None:
    """Each position's status, holder and level; the frame, occupied and vacant counts."""
    expected = {}
    for number in ("P-1", "P-2", "P-3", "P-4", "P-5"):
        position = built.ledger.aggregate(position_stream_id(str(LAO.lao), number))
        assert isinstance(position, Position)
        holder = str(position.holder) if position.holder else None
        expected[number] = (str(position.status), holder, position.level)
    counts = Counter(status for status, _, _ in expected.values())

    with built.projections.read() as cursor:
        rows = positions(cursor, built.tables("positions"), lao=str(LAO.lao))
        (summary,) = occupancy(cursor, built.tables("positions"), lao=str(LAO.lao))

    assert expected == {row.number: (row.status, row.holder, row.level) for row in rows}
    assert (counts["occupied"], counts["vacant"], counts["frozen"], counts["abolished"]) == (
        summary.occupied, summary.vacant, summary.frozen, summary.abolished
    )  # fmt: skip
    assert counts["occupied"] + counts["vacant"] + counts["frozen"] == summary.frame


def test_organizations(built: Built) -> None:
    """Name and type after a rename and a retyping; open units after a closure."""
    expected = {}
    for scope in (LAO, NEIGHBOUR, TAK):
        organization = built.ledger.aggregate(organization_stream_id(str(scope.lao)))
        assert isinstance(organization, Organization)
        open_units = sum(unit.is_open for unit in organization.units.values())
        expected[organization.code] = (organization.name, str(organization.type), open_units)

    with built.projections.read() as cursor:
        rows = organizations(cursor, built.tables("organizations"))

    assert expected == {row.code: (row.name, row.type, row.units_open) for row in rows}


def _certified_at(ledger: Ledger, lao: str, cycle: str) -> int | None:
    """The log position the cycle's certification covers (its certified snapshot's)."""
    stream = certification_stream_id(lao, cycle)
    if ledger.head(stream)[0] == 0:
        return None  # no such cycle
    found = ledger.aggregate(stream)
    assert isinstance(found, CertificationCycle)
    return found.certified_position


def _last_change(ledger: Ledger, stream: uuid.UUID) -> int:
    """The log position of the record's latest operator event (system notices left out)."""
    return max(
        e["notification_id"] for e in _events(ledger, stream) if e["signer"]["cid"] != "system"
    )


def _certified_in_time(ledger: Ledger, lao: str, cycle: str) -> bool:
    """The LAO head's certification was recorded (Thai day) by the cycle's LAO deadline."""
    stream = certification_stream_id(lao, cycle)
    if ledger.head(stream)[0] == 0:
        return False
    found = ledger.aggregate(stream)
    assert isinstance(found, CertificationCycle)
    recorded = [e.recorded_at for e in ledger.stream_events(stream) if e.type == "LaoDataCertified"]
    deadline = found.deadlines[Stage.LAO]
    return bool(recorded) and recorded[-1].astimezone(THAILAND).date() <= deadline


def test_certification_per_cycle_and_per_record(built: Built) -> None:
    """The cycle's state is the aggregate's; a record is certified when the LAO head certified
    a snapshot at or after its last operator event, stale when an operator changed it after."""
    cycle = built.ledger.aggregate(certification_stream_id(str(LAO.lao), "2562"))
    assert isinstance(cycle, CertificationCycle)
    certified_at = _certified_at(built.ledger, str(LAO.lao), "2562")
    assert certified_at is not None
    expected = {}
    for stream in built.world.records.values():
        record = _record(built.ledger, stream)
        if record.lao == LAO.lao and str(record.status) in ("pending", "active", "suspended"):
            last = _last_change(built.ledger, stream)
            expected[str(stream)] = "certified" if last <= certified_at else "stale"

    with built.projections.read() as cursor:
        found = record_certifications(
            cursor, built.tables("registry"), built.tables("certification"), lao=str(LAO.lao)
        )

    assert expected == {item.stream: item.state for item in found}
    assert {"certified": 2, "stale": 1} == Counter(expected.values())
    assert "lao_certified" == str(cycle.state)
    assert {"2562"} == {item.cycle for item in found}


def _required_filled(record: PersonnelRecord) -> bool:
    types = {entry.type for entry in record.live_entries()}
    return {"PersonalDataRecorded", "EducationAdded", "PositionSalaryEntryAdded"} <= types


def test_completeness_kpi_and_lpa_score(built: Built) -> None:
    """Per LAO: records not separated, complete (required items), certified, the share of
    both, and LPA 2.9 (5 only when all are complete and certified, the certification recorded
    by the deadline)."""
    expected = {}
    for scope in (LAO, NEIGHBOUR, TAK):
        lao = str(scope.lao)
        certified_at = _certified_at(built.ledger, lao, "2562")
        records = [
            (stream, record)
            for stream in built.world.records.values()
            if (record := _record(built.ledger, stream)).lao == lao
            and str(record.status) in ("pending", "active", "suspended")
        ]
        complete = {s for s, r in records if _required_filled(r)}
        certified = {
            s
            for s, _ in records
            if certified_at is not None and _last_change(built.ledger, s) <= certified_at
        }
        both = len(complete & certified)
        in_time = _certified_in_time(built.ledger, lao, "2562")
        score = 5 if records and both == len(records) and in_time else 0
        expected[lao] = (len(records), len(complete), len(certified), both, score)

    with built.projections.read() as cursor:
        kpis = lao_kpis(
            cursor,
            built.tables("registry"),
            built.tables("certification"),
            built.tables("organizations"),
        )

    actual = {k.lao: (k.records, k.complete, k.certified, k.complete_and_certified, k.lpa_2_9)
              for k in kpis}  # fmt: skip
    assert expected == actual
    assert 66.67 == next(k.percent for k in kpis if k.lao == LAO.lao)


def test_overdue_list(built: Built) -> None:
    """A stage is overdue once its deadline passed with its work not recorded by that day: on
    20 August 2562 the LAO's certification (recorded only now) was not done yet; days after
    it was recorded, only the stages still open are."""
    later = date.today() + timedelta(days=2)  # after the Thai day of anything recorded so far

    with built.projections.read() as cursor:
        then = overdue(cursor, built.tables("certification"), date(2019, 8, 20))
        now = overdue(cursor, built.tables("certification"), later)

    lao, neighbour = str(LAO.lao), str(NEIGHBOUR.lao)
    assert {(lao, "lao"), (lao, "province"), (neighbour, "lao")} == {
        (item.lao, item.stage) for item in then
    }
    assert {(lao, "province"), (neighbour, "lao")} == {(item.lao, item.stage) for item in now}
    cycle = built.ledger.aggregate(certification_stream_id(lao, "2562"))
    assert isinstance(cycle, CertificationCycle)
    assert cycle.is_overdue(Stage.PROVINCE, later)  # the aggregate agrees on what is open


def test_upcoming_retirements(built: Built) -> None:
    """People not separated (or retired), not contract staff, by retirement fiscal year, LAO
    and line."""
    expected: Counter[tuple[int, str, str]] = Counter()
    for stream in built.world.records.values():
        record = _record(built.ledger, stream)
        line = _latest(record, {"PositionSalaryEntryAdded"})
        year = retirement_fiscal_year(record.birth_date)
        if (
            str(record.status) in ("pending", "active", "suspended", "retired")
            and str(record.category) != "contract"
            and 2563 <= year <= 2567
        ):
            expected[(year, record.lao, line.line or line.position_title)] += 1

    with built.projections.read() as cursor:
        groups = upcoming_retirements(
            cursor, built.tables("registry"), first_year=2563, last_year=2567
        )

    assert expected == Counter({(g.fiscal_year, g.lao, g.line): g.people for g in groups})
    assert 3 == sum(expected.values())


def _as_of_day(events: list[dict[str, Any]], day: date) -> dict[str, Any]:
    """A record on a valid date, folded here from its statements: custody, status, salary."""
    state: dict[str, Any] = {"status": "pending", "line": None}
    opened = events[0]["data"]
    state["lao"], transfer = opened["lao"], None
    lines = []
    for event in events:
        effective = date.fromisoformat(event["effective"])
        if event["type"] == "TransferredOut":
            transfer = event["data"]["to_lao"]
        if effective > day:
            continue
        if event["type"] == "EmploymentStarted":
            state["status"] = "active"
        elif event["type"] == "Resigned":
            state["status"] = "resigned"
        elif event["type"] == "TransferredIn":
            state["lao"] = transfer
        elif event["type"] == "PositionSalaryEntryAdded":
            lines.append((event["effective"], event["expected_version"] + 1, event["data"]))
    voided = {e["data"]["entry"] for e in events if e["type"] == "EntryVoided"}
    corrected = {e["data"]["supersedes"]: e["data"]["replacement"] for e in events
                 if e["type"] == "EntryCorrected"}  # fmt: skip
    live = [(when, entry, corrected.get(entry, data)) for when, entry, data in lines
            if entry not in voided]  # fmt: skip
    state["line"] = max(live, key=lambda item: item[:2])[2] if live else None
    return state


def test_section35_ratio(built: Built) -> None:
    """12 x (salary + allowance) of the staff in service on 30 September, over the budget
    (the latest enactment), flagged above 40%, naming formula s35-v1."""
    last_day = date(2020, 9, 30)
    cost: dict[str, Decimal] = defaultdict(Decimal)
    staff: Counter[str] = Counter()
    for stream in built.world.records.values():
        state = _as_of_day(_events(built.ledger, stream), last_day)
        if state["status"] == "active" and state["line"] is not None:
            line = state["line"]
            cost[state["lao"]] += 12 * (
                Decimal(line["salary"]) + Decimal(line.get("allowance") or 0)
            )
            staff[state["lao"]] += 1
    budgets = {}
    for event in _events(built.ledger, organization_stream_id(str(LAO.lao))):
        if event["type"] == "AnnualBudgetEnacted" and event["data"]["fiscal_year"] == 2563:
            budgets[str(LAO.lao)] = Decimal(event["data"]["amount"])

    with built.projections.read() as cursor:
        rows = section35_ratios(cursor, built.tables("registry"), built.tables("section35"), 2563)

    assert {lao: (staff[lao], cost[lao], budgets.get(lao)) for lao in staff} == {
        row.lao: (row.staff, row.personnel_cost, row.budget) for row in rows
    }
    main = next(row for row in rows if row.lao == LAO.lao)
    assert main.ratio == (cost[str(LAO.lao)] / budgets[str(LAO.lao)]).quantize(Decimal("0.0001"))
    assert (main.ratio > Decimal("0.40")) == main.over_limit
    assert {"s35-v1"} == {row.formula for row in rows}


def test_leave_summaries(built: Built) -> None:
    """Leave taken per record, fiscal year and type, and the reported yearly line."""
    expected: dict[tuple[str, int], dict[str, tuple[int, Decimal]]] = defaultdict(dict)
    reported = {}
    for stream in built.world.records.values():
        record = _record(built.ledger, stream)
        for entry in record.live_entries(RecordSection.LEAVE):
            data = entry.data
            if entry.type == "LeaveTaken":
                key = (str(stream), fiscal_year(data.start))  # type: ignore[attr-defined]
                times, days = expected[key].get(data.leave_type, (0, Decimal(0)))  # type: ignore[attr-defined]
                expected[key][str(data.leave_type)] = (times + 1, days + data.days)  # type: ignore[attr-defined]
            else:
                reported[(str(stream), data.year)] = data.sick_times  # type: ignore[attr-defined]

    with built.projections.read() as cursor:
        found = leave_summary(cursor, built.tables("leave"), built.tables("registry"))

    assert dict(expected) == {
        (s.stream, s.year): {t: (i["times"], Decimal(i["days"])) for t, i in s.taken.items()}
        for s in found
        if s.taken
    }
    assert reported == {
        (s.stream, s.year): s.reported["sick_times"] for s in found if s.reported is not None
    }


def test_audit_trail(built: Built) -> None:
    """Every event of a record with its actor, the signing key's roles, both times, its legal
    reference, and a signature verified against the stored bytes."""
    stream = built.world.records["r2"]
    registry = built.ledger.registry()
    assert registry is not None
    expected = []
    for event in built.ledger.stream_events(stream):
        statement = json.loads(event.statement)
        enrolment = registry.enrolment(statement["signer"]["key"])
        assert enrolment is not None
        data = statement["data"]
        order = data.get("order") or data.get("replacement", {}).get("order")
        expected.append(
            (
                event.version,
                event.type,
                statement["signer"]["cid"],
                tuple(sorted(str(r) for r in enrolment.roles)),
                statement["effective"],
                order["number"] if order else None,
                "verified",
            )
        )

    with built.projections.read() as cursor:
        trail = audit_trail(cursor, built.tables("audit"), built.ledger, stream)

    assert expected == [
        (
            e.version,
            e.type,
            e.actor,
            tuple(sorted(e.roles)),
            e.effective,
            e.legal_ref["number"] if e.legal_ref else None,
            e.signature,
        )
        for e in trail
    ]
    assert all(e.recorded_at.endswith("Z") and e.key_status == "enrolled" for e in trail)


def _plan_counts(ledger: Ledger, world: ProjectionWorld, plan: str, as_of: date) -> list[int]:
    counts: Counter[int] = Counter()
    for project in world.projects.values():
        events = _events(ledger, project)
        added = events[0]
        removed = [e for e in events if e["type"] == "PlanProjectRemoved"]
        if (
            added["data"]["plan"] == str(world.plans[plan])
            and date.fromisoformat(added["effective"]) <= as_of
            and not any(date.fromisoformat(e["effective"]) <= as_of for e in removed)
        ):
            counts.update(int(year) for year in added["data"]["years"])
    return [counts[year] for year in (2562, 2563, 2564)]


def _stages(ledger: Ledger, world: ProjectionWorld, lao: str, as_of: date) -> list[int]:
    stages = [0, 0, 0, 0]
    for project in world.projects.values():
        events = _events(ledger, project)
        if events[0]["data"]["lao"] != lao:
            continue
        done = {e["type"] for e in events if date.fromisoformat(e["effective"]) <= as_of}
        if "BudgetApproved" in done:
            for index, kind in enumerate(
                ("BudgetApproved", "ContractSigned", "DisbursementMade", "ProjectCompleted")
            ):
                stages[index] += kind in done
    return stages


@pytest.mark.parametrize("as_of", [date(2019, 1, 31), date(2019, 12, 31)])
def test_eplan_status_rows(built: Built, as_of: date) -> None:
    """Per LAO: vision, strategies, plan projects per year, approval, and the budget stages,
    as of a valid date; blank (None) where nothing was reported."""
    world = built.world
    main = _plan_counts(built.ledger, world, "main", as_of)
    neighbour = _plan_counts(built.ledger, world, "neighbour", as_of)
    stages = _stages(built.ledger, world, str(LAO.lao), as_of)
    approved = as_of >= date(2019, 6, 30)
    expected = [
        (True, 2, tuple(c or None for c in main), approved, stages if stages[0] else None),
        (False, 1, tuple(c or None for c in neighbour), False, None),
    ]

    with built.projections.read() as cursor:
        facts = eplan_facts(cursor, built.tables("eplan"), "นครพนม", 2562)
    report = eplan_status(facts, "นครพนม", 2562, as_of)

    assert expected == [
        (
            r.vision_done,
            r.strategies,
            r.plan_projects,
            r.plan_approved,
            [r.budget_approved, r.contracts_signed, r.disbursed, r.completed]
            if r.budget_approved is not None
            else None,
        )
        for r in report.rows
    ]
    assert ["เทศบาลตำบลตัวอย่าง (อ.เมือง)", "เทศบาลตำบลทดลอง (อ.เมือง)"] == [
        row.label for row in report.rows
    ]
