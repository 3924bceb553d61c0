"""The domain's rules, one behaviour each, through the ledger on in-memory SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.certification import CertificationCycle, certification_stream_id, snapshot_root
from ledger.domain.eplan import PlanProject, plan_stream_id
from ledger.domain.organizations import Organization, organization_stream_id
from ledger.domain.permissions import Role, province_scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.positions import Position, position_stream_id
from ledger.domain.record_entries import RecordSection
from ledger.errors import ForbiddenError, InvalidDataError, StaleVersionError, UnseenStreamError
from ledger.processes import (
    invalidate_stale_certifications,
    lao_snapshot,
    mark_overdue_cycles,
    records_of,
    schedule_retirements,
)
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    first_rule,
    submission,
)
from tests.people import made_up_cid

LAO, OTHER = NAKHON_PHANOM_LAO, TAK_LAO
ORG = organization_stream_id(str(LAO.lao))


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name="rules"))
    yield app
    app.close()


@pytest.fixture
def world(kit: LedgerKit) -> LedgerKit:
    """The kit (both its LAOs registered) with a division in the first."""
    kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-1"))
    return kit


def record(kit: LedgerKit, *events: tuple[str, dict[str, Any]], **fields: Any) -> uuid.UUID:
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, **fields))
    for type_, data in events:
        kit.emit(kit.hr, stream, type_, data)
    return stream


def active(kit: LedgerKit, **fields: Any) -> uuid.UUID:
    return record(kit, ("EmploymentStarted", d.status_data("EmploymentStarted")), **fields)


def state(kit: LedgerKit, stream: uuid.UUID) -> Any:
    return kit.ledger.aggregate(stream)


def province_hr(kit: LedgerKit) -> Operator:
    """An HR officer whose scope is the province of นครพนม: it covers LAOs not registered."""
    return kit.operator([Role.LAO_HR_OFFICER], province_scope(str(LAO.province)))


def test_record_opens_in_a_registered_lao(kit: LedgerKit) -> None:
    """A record opens only in a registered organization (the kit registered its LAOs)."""
    unregistered = LAO.model_copy(update={"lao": "6480199"})

    with pytest.raises(InvalidDataError, match=r"reference\.lao_not_registered"):
        kit.emit(province_hr(kit), uuid.uuid4(), "RecordOpened", d.record(unregistered))
    stream = kit.open_record()

    assert "pending" == state(kit, stream).status


# Corrections and voids.


def test_correction_supersedes_and_keeps_history(world: LedgerKit) -> None:
    """EntryCorrected replaces an entry's data and keeps the earlier data with the reason."""
    stream = record(world, ("EducationAdded", d.education()))
    corrected = {**d.education(), "institution": "มหาวิทยาลัยขอนแก่น"}

    world.emit(
        world.hr,
        stream,
        "EntryCorrected",
        {"supersedes": 2, "reason": "พิมพ์ผิด", "replacement": corrected},
    )

    entry = state(world, stream).entries[2]
    assert ("มหาวิทยาลัยขอนแก่น", 3) == (entry.data.institution, entry.version)
    assert [("มหาวิทยาลัยนครพนม", 2, 3, "พิมพ์ผิด")] == [
        (r.data.institution, r.version, r.superseded_by, r.reason) for r in entry.history
    ]


def test_correction_must_supersede_the_latest_version(world: LedgerKit) -> None:
    """A correction naming an already superseded version is refused, naming the newer one."""
    stream = record(world, ("EducationAdded", d.education()))
    fix = {"supersedes": 2, "reason": "แก้", "replacement": {**d.education(), "major": "นิติศาสตร์"}}
    world.emit(world.hr, stream, "EntryCorrected", fix)

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "EntryCorrected", {**fix, "replacement": d.education(1)})
    assert ("record.version_superseded", "data.supersedes") == first_rule(refused)


def test_correction_is_validated_as_the_entry_type(world: LedgerKit) -> None:
    """The replacement must be valid data for the corrected entry's own type."""
    stream = record(world, ("EducationAdded", d.education()))

    with pytest.raises(InvalidDataError, match=r"replacement\.finished"):
        world.emit(
            world.hr,
            stream,
            "EntryCorrected",
            {
                "supersedes": 2,
                "reason": "x",
                "replacement": {"institution": "a", "qualification": "b"},
            },
        )


def test_voided_entry_stays_in_history(world: LedgerKit) -> None:
    """EntryVoided marks an entry void with its reason; it is no longer live but still there."""
    stream = record(world, ("AbilityRecorded", {"ability": "ภาษาลาว"}))

    world.emit(world.hr, stream, "EntryVoided", {"entry": 2, "reason": "บันทึกผิดคน"})

    record_state = state(world, stream)
    assert "บันทึกผิดคน" == record_state.entries[2].voided
    assert [] == record_state.live_entries(RecordSection.ABILITIES)


def test_voided_entry_cannot_be_corrected(world: LedgerKit) -> None:
    """A void is final: the entry cannot be corrected afterwards."""
    stream = record(world, ("AbilityRecorded", {"ability": "ภาษาลาว"}))
    world.emit(world.hr, stream, "EntryVoided", {"entry": 2, "reason": "ผิด"})

    with pytest.raises(InvalidDataError) as refused:
        world.emit(
            world.hr,
            stream,
            "EntryCorrected",
            {"supersedes": 2, "reason": "x", "replacement": {"ability": "ภาษาเขมร"}},
        )
    assert ("record.entry_voided", "data.supersedes") == first_rule(refused)


def test_header_correction_moves_the_retirement_date(world: LedgerKit) -> None:
    """Correcting the birth date in the header changes the derived retirement date."""
    stream = record(world, birth_date="1961-05-10")
    replacement = d.record(LAO, birth_date="1961-10-02")

    world.emit(
        world.hr,
        stream,
        "EntryCorrected",
        {"supersedes": 1, "reason": "วันเกิดตามทะเบียนราษฎร์", "replacement": replacement},
    )

    assert date(2022, 9, 30) == state(world, stream).retirement_date


def test_header_correction_cannot_move_custody(world: LedgerKit) -> None:
    """The LAO holding a record changes only by transfer, never by a correction."""
    stream = record(world)

    with pytest.raises(InvalidDataError) as refused:
        world.emit(
            world.hr,
            stream,
            "EntryCorrected",
            {"supersedes": 1, "reason": "x", "replacement": d.record(OTHER)},
        )
    assert ("record.custody_by_transfer", "data.replacement.lao") == first_rule(refused)


def test_one_leave_summary_per_year(world: LedgerKit) -> None:
    """A second summary for the same year is refused: the first is corrected instead."""
    summary = d.ENTRY_DATA["LeaveYearSummarised"]
    stream = record(world, ("LeaveYearSummarised", summary))

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "LeaveYearSummarised", summary)
    assert ("record.leave_year_summarised", "data.year") == first_rule(refused)
    world.emit(
        world.hr,
        stream,
        "EntryCorrected",
        {"supersedes": 2, "reason": "นับใหม่", "replacement": {**summary, "late_times": 3}},
    )

    assert 3 == state(world, stream).entries[2].data.late_times


def test_blank_leave_stays_distinct_from_zero(world: LedgerKit) -> None:
    """A leave column left blank is None; one reported as zero is 0."""
    stream = record(world, ("LeaveYearSummarised", {"year": 2561, "sick_days": "0"}))

    summary = state(world, stream).entries[2].data

    assert (Decimal("0"), None) == (summary.sick_days, summary.absent_days)


def test_amnesty_needs_a_live_penalty(world: LedgerKit) -> None:
    """AmnestyApplied names a penalty entry, once."""
    stream = record(world, ("PenaltyImposed", d.ENTRY_DATA["PenaltyImposed"]))
    amnesty = {"penalty": 2, "law": "พ.ร.บ.ล้างมลทิน"}
    world.emit(world.hr, stream, "AmnestyApplied", amnesty)

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "AmnestyApplied", amnesty)
    assert ("record.amnesty_applied", "data.penalty") == first_rule(refused)
    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "AmnestyApplied", {**amnesty, "penalty": 1})
    assert ("record.entry_type", "data.penalty") == first_rule(refused)


def test_salary_round_promotion_snaps_to_round_dates(world: LedgerKit) -> None:
    """A salary-step promotion takes effect on 1 April or 1 October only."""
    stream = record(world)

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "PositionSalaryEntryAdded", d.salary_entry(), date(2019, 5, 1))
    assert ("record.salary_round_date", "effective") == first_rule(refused)
    world.emit(world.hr, stream, "PositionSalaryEntryAdded", d.salary_entry(), date(2019, 10, 1))

    [entry] = state(world, stream).live_entries(RecordSection.POSITION_SALARY)
    assert date(2019, 10, 1) == entry.effective


def test_record_owner_asks_only_about_their_own_record(world: LedgerKit) -> None:
    """The record owner role is refused on someone else's record, as on one that does not
    exist (she reads only her own record: another's is not found for her)."""
    owner = world.operator([Role.RECORD_OWNER], LAO)
    someone_else = record(world, cid=made_up_cid(321))
    own = record(world, cid=owner.cid)
    request = {"section": "general", "proposal": "แก้ไขนามสกุล"}

    with pytest.raises(UnseenStreamError):
        world.emit(owner, someone_else, "ChangeRequestedByOwner", request)
    world.emit(owner, own, "ChangeRequestedByOwner", request)

    assert {2: "general"} == {k: r.section for k, r in state(world, own).change_requests.items()}


# Employment status.


def test_invalid_transition_names_the_status(world: LedgerKit) -> None:
    """A status event the machine does not allow raises a clear error and appends nothing."""
    stream = record(world)
    before = world.event_count()

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "Resigned", d.status_data("Resigned"))
    assert ("record.status_transition", "stream") == first_rule(refused)

    assert before == world.event_count()


def test_terminal_status_reverses_only_by_revocation(world: LedgerKit) -> None:
    """A dismissal is final until SeparationRevoked, which restores the earlier status."""
    stream = active(world)
    world.emit(world.hr, stream, "Suspended", d.status_data("Suspended"))
    world.emit(world.hr, stream, "Dismissed", d.status_data("Dismissed"))

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    assert ("record.status_transition", "stream") == first_rule(refused)
    world.emit(world.hr, stream, "SeparationRevoked", d.status_data("SeparationRevoked"))

    assert "suspended" == state(world, stream).status


def test_resignation_allows_reentry(world: LedgerKit) -> None:
    """Someone who resigned may re-enter service with a new EmploymentStarted."""
    stream = active(world)
    world.emit(world.hr, stream, "Resigned", d.status_data("Resigned"))

    world.emit(
        world.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted", kind="reentered")
    )

    assert ["pending", "active", "resigned", "active"] == [
        s for _, s, _ in state(world, stream).status_history
    ]


def test_transfer_moves_custody_to_the_destination(world: LedgerKit) -> None:
    """TransferredOut at one LAO, TransferredIn signed at the other: custody moves."""
    stream = active(world)
    world.emit(world.hr, stream, "TransferredOut", d.status_data("TransferredOut"))
    arrival = d.status_data("TransferredIn")

    with pytest.raises(ForbiddenError, match="does not cover LAO 6630101"):
        world.emit(world.hr, stream, "TransferredIn", arrival)  # the origin may not sign it
    world.emit(world.other_hr, stream, "TransferredIn", arrival)
    with pytest.raises(UnseenStreamError):  # out of the origin's scope: not found for it
        world.emit(world.hr, stream, "AbilityRecorded", {"ability": "x"})

    moved = state(world, stream)
    assert ("active", "6630101", "ตาก") == (moved.status, moved.lao, moved.province)
    assert ["6480101", "6630101"] == [c.lao for c in moved.custody]


def test_retirement_needs_the_rule_date(world: LedgerKit) -> None:
    """Retired's last day must be the one the retirement rule gives for the birth date."""
    stream = active(world, birth_date="1961-05-10")

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "Retired", {"last_day": "2020-09-30", "order": d.order()})
    assert ("retirement.last_day", "data.last_day") == first_rule(refused)
    assert "30/09/2564" in refused.value.violations[0].th  # the last day, in the Buddhist era
    world.emit(world.hr, stream, "Retired", {"last_day": "2021-09-30", "order": d.order()})

    assert "retired" == state(world, stream).status


def test_contract_staff_end_their_contract(world: LedgerKit) -> None:
    """Contract staff leave by ContractEnded, never by Retired; officials have no contract."""
    contract = active(world, category="contract", birth_date="1961-05-10")
    official = active(world)

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, contract, "Retired", {"last_day": "2021-09-30", "order": d.order()})
    assert ("retirement.contract_staff", "type") == first_rule(refused)
    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, official, "ContractEnded", d.status_data("ContractEnded"))
    assert ("record.not_contract_staff", "type") == first_rule(refused)


# Organizations and positions.


def test_type_change_keeps_identity(world: LedgerKit) -> None:
    """An SAO upgraded to a subdistrict municipality keeps its stream, positions and units."""
    world.emit(
        world.hr, position_stream_id("6480101", "P-1"), "PositionCreated", d.position(LAO, "P-1")
    )

    world.emit(
        world.admin,
        ORG,
        "OrganizationTypeChanged",
        {"from_type": "sao", "to_type": "subdistrict_municipality"},
    )
    world.emit(
        world.hr,
        position_stream_id("6480101", "P-2"),
        "PositionCreated",
        d.position(LAO, "P-2", unit="div-1"),
    )

    organization = state(world, ORG)
    assert isinstance(organization, Organization)
    assert ("subdistrict_municipality", ["sao", "subdistrict_municipality"]) == (
        organization.type,
        [t for _, t in organization.type_history],
    )


def test_position_number_is_unique_within_its_lao(world: LedgerKit) -> None:
    """A second position with the same number in the same LAO finds its stream taken."""
    stream = position_stream_id("6480101", "P-1")
    world.emit(world.hr, stream, "PositionCreated", d.position(LAO, "P-1"))

    with pytest.raises((StaleVersionError, InvalidDataError)):
        world.submit(
            world.sign(
                world.hr,
                stream=stream,
                type="PositionCreated",
                data=d.position(LAO, "P-1"),
                expected_version=0,
                prev_hash="0" * 64,
            )
        )
    world.emit(
        world.other_hr,
        position_stream_id("6630101", "P-1"),
        "PositionCreated",
        d.position(OTHER, "P-1"),
    )

    assert position_stream_id("6480101", "P-1") != position_stream_id("6630101", "P-1")


def test_position_stream_must_match_its_number(world: LedgerKit) -> None:
    """A position opened on a stream other than its derived id is refused."""
    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, uuid.uuid4(), "PositionCreated", d.position(LAO, "P-1"))
    assert ("stream.not_derived", "stream") == first_rule(refused)


def test_position_needs_a_registered_lao(kit: LedgerKit) -> None:
    """Positions belong to a registered organization."""
    unregistered = LAO.model_copy(update={"lao": "6480199"})

    with pytest.raises(InvalidDataError, match="not a registered organization"):
        kit.emit(
            province_hr(kit),
            position_stream_id("6480199", "P-1"),
            "PositionCreated",
            d.position(unregistered, "P-1"),
        )


def test_one_holder_at_a_time(world: LedgerKit) -> None:
    """An occupied position takes no second holder until it is vacated."""
    stream = position_stream_id("6480101", "P-1")
    world.emit(world.hr, stream, "PositionCreated", d.position(LAO, "P-1"))
    first, second = active(world), active(world, cid=made_up_cid(77))
    world.emit(
        world.hr, stream, "PositionHolderAssigned", {"record": str(first), "order": d.order()}
    )

    with pytest.raises(InvalidDataError) as refused:
        world.emit(
            world.hr, stream, "PositionHolderAssigned", {"record": str(second), "order": d.order()}
        )
    assert ("position.status", "stream") == first_rule(refused)
    world.emit(world.hr, stream, "PositionVacated", {"reason": "transferred"})
    world.emit(
        world.hr, stream, "PositionHolderAssigned", {"record": str(second), "order": d.order()}
    )

    position = state(world, stream)
    assert isinstance(position, Position)
    assert [first, second] == [holder for _, holder in position.holders]


def test_holder_must_be_a_record_of_the_same_lao(world: LedgerKit) -> None:
    """A record held by another LAO, or one that does not exist, cannot hold the position; to
    the LAO's officer, whose scope does not cover the other LAO, both are no record."""
    stream = position_stream_id("6480101", "P-1")
    world.emit(world.hr, stream, "PositionCreated", d.position(LAO, "P-1"))
    elsewhere = uuid.uuid4()
    world.emit(world.other_hr, elsewhere, "RecordOpened", d.record(OTHER))

    with pytest.raises(InvalidDataError, match="not a personnel record"):
        world.emit(
            world.hr,
            stream,
            "PositionHolderAssigned",
            {"record": str(elsewhere), "order": d.order()},
        )
    with pytest.raises(InvalidDataError, match="not a personnel record"):
        world.emit(
            world.hr,
            stream,
            "PositionHolderAssigned",
            {"record": str(uuid.uuid4()), "order": d.order()},
        )


def test_organization_and_position_in_one_batch(kit: LedgerKit) -> None:
    """A batch may register an LAO and create its positions: rules see the batch's own streams."""
    code = "6480150"
    scope = LAO.model_copy(update={"lao": code})
    hr = province_hr(kit)  # an LAO's own staff are enrolled once it is registered
    registered = kit.sign(
        kit.admin,
        stream=organization_stream_id(code),
        type="OrganizationRegistered",
        data=d.organization(code, str(LAO.province)),
    )
    created = kit.sign(
        hr,
        stream=position_stream_id(code, "P-1"),
        type="PositionCreated",
        data=d.position(scope, "P-1"),
    )

    receipts = kit.submit_all([registered, created])

    assert [1, 1] == [r.version for r in receipts]


# Certification.


def _cycle(kit: LedgerKit, name: str = "2562") -> uuid.UUID:
    stream = certification_stream_id("6480101", name)
    kit.emit(kit.admin, stream, "CycleOpened", d.cycle(LAO, name))
    return stream


def test_head_certifies_the_submitted_root(world: LedgerKit) -> None:
    """The LAO head may certify only the root the HR officer submitted."""
    head = world.operator([Role.LAO_HEAD], LAO)
    stream = _cycle(world)
    submitted = submission(world.ledger, "6480101")
    world.emit(world.hr, stream, "LaoDataSubmitted", submitted)

    with pytest.raises(InvalidDataError, match="not the root that was submitted"):
        world.emit(head, stream, "LaoDataCertified", {"snapshot_root": d.sha("b")})
    world.emit(head, stream, "LaoDataCertified", {"snapshot_root": submitted["snapshot_root"]})

    assert "lao_certified" == state(world, stream).state


def test_warning_letter_waits_for_the_deadline(world: LedgerKit) -> None:
    """The province sends a warning letter only once the LAO's deadline has passed undone."""
    province = world.operator(
        [Role.PROVINCIAL_OFFICER], LAO.model_copy(update={"level": "province", "lao": None})
    )
    stream = _cycle(world)
    early = {"stage": "lao", "letter": d.order("นพ 1", "2019-07-31", "สถ.จ.")}

    with pytest.raises(InvalidDataError) as refused:
        world.emit(province, stream, "WarningLetterSent", early)
    assert ("certification.not_overdue", "data.letter.date") == first_rule(refused)
    world.emit(
        province,
        stream,
        "WarningLetterSent",
        {**early, "letter": d.order("นพ 2", "2019-08-01", "สถ.จ.")},
    )

    assert [("lao", "นพ 2")] == state(world, stream).warnings


def test_snapshot_root_is_order_free() -> None:
    """The snapshot root depends on the records and their heads, not on their order."""
    a, b = uuid.UUID(int=1), uuid.UUID(int=2)

    assert snapshot_root({a: "1" * 64, b: "2" * 64}) == snapshot_root({b: "2" * 64, a: "1" * 64})
    assert snapshot_root({a: "1" * 64}) != snapshot_root({a: "3" * 64})


# e-Plan.


def _plan(kit: LedgerKit, planning: Operator) -> uuid.UUID:
    stream = plan_stream_id("6480101", 2561, 2565)
    kit.emit(planning, stream, "PlanDrafted", d.plan(LAO))
    kit.emit(planning, stream, "StrategyAdded", {"strategy": "1", "title": "โครงสร้างพื้นฐาน"})
    return stream


def test_planned_years_keep_blank_apart_from_zero(world: LedgerKit) -> None:
    """A planned year left blank stays None; one planned at zero stays 0.00."""
    planning = world.operator([Role.EPLAN_PLANNING], LAO)
    plan = _plan(world, planning)
    project = uuid.uuid4()

    world.emit(
        planning, project, "PlanProjectAdded", d.project(plan, LAO, {"2562": None, "2563": "0.00"})
    )

    assert {2562: None, 2563: Decimal("0.00")} == state(world, project).years


def test_money_is_written_as_text(world: LedgerKit) -> None:
    """A JSON number for an amount is refused: money travels as a decimal string."""
    planning = world.operator([Role.EPLAN_PLANNING], LAO)
    plan = _plan(world, planning)

    with pytest.raises(InvalidDataError, match="decimal string"):
        world.emit(planning, uuid.uuid4(), "PlanProjectAdded", d.project(plan, LAO, {"2562": 100}))  # type: ignore[dict-item]


def test_budget_waits_for_plan_approval(world: LedgerKit) -> None:
    """A project's budget is approved only once the plan holding it is approved."""
    planning = world.operator([Role.EPLAN_PLANNING], LAO)
    finance = world.operator([Role.EPLAN_FINANCE], LAO)
    plan = _plan(world, planning)
    project = uuid.uuid4()
    world.emit(planning, project, "PlanProjectAdded", d.project(plan, LAO))

    with pytest.raises(InvalidDataError) as refused:
        world.emit(finance, project, "BudgetApproved", d.budget())
    assert ("eplan.plan_not_approved", "stream") == first_rule(refused)
    world.emit(planning, plan, "PlanApproved", {"approved_on": "2019-06-01", "approver": "นายก"})
    world.emit(finance, project, "BudgetApproved", d.budget())

    assert "budget_approved" == state(world, project).status


def test_location_must_lie_in_thailand(world: LedgerKit) -> None:
    """Coordinates outside Thailand (such as swapped longitude and latitude) are refused."""
    planning = world.operator([Role.EPLAN_PLANNING], LAO)
    engineer = world.operator([Role.EPLAN_ENGINEERING], LAO)
    plan = _plan(world, planning)
    project = uuid.uuid4()
    world.emit(planning, project, "PlanProjectAdded", d.project(plan, LAO))

    with pytest.raises(InvalidDataError, match="geometry"):
        world.emit(
            engineer,
            project,
            "ProjectGeoLocated",
            {"geometry": {"type": "Point", "coordinates": [17.41, 104.78]}},
        )
    world.emit(engineer, project, "ProjectGeoLocated", d.POINT)

    located = state(world, project)
    assert isinstance(located, PlanProject)
    assert (104.78, 17.41) == located.geometry.coordinates  # type: ignore[union-attr]


# Processes.


def test_retirement_round_is_idempotent(world: LedgerKit) -> None:
    """The round schedules each person due once; running it again adds nothing."""
    due = active(world, birth_date="1961-05-10")
    active(world, birth_date="1961-10-02", cid=made_up_cid(78))  # retires in FY2565
    active(world, birth_date="1961-05-11", category="contract", cid=made_up_cid(79))
    record(world, birth_date="1961-05-12", cid=made_up_cid(80))  # not yet in service

    first = schedule_retirements(world.ledger, world.system.signer, 2564)
    second = schedule_retirements(world.ledger, world.system.signer, 2564)

    assert ([due], 0) == ([r.stream for r in first.receipts], second.emitted)
    assert {2564: date(2021, 9, 30)} == state(world, due).retirement_schedules


def test_changes_after_certification_invalidate_it(world: LedgerKit) -> None:
    """A record changed after the LAO certified makes the cycle stale, once."""
    head = world.operator([Role.LAO_HEAD], LAO)
    changed, untouched = active(world), active(world, cid=made_up_cid(81))
    stream = _cycle(world)
    snapshot = lao_snapshot(world.ledger, "6480101")
    world.emit(world.hr, stream, "LaoDataSubmitted", submission(world.ledger, "6480101"))
    world.emit(head, stream, "LaoDataCertified", {"snapshot_root": snapshot.root})
    world.emit(world.hr, changed, "AbilityRecorded", {"ability": "ภาษาเวียดนาม"})

    report = invalidate_stale_certifications(world.ledger, world.system.signer)
    again = invalidate_stale_certifications(world.ledger, world.system.signer)

    cycle = state(world, stream)
    assert isinstance(cycle, CertificationCycle)
    assert (1, 0, "stale", {changed}) == (
        report.emitted,
        again.emitted,
        cycle.state,
        cycle.stale_records,
    )
    assert {changed, untouched} == snapshot.streams


def test_a_system_notice_leaves_a_certification_standing(world: LedgerKit) -> None:
    """The system key's RetirementScheduled on a covered record does not make it stale."""
    head = world.operator([Role.LAO_HEAD], LAO)
    retiring = active(world, birth_date="1961-05-10")
    stream = _cycle(world)
    submitted = submission(world.ledger, "6480101")
    world.emit(world.hr, stream, "LaoDataSubmitted", submitted)
    world.emit(head, stream, "LaoDataCertified", {"snapshot_root": submitted["snapshot_root"]})
    scheduled = schedule_retirements(world.ledger, world.system.signer, 2564)

    report = invalidate_stale_certifications(world.ledger, world.system.signer)

    assert [retiring] == [receipt.stream for receipt in scheduled.receipts]
    assert (0, "lao_certified") == (report.emitted, state(world, stream).state)


@pytest.mark.parametrize(
    ("change", "rules"),
    [
        ({"snapshot_root": d.sha("x")}, ["certification.snapshot_mismatch"]),
        ({"record_count": 5}, ["certification.record_count_mismatch"]),
        ({"position": None}, ["certification.position_missing"]),
        ({"position": 10_000}, ["certification.position_beyond_log"]),
    ],
)
def test_a_submission_names_the_snapshot_the_ledger_computes(
    world: LedgerKit, change: dict[str, Any], rules: list[str]
) -> None:
    """A root, count or position other than the ledger's snapshot is refused, naming the rule."""
    active(world)
    stream = _cycle(world)
    right = submission(world.ledger, "6480101")
    wrong = {key: value for key, value in (right | change).items() if value is not None}

    with pytest.raises(InvalidDataError) as refused:
        world.emit(world.hr, stream, "LaoDataSubmitted", wrong)
    world.emit(world.hr, stream, "LaoDataSubmitted", right)

    assert rules == [violation.id for violation in refused.value.violations]
    assert (right["position"], "submitted") == (
        state(world, stream).submitted_position,
        state(world, stream).state,
    )


def test_dla_accepts_the_root_the_province_certified(world: LedgerKit) -> None:
    """DLA names the certified root when it accepts: another root, or none, is refused."""
    head = world.operator([Role.LAO_HEAD], LAO)
    province = world.operator(
        [Role.PROVINCIAL_OFFICER], LAO.model_copy(update={"level": "province", "lao": None})
    )
    stream = _cycle(world)
    submitted = submission(world.ledger, "6480101")
    root = {"snapshot_root": submitted["snapshot_root"]}
    world.emit(world.hr, stream, "LaoDataSubmitted", submitted)
    world.emit(head, stream, "LaoDataCertified", root)
    world.emit(province, stream, "ProvinceCertified", root)

    refusals = []
    for data in ({}, {"snapshot_root": d.sha("x")}):
        with pytest.raises(InvalidDataError) as refused:
            world.emit(world.admin, stream, "DlaAccepted", data)
        refusals.append(refused.value.violations[0].id)
    world.emit(world.admin, stream, "DlaAccepted", root)

    assert ["certification.root_missing", "certification.root_differs"] == refusals
    assert "dla_accepted" == state(world, stream).state


def test_overdue_cycles_are_marked_once(world: LedgerKit) -> None:
    """A passed deadline marks the cycle overdue once; before it, nothing happens."""
    stream = _cycle(world)

    before = mark_overdue_cycles(world.ledger, world.system.signer, date(2019, 7, 31))
    after = mark_overdue_cycles(world.ledger, world.system.signer, date(2019, 8, 1))
    again = mark_overdue_cycles(world.ledger, world.system.signer, date(2019, 8, 2))

    assert (0, 1, 0) == (before.emitted, after.emitted, again.emitted)
    assert {"lao"} == state(world, stream).overdue


def test_records_follow_their_custody(world: LedgerKit) -> None:
    """An LAO's records are those it holds now: a transferred record counts at its destination."""
    stays, moves = active(world), active(world, cid=made_up_cid(82))
    world.emit(world.hr, moves, "TransferredOut", d.status_data("TransferredOut"))
    world.emit(world.other_hr, moves, "TransferredIn", d.status_data("TransferredIn"))

    here, there = records_of(world.ledger, "6480101"), records_of(world.ledger, "6630101")

    assert ({stays}, {moves}) == (set(here), set(there))
    assert isinstance(here[stays], PersonnelRecord)
