"""``ledger transparency``, ``ledger audit`` and ``ledger replay`` end to end, on both backends."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from projections.transparency.checkpoints import open_checkpoint, read_verifier_key
from tests.audit_kit import Populated, populate, replace_in_state
from tests.ledger_kit import LedgerKit

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


@dataclass
class Audited:
    """A populated ledger, its URL and name, and the system key's file."""

    kit: LedgerKit
    populated: Populated
    system_key: Path

    @property
    def where(self) -> list[str]:
        settings = self.kit.ledger.settings
        return ["--database-url", settings.database_url, "--name", settings.name]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def audited(kit: LedgerKit, tmp_path: Path) -> Audited:
    """A populated ledger whose transparency log ran once (checkpoints every 5 events)."""
    populated = populate(kit, records=2, entries=2)
    system_key = tmp_path / "system.key"
    kit.system.signer.to_file(system_key)
    audited = Audited(kit, populated, system_key)
    result = invoke(
        "transparency", "run", "--once", "--system-key", str(system_key),
        "--every-events", "5", *audited.where,
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    return audited


def test_the_log_runs_and_serves_a_checkpoint_its_key_opens(audited: Audited) -> None:
    """After ``run --once``, ``checkpoint`` prints a note that ``key``'s verifier key opens."""
    note = invoke("transparency", "checkpoint", *audited.where)
    key = invoke("transparency", "key", *audited.where)

    name, public_key = read_verifier_key(key.stdout)
    assert (
        5 * (audited.kit.event_count() // 5)
        == open_checkpoint(note.stdout, public_key, name).tree_size
    )


def test_the_log_takes_its_key_from_the_setting(audited: Audited) -> None:
    """``LEDGER_SYSTEM_KEY_FILE`` stands in for ``--system-key``."""
    result = invoke(
        "transparency", "run", "--once", *audited.where,
        env={"LEDGER_SYSTEM_KEY_FILE": str(audited.system_key)},
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    assert f"{audited.kit.event_count()} leaves" in result.stdout


def test_the_log_will_not_run_without_the_system_key(audited: Audited, tmp_path: Path) -> None:
    """No key at all, or another key than the system key: exit 1 saying why."""
    other = tmp_path / "admin.key"
    audited.kit.admin.signer.to_file(other)

    missing = invoke("transparency", "run", "--once", *audited.where)
    wrong = invoke("transparency", "run", "--once", "--system-key", str(other), *audited.where)

    assert (1, 1) == (missing.exit_code, wrong.exit_code)
    assert "LEDGER_SYSTEM_KEY_FILE" in missing.output
    assert "system key" in wrong.output


def test_audit_verify_exits_0_and_reports_in_json(audited: Audited) -> None:
    """An untouched ledger verifies: exit 0, a JSON report with no failures."""
    result = invoke("audit", "verify", "--json", *audited.where)

    report = json.loads(result.stdout)
    assert 0 == result.exit_code
    assert (True, [], audited.kit.event_count()) == (
        report["ok"],
        report["failures"],
        report["events"],
    )


def test_audit_verify_exits_1_naming_a_tampered_event(audited: Audited) -> None:
    """A signature changed in the database: exit 1, its id among the failing ones."""
    target = audited.kit.ledger.stream_events(audited.populated.tak[0])[-1]
    replace_in_state(
        audited.kit.ledger, target.notification_id, b'"signature":"', b'"signature":"f'
    )

    as_json = invoke("audit", "verify", "--json", *audited.where)
    as_text = invoke("audit", "verify", *audited.where)

    assert (1, 1) == (as_json.exit_code, as_text.exit_code)
    assert target.notification_id in json.loads(as_json.stdout)["failing_notification_ids"]
    assert "failing notification ids" in as_text.stdout


def test_audit_verify_checks_kept_checkpoints_and_the_pinned_anchor(
    audited: Audited, tmp_path: Path
) -> None:
    """With the system key pinned and a kept checkpoint, an untouched ledger still verifies."""
    kept = tmp_path / "kept.note"
    kept.write_text(invoke("transparency", "checkpoint", *audited.where).stdout, encoding="utf-8")
    anchor = audited.kit.system.signer.public_key.hex()

    result = invoke(
        "audit", "verify", "--trust-anchor", anchor, "--checkpoint", str(kept), *audited.where
    )

    assert 0 == result.exit_code, result.output
    assert "pinned)" in result.stdout


def test_audit_verify_with_worker_processes(audited: Audited) -> None:
    """``--workers 2`` checks the events in two processes, with the same verdict."""
    result = invoke("audit", "verify", "--workers", "2", "--json", *audited.where)

    assert 0 == result.exit_code, result.output


def test_a_bundle_exported_verifies_offline_and_one_altered_byte_fails(
    audited: Audited, tmp_path: Path
) -> None:
    """``export --record`` writes a bundle ``verify --bundle`` accepts; alter a byte: exit 1."""
    bundle = tmp_path / "record.bundle"
    record = str(audited.populated.nakhon_phanom[1])

    exported = invoke("audit", "export", "--record", record, "--out", str(bundle), *audited.where)
    verified = invoke("audit", "verify", "--bundle", str(bundle))
    raw = bytearray(bundle.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    bundle.write_bytes(bytes(raw))
    altered = invoke("audit", "verify", "--bundle", str(bundle), "--json")

    assert 0 == exported.exit_code, exported.output
    assert 0 == verified.exit_code, verified.output
    assert 1 == altered.exit_code
    assert not json.loads(altered.stdout)["ok"]


def test_a_file_that_is_no_bundle_fails_cleanly(tmp_path: Path) -> None:
    """Verifying something that is not a bundle reports it and exits 1."""
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")

    result = invoke("audit", "verify", "--bundle", str(path), "--json")

    assert 1 == result.exit_code
    assert "bundle-malformed" == json.loads(result.stdout)["failures"][0]["kind"]


def test_export_wants_exactly_one_scope(audited: Audited, tmp_path: Path) -> None:
    """``export`` with no scope, or two, is a usage error."""
    result = invoke("audit", "export", "--all", "--lao", "6480101", "--out", str(tmp_path / "b"))

    assert 2 == result.exit_code


def test_replay_a_record_as_of_a_valid_date(audited: Audited) -> None:
    """``replay record --valid-on`` in Buddhist era before the record was opened (valid time):
    it did not exist then."""
    stream = str(audited.populated.tak[0])

    now = invoke("replay", "record", stream, "--json", *audited.where)
    before = invoke(
        "replay", "record", stream, "--valid-on", "01/01/2500", "--json", *audited.where
    )

    assert 3 == json.loads(now.stdout)["version"]
    assert ([], False) == (
        [event["type"] for event in json.loads(before.stdout)["events"]],
        json.loads(before.stdout)["exists"],
    )


def test_replay_the_difference_between_two_times(audited: Audited) -> None:
    """Between a time before the ledger and now, every event of the record was added."""
    stream = str(audited.populated.tak[0])

    result = invoke(
        "replay", "diff", stream, "--axis", "recorded", "--from", "2000-01-01", "--to",
        "2100-01-01", "--json", *audited.where,
    )  # fmt: skip

    assert 0 == result.exit_code, result.output
    assert 3 == len(json.loads(result.stdout)["added"])


def test_replay_an_organization_and_a_report(audited: Audited) -> None:
    """An LAO's records, and the per-LAO report, as of now."""
    organization = invoke("replay", "organization", "6630101", "--json", *audited.where)
    report = invoke("replay", "report", "--json", *audited.where)

    tak = sorted(str(stream) for stream in audited.populated.tak)
    assert tak == sorted(record["stream"] for record in json.loads(organization.stdout)["records"])
    assert ["6480101", "6630101"] == [line["lao"] for line in json.loads(report.stdout)["laos"]]


def test_audit_verify_strict_says_its_checks_ran(audited: Audited) -> None:
    """``--strict`` adds one line in Thai and English saying the strict checks ran; without it
    the summary does not claim them."""
    strict = invoke("audit", "verify", "--strict", *audited.where)
    plain = invoke("audit", "verify", *audited.where)

    assert 0 == strict.exit_code, strict.output
    assert "ตรวจแบบเข้มงวด (--strict)" in strict.stdout
    assert "strict checks ran" in strict.stdout
    assert "strict checks ran" not in plain.stdout
