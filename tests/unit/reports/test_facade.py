"""The Reports facade: each report one call, narrowed by a ReadScope, returning typed rows."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.errors import StreamNotFoundError
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE, ReadScope
from projections.views.section35 import FORMULAS
from tests import domain_data as d
from tests.projection_world import LAO, NEIGHBOUR, TAK, ProjectionWorld
from tests.unit.reports.conftest import TODAY


def test_registry_is_narrowed_to_the_scopes_province(
    reports: Reports, world: ProjectionWorld
) -> None:
    """A province's registry holds the records its LAOs hold now."""
    table = reports.registry(ReadScope(province=str(TAK.province)))

    assert {str(world.records["r4"]), str(world.records["r6"])} == {e.stream for e in table.rows}


def test_registry_keeps_the_statuses_asked_for(reports: Reports, world: ProjectionWorld) -> None:
    """Only records in the asked employment statuses are listed (r3 resigned)."""
    table = reports.registry(EVERYWHERE, statuses=["active"])

    assert {"active"} == {entry.status for entry in table.rows}
    assert str(world.records["r3"]) not in {entry.stream for entry in table.rows}


def test_registry_as_of_a_valid_date_places_a_record_where_it_was(
    reports: Reports, world: ProjectionWorld
) -> None:
    """Before its transfer to ตาก, r4 was in the นครพนม LAO's registry."""
    table = reports.registry(ReadScope(lao=str(LAO.lao)), valid_on=date(2019, 10, 1))

    assert str(world.records["r4"]) in {entry.stream for entry in table.rows}


def test_a_record_not_in_the_registry_then_is_not_found(
    reports: Reports, world: ProjectionWorld
) -> None:
    """Asking for a record as of a day before it existed raises StreamNotFoundError."""
    with pytest.raises(StreamNotFoundError):
        reports.record(world.records["r1"], valid_on=date(1900, 1, 1))


def test_a_record_says_which_dates_it_was_read_as_of(
    reports: Reports, world: ProjectionWorld
) -> None:
    """A record as of a valid date carries that date, and no transaction time."""
    found = reports.record(world.records["r4"], valid_on=date(2019, 10, 1)).as_json()

    assert ("2019-10-01", None, LAO.lao) == (found["valid_on"], found["recorded_at"], found["lao"])


def test_audit_trail_lists_the_streams_events_in_order(
    reports: Reports, world: ProjectionWorld
) -> None:
    """The trail has one entry per event of the stream, in the stream's order."""
    stream = world.records["r2"]

    trail = reports.audit_trail(stream)

    expected = [event.type for event in world.kit.ledger.stream_events(stream)]
    assert expected == [entry.type for entry in trail.rows]


def test_positions_are_narrowed_to_the_scopes_lao(reports: Reports) -> None:
    """An LAO's scope lists only its own positions."""
    table = reports.positions(ReadScope(lao=str(LAO.lao)))

    assert {LAO.lao} == {position.lao for position in table.rows}


def test_occupancy_downloads_with_its_vacancy_rate(reports: Reports) -> None:
    """The occupancy download has the computed vacancy rate before the LAO code."""
    sheet = reports.occupancy(EVERYWHERE).sheet()

    assert ["vacancy_rate", "lao"] == [column.key for column in sheet.columns[-2:]]
    assert [0.5] == [row["vacancy_rate"] for row in sheet.rows]


def test_organizations_of_a_province(reports: Reports) -> None:
    """A province's scope lists its LAOs."""
    table = reports.organizations(ReadScope(province="นครพนม"))

    assert {LAO.lao, NEIGHBOUR.lao} == {organization.code for organization in table.rows}


def test_kpi_folds_each_provinces_laos(reports: Reports) -> None:
    """Each province's KPI counts the LAOs and records of its LAOs' KPIs."""
    kpi = reports.kpi(EVERYWHERE)

    expected = {
        province: (
            sum(lao.province == province for lao in kpi.laos),
            sum(lao.records for lao in kpi.laos if lao.province == province),
        )
        for province in {lao.province for lao in kpi.laos}
    }
    assert expected == {p.province: (p.laos, p.records) for p in kpi.provinces}


def test_overdue_is_as_of_today_by_default(reports: Reports) -> None:
    """Without a day, the overdue stages are those overdue today."""
    assert reports.overdue(EVERYWHERE, TODAY).rows == reports.overdue(EVERYWHERE).rows


def test_certification_carries_each_cycles_signed_steps(reports: Reports) -> None:
    """The LAO's cycle comes with its steps, in log order."""
    report = reports.certification(ReadScope(lao=str(LAO.lao)))

    (cycle,) = report.cycles
    steps = report.steps[cycle.stream]
    assert ["CycleOpened", "LaoDataSubmitted", "LaoDataCertified"] == [s.type for s in steps]
    assert sorted(s.notification_id for s in steps) == [s.notification_id for s in steps]


def test_a_record_changed_after_certification_is_stale(
    reports: Reports, world: ProjectionWorld
) -> None:
    """r1 changed after its LAO's certification: its state is stale."""
    table = reports.record_certification(ReadScope(lao=str(LAO.lao)))

    states = {row.stream: row.state for row in table.rows}
    assert "stale" == states[str(world.records["r1"])]


def test_retirements_span_five_fiscal_years_from_today_by_default(reports: Reports) -> None:
    """Without years, the report covers this fiscal year (2563) and the four after it."""
    assert reports.retirements(EVERYWHERE, 2563, 2567) == reports.retirements(EVERYWHERE)


def test_section35_json_names_its_year_and_formulas(reports: Reports) -> None:
    """The Section 35 report's JSON carries the fiscal year and every formula beside the rows."""
    found = reports.section35(ReadScope(lao=str(LAO.lao)), 2563).as_json()

    assert (2563, FORMULAS, [LAO.lao]) == (
        found["fiscal_year"],
        found["formulas"],
        [row["lao"] for row in found["laos"]],
    )


def test_leave_of_one_fiscal_year(reports: Reports) -> None:
    """Asking for a year leaves out the other years' leave."""
    table = reports.leave(EVERYWHERE, 2563)

    assert {2563} == {summary.year for summary in table.rows}


def test_eplan_status_is_as_of_today_by_default(reports: Reports) -> None:
    """Without a day, the e-Plan table is drawn as of today."""
    assert TODAY == reports.eplan_status("นครพนม", 2562).as_of


def test_eplan_status_of_an_laos_scope_has_its_row_only(reports: Reports) -> None:
    """An LAO's scope narrows the province's table to the LAO's own row."""
    report = reports.eplan_status("นครพนม", 2562, TODAY, ReadScope(lao=str(LAO.lao)))

    assert [LAO.lao] == [row.lao for row in report.rows]


def test_refresh_brings_in_what_the_log_recorded_since(
    reports: Reports, world: ProjectionWorld
) -> None:
    """After refresh, a record shows an entry recorded after the views were caught up."""
    stream = world.records["r5"]
    world.kit.emit(world.kit.hr, stream, "NameChanged", d.ENTRY_DATA["NameChanged"])

    applied = reports.refresh()

    assert 1 == applied
    assert "สมมุติ" == reports.record(stream).entry.first_name
