"""The certifiers' pages on the demo: each role's worklist in its scope, a cycle's snapshot as
its records, certify and return drafted, signed by a software key standing in for the agent,
and landing in the log; the returned LAO's officer reads the reason on their home page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from cli.demo import day as demo_day
from cli.demo.loader import NAKHON_PHANOM, TAK, demo_cid
from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.permissions import Role
from ledger.genesis import compose, enrolment_data
from ledger.processes import mark_overdue_cycles
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from tests.ledger_kit import SOFTWARE
from tests.unit.web.demo_world import (
    CYCLE_STREAM,
    DEMO_TODAY,
    LAO,
    DemoFiles,
    demo_client,
    demo_settings,
    make_stale,
    operator_key,
    submit_as_hr,
)
from tests.unit.web.html_check import page_problems
from tests.unit.web.pdf_kit import pdf_text, screenshot
from tests.unit.web.web_kit import (
    answer,
    log_in,
    page_request,
    server_request,
)

CYCLE_PAGE = f"/app/certify/{LAO}/2562"
TAK_LAO = str(TAK.lao)
REASON = "ตำแหน่งและเงินเดือนของครูยังไม่ตรงกับคำสั่ง"


@pytest.fixture
def settings(tmp_path: Path, demo: DemoFiles) -> LedgerSettings:
    """A copy of the demo's ledger, served from the test client's origin."""
    return demo_settings(demo, tmp_path)


@pytest.fixture
def client(settings: LedgerSettings, ledger: Ledger) -> Iterator[TestClient]:
    """The web app over the demo's copy, its day pinned to 15 January 2563."""
    with demo_client(settings, ledger) as test_client:
        yield test_client


def _submitted(ledger: Ledger, demo: DemoFiles) -> None:
    """The demo's cycle goes stale and the HR officer submits it again."""
    make_stale(ledger, demo)
    submit_as_hr(ledger, demo)


def _open_tak_cycle(ledger: Ledger, demo: DemoFiles) -> None:
    """DLA opens cycle 2562 of the Tak LAO too (the demo opens only Nakhon Phanom's)."""
    data = {
        "lao": TAK_LAO,
        "province": str(TAK.province),
        "cycle": "2562",
        "lao_deadline": "2019-07-31",
        "province_deadline": "2019-08-15",
    }
    signed = compose(
        ledger,
        stream=certification_stream_id(TAK_LAO, "2562"),
        type="CycleOpened",
        data=data,
        signer=operator_key(demo, "admin"),
        cid=demo_cid(1),
        effective=DEMO_TODAY,
    )
    ledger.submit(signed.canonical, signed.signature)


def _step(client: TestClient, action: str, **fields: object) -> Response:
    """Post the step's form with the root the cycle page shows."""
    page = client.get(CYCLE_PAGE).text
    root = re.search(r'id="cycle-root" class="hash">([0-9a-f]{64})<', page)
    assert root is not None, "the cycle page shows no root"
    return client.post(f"{CYCLE_PAGE}/{action}", data={"root": root.group(1), **fields})


def _sign(client: TestClient, review: Response, signer: SoftwareSigner) -> Response:
    """Sign the review's request as the agent would and post the answer."""
    assert 200 == review.status_code, review.text
    wire, _ = page_request(review.text)
    request = server_request(client, wire)
    return client.post("/app/certify/signed", data=answer(request, wire, signer))


def _head(ledger: Ledger) -> tuple[str, dict[str, object]]:
    event = ledger.stream_events(CYCLE_STREAM)[-1]
    statement = json.loads(event.statement)
    return event.type, statement


def test_the_certifiers_home_is_their_worklist(client: TestClient, demo: DemoFiles) -> None:
    """DLA's /app/ goes to /app/certify, which lists the province-verified cycle to accept with
    its deadline in the Buddhist era, and the cycle links to its page."""
    log_in(client, operator_key(demo, "admin"))

    response = client.get("/app/", follow_redirects=False)
    html = client.get("/app/certify").text

    assert 303 == response.status_code
    assert "/app/certify" == response.headers["location"]
    assert f'data-lao="{LAO}" data-cycle="2562" data-action="accept"' in html
    assert "31 ส.ค. 2562" in html
    assert f'href="{CYCLE_PAGE}"' in html


def test_the_lao_head_sees_the_submission_waiting_and_overdue(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A cycle submitted again after its LAO deadline: the head's item says certify, overdue."""
    _submitted(ledger, demo)
    log_in(client, operator_key(demo, "head-nakhonphanom"))

    html = client.get("/app/certify").text

    item = re.search(
        r'<tr class="work-item overdue" data-lao="(\d+)"[^>]*data-action="(\w+)"', html
    )
    assert item is not None, html
    assert (LAO, "certify") == item.groups()
    assert "เกินกำหนด" in html
    assert "31 ก.ค. 2562" in html


def test_the_demo_leaves_a_submission_for_the_head(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """As loaded, round 2560 waits for the LAO head (overdue); certified from the page, the
    province has it to verify."""
    head = operator_key(demo, "head-nakhonphanom")
    log_in(client, head)
    page = f"/app/certify/{LAO}/{demo_day.HEAD_ROUND}"

    html = client.get("/app/certify").text
    root = re.search(r'id="cycle-root" class="hash">([0-9a-f]{64})<', client.get(page).text)
    assert root is not None
    review = client.post(f"{page}/lao-certify", data={"root": root.group(1)})

    assert (
        f'<tr class="work-item overdue" data-lao="{LAO}" data-cycle="{demo_day.HEAD_ROUND}"' in html
    )
    assert 201 == _sign(client, review, head).status_code
    log_in(client, operator_key(demo, "province-nakhonphanom"))
    worklist = client.get("/app/certify").text
    assert f'data-cycle="{demo_day.HEAD_ROUND}" data-action="verify"' in worklist


def test_the_overdue_section_lists_every_stage_past_its_deadline(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The worklist says round 2560 is overdue for the head: the section of LAOs past a
    deadline lists it too (by date, in every cycle, not only those the system marked), and
    says which the system has marked: after ``ledger process overdue``, the stale current
    cycle's LAO stage is marked, the older rounds (which the process does not look at) not."""
    make_stale(ledger, demo)
    mark_overdue_cycles(ledger, operator_key(demo, "system"), DEMO_TODAY)
    log_in(client, operator_key(demo, "head-nakhonphanom"))

    html = client.get("/app/certify").text

    late_items = set(
        re.findall(r'<tr class="work-item overdue" data-lao="\d+" data-cycle="(\d+)"', html)
    )
    rows = re.findall(
        r'<tr class="overdue-row" data-lao="\d+" data-cycle="(\d+)" data-stage="(\w+)"'
        r' data-marked="(\w+)"',
        html,
    )
    assert demo_day.HEAD_ROUND in late_items
    assert late_items <= {cycle for cycle, _, _ in rows}
    assert ("2562", "lao", "true") in rows
    assert (demo_day.HEAD_ROUND, "lao", "false") in rows
    assert 'id="certify-no-overdue"' not in html
    summary = re.search(r'<p id="certify-overdue-summary"[^>]*>([^<]*)</p>', html)
    assert summary is not None
    assert f"ณ วันนี้ {len(rows)} รายการ" in summary.group(1)
    assert "ระบบบันทึกว่าเกินกำหนดแล้ว 1 รายการ" in summary.group(1)


def test_each_role_sees_only_its_scope(client: TestClient, ledger: Ledger, demo: DemoFiles) -> None:
    """With a Tak cycle open too: DLA sees both LAOs (Tak's overdue), the Nakhon Phanom
    province and head only theirs, and Tak's cycle page is the 403 page for them; the HR
    officer has no certifier's page."""
    _submitted(ledger, demo)
    _open_tak_cycle(ledger, demo)
    tak_page = f"/app/certify/{TAK_LAO}/2562"
    log_in(client, operator_key(demo, "admin"))
    national = client.get("/app/certify").text
    assert {LAO, TAK_LAO} == set(re.findall(r'data-lao="(\d+)"', national))
    assert f'<tr class="overdue-row" data-lao="{TAK_LAO}"' in national
    assert 200 == client.get(tak_page).status_code

    for name in ("province-nakhonphanom", "head-nakhonphanom"):
        log_in(client, operator_key(demo, name))
        html = client.get("/app/certify").text
        assert {LAO} == set(re.findall(r'data-lao="(\d+)"', html)), name
        refused = client.get(tak_page)
        assert 403 == refused.status_code, name
        assert "ไม่พบรอบการรับรองนี้ในส่วนที่ท่านมีสิทธิ์" in refused.text

    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    assert 403 == client.get("/app/certify").status_code


def test_the_cycle_page_lists_the_records_the_snapshot_covers(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The submitted snapshot: its root, one row per covered record by name linking to its
    ก.พ.๗ page, what each lacks for the KPI; the names read are logged."""
    _submitted(ledger, demo)
    snapshot = ledger.snapshot(LAO)
    assert snapshot is not None
    log_in(client, operator_key(demo, "head-nakhonphanom"))

    html = client.get(CYCLE_PAGE).text

    assert f'id="cycle-root" class="hash">{snapshot.root}<' in html
    streams = re.findall(r'<tr data-stream="([0-9a-f-]{36})"', html)
    assert sorted(str(leaf.stream) for leaf in snapshot.leaves) == sorted(streams)
    assert f'href="/app/records/{streams[0]}"' in html
    assert "นางสาวลองดู สมมุติสุข" in html
    assert "record-missing" in html
    assert [] == page_problems(html)
    record = client.get(f"/app/records/{streams[0]}")
    assert 200 == record.status_code


def test_the_head_certifies_and_it_lands_in_the_log(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """Certify: the review names the submitted root, the head's key signs, 201, and the cycle's
    head is LaoDataCertified naming that root; the province now has it to verify."""
    _submitted(ledger, demo)
    head = operator_key(demo, "head-nakhonphanom")
    log_in(client, head)
    root = ledger.snapshot(LAO)
    assert root is not None

    response = _sign(client, _step(client, "lao-certify"), head)

    assert 201 == response.status_code, response.text
    assert 'id="step-receipt"' in response.text
    kind, statement = _head(ledger)
    assert "LaoDataCertified" == kind
    assert {"snapshot_root": root.root} == statement["data"]
    assert head.key_id == statement["signer"]["key"]  # type: ignore[index]
    log_in(client, operator_key(demo, "province-nakhonphanom"))
    assert 'data-action="verify"' in client.get("/app/certify").text


def test_a_return_without_a_reason_is_the_form_again(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """No reason and no section: 422, each error beside its field in Thai, nothing drafted."""
    _submitted(ledger, demo)
    log_in(client, operator_key(demo, "head-nakhonphanom"))
    count = len(ledger.stream_events(CYCLE_STREAM))

    response = _step(client, "lao-return", reason="   ")

    assert 422 == response.status_code
    assert "ต้องระบุเหตุผลที่ส่งคืน" in response.text
    assert "เลือกหมวดที่ต้องแก้ไขอย่างน้อยหนึ่งหมวด" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "data-sign-wire" not in response.text
    assert count == len(ledger.stream_events(CYCLE_STREAM))


def test_the_province_returns_and_the_officer_reads_why(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """Head certifies, the province returns naming the salary section, a record and a reason:
    ProvinceVerificationReturned is in the log and the HR officer's home shows the reason."""
    _submitted(ledger, demo)
    head = operator_key(demo, "head-nakhonphanom")
    log_in(client, head)
    assert 201 == _sign(client, _step(client, "lao-certify"), head).status_code
    province = operator_key(demo, "province-nakhonphanom")
    log_in(client, province)
    snapshot = ledger.snapshot(LAO)
    assert snapshot is not None
    record = str(snapshot.leaves[0].stream)

    review = _step(
        client, "province-return", reason=REASON, sections=["position_salary"], records=[record]
    )
    assert REASON in review.text
    response = _sign(client, review, province)

    assert 201 == response.status_code, response.text
    kind, statement = _head(ledger)
    assert "ProvinceVerificationReturned" == kind
    assert {"sections": ["position_salary"], "reason": REASON, "records": [record]} == (
        statement["data"]
    )
    log_in(client, operator_key(demo, "hr-nakhonphanom"))
    home = client.get("/app/").text
    assert f'<q class="returned-reason">{REASON}</q>' in home
    assert "ตำแหน่งและอัตราเงินเดือน" in home


def test_dla_accepts_the_province_verified_cycle(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The demo's cycle verified by the province: DLA accepts naming the certified root."""
    admin = operator_key(demo, "admin")
    log_in(client, admin)

    response = _sign(client, _step(client, "dla-accept", note="ครบถ้วน"), admin)

    assert 201 == response.status_code, response.text
    kind, statement = _head(ledger)
    assert "DlaAccepted" == kind
    assert "ครบถ้วน" == statement["data"]["note"]  # type: ignore[index]


def test_a_step_not_the_callers_is_refused(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The province cannot certify a cycle only submitted (the head's step): a 409 page, no
    sign button; a stale root is refused the same way."""
    _submitted(ledger, demo)
    log_in(client, operator_key(demo, "province-nakhonphanom"))

    response = _step(client, "lao-certify")
    stale = client.post(f"{CYCLE_PAGE}/province-certify", data={"root": "0" * 64})

    assert 409 == response.status_code
    assert "data-sign-wire" not in response.text
    assert 409 == stale.status_code


def test_a_signed_answer_of_another_kind_is_refused(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A statement drafted on the submission page cannot be posted to the certifiers' endpoint
    (and a request replayed is refused): nothing appended."""
    _submitted(ledger, demo)
    head = operator_key(demo, "head-nakhonphanom")
    log_in(client, head)
    review = _step(client, "lao-certify")
    wire, _ = page_request(review.text)
    signed = answer(server_request(client, wire), wire, head)
    assert 201 == client.post("/app/certify/signed", data=signed).status_code
    count = len(ledger.stream_events(CYCLE_STREAM))

    again = client.post("/app/certify/signed", data=signed)

    assert 403 == again.status_code
    assert 'id="step-refusal"' in again.text
    assert count == len(ledger.stream_events(CYCLE_STREAM))


def test_the_province_prints_a_warning_letter_for_an_overdue_lao(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A stale cycle past its LAO deadline: the worklist links the letter, and the PDF is a
    Thai official letter (ที่, the date in the Buddhist era, เรื่อง, เรียน the head, the cycle
    and the missed deadline, the signature block), its Thai text intact."""
    make_stale(ledger, demo)
    log_in(client, operator_key(demo, "province-nakhonphanom"))
    link = f"/app/certify/overdue/{LAO}/letter.pdf?cycle=2562"
    assert link in client.get("/app/certify").text

    response = client.get(link + "&number=นพ 0023.3/15")

    assert 200 == response.status_code, response.text
    assert "application/pdf" == response.headers["content-type"]
    text = pdf_text(response.content)
    screenshot(response.content, "test_warning_letter", "letter")
    assert "ที่ นพ ๐๐๒๓.๓/๑๕" in text
    assert "๑๕ มกราคม ๒๕๖๓" in text
    assert "เรื่อง ขอให้เร่งรัดการบันทึกและรับรองข้อมูลบุคลากรท้องถิ่น" in text
    assert "เรียน นายกเทศมนตรีตำบลตัวอย่าง" in text
    assert "๓๑ กรกฎาคม ๒๕๖๒" in text
    assert "ขอแสดงความนับถือ" in text
    assert "ท้องถิ่นจังหวัดนครพนม" in text
    assert 1 == len(text.rstrip("\f").split("\f")), "the letter fits on one page"


def test_no_letter_for_an_lao_on_time_or_from_another_role(
    client: TestClient, demo: DemoFiles
) -> None:
    """The demo's cycle verified by the province is not overdue at the LAO's stage: 409; the
    LAO head cannot print the province's letters: 403."""
    link = f"/app/certify/overdue/{LAO}/letter.pdf"
    log_in(client, operator_key(demo, "province-nakhonphanom"))
    assert 409 == client.get(link).status_code
    log_in(client, operator_key(demo, "head-nakhonphanom"))
    assert 403 == client.get(link).status_code


def test_the_province_records_the_warning_letter_it_sent(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """A late LAO's cycle offers the letter's record: a date that does not read is refused
    beside its field; the letter's number and Buddhist-era date signed land as
    WarningLetterSent by the province's office, and the worklist counts it."""
    make_stale(ledger, demo)
    province = operator_key(demo, "province-nakhonphanom")
    log_in(client, province)
    assert 'id="step-warning-letter"' in client.get(CYCLE_PAGE).text
    refused = _step(client, "warning-letter", letter_number="นพ 0023.3/15", letter_date="32/1/2563")
    assert 422 == refused.status_code
    assert 'id="letter_date-error-warning-letter"' in refused.text

    review = _step(client, "warning-letter", letter_number="นพ 0023.3/15", letter_date="๑๕/๑/๒๕๖๓")
    response = _sign(client, review, province)

    assert 201 == response.status_code, response.text
    kind, statement = _head(ledger)
    assert "WarningLetterSent" == kind
    assert {
        "stage": "lao",
        "letter": {
            "number": "นพ 0023.3/15",
            "date": "2020-01-15",
            "issuer": "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดนครพนม",
        },
    } == statement["data"]
    row = re.search(
        r'<tr class="overdue-row" data-lao="\d+" data-cycle="2562".*?</tr>',
        client.get("/app/certify").text,
        re.S,
    )
    assert row is not None
    assert "<td>1</td>" in row.group(0)


def test_the_province_records_its_report_to_dla_once(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """The demo's province-verified cycle: the report's letter is recorded as
    ProvinceReportSent, and the step is not offered again."""
    province = operator_key(demo, "province-nakhonphanom")
    log_in(client, province)

    review = _step(client, "province-report", letter_number="นพ 0023.3/99", letter_date="20/8/2562")
    response = _sign(client, review, province)

    assert 201 == response.status_code, response.text
    assert "ProvinceReportSent" == _head(ledger)[0]
    assert 'id="step-province-report"' not in client.get(CYCLE_PAGE).text


def _enrol_superior(ledger: Ledger, demo: DemoFiles) -> SoftwareSigner:
    """DLA enrols an LAO superior of the demo's LAO (the demo has none): their key."""
    superior = SoftwareSigner.generate()
    data = enrolment_data(
        cid=demo_cid(20),
        public_key=superior.public_key,
        roles=[Role.LAO_SUPERIOR],
        scope=NAKHON_PHANOM,
        storage=SOFTWARE,
    )
    signed = compose(
        ledger,
        stream=ledger.registry_id,
        type="OperatorEnrolled",
        data=data,
        signer=operator_key(demo, "admin"),
        cid=demo_cid(1),
        effective=DEMO_TODAY,
    )
    ledger.submit(signed.canonical, signed.signature)
    return superior


def test_a_superior_reviews_and_may_only_return(
    client: TestClient, ledger: Ledger, demo: DemoFiles
) -> None:
    """An LAO superior's item is 'review'; the page offers the return, not the head's
    certification (forced: 409); the return signed by the superior lands as LaoDataReturned."""
    _submitted(ledger, demo)
    superior = _enrol_superior(ledger, demo)
    log_in(client, superior)
    assert 'data-action="review"' in client.get("/app/certify").text
    page = client.get(CYCLE_PAGE).text
    assert 'id="step-lao-return"' in page
    assert 'id="step-lao-certify"' not in page
    assert 409 == _step(client, "lao-certify").status_code

    review = _step(client, "lao-return", reason=REASON, sections=["leave"])
    response = _sign(client, review, superior)

    assert 201 == response.status_code, response.text
    kind, statement = _head(ledger)
    assert "LaoDataReturned" == kind
    assert superior.key_id == statement["signer"]["key"]  # type: ignore[index]


def test_the_pages_switch_to_english(client: TestClient, ledger: Ledger, demo: DemoFiles) -> None:
    """With the English switch the worklist and the cycle page speak English, dates in the
    Buddhist era labelled B.E. (docs/language.md)."""
    _submitted(ledger, demo)
    log_in(client, operator_key(demo, "head-nakhonphanom"))
    client.cookies.set("lang", "en")

    worklist = client.get("/app/certify").text
    cycle = client.get(CYCLE_PAGE).text

    assert "Certification work waiting for you" in worklist
    assert "31 Jul B.E. 2562" in worklist
    assert "Records covered" in cycle
    assert "Review the return before signing" in cycle
