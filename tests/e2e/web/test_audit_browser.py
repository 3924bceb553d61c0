"""The auditor in the browser: pins the trust anchor, verifies checkpoints, an inclusion proof
and a consistency proof with WebCrypto, sees a tampered proof fail, checks a record's signed
history; every page axe-clean and photographed under var/screenshots/<test>/.

The demo is served here on its own copy of the session's (not the package's shared one): a
second checkpoint is needed for a consistency proof, so this module adds events (the system
notices a stale certification) and seals the log again before serving. The auditor logs in as
the agent would, with the demo auditor's software key answering the login page's signed
request (the agent's popup is exercised by the HR officer's tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from ledger.application import Ledger
from ledger.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from projections.transparency.projection import TransparencyProjection
from tests.browser_kit import Shots, check_axe, free_port, serve_web
from tests.demo_template import NAME, DemoFolder, copy_template
from tests.e2e.web.conftest import CONTEXT
from tests.unit.web.demo_world import make_stale, operator_key
from tests.unit.web.web_kit import answer, page_request
from web.request_key import RequestKey

PASSED = "ตรวจสอบผ่าน"
FAILED = "ไม่ผ่าน"


@dataclass(frozen=True)
class AuditDemo:
    base_url: str
    keys: Path
    cookie: str
    stream: str

    @property
    def anchor(self) -> str:
        return (self.keys / "trust-anchor.txt").read_text(encoding="ascii").strip()


@pytest.fixture(scope="module")
def audit_demo(
    demo_template: DemoFolder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AuditDemo]:
    """A copy of the session's demo with two checkpoints, served; the auditor's session
    cookie."""
    folder = tmp_path_factory.mktemp("audit-demo")
    demo = copy_template(demo_template, folder)
    ledger = Ledger(LedgerSettings(database_url=demo.database_url, name=NAME))
    try:
        make_stale(ledger, demo)
        TransparencyProjection(ledger, operator_key(demo, "system")).seal()
        stream = str(ledger.stream_events(_a_record(ledger))[0].stream)
    finally:
        ledger.close()
    with serve_web(demo, free_port(), folder / "demo.log") as base_url:
        cookie = _log_in(base_url, demo.keys, SoftwareSigner.from_file(demo.keys / "auditor.key"))
        yield AuditDemo(base_url, demo.keys, cookie, stream)


def _a_record(ledger: Ledger) -> Any:
    """A personnel record of the demo (the first the log holds)."""
    for notification in ledger.recorder.select_notifications(start=1, limit=100_000):
        if "PersonnelRecord" in notification.topic:
            return notification.originator_id
    raise AssertionError("the demo holds no personnel record")


def _log_in(base_url: str, keys: Path, signer: SoftwareSigner) -> str:
    """Log in as the agent would, with the auditor's key; the session cookie's value."""
    with httpx.Client(base_url=base_url, headers={"Origin": base_url}) as client:
        wire, _ = page_request(client.get("/app/login").text)
        request = RequestKey.load(keys / "web-request.key").read(wire)
        response = client.post("/app/login", data=answer(request, wire, signer))
        assert 303 == response.status_code, response.text
        cookie = response.cookies.get("ledger_session")
    assert cookie, "no session cookie"
    return str(cookie)


@pytest.fixture
def auditor_page(browser: Browser, audit_demo: AuditDemo) -> Iterator[Page]:
    """A page of a browser where the demo auditor is logged in."""
    context = browser.new_context(**CONTEXT)
    context.add_cookies(
        [{"name": "ledger_session", "value": audit_demo.cookie, "url": audit_demo.base_url}]
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


def _open_audit(page: Page, demo: AuditDemo) -> None:
    page.goto(f"{demo.base_url}/app/audit")
    expect(page.locator("#audit-app")).to_have_attribute("data-ready", "true")


def _pin(page: Page, anchor: str) -> None:
    page.get_by_label("กุญแจสาธารณะของระบบ").fill(anchor)
    page.locator("#anchor-pin").click()


def _result(page: Page) -> str:
    region = page.locator("#audit-result")
    expect(region).not_to_be_empty()
    return region.inner_text()


def _sizes(page: Page) -> list[int]:
    return [int(size) for size in page.locator("tr.checkpoint").evaluate_all(
        "rows => rows.map(row => row.dataset.size)"
    )]  # fmt: skip


def test_the_auditor_verifies_proofs_in_the_browser(
    auditor_page: Page, audit_demo: AuditDemo, shot: Shots
) -> None:
    """Pin the anchor, verify every checkpoint's signature, an event's inclusion (its number in
    Thai digits) and two checkpoints' consistency: each announced as passed, in Thai."""
    page = auditor_page
    _open_audit(page, audit_demo)
    shot(page, "audit")
    check_axe(page)

    _pin(page, audit_demo.anchor)
    assert PASSED in _result(page)
    key_id = SoftwareSigner.from_file(audit_demo.keys / "system.key").key_id
    expect(page.locator("#anchor-fingerprint")).to_have_attribute("data-key-id", key_id)

    page.locator("#verify-checkpoints").click()
    expect(page.locator("#audit-result")).to_contain_text("ตรวจลายมือชื่อจุดตรวจ")
    assert PASSED in _result(page)
    statuses = page.locator("tr.checkpoint .browser-status").all_inner_texts()
    assert len(statuses) >= 2
    assert all(status.startswith("✓") for status in statuses)

    sizes = _sizes(page)
    page.get_by_label("ลำดับเหตุการณ์ (notification id)").fill("๕")
    page.get_by_label("ในจุดตรวจขนาด").select_option(str(max(sizes)))
    page.locator("#inclusion-button").click()
    expect(page.locator("#audit-result")).to_contain_text("เหตุการณ์ลำดับ 5")
    assert PASSED in _result(page)
    shot(page, "inclusion-passed")

    page.get_by_label("จุดตรวจเก่า ขนาด").select_option(str(min(sizes)))
    page.get_by_label("จุดตรวจใหม่ ขนาด").select_option(str(max(sizes)))
    page.locator("#consistency-button").click()
    expect(page.locator("#audit-result")).to_contain_text(f"จุดตรวจขนาด {min(sizes)} เป็นส่วนต้น")
    assert PASSED in _result(page)
    shot(page, "consistency-passed")
    check_axe(page)


def test_a_tampered_proof_fails_in_the_browser(
    auditor_page: Page, audit_demo: AuditDemo, shot: Shots
) -> None:
    """One hash of each proof altered on its way to the page: the browser says ไม่ผ่าน."""
    page = auditor_page
    page.route("**/transparency/proofs/**", _tamper)
    _open_audit(page, audit_demo)
    _pin(page, audit_demo.anchor)
    sizes = _sizes(page)

    page.get_by_label("ลำดับเหตุการณ์ (notification id)").fill("5")
    page.locator("#inclusion-button").click()
    expect(page.locator("#audit-result")).to_contain_text(FAILED)
    assert "เส้นทาง Merkle" in _result(page)
    shot(page, "inclusion-tampered")
    check_axe(page)

    page.get_by_label("จุดตรวจเก่า ขนาด").select_option(str(min(sizes)))
    page.get_by_label("จุดตรวจใหม่ ขนาด").select_option(str(max(sizes)))
    page.locator("#consistency-button").click()
    expect(page.locator("#audit-result")).to_contain_text("หลักฐานไม่แสดง")
    assert FAILED in _result(page)
    shot(page, "consistency-tampered")


def test_checkpoints_fail_under_another_anchor(
    auditor_page: Page, audit_demo: AuditDemo, shot: Shots
) -> None:
    """Pinned to a key that is not the system key, the server's checkpoints do not verify."""
    page = auditor_page
    _open_audit(page, audit_demo)
    _pin(page, SoftwareSigner.generate().public_key.hex())
    page.locator("#verify-checkpoints").click()
    expect(page.locator("#audit-result")).to_contain_text("ตรวจลายมือชื่อจุดตรวจ")
    assert FAILED in _result(page)
    statuses = page.locator("tr.checkpoint .browser-status").all_inner_texts()
    assert all(status.startswith("✗") for status in statuses)
    shot(page, "another-anchor")


def test_a_records_signed_history_verifies_in_the_browser(
    auditor_page: Page, audit_demo: AuditDemo, shot: Shots
) -> None:
    """A record's events: the server's ✓ verdicts, then the browser's own check of one event
    (hash, signature, inclusion in the newest checkpoint under the pinned anchor)."""
    page = auditor_page
    _open_audit(page, audit_demo)
    _pin(page, audit_demo.anchor)
    page.get_by_label("รหัสทะเบียน (stream id)").fill(audit_demo.stream)
    page.locator("#history-button").click()
    page.wait_for_url(f"**/app/audit/records/{audit_demo.stream}")
    expect(page.locator("#audit-app")).to_have_attribute("data-ready", "true")
    check_axe(page)

    page.locator("tr.event button.verify-event").first.click()
    expect(page.locator("#audit-result")).to_contain_text("เหตุการณ์ลำดับ")
    assert PASSED in _result(page)
    assert page.locator("tr.event .browser-verdict").first.inner_text().startswith("✓")
    expect(page.locator("#bundle-link")).to_have_attribute(
        "href", f"/app/audit/bundles/record/{audit_demo.stream}"
    )
    shot(page, "history")
    check_axe(page)


def test_an_event_after_the_newest_checkpoint_waits_without_failing(
    auditor_page: Page, audit_demo: AuditDemo, shot: Shots
) -> None:
    """The server says the event awaits a checkpoint (problem type awaiting-checkpoint): the
    browser shows the hash and signature ✓ and a neutral ○ in Thai, no ✗ and no English."""
    page = auditor_page
    page.route("**/transparency/proofs/inclusion**", _awaiting_checkpoint)
    _open_audit(page, audit_demo)
    _pin(page, audit_demo.anchor)
    page.goto(f"{audit_demo.base_url}/app/audit/records/{audit_demo.stream}")
    expect(page.locator("#audit-app")).to_have_attribute("data-ready", "true")

    page.locator("tr.event button.verify-event").first.click()
    expect(page.locator("#audit-result")).to_have_attribute("data-verdict", "pending")
    verdict = page.locator("tr.event .browser-verdict").first.inner_text()
    result = _result(page)
    assert "รอจุดตรวจถัดไป (ยังไม่อยู่ในจุดตรวจที่ลงนามแล้ว)" in result
    assert ["✓ แฮชถูกต้อง", "✓ ลายมือชื่อถูกต้อง", "○ รอจุดตรวจถัดไป (ยังไม่อยู่ในจุดตรวจที่ลงนามแล้ว)"] == (
        verdict.splitlines()
    )
    assert "✗" not in result + verdict
    assert "transparency log" not in result + verdict
    shot(page, "awaiting-checkpoint")
    check_axe(page)


def _awaiting_checkpoint(route: Route) -> None:
    """Answer as the API does for an event after the newest checkpoint."""
    body = {"type": "awaiting-checkpoint", "title": "Not in a signed checkpoint yet",
            "status": 404, "detail": "notification 12652 is leaf 12651, after checkpoint 12600",
            "title_th": "ยังไม่อยู่ในจุดตรวจที่ลงนามแล้ว"}  # fmt: skip
    route.fulfill(status=404, content_type="application/problem+json", body=json.dumps(body))


def test_the_browsers_merkle_code_agrees_with_ledger_merkle(
    auditor_page: Page, audit_demo: AuditDemo
) -> None:
    """audit.js's inclusion and consistency checks give ledger.merkle's verdicts for every
    index and pair of sizes up to 17 leaves (powers of two and not), real and altered proofs."""
    leaves = [bytes([n]) * 32 for n in range(17)]
    cases: list[dict[str, Any]] = []
    for size in range(1, len(leaves) + 1):
        tree = leaves[:size]
        root = root_hash(tree).hex()
        for index in range(size):
            proof = [item.hex() for item in inclusion_proof(tree, index)]
            cases.append({"kind": "inclusion", "index": index, "size": size, "data":
                          tree[index].hex(), "proof": proof, "root": root})  # fmt: skip
            if proof:
                cases.append({**cases[-1], "proof": [_flip(proof[0]), *proof[1:]]})
        for old in range(1, size + 1):
            proof = [item.hex() for item in consistency_proof(tree, old)]
            cases.append({"kind": "consistency", "old": old, "size": size, "proof": proof,
                          "old_root": root_hash(tree[:old]).hex(), "root": root})  # fmt: skip
            if proof:
                cases.append({**cases[-1], "proof": [*proof[:-1], _flip(proof[-1])]})
    expected = [_python_verdict(case) for case in cases]
    _open_audit(auditor_page, audit_demo)

    found = auditor_page.evaluate(BROWSER_VERDICTS, cases)

    assert expected == found
    assert expected.count(True) > 200
    assert expected.count(False) > 200


BROWSER_VERDICTS = """async (cases) => {
  const a = window.ledgerAudit, h = a.hexToBytes;
  const out = [];
  for (const c of cases) {
    const proof = c.proof.map(h);
    if (c.kind === "inclusion") {
      const leaf = await a.leafHash(h(c.data));
      out.push(await a.verifyInclusion(c.index, c.size, leaf, proof, h(c.root)));
    } else {
      out.push(await a.verifyConsistency(c.old, c.size, h(c.old_root), h(c.root), proof));
    }
  }
  return out;
}"""


def _python_verdict(case: dict[str, Any]) -> bool:
    proof = [bytes.fromhex(item) for item in case["proof"]]
    root = bytes.fromhex(case["root"])
    if case["kind"] == "inclusion":
        leaf = leaf_hash(bytes.fromhex(case["data"]))
        return verify_inclusion(case["index"], case["size"], leaf, proof, root)
    old_root = bytes.fromhex(case["old_root"])
    return verify_consistency(case["old"], case["size"], old_root, root, proof)


def _flip(hex_hash: str) -> str:
    return ("0" if hex_hash[0] != "0" else "1") + hex_hash[1:]


def _tamper(route: Route) -> None:
    """Answer a proof with its first hash's first character changed."""
    response = route.fetch()
    body = response.json()
    if body.get("proof"):
        body["proof"][0] = _flip(body["proof"][0])
    route.fulfill(response=response, body=json.dumps(body))
