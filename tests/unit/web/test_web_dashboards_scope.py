"""Who reads which dashboard, on the projection world (two LAOs of นครพนม, one of ตาก): each
role within its enrolment scope, the figures of their share only; a record owner, who reads
their own record and no reports, gets the 403 page and no menu entry."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ledger.domain.permissions import NATIONAL, Role, Scope
from projections.reports.scope import ReadScope
from tests.ledger_kit import LedgerKit, Operator
from tests.projection_world import (
    LAO,
    NEIGHBOUR,
    TAK,
    ProjectionWorld,
    build_projection_world,
    record_owner,
)
from tests.unit.web.dashboard_kit import app_reports, charts, shapes, tables, values
from tests.unit.web.web_kit import log_in


@pytest.fixture
def world(kit: LedgerKit, client: TestClient) -> ProjectionWorld:
    """The projection world on the web app's ledger."""
    return build_projection_world(kit)


def _laos(client: TestClient, page: str = "kpi", table: str = "kpi-laos-table") -> set[str]:
    html = client.get(f"/app/dashboards/{page}").text
    return {row[0] for row in tables(html)[table][1:]}


def _names(client: TestClient, *scopes: Scope) -> set[str]:
    """The names of the scopes' LAOs, as the reports know them."""
    every = app_reports(client).kpi(ReadScope()).names
    return {every.lao(scope.lao) or "" for scope in scopes}


def test_a_provincial_officer_sees_the_laos_of_their_province(
    client: TestClient, world: ProjectionWorld
) -> None:
    """The officer of นครพนม sees its two LAOs and only its province; ตาก is the 403 page."""
    log_in(client, world.operators["province"].signer)

    html = client.get("/app/dashboards/kpi").text
    provinces = charts(html)["kpi-provinces-chart"]
    elsewhere = client.get("/app/dashboards/kpi", params={"province": "ตาก"})

    assert _names(client, LAO, NEIGHBOUR) == _laos(client)
    assert ["นครพนม"] == [bar.attrib["data-label"] for bar in shapes(provinces, "bar")]
    assert 403 == elsewhere.status_code


def test_an_hr_officer_sees_only_their_lao(client: TestClient, world: ProjectionWorld) -> None:
    """Each LAO's HR officer reads its own LAO's KPI and Section 35 ratio, no other's."""
    log_in(client, world.kit.other_hr.signer)
    tak = _laos(client)
    log_in(client, world.kit.hr.signer)
    mine = _laos(client)
    ratios = _laos(client, "section35?fiscal_year=2563", "section35-table")

    assert _names(client, TAK) == tak
    assert _names(client, LAO) == mine
    assert _names(client, LAO) == ratios
    assert 403 == client.get("/app/dashboards/kpi", params={"lao": NEIGHBOUR.lao}).status_code


def test_a_national_auditor_sees_every_province_and_may_narrow(
    client: TestClient, world: ProjectionWorld
) -> None:
    """An auditor of the whole country sees both provinces' bars, and ตาก alone when asked."""
    auditor = world.kit.operator([Role.AUDITOR], NATIONAL)
    log_in(client, auditor.signer)

    html = client.get("/app/dashboards/kpi").text
    narrowed = client.get("/app/dashboards/kpi", params={"province": "ตาก"}).text
    bars = shapes(charts(html)["kpi-provinces-chart"], "bar")

    assert {"นครพนม", "ตาก"} == {bar.attrib["data-label"] for bar in bars}
    assert _names(client, TAK) == {row[0] for row in tables(narrowed)["kpi-laos-table"][1:]}


def test_the_province_drills_down_from_its_table_row(
    client: TestClient, world: ProjectionWorld
) -> None:
    """A province's row in the table links to the same dashboard narrowed to that province."""
    auditor = world.kit.operator([Role.AUDITOR], NATIONAL)
    log_in(client, auditor.signer)

    html = client.get("/app/dashboards/kpi").text

    assert 'href="?province=%E0%B8%95%E0%B8%B2%E0%B8%81"' in html


def test_certification_counts_the_cycles_of_the_scope(
    client: TestClient, world: ProjectionWorld
) -> None:
    """Cycle 2562 of นครพนม: one LAO certified by its head, one still entering data."""
    log_in(client, world.operators["province"].signer)

    html = client.get("/app/dashboards/certification").text
    chart = charts(html)["certification-chart"]
    segments = values(chart, "segment")

    assert {"อปท. รับรองแล้ว": 1, "อยู่ระหว่างบันทึกข้อมูล": 1} == segments


def test_a_record_owner_reads_no_dashboard(client: TestClient, world: ProjectionWorld) -> None:
    """The owner of a record gets the 403 page for every dashboard and no menu entry."""
    owner: Operator = record_owner(world, "r1")
    log_in(client, owner.signer)

    home = client.get("/app/").text
    pages = [client.get(f"/app/dashboards{page}") for page in ("", "/kpi", "/kpi/download")]

    assert "nav-dashboards" not in home
    assert [403, 403, 403] == [page.status_code for page in pages]


def test_an_unknown_dashboard_is_not_found(client: TestClient, world: ProjectionWorld) -> None:
    """A dashboard name the application does not have is the 404 page."""
    log_in(client, world.kit.hr.signer)

    assert 404 == client.get("/app/dashboards/payroll").status_code
