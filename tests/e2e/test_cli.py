"""The ``ledger`` command end to end: init, enrol, submit, revoke, demo, on both backends."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.cli_steps import enrol_hr
from tests.conftest import NO_VAULT_ENV
from tests.people import ADMIN_CID, HR_CID, PERSON_CID

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **NO_VAULT_ENV})


@pytest.fixture
def cli_ledger(
    backend_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, Path]:
    """An initialised ledger made with ``ledger init``, with a key-file vault for the v2
    statements ``ledger submit`` signs: (url, name, key folder)."""
    monkeypatch.setenv("LEDGER_VAULT_KEY_DIR", str(tmp_path / "vault-keys"))
    name = f"cli{uuid.uuid4().hex[:10]}"
    result = runner.invoke(
        app,
        [
            "init",
            "--database-url", backend_url,
            "--name", name,
            "--system-key", str(tmp_path / "system.key"),
            "--admin-cid", ADMIN_CID,
            "--admin-key", str(tmp_path / "admin.key"),
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    return backend_url, name, tmp_path


def _enrol_hr(url: str, name: str, keys: Path) -> None:
    """DLA registers the LAO, then enrols its HR officer."""
    enrol_hr(runner, ["--database-url", url, "--name", name], keys, ADMIN_CID, HR_CID)


def _draft(path: Path, stream: uuid.UUID, effective: object = "01/04/2562") -> Path:
    path.write_text(
        json.dumps(
            {
                "stream": str(stream),
                "type": "RecordOpened",
                "effective": effective,
                "data": {
                    "cid": PERSON_CID,
                    "category": "official",
                    "lao": "6480101",
                    "province": "นครพนม",
                    "birth_date": "1970-10-01",
                },
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


def test_init_prints_the_trust_anchor(cli_ledger: tuple[str, str, Path]) -> None:
    """``ledger init`` writes the genesis and the first admin, and names the system key."""
    url, name, keys = cli_ledger

    ledger = Ledger(LedgerSettings(database_url=url, name=name))
    registry = ledger.registry()
    ledger.close()

    assert registry is not None
    assert 2 == len(registry.enrolments())
    assert (keys / "system.key").stat().st_mode & 0o777 == 0o600


def test_enrol_submit_and_revoke(cli_ledger: tuple[str, str, Path], tmp_path: Path) -> None:
    """An enrolled HR officer's draft lands; after revocation the same key is refused."""
    url, name, keys = cli_ledger
    _enrol_hr(url, name, keys)
    stream = uuid.uuid4()
    submit_args = ["--database-url", url, "--name", name, "--key", str(keys / "hr.key")]

    landed = runner.invoke(
        app, ["submit", str(_draft(tmp_path / "d.json", stream)), *submit_args, "--cid", HR_CID]
    )
    revoke = runner.invoke(
        app,
        [
            "operator", "revoke", "--database-url", url, "--name", name,
            "--admin-key", str(keys / "admin.key"), "--admin-cid", ADMIN_CID,
            "--key-id", _key_id(keys / "hr.key"), "--reason", "เปลี่ยนโทเค็น",
        ],
    )  # fmt: skip
    refused = runner.invoke(
        app,
        ["submit", str(_draft(tmp_path / "e.json", uuid.uuid4())), *submit_args, "--cid", HR_CID],
    )

    assert 0 == landed.exit_code, landed.output
    assert str(stream) in landed.output
    assert 0 == revoke.exit_code, revoke.output
    assert 1 == refused.exit_code
    assert "revoked" in refused.output


@pytest.mark.parametrize("effective", ["1/4/62", 0])
def test_submit_refuses_a_two_digit_or_numeric_effective_date(
    cli_ledger: tuple[str, str, Path], tmp_path: Path, effective: object
) -> None:
    """``1/4/62`` (not the year 0062) and the number 0 (not 1970) are refused before signing,
    and nothing is appended."""
    url, name, keys = cli_ledger
    _enrol_hr(url, name, keys)
    ledger = Ledger(LedgerSettings(database_url=url, name=name))
    before = ledger.recorder.max_notification_id()

    result = runner.invoke(
        app,
        [
            "submit", str(_draft(tmp_path / "d.json", uuid.uuid4(), effective)),
            "--database-url", url, "--name", name, "--key", str(keys / "hr.key"), "--cid", HR_CID,
        ],
    )  # fmt: skip
    after = ledger.recorder.max_notification_id()
    ledger.close()

    assert 0 != result.exit_code
    assert before == after


@pytest.mark.parametrize(("birth_date", "signed"), [("๑๕/๐๑/๒๕๑๘", "1975-01-15"), ("1/4/62", None)])
def test_submit_writes_the_drafts_dates_as_iso(
    cli_ledger: tuple[str, str, Path], tmp_path: Path, birth_date: str, signed: str | None
) -> None:
    """A birth date in Thai digits and the Buddhist era is signed as ISO; a two-digit year is
    refused with its rule before signing."""
    url, name, keys = cli_ledger
    _enrol_hr(url, name, keys)
    stream = uuid.uuid4()
    draft = _draft(tmp_path / "d.json", stream)
    body = json.loads(draft.read_text(encoding="utf-8"))
    body["data"]["birth_date"] = birth_date
    draft.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    result = runner.invoke(
        app,
        [
            "submit", str(draft),
            "--database-url", url, "--name", name, "--key", str(keys / "hr.key"), "--cid", HR_CID,
        ],
    )  # fmt: skip
    ledger = Ledger(LedgerSettings(database_url=url, name=name))
    record = ledger.aggregate(stream) if signed is not None else None
    ledger.close()

    if signed is None:
        assert (1, True) == (result.exit_code, "date.two_digit_year" in result.output)
    else:
        assert 0 == result.exit_code, result.output
        assert signed == record.birth_date.isoformat()  # type: ignore[union-attr]


def _key_id(path: Path) -> str:
    from ledger.signing import SoftwareSigner

    return SoftwareSigner.from_file(path).key_id


def test_submit_with_unknown_key_fails_clearly(
    cli_ledger: tuple[str, str, Path], tmp_path: Path
) -> None:
    """A key that was never enrolled gets a one-line error and exit code 1."""
    url, name, _ = cli_ledger
    from ledger.signing import SoftwareSigner

    SoftwareSigner.generate().to_file(tmp_path / "stranger.key")

    result = runner.invoke(
        app,
        [
            "submit", str(_draft(tmp_path / "d.json", uuid.uuid4())),
            "--database-url", url, "--name", name,
            "--key", str(tmp_path / "stranger.key"), "--cid", HR_CID,
        ],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "is not enrolled" in result.output


def test_bad_scope_is_named(cli_ledger: tuple[str, str, Path]) -> None:
    """A malformed --scope is refused with a message saying what a scope looks like."""
    url, name, keys = cli_ledger

    result = runner.invoke(
        app,
        [
            "operator", "enrol", "--database-url", url, "--name", name,
            "--admin-key", str(keys / "admin.key"), "--admin-cid", ADMIN_CID,
            "--cid", HR_CID, "--role", "lao_hr_officer", "--scope", "lao:6480101",
            "--key", str(keys / "hr.key"),
        ],
    )  # fmt: skip

    assert 0 != result.exit_code
    assert "national, province:<name> or lao:<province>:<DLA code>" in result.output


def test_demo_loads_once(backend_url: str, tmp_path: Path) -> None:
    """``ledger demo --no-serve`` loads signed demo events, and a second run adds nothing."""
    args = ["demo", "--database-url", backend_url, "--no-serve", "--keys-dir", str(tmp_path)]

    first = runner.invoke(app, args)
    second = runner.invoke(app, args)

    assert 0 == first.exit_code, first.output
    assert "demo data loaded" in first.output
    assert "already present" in second.output
    count = first.output.split("holds ")[1].split(" ")[0]
    assert count == second.output.split("holds ")[1].split(" ")[0]
    assert int(count) >= 15


def test_demo_prints_its_operators_and_the_trust_anchor(tmp_path: Path) -> None:
    """The demo says who its operators are (role, scope, citizen ID, key file), each one's card
    to log in with (Thai role and scope), and prints the anchor in the form ``--trust-anchor``
    takes, so an auditor can pin it as printed."""
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    keys = tmp_path / "keys"

    loaded = runner.invoke(
        app, ["demo", "--database-url", url, "--no-serve", "--keys-dir", str(keys)]
    )
    anchor = loaded.output.split("trust-anchor.txt): ")[1].split()[0]
    verified = runner.invoke(
        app, ["audit", "verify", "--database-url", url, "--trust-anchor", anchor]
    )

    assert "hr-nakhonphanom.key" in loaded.output
    assert (keys / "hr-nakhonphanom.card.json").exists()
    for name in ("head-nakhonphanom", "owner-nakhonphanom", "engineering-tak"):
        assert f"{keys}/{name}.card.json" in loaded.output, name  # each card to log in with
        assert (keys / f"{name}.card.json").exists()
    assert "นายก อปท. / ปลัด (อปท. 6480101 จังหวัดนครพนม)" in loaded.output
    assert "lao:นครพนม:6480101" in loaded.output
    assert 0 == verified.exit_code, verified.output
    assert anchor == (keys / "trust-anchor.txt").read_text().strip()
    assert "no transparency log" not in verified.output  # the demo signs its checkpoints
    assert " 0 checkpoints" not in verified.output


def test_submit_to_a_server_that_is_not_running_is_one_line(tmp_path: Path) -> None:
    """No server at the address: one line naming it, exit 1, no traceback; no database needed."""
    from ledger.signing import SoftwareSigner

    SoftwareSigner.generate().to_file(tmp_path / "k.key")

    result = runner.invoke(
        app,
        [
            "submit", str(_draft(tmp_path / "d.json", uuid.uuid4())),
            "--key", str(tmp_path / "k.key"), "--cid", HR_CID,
            "--server", "http://127.0.0.1:9",
        ],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "cannot reach the ledger's API at http://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_a_missing_bundle_is_one_line(tmp_path: Path) -> None:
    """Verifying a bundle file that is not there says so, exit 1, no traceback."""
    result = runner.invoke(app, ["audit", "verify", "--bundle", str(tmp_path / "none.bundle")])

    assert 1 == result.exit_code
    assert "no bundle file" in result.output
    assert "Traceback" not in result.output
