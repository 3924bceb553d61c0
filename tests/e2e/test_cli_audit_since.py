"""``ledger audit verify --since``: a re-audit checks the new events and the consistency proof."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli.main import app
from ledger.signing import SoftwareSigner
from projections.transparency.checkpoints import (
    new_checkpoint,
    read_checkpoint,
    sign_checkpoint,
)
from tests.audit_kit import drop_log, populate, replace_in_state, sql_cursor
from tests.ledger_kit import LedgerKit, education_data

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


class Audit:
    """A populated ledger with its transparency log, and a checkpoint kept by a first audit."""

    def __init__(self, kit: LedgerKit, tmp_path: Path) -> None:
        self.kit = kit
        self.tak = populate(kit, records=2, entries=2).tak
        self.system_key = tmp_path / "system.key"
        kit.system.signer.to_file(self.system_key)
        self.kept = tmp_path / "kept.note"
        self.seal()
        first = self.invoke("audit", "verify", "--keep", str(self.kept), *self.where)
        assert 0 == first.exit_code, first.output

    @property
    def where(self) -> list[str]:
        settings = self.kit.ledger.settings
        return ["--database-url", settings.database_url, "--name", settings.name]

    def invoke(self, *args: str) -> Result:
        return runner.invoke(app, list(args))

    def seal(self) -> None:
        """Take every event into the log and sign a checkpoint covering all of them."""
        result = self.invoke(
            "transparency", "run", "--once", "--system-key", str(self.system_key), *self.where
        )
        assert 0 == result.exit_code, result.output

    def add(self, count: int) -> None:
        """``count`` new entries on one record, then a checkpoint covering them."""
        for n in range(count):
            self.kit.submit(
                self.kit.sign(
                    self.kit.other_hr,
                    stream=self.tak[0],
                    type="EducationAdded",
                    data=education_data(10 + n),
                )
            )
        self.seal()

    def since(self, *extra: str) -> Result:
        return self.invoke("audit", "verify", "--since", str(self.kept), *extra, *self.where)


@pytest.fixture
def audit(kit: LedgerKit, tmp_path: Path) -> Audit:
    return Audit(kit, tmp_path)


def test_a_full_verify_keeps_the_newest_checkpoint(audit: Audit) -> None:
    """``--keep`` after a full verify writes the checkpoint covering every event."""
    assert audit.kit.event_count() == read_checkpoint(audit.kept.read_text()).tree_size


def test_a_reaudit_after_n_new_events_checks_n(audit: Audit) -> None:
    """Three new events: three checked, the prefix proven, the newer checkpoint kept."""
    before = read_checkpoint(audit.kept.read_text()).tree_size
    audit.add(3)

    as_json = audit.since("--json", "--keep", str(audit.kept.with_suffix(".json-run")))
    as_text = audit.since()

    since = json.loads(as_json.stdout)["since"]
    assert (0, 0) == (as_json.exit_code, as_text.exit_code), as_text.output
    assert (3, True, before, before + 3) == (
        since["events_checked"],
        since["prefix_proven"],
        since["kept_size"],
        since["newest_size"],
    )
    assert f"checkpoint {before} is a prefix of checkpoint {before + 3}" in as_text.stdout
    assert before + 3 == read_checkpoint(audit.kept.read_text()).tree_size


def test_a_reaudit_with_nothing_new_checks_nothing(audit: Audit) -> None:
    """No new event: zero checked, still verified."""
    result = audit.since("--json")

    assert 0 == result.exit_code, result.output
    assert 0 == json.loads(result.stdout)["since"]["events_checked"]


def test_a_bad_new_event_fails_the_reaudit(audit: Audit) -> None:
    """A new event whose signature was changed in the database: exit 1 naming it."""
    audit.add(2)
    target = audit.kit.event_count()
    replace_in_state(audit.kit.ledger, target, b'"signature":"', b'"signature":"f')

    result = audit.since("--json")

    assert 1 == result.exit_code
    assert target in json.loads(result.stdout)["failing_notification_ids"]


def test_a_log_rebuilt_without_an_old_event_fails_the_consistency_proof(audit: Audit) -> None:
    """An old event deleted and the log rebuilt and re-signed: the kept tree is no prefix."""
    audit.add(2)
    old = audit.kit.ledger.stream_events(audit.tak[1])[-1].notification_id
    with sql_cursor(audit.kit.ledger, commit=True) as cursor:
        cursor.execute(*_delete(audit.kit, old))
    drop_log(audit.kit.ledger)
    audit.seal()

    result = audit.since()

    assert 1 == result.exit_code
    assert "the consistency proof fails" in result.stdout
    assert "kept the newest" not in result.stdout


def test_an_old_event_changed_behind_the_logs_back_needs_a_full_verify(audit: Audit) -> None:
    """The limit, as documented: --since does not read old events; a full verify finds it."""
    old = audit.kit.ledger.stream_events(audit.tak[1])[-1].notification_id
    replace_in_state(audit.kit.ledger, old, b'"signature":"', b'"signature":"f')
    audit.add(1)

    since = audit.since()
    full = audit.invoke("audit", "verify", "--json", *audit.where)

    assert (0, 1) == (since.exit_code, full.exit_code)
    assert "found only by a full verify" in since.stdout
    assert old in json.loads(full.stdout)["failing_notification_ids"]


def test_a_forged_checkpoint_is_refused(audit: Audit) -> None:
    """The kept note's size changed without its signature: refused, nothing kept."""
    note = audit.kept.read_text()
    size = read_checkpoint(note).tree_size
    audit.kept.write_text(note.replace(f"\n{size}\n", f"\n{size - 1}\n", 1))

    result = audit.since()

    assert 1 == result.exit_code
    assert "refused" in result.stdout
    assert f"\n{size - 1}\n" in audit.kept.read_text()


def test_a_checkpoint_of_another_log_is_refused(audit: Audit, tmp_path: Path) -> None:
    """A checkpoint signed by another key, under this log's origin or its own: refused."""
    mine = read_checkpoint(audit.kept.read_text())
    other = SoftwareSigner.generate()
    origin = f"thai-lgov-ledger/other/{other.key_id}"
    elsewhere = tmp_path / "elsewhere.note"
    impostor = tmp_path / "impostor.note"
    elsewhere.write_text(
        sign_checkpoint(new_checkpoint(origin, 3, mine.root_hash, mine.issued_at), other)
    )
    impostor.write_text(sign_checkpoint(mine, other))

    results = [
        audit.invoke("audit", "verify", "--since", str(path), *audit.where)
        for path in (elsewhere, impostor)
    ]

    assert [1, 1] == [result.exit_code for result in results]
    assert all("refused" in result.stdout for result in results)


def test_since_takes_no_bundle(audit: Audit, tmp_path: Path) -> None:
    """--since re-audits a database; with --bundle it is a usage error."""
    result = audit.since("--bundle", str(audit.kept))

    assert 2 == result.exit_code


def _delete(kit: LedgerKit, notification_id: int) -> tuple[str, list[object]]:
    table = kit.ledger.recorder.events_table_name  # type: ignore[attr-defined]
    if "sqlite" not in kit.ledger.settings.database_url:
        return f'DELETE FROM "{table}" WHERE notification_id = %s', [notification_id]
    return f'DELETE FROM "{table}" WHERE rowid = ?', [notification_id]
