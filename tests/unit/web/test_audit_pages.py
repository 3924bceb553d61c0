"""The auditor's pages: the checkpoint history, a stream's signed history with the server's
verdicts and what the browser needs to check them itself, bundle downloads, and who may see
them (the read matrix's ``audit`` kind, within the scope)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from ledger.application import Ledger
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.settings import LedgerSettings
from tests.audit_kit import replace_in_state, run_log
from tests.projection_world import ProjectionWorld
from tests.unit.web.html_check import page_problems
from tests.unit.web.web_kit import log_in
from tests.unit.web.world_copy import WorldFile, build_world_file, copy_into, world_on


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> WorldFile:
    """Records in two provinces, and the transparency log with a checkpoint every 8 events,
    built once."""
    return build_world_file(
        tmp_path_factory.mktemp("audit-world"), lambda world: run_log(world.kit, every_events=8)
    )


@pytest.fixture
def settings(settings: LedgerSettings, built: WorldFile) -> LedgerSettings:
    """The test's ledger starts as a copy of the built world."""
    return copy_into(built, settings)


@pytest.fixture
def world(built: WorldFile, ledger: Ledger) -> ProjectionWorld:
    """The built world on the app's ledger (the test's copy)."""
    return world_on(built, ledger)


@pytest.fixture
def auditor(client: TestClient, world: ProjectionWorld) -> TestClient:
    """The client logged in as a national auditor."""
    log_in(client, world.kit.operator([Role.AUDITOR], NATIONAL).signer)
    return client


def _rows(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<tr class="{css_class}"[^>]*>.*?</tr>', html, re.S)


def test_the_audit_page_lists_the_checkpoints_newest_first(
    auditor: TestClient, world: ProjectionWorld
) -> None:
    """Every checkpoint with its size, a valid server verdict and its signed note to keep."""
    page = auditor.get("/app/audit")
    rows = _rows(page.text, "checkpoint")
    sizes = [int(re.search(r'data-size="(\d+)"', row).group(1)) for row in rows]  # type: ignore[union-attr]
    stored = [item.tree_size for item in auditor.app.state.transparency.checkpoints()]  # type: ignore[attr-defined]

    assert 200 == page.status_code
    assert sorted(stored, reverse=True) == sizes
    assert all("✓ ถูกต้อง" in row for row in rows)
    assert world.kit.system.signer.key_id in page.text
    assert "thai-lgov-ledger/" in unescape(page.text)
    assert 'src="/static/audit.js"' in page.text
    assert 'id="nav-audit"' in page.text
    assert [] == page_problems(page.text)


def test_the_audit_page_in_english(auditor: TestClient, world: ProjectionWorld) -> None:
    """With lang=en the page speaks English and tells the script so."""
    auditor.cookies.set("lang", "en")
    page = auditor.get("/app/audit")
    assert "Checkpoint history" in page.text
    assert 'data-lang="en"' in page.text


def test_a_checkpoint_downloads_as_its_signed_note(
    auditor: TestClient, world: ProjectionWorld
) -> None:
    """A row's download is the signed note itself, to keep for --since; an unknown size 404."""
    newest = auditor.app.state.transparency.latest_checkpoint()  # type: ignore[attr-defined]

    note = auditor.get(f"/app/audit/checkpoints/{newest.tree_size}")
    missing = auditor.get(f"/app/audit/checkpoints/{newest.tree_size + 1}")

    assert (200, 404) == (note.status_code, missing.status_code)
    assert newest.note == note.text
    assert "attachment" in note.headers["content-disposition"]
    assert '<html lang="th">' in missing.text


def test_a_streams_history_shows_each_signature_verified(
    auditor: TestClient, world: ProjectionWorld
) -> None:
    """Every event of a record: version, type in Thai, the server's ✓ for hash and signature,
    and the statement, signature and signer's key for the browser's own check."""
    stream = world.records["r1"]
    events = world.kit.ledger.stream_events(stream)

    page = auditor.get(f"/app/audit/records/{stream}")
    rows = _rows(page.text, "event")

    assert 200 == page.status_code
    assert len(events) == len(rows)
    assert all(row.count("✓") == 2 for row in rows)
    assert f'data-hash="{events[0].hash}"' in rows[0]
    assert re.search(r'data-public-key="[0-9a-f]{64}"', rows[0])
    assert f'href="/app/audit/bundles/record/{stream}"' in page.text
    bundle = re.search(r'<a id="lao-bundle-link".*?</a>', page.text, re.S)
    assert bundle is not None  # the LAO's bundle, named as the registry names the LAO
    assert "เทศบาลตำบลตัวอย่าง" in bundle.group(0)
    assert "6480101" in bundle.group(0)
    assert [] == page_problems(page.text)


def test_a_tampered_signature_shows_as_invalid(auditor: TestClient, world: ProjectionWorld) -> None:
    """A signature changed in the database: the server's verdict for that event is ✗."""
    stream = world.records["r1"]
    target = world.kit.ledger.stream_events(stream)[-1]
    signature = target.signature.hex()
    changed = ("0" if signature[0] != "0" else "1") + signature[1:]
    replace_in_state(world.kit.ledger, target.notification_id, signature.encode(), changed.encode())

    page = auditor.get(f"/app/audit/records/{stream}")

    assert "✗ ลายมือชื่อไม่ถูกต้อง" in page.text
    assert 'id="server-verdict" class="refusal"' in page.text


def test_the_history_form_goes_to_the_stream(auditor: TestClient, world: ProjectionWorld) -> None:
    """The form's id leads to the page; a bad id is a Thai 4xx page, never a 5xx."""
    stream = world.records["r1"]
    found = auditor.get("/app/audit/records", params={"stream": f" {stream} "})
    bad = auditor.get("/app/audit/records", params={"stream": "ไม่ใช่รหัส"})

    assert f"/app/audit/records/{stream}" == str(found.url.path)
    assert 400 <= bad.status_code < 500
    assert '<html lang="th">' in bad.text


def test_bundles_download_for_a_record_and_an_lao(
    auditor: TestClient, world: ProjectionWorld
) -> None:
    """A record's bundle and an LAO's (its code in Thai digits) come as attachments."""
    record = auditor.get(f"/app/audit/bundles/record/{world.records['r1']}")
    lao = auditor.get("/app/audit/bundles/lao", params={"code": "๖๔๘๐๑๐๑"})
    unknown = auditor.get("/app/audit/bundles/lao", params={"code": "12"})

    assert (200, 200, 404) == (record.status_code, lao.status_code, unknown.status_code)
    assert "attachment" in record.headers["content-disposition"]
    assert 'filename="lao-6480101.bundle"' in lao.headers["content-disposition"]
    assert record.text.startswith("{")


def test_roles_that_do_not_read_the_log_are_refused(
    client: TestClient, world: ProjectionWorld
) -> None:
    """An HR officer gets 403 pages for the audit pages and bundles, and no menu entry."""
    log_in(client, world.kit.hr.signer)
    stream = world.records["r1"]
    answers = [
        client.get(path).status_code
        for path in (
            "/app/audit",
            f"/app/audit/records/{stream}",
            f"/app/audit/bundles/record/{stream}",
            "/app/audit/bundles/lao/6480101",
        )
    ]
    assert [403, 403, 403, 403] == answers
    assert 'id="nav-audit"' not in client.get("/app/").text


def test_a_provincial_auditor_reads_only_its_province(
    client: TestClient, world: ProjectionWorld
) -> None:
    """An auditor of นครพนม: a Tak record's history and Tak's bundle are not found."""
    nakhon_phanom = Scope(level="province", province="นครพนม")
    log_in(client, world.kit.operator([Role.AUDITOR], nakhon_phanom).signer)

    inside = client.get(f"/app/audit/records/{world.records['r1']}")
    outside = client.get(f"/app/audit/records/{world.records['r6']}")
    tak = client.get("/app/audit/bundles/lao/6630101")

    assert (200, 404, 404) == (inside.status_code, outside.status_code, tak.status_code)


def test_the_audit_pages_need_a_session(client: TestClient, world: ProjectionWorld) -> None:
    """Without a session the audit page redirects to the login page."""
    response = client.get("/app/audit", follow_redirects=False)
    assert (303, "/app/login?next=%2Fapp%2Faudit") == (
        response.status_code,
        response.headers["location"],
    )


def test_the_proofs_the_script_reads_are_public(client: TestClient, world: ProjectionWorld) -> None:
    """The transparency API answers the page's script without a token: hashes and notes only."""
    checkpoints = client.get("/transparency/checkpoints").json()
    newest = checkpoints[-1]["tree_size"]
    inclusion = client.get(
        "/transparency/proofs/inclusion", params={"notification_id": 3, "tree_size": newest}
    )
    consistency = client.get(
        "/transparency/proofs/consistency",
        params={"old_size": checkpoints[0]["tree_size"], "new_size": newest},
    )
    assert (200, 200) == (inclusion.status_code, consistency.status_code)
    assert inclusion.json()["checkpoint"]["note"].startswith("thai-lgov-ledger/")
