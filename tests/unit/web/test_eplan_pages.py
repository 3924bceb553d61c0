"""e-Plan in the browser's pages: a plan drafted, given a vision, a strategy and a project and
approved by the planning officer; the project budgeted, contracted, paid and completed by the
finance officer, an over-contract payment refused in the form before signing; the plan and
project pages, the status table with its downloads and days since the last update; scope."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.domain.eplan_data import plan_stream_id
from ledger.domain.permissions import Role
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import answer, log_in, page_request, server_request

TAK = str(TAK_LAO.lao)
PLAN = plan_stream_id(TAK, 2566, 2570)
ORDER = {"order.number": "1/2566", "order.date": "01/10/2565", "order.issuer": "นายก อบต."}


def _sign(client: TestClient, review: Response, operator: Operator) -> Response:
    """Do what signing.js and the agent do with the review's sign button."""
    assert 200 == review.status_code, review.text
    wire, _nonce = page_request(review.text)
    request = server_request(client, wire)
    return client.post("/app/statements", data=answer(request, wire, operator.signer))


def _record(client: TestClient, operator: Operator, path: str, typed: dict[str, str]) -> None:
    """Fill a form, review it, sign it: recorded (201); the effective date is typed (a form
    never files an entry on today by itself)."""
    typed = {"effective": "01/09/2565", **typed}
    receipt = _sign(client, client.post(path, data=typed), operator)
    assert 201 == receipt.status_code, receipt.text


@pytest.fixture
def officers(kit: LedgerKit) -> tuple[Operator, Operator]:
    """A planning and a finance officer of the Tak LAO."""
    return (
        kit.operator([Role.EPLAN_PLANNING], TAK_LAO),
        kit.operator([Role.EPLAN_FINANCE], TAK_LAO),
    )


def _plan_with_project(client: TestClient, planner: Operator) -> uuid.UUID:
    """The planner drafts FY2566-2570's plan, its vision, a strategy, a project, approves it."""
    log_in(client, planner.signer)
    _record(client, planner, "/app/eplan/new/PlanDrafted", {
        "effective": "01/09/2565", "lao": TAK, "province": "ตาก",
        "first_year": "๒๕๖๖", "last_year": "2570",
    })  # fmt: skip
    base = f"/app/eplan/{PLAN}/new"
    _record(client, planner, f"{base}/VisionRecorded", {"vision": "ตำบลน่าอยู่"})
    _record(client, planner, f"{base}/StrategyAdded", {"strategy": "1", "title": "ถนนดี"})
    form = client.get(f"/app/eplan/new/PlanProjectAdded?plan={PLAN}")
    assert re.search(r'id="field-lao"[^>]*value="' + TAK + '"[^>]*readonly', form.text)
    assert 'id="upload-first"' not in form.text
    _record(client, planner, f"/app/eplan/new/PlanProjectAdded?plan={PLAN}", {
        "plan": str(PLAN), "lao": TAK, "province": "ตาก", "amendment": "0",
        "strategy": "1", "title": "ถนนคอนกรีตหมู่ 3",
        "years": "๒๕๖๖: 1,000,000.00\n2567: -",
    })  # fmt: skip
    _record(client, planner, f"{base}/PlanApproved", {
        "approved_on": "15/09/2565", "approver": "นายก อบต.ตัวอย่าง",
    })  # fmt: skip
    plan_page = client.get(f"/app/eplan/plans/{PLAN}")
    found = re.search(r'href="/app/eplan/projects/([0-9a-f-]{36})"', plan_page.text)
    assert found is not None, plan_page.text
    return uuid.UUID(found.group(1))


def test_project_from_budget_to_completion(
    client: TestClient, kit: LedgerKit, officers: tuple[Operator, Operator]
) -> None:
    """Budget, contract, an over-contract payment refused beside the amount before any sign
    request, the payment within the contract, completion; the pages show it in Thai."""
    planner, finance = officers
    project = _plan_with_project(client, planner)
    log_in(client, finance.signer)
    base = f"/app/eplan/{project}/new"
    budget_form = client.get(f"{base}/BudgetApproved")
    _record(client, finance, f"{base}/BudgetApproved", {
        "effective": "01/10/2565", "fiscal_year": "2566", "amount": "๑,๐๐๐,๐๐๐.๐๐",
        "source": "own_revenue",
    })  # fmt: skip
    _record(client, finance, f"{base}/ContractSigned", {
        "effective": "01/11/2565", "contract_no": "5/2566", "party": "หจก.ก่อสร้างตัวอย่าง",
        "amount": "900,000", "signed_on": "01/11/2565",
    })  # fmt: skip
    before = kit.event_count()
    over = client.post(f"{base}/DisbursementMade", data={
        "effective": "01/03/2566", "amount": "950,000.00", "paid_on": "01/03/2566",
    })  # fmt: skip
    after_refusal = kit.event_count()
    _record(client, finance, f"{base}/DisbursementMade", {
        "effective": "01/03/2566", "amount": "900,000.00", "paid_on": "01/03/2566",
        "contract_no": "5/2566",
    })  # fmt: skip
    _record(client, finance, f"{base}/ProjectCompleted", {
        "effective": "15/03/2566", "completed_on": "15/03/2566",
    })  # fmt: skip
    page = client.get(f"/app/eplan/projects/{project}")

    assert re.search(r'id="field-fiscal-year"[^>]*value="2566"', budget_form.text)
    ordinance = re.search(r'id="group-ordinance"(.*?)</fieldset>', budget_form.text, re.S)
    assert ordinance is not None  # optional: a note, no stars on its fields
    assert 'id="note-group-ordinance"' in ordinance.group(1)
    assert 'class="required"' not in ordinance.group(1)
    assert 422 == over.status_code, over.text
    assert 'id="sign-button"' not in over.text
    message = re.search(r'id="error-amount">(.*?)</p>', over.text, re.S)
    assert message is not None
    assert "เกินวงเงินตามสัญญา" in unescape(message.group(1))
    assert 'value="950,000.00"' in over.text
    assert before == after_refusal
    assert 200 == page.status_code
    assert "ดำเนินการแล้วเสร็จ" in page.text
    assert 'id="action-DisbursementMade"' not in page.text  # nothing follows a completion
    assert re.search(r'id="total-budget">1,000,000.00<', page.text)
    assert re.search(r'id="total-disbursed">900,000.00<', page.text)
    assert "หจก.ก่อสร้างตัวอย่าง" in page.text


def test_plan_page_and_status_table(
    client: TestClient, kit: LedgerKit, officers: tuple[Operator, Operator]
) -> None:
    """The plan page shows vision, strategy, the project of its year and the approval; the
    status table of ตาก FY2566 counts it, shows days since the last step, downloads as CSV
    and XLSX; a bad year is refused in Thai beside the form."""
    planner, _finance = officers
    _plan_with_project(client, planner)

    plan = client.get(f"/app/eplan/plans/{PLAN}")
    home = client.get("/app/eplan")
    status = client.get("/app/eplan/status", params={"province": "ตาก", "fiscal_year": "๒๕๖๖"})
    csv = client.get(
        "/app/eplan/status/download",
        params={"province": "ตาก", "fiscal_year": "2566", "format": "csv"},
    )
    xlsx = client.get(
        "/app/eplan/status/download",
        params={"province": "ตาก", "fiscal_year": "2566", "format": "xlsx"},
    )
    bad = client.get("/app/eplan/status", params={"province": "ตาก", "fiscal_year": "66"})
    geojson = client.get("/app/eplan/projects.geojson")
    client.cookies.set("lang", "en")
    english = client.get(f"/app/eplan/plans/{PLAN}")

    assert [] == page_problems(plan.text) + page_problems(home.text) + page_problems(status.text)
    assert "ตำบลน่าอยู่" in plan.text
    assert 'id="plan-year-2566"' in plan.text
    assert "ถนนคอนกรีตหมู่ 3" in plan.text
    assert "1,000,000.00" in plan.text
    assert 'id="action-PlanAmended"' in plan.text
    assert 'id="action-VisionRecorded"' not in plan.text  # approved: amend it first
    assert 'id="new-PlanDrafted"' in home.text
    assert 'href="/app/eplan/projects.geojson"' in home.text
    assert 200 == status.status_code, status.text
    assert 'id="status-table"' in status.text
    assert "ทำแล้ว" in status.text
    assert re.search(rf'id="last-update-{TAK}">\d+ วัน', status.text)
    assert 'id="status-csv"' in status.text
    assert 200 == csv.status_code
    assert "รายงานสถานะการทำงานของแต่ละอปท." in csv.content.decode("utf-8-sig")
    assert 200 == xlsx.status_code
    assert xlsx.content[:2] == b"PK"
    assert 422 == bad.status_code
    assert "พ.ศ. สี่หลัก" in bad.text
    assert "application/geo+json" == geojson.headers["content-type"]
    assert "Development plan" in english.text
    assert "Projects by year" in english.text


def test_scope_and_roles(
    client: TestClient, kit: LedgerKit, officers: tuple[Operator, Operator]
) -> None:
    """An HR officer reads no e-Plan (403); a finance officer of another province gets 404 for
    the plan, its forms and another province's table (403); a planner is not offered the
    budget form, and a POST of it is refused before anything is drafted."""
    planner, _finance = officers
    project = _plan_with_project(client, planner)
    other = kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO)
    planner_budget = client.post(
        f"/app/eplan/{project}/new/BudgetApproved",
        data={"fiscal_year": "2566", "amount": "1", "source": "own_revenue"},
    )
    project_page = client.get(f"/app/eplan/projects/{project}")

    log_in(client, kit.hr.signer)
    hr = client.get("/app/eplan")
    log_in(client, other.signer)
    answers = [
        client.get(f"/app/eplan/plans/{PLAN}"),
        client.get(f"/app/eplan/projects/{project}"),
        client.get(f"/app/eplan/{project}/new/DisbursementMade"),
        client.post(f"/app/eplan/{project}/new/ContractSigned", data={"amount": "1"}),
    ]
    tak_table = client.get("/app/eplan/status", params={"province": "ตาก", "fiscal_year": "2566"})

    assert 'id="action-BudgetApproved"' not in project_page.text
    assert 403 == planner_budget.status_code
    assert 403 == hr.status_code
    assert [404, 404, 404, 404] == [a.status_code for a in answers]
    assert 403 == tak_table.status_code


def test_engineering_locates_and_education_pays_a_subsidy(
    client: TestClient, kit: LedgerKit, officers: tuple[Operator, Operator]
) -> None:
    """The engineering officer locates a project (GeoJSON point) and it appears in the map
    data; finance allocates an education subsidy and the education officer pays part of it,
    each through the same form, review and agent."""
    planner, finance = officers
    project = _plan_with_project(client, planner)
    engineer = kit.operator([Role.EPLAN_ENGINEERING], TAK_LAO)
    teacher = kit.operator([Role.EPLAN_EDUCATION], TAK_LAO)
    log_in(client, engineer.signer)
    _record(client, engineer, f"/app/eplan/{project}/new/ProjectGeoLocated", {
        "geometry": '{"type": "Point", "coordinates": [99.12, 16.88]}',
    })  # fmt: skip
    features = client.get("/app/eplan/projects.geojson").json()["features"]
    log_in(client, finance.signer)
    allocation = client.get("/app/eplan/new/SubsidyAllocated")
    _record(client, finance, "/app/eplan/new/SubsidyAllocated", {
        "effective": "01/10/2565", "lao": TAK, "province": "ตาก", "fiscal_year": "2566",
        "kind": "specific", "item": "L1", "title": "อาหารกลางวันนักเรียน", "sector": "education",
        "amount": "250,000.00",
    })  # fmt: skip
    log_in(client, teacher.signer)
    home = client.get("/app/eplan")
    paid_link = re.search(r'href="(/app/eplan/[0-9a-f-]{36}/new/SubsidyDisbursed)"', home.text)
    assert paid_link is not None, home.text
    _record(client, teacher, paid_link.group(1), {
        "effective": "01/11/2565", "amount": "100,000", "paid_on": "01/11/2565",
    })  # fmt: skip
    after = client.get("/app/eplan")

    assert [[99.12, 16.88]] == [f["geometry"]["coordinates"] for f in features]
    assert re.search(r'id="field-province"[^>]*value="ตาก"', allocation.text)
    assert "อาหารกลางวันนักเรียน" in after.text
    assert "100,000.00" in after.text
