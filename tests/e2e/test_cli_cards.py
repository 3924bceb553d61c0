"""``ledger card`` and the enrolment ceremony end to end, through pcscd and vpcd.

The virtual cards run as ``ledger card virtual ...`` processes connected to the test session's
pcscd, exactly as on a test machine; the commands under test read them through pyscard.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from card.errors import CardError
from card.pcsc import PcscContext
from card.virtual.stack import Pcscd
from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.card_stack import ID_READER, TOKEN_READER, VPCD_PORT, SoftHsmToken
from tests.cards import SAMPLE_PHOTO, SAMPLES, sample
from tests.cli_steps import register_lao
from tests.people import PERSON_CID
from tests.unit.test_thai_id_reader import expected_json

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
LEDGER = str(Path(sys.executable).with_name("ledger"))
OPERATOR_CID = sample("somying")["cid"]
ADMIN_CID = sample("prasert")["cid"]
PIN, ADMIN_PIN = "123456", "12345678"
SCOPE = "lao:นครพนม:6480101"

StartCard = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture
def start_card(card_stack: Pcscd, tmp_path: Path) -> Iterator[StartCard]:
    """Start ``ledger card virtual ...`` processes; each is stopped by its PID afterwards."""
    started: list[tuple[subprocess.Popen[bytes], str]] = []

    def start(*args: str, reader: str) -> subprocess.Popen[bytes]:
        log = tmp_path / f"virtual-card-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [LEDGER, "card", "virtual", *args], stdout=output, stderr=subprocess.STDOUT
            )
        started.append((process, reader))
        with PcscContext() as context:
            try:
                context.wait_for_card(reader, timeout=15)
            except CardError as error:
                pytest.fail(f"{error}; `ledger card virtual` said: {log.read_text()}")
        return process

    yield start
    for process, reader in started:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            process.wait(10)
        with PcscContext() as context:
            context.wait_for_removal(reader, timeout=5)


def insert_id_card(start_card: StartCard, name: str) -> None:
    person = str(SAMPLES / f"{name}.json")
    start_card("thai-id", "--person", person, "--port", str(VPCD_PORT), reader=ID_READER)


def insert_signing_card(start_card: StartCard, state: Path) -> None:
    start_card("signing", "--state", str(state), "--port", str(VPCD_PORT + 1), reader=TOKEN_READER)


@pytest.fixture
def ledger_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Path]:
    """An SQLite ledger made with ``ledger init`` (admin: the made-up prasert.json holder), with
    a key-file vault for the v2 statements ``ledger submit`` signs, and the LAO of ``SCOPE``
    registered."""
    monkeypatch.setenv("LEDGER_VAULT_KEY_DIR", str(tmp_path / "vault-keys"))
    url = f"sqlite:///{tmp_path}/ledger.sqlite"
    database = ["--database-url", url, "--name", f"cards{uuid.uuid4().hex[:8]}"]
    result = runner.invoke(
        app,
        [
            "init", *database, "--system-key", str(tmp_path / "system.key"),
            "--admin-cid", ADMIN_CID, "--admin-key", str(tmp_path / "admin.key"),
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    register_lao(runner, database, tmp_path / "admin.key", ADMIN_CID)  # the scope's LAO
    return database, tmp_path


def event_count(database: list[str]) -> int:
    ledger = Ledger(LedgerSettings(database_url=database[1], name=database[3]))
    try:
        return ledger.recorder.max_notification_id() or 0
    finally:
        ledger.close()


def draft(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "stream": str(uuid.uuid4()),
                "type": "RecordOpened",
                "effective": "01/04/2562",
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


def test_card_read_prints_the_card_as_one_json_object(
    start_card: StartCard, tmp_path: Path
) -> None:
    """``ledger card read --json`` prints the documented keys; ``--photo`` saves the JPEG."""
    insert_id_card(start_card, "somying")
    photo = tmp_path / "photo.jpg"

    result = runner.invoke(
        app, ["card", "read", "--reader", ID_READER, "--json", "--photo", str(photo)]
    )

    assert 0 == result.exit_code, result.output
    printed = json.loads(result.stdout)
    assert [
        "cid", "name_th", "name_en", "birth_date", "gender", "issuer", "issue_date",
        "expiry_date", "address", "laser_code", "photo_sha256",
    ] == list(printed)  # fmt: skip
    assert expected_json("somying") == printed
    assert SAMPLE_PHOTO.read_bytes() == photo.read_bytes()


def test_card_read_without_a_reader_name_uses_the_one_holding_a_card(
    start_card: StartCard,
) -> None:
    """With one card among the readers, ``--reader`` may be left out."""
    insert_id_card(start_card, "malee")

    result = runner.invoke(app, ["card", "read", "--no-photo"])

    assert 0 == result.exit_code, result.output
    assert "lifetime" in result.stdout


def test_ceremony_with_the_virtual_signing_card(
    start_card: StartCard, ledger_db: tuple[list[str], Path]
) -> None:
    """Enrol from the ID card with a key made on the card, approve, then submit signed on it."""
    database, keys = ledger_db
    insert_id_card(start_card, "somying")
    insert_signing_card(start_card, keys / "signing-card.json")
    card_token = ["--token", "openpgp-card", "--token-reader", TOKEN_READER, "--pin", PIN]

    enrol = runner.invoke(
        app,
        [
            "operator", "enrol", *database, "--id-reader", ID_READER, *card_token,
            "--token-admin-pin", ADMIN_PIN, "--role", "lao_hr_officer", "--scope", SCOPE,
            "--request", str(keys / "request.json"), "--photo", str(keys / "face.jpg"),
        ],
    )  # fmt: skip
    approve = runner.invoke(
        app,
        [
            "operator", "approve", str(keys / "request.json"), *database,
            "--id-reader", ID_READER, "--admin-key", str(keys / "admin.key"),
        ],
    )  # fmt: skip
    submitted = runner.invoke(
        app,
        [
            "submit", str(draft(keys / "draft.json")), *database, "--cid", OPERATOR_CID,
            *card_token, "--id-reader", ID_READER,
        ],
    )  # fmt: skip

    assert 0 == enrol.exit_code, enrol.output
    assert 0 == approve.exit_code, approve.output
    assert "(openpgp-card FFFF:" in approve.stdout
    assert 0 == submitted.exit_code, submitted.output
    assert '"version": 1' in submitted.stdout
    assert SAMPLE_PHOTO.read_bytes() == (keys / "face.jpg").read_bytes()
    assert OPERATOR_CID not in enrol.output + approve.output


def test_enrolment_with_a_mismatched_id_card_is_refused(
    start_card: StartCard, ledger_db: tuple[list[str], Path]
) -> None:
    """``--cid`` of someone else than the card's holder is refused before any key is made."""
    database, keys = ledger_db
    insert_id_card(start_card, "somying")
    before = event_count(database)

    result = runner.invoke(
        app,
        [
            "operator", "enrol", *database, "--cid", PERSON_CID, "--id-reader", ID_READER,
            "--key", str(keys / "op.key"), "--admin-key", str(keys / "admin.key"),
            "--role", "lao_hr_officer", "--scope", SCOPE,
        ],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "belongs to another citizen ID than --cid" in result.output
    assert not (keys / "op.key").exists()
    assert before == event_count(database)


def test_approval_with_another_card_in_the_reader_is_refused(
    start_card: StartCard, ledger_db: tuple[list[str], Path]
) -> None:
    """At approval the card read again must be the request's card; another card enrols nothing."""
    database, keys = ledger_db
    request = keys / "request.json"
    built = runner.invoke(
        app,
        [
            "operator", "enrol", *database,
            "--id-reader", f"virtual:{SAMPLES / 'somying.json'}",
            "--key", str(keys / "op.key"), "--request", str(request),
        ],
    )  # fmt: skip
    insert_id_card(start_card, "prasert")
    before = event_count(database)

    result = runner.invoke(
        app,
        [
            "operator", "approve", str(request), *database, "--id-reader", ID_READER,
            "--admin-key", str(keys / "admin.key"), "--role", "lao_hr_officer", "--scope", SCOPE,
        ],
    )  # fmt: skip

    assert 0 == built.exit_code, built.output
    assert "development only" in built.output
    assert 1 == result.exit_code
    assert "identity mismatch" in result.output
    assert before == event_count(database)


def test_pkcs11_ceremony_and_submission(
    softhsm: SoftHsmToken, ledger_db: tuple[list[str], Path]
) -> None:
    """A SoftHSM2 key is enrolled from the (in-process) ID card and signs a submission."""
    database, keys = ledger_db
    token = [
        "--token", "pkcs11", "--pkcs11-module", str(softhsm.module),
        "--token-label", softhsm.label, "--key-label", softhsm.new_key_label(),
        "--pin", softhsm.pin,
    ]  # fmt: skip

    enrol = runner.invoke(
        app,
        [
            "operator", "enrol", *database, "--id-reader", f"virtual:{SAMPLES / 'somying.json'}",
            *token, "--admin-key", str(keys / "admin.key"), "--role", "lao_hr_officer",
            "--scope", SCOPE,
        ],
    )  # fmt: skip
    submitted = runner.invoke(
        app, ["submit", str(draft(keys / "d.json")), *database, "--cid", OPERATOR_CID, *token]
    )

    assert 0 == enrol.exit_code, enrol.output
    assert "(pkcs11 operator-test:" in enrol.stdout
    assert 0 == submitted.exit_code, submitted.output


def test_required_presence_refuses_to_sign_without_the_admins_card(
    start_card: StartCard, ledger_db: tuple[list[str], Path]
) -> None:
    """Under LEDGER_REQUIRE_CARD_PRESENCE the admin signs only with their own card present."""
    database, keys = ledger_db
    insert_id_card(start_card, "somying")  # the operator's card, not the admin's
    revoke = [
        "operator", "revoke", *database, "--key-id", "0123456789abcdef", "--reason", "ทดสอบ",
        "--admin-key", str(keys / "admin.key"),
    ]  # fmt: skip
    required = {"LEDGER_REQUIRE_CARD_PRESENCE": "true"}
    before = event_count(database)

    without_card = runner.invoke(app, revoke, env=required)
    wrong_card = runner.invoke(app, [*revoke, "--admin-id-reader", ID_READER], env=required)

    assert 1 == without_card.exit_code
    assert "requires the enrolled ID card" in without_card.output
    assert 1 == wrong_card.exit_code
    assert "does not belong to the citizen ID this key was enrolled for" in wrong_card.output
    assert before == event_count(database)


def test_wrong_pin_on_submission_says_how_many_tries_are_left(
    ledger_db: tuple[list[str], Path],
) -> None:
    """A wrong card PIN exits 1 with the tries left, and nothing is submitted."""
    database, keys = ledger_db
    state = f"virtual:{keys / 'card.json'}"
    card_token = ["--token", "openpgp-card", "--token-reader", state]
    runner.invoke(
        app,
        [
            "operator", "enrol", *database, "--id-reader", f"virtual:{SAMPLES / 'somying.json'}",
            *card_token, "--pin", PIN, "--token-admin-pin", ADMIN_PIN,
            "--admin-key", str(keys / "admin.key"), "--role", "lao_hr_officer", "--scope", SCOPE,
        ],
    )  # fmt: skip
    before = event_count(database)

    result = runner.invoke(
        app,
        [
            "submit", str(draft(keys / "d.json")), *database, "--cid", OPERATOR_CID,
            *card_token, "--pin", "999999",
        ],
    )  # fmt: skip

    assert 1 == result.exit_code
    assert "wrong PIN; 2 tries left" in result.output
    assert before == event_count(database)
