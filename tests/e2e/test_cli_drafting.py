"""``ledger draft``, ``correct`` and ``void`` write drafts that ``ledger submit`` signs once an
officer fills them in: a round trip through submit on SQLite, each draft at the stream's head."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.domain.organizations import organization_stream_id
from ledger.domain.personnel import PersonnelRecord
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.cli_steps import enrol_hr
from tests.conftest import NO_VAULT_ENV
from tests.people import ADMIN_CID, HR_CID, PERSON_CID
from tests.served_api import UVICORN, listening, wait_for_health

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", **NO_VAULT_ENV})


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """An SQLite ledger made with ``ledger init``, with a key-file vault, its LAO registered
    and its HR officer enrolled: the ``--database-url`` and ``--name`` options that name it."""
    monkeypatch.setenv("LEDGER_VAULT_KEY_DIR", str(tmp_path / "vault-keys"))
    options = ["--database-url", f"sqlite:///{tmp_path}/ledger.sqlite", "--name", "drafts"]
    result = runner.invoke(
        app,
        [
            "init", *options, "--system-key", str(tmp_path / "system.key"),
            "--admin-cid", ADMIN_CID, "--admin-key", str(tmp_path / "admin.key"),
        ],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    enrol_hr(runner, options, tmp_path, ADMIN_CID, HR_CID)
    return options


def _ledger(database: list[str]) -> Ledger:
    return Ledger(LedgerSettings(database_url=database[1], name=database[3]))


def _draft(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, list(args))
    assert 0 == result.exit_code, result.output
    made: dict[str, Any] = json.loads(result.stdout)
    return made


def _submit(tmp_path: Path, database: list[str], made: dict[str, Any]) -> Any:
    path = tmp_path / f"{uuid.uuid4().hex}.json"
    path.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
    key = str(tmp_path / "hr.key")
    return runner.invoke(app, ["submit", str(path), *database, "--key", key, "--cid", HR_CID])


def _open_record(tmp_path: Path, database: list[str]) -> uuid.UUID:
    """``ledger draft RecordOpened``, filled in (a Thai birth date) and submitted."""
    made = _draft("draft", "RecordOpened")
    made["effective"] = "01/04/2562"
    made["data"] |= {
        "cid": PERSON_CID,
        "category": "official",
        "lao": "6480101",
        "province": "นครพนม",
        "birth_date": "๑๕/๐๑/๒๕๑๘",
    }
    result = _submit(tmp_path, database, made)
    assert 0 == result.exit_code, result.output
    return uuid.UUID(made["stream"])


def _add_education(tmp_path: Path, database: list[str], stream: uuid.UUID) -> dict[str, Any]:
    made = _draft("draft", "EducationAdded", "--stream", str(stream), *database)
    made["data"] |= {"institution": "มหาวิทยาลัยขอนแก่น", "qualification": "ศศ.บ."}
    made["data"]["finished"] = "31/03/2540"
    result = _submit(tmp_path, database, made)
    assert 0 == result.exit_code, result.output
    return made


def _correct(
    tmp_path: Path, database: list[str], stream: uuid.UUID, reason: str, **changed: Any
) -> None:
    """``ledger correct`` of the entry at version 2, ``changed`` and submitted."""
    correction = _draft("correct", str(stream), "2", *database)
    correction["data"]["replacement"] |= changed
    correction["data"]["reason"] = reason
    assert 0 == _submit(tmp_path, database, correction).exit_code


def _record(database: list[str], stream: uuid.UUID) -> PersonnelRecord:
    ledger = _ledger(database)
    record = ledger.aggregate(stream)
    ledger.close()
    assert isinstance(record, PersonnelRecord)
    return record


def test_a_draft_lists_every_field_and_marks_the_required(database: list[str]) -> None:
    """Every field of the type is in ``data`` (required ones null, optional at their default,
    a required order spelled out) and in ``fields``, the required ones marked ต้องกรอก."""
    made = _draft("draft", "PositionSalaryEntryAdded", "--stream", str(uuid.uuid4()), *database)

    assert None is made["data"]["salary"]
    assert None is made["data"]["allowance"]
    assert {"number", "date", "issuer", "kind"} <= set(made["data"]["order"])
    assert "ต้องกรอก" in made["fields"]["data.salary"]
    assert "ไม่บังคับ" in made["fields"]["data.allowance"]
    assert "01/04/2562" in made["fields"]["data.order.date"]
    assert (0, "0" * 64) == (made["expected_version"], made["prev_hash"])


def test_draft_and_submit_a_record_and_an_entry(tmp_path: Path, database: list[str]) -> None:
    """A new record from ``ledger draft RecordOpened``, then an entry drafted at its head (the
    head read from the database) both sign and land, Thai dates written as ISO."""
    stream = _open_record(tmp_path, database)
    ledger = _ledger(database)
    head = ledger.head(stream)
    ledger.close()

    made = _add_education(tmp_path, database, stream)
    record = _record(database, stream)

    assert head == (made["expected_version"], made["prev_hash"])
    assert "1975-01-15" == record.birth_date.isoformat()
    assert "1997-03-31" == record.entries[2].data.finished.isoformat()


def test_correct_prefills_the_entry_and_submits(tmp_path: Path, database: list[str]) -> None:
    """``ledger correct`` supersedes the entry's latest version with its current data to edit;
    the edited draft (a Thai date in the replacement) signs and replaces the entry."""
    stream = _open_record(tmp_path, database)
    _add_education(tmp_path, database, stream)

    made = _draft("correct", str(stream), "2", *database)
    replacement = made["data"]["replacement"]
    prefilled = dict(replacement)
    replacement |= {"institution": "มหาวิทยาลัยมหาสารคาม", "finished": "๓๐/๐๔/๒๕๔๐"}
    made["data"]["reason"] = "พิมพ์ชื่อสถานศึกษาผิด"
    result = _submit(tmp_path, database, made)
    entry = _record(database, stream).entries[2]

    assert "มหาวิทยาลัยขอนแก่น" == prefilled["institution"]
    assert ("EducationAdded", 2) == (made["corrects"]["type"], made["data"]["supersedes"])
    assert 0 == result.exit_code, result.output
    assert "มหาวิทยาลัยมหาสารคาม" == entry.data.institution
    assert "1997-04-30" == entry.data.finished.isoformat()
    assert 3 == entry.version


def test_void_by_any_version_of_the_entry(tmp_path: Path, database: list[str]) -> None:
    """After a correction, the entry is named by the correction's version as well; ``ledger
    void --reason`` writes a complete draft that signs at once."""
    stream = _open_record(tmp_path, database)
    _add_education(tmp_path, database, stream)
    _correct(tmp_path, database, stream, "เพิ่มสาขาวิชา", major="ภาษาไทย")

    made = _draft("void", str(stream), "3", "--reason", "บันทึกซ้ำ", *database)
    result = _submit(tmp_path, database, made)

    assert {"entry": 2, "reason": "บันทึกซ้ำ"} == made["data"]
    assert 0 == result.exit_code, result.output
    assert "บันทึกซ้ำ" == _record(database, stream).entries[2].voided


def test_a_stale_draft_is_refused(tmp_path: Path, database: list[str]) -> None:
    """A draft signs against the head it was written at: after another entry it is stale, and
    nothing is appended."""
    stream = _open_record(tmp_path, database)
    made = _draft("draft", "AbilityRecorded", "--stream", str(stream), *database)
    made["data"]["ability"] = "ภาษาอังกฤษ"
    _add_education(tmp_path, database, stream)

    result = _submit(tmp_path, database, made)

    assert 1 == result.exit_code
    assert "stale version" in result.output
    assert 2 == _record(database, stream).version


@pytest.mark.parametrize(
    ("command", "version", "says"),
    [
        ("void", "1", "never voided"),
        ("correct", "9", "not an entry"),
    ],
)
def test_what_cannot_be_drafted_is_named(
    tmp_path: Path, database: list[str], command: str, version: str, says: str
) -> None:
    """The header is corrected, never voided; a version that is no entry is named."""
    stream = _open_record(tmp_path, database)

    result = runner.invoke(app, [command, str(stream), version, *database])

    assert 1 == result.exit_code
    assert says in result.output


def test_an_event_added_to_a_stream_needs_the_stream() -> None:
    result = runner.invoke(app, ["draft", "EducationAdded"])

    assert 1 == result.exit_code
    assert "--stream" in result.output


def test_an_opening_named_by_its_data_derives_its_stream(
    tmp_path: Path, database: list[str]
) -> None:
    """An organization's stream is named by its DLA code: the draft leaves it null and says so,
    and ``ledger submit`` derives it from the filled-in data."""
    made = _draft("draft", "OrganizationRegistered")
    made["data"] |= d.organization("6480199", "นครพนม")
    made["effective"] = "01/01/2543"
    key = str(tmp_path / "admin.key")
    path = tmp_path / "register.json"
    path.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")

    result = runner.invoke(app, ["submit", str(path), *database, "--key", key, "--cid", ADMIN_CID])

    assert None is made["stream"]
    assert "data.code" in made["fields"]["stream"]
    assert 0 == result.exit_code, result.output
    assert str(organization_stream_id("6480199")) in result.output


def test_a_draft_without_a_stream_it_cannot_derive_is_refused(
    tmp_path: Path, database: list[str]
) -> None:
    made = _draft("draft", "RecordOpened") | {"stream": None}

    result = _submit(tmp_path, database, made)

    assert 1 == result.exit_code
    assert "name the stream" in result.output


def test_correct_a_v2_header_prefills_its_values_from_the_vault(
    tmp_path: Path, database: list[str]
) -> None:
    """The record was opened v2: ``ledger correct`` reads its values from the vault into the
    draft (the officer's own file), and the corrected birth date is signed v2 again."""
    stream = _open_record(tmp_path, database)

    made = _draft("correct", str(stream), "1", *database)
    replacement = made["data"]["replacement"]
    prefilled = (replacement["cid"], replacement["birth_date"])
    replacement["birth_date"] = "๑๖/๐๑/๒๕๑๘"
    made["data"]["reason"] = "บันทึกวันเกิดผิด"
    result = _submit(tmp_path, database, made)
    ledger = _ledger(database)
    signed = json.loads(ledger.stream_events(stream)[-1].statement)
    ledger.close()

    assert (PERSON_CID, "1975-01-15") == prefilled
    assert 0 == result.exit_code, result.output
    assert "1975-01-16" == _record(database, stream).birth_date.isoformat()
    assert 2 == signed["v"]
    assert {"commitment"} == set(signed["data"]["replacement"]["birth_date"])


def _add_personal_data(tmp_path: Path, database: list[str], stream: uuid.UUID) -> None:
    """A v2 ``PersonalDataRecorded``: names (personal) and a blood group (health data)."""
    made = _draft("draft", "PersonalDataRecorded", "--stream", str(stream), *database)
    made["data"] |= {**d.ENTRY_DATA["PersonalDataRecorded"], "blood_group": "O"}
    result = _submit(tmp_path, database, made)
    assert 0 == result.exit_code, result.output


def _served_draft(url: str, key: Path, *args: str) -> Any:
    """``ledger correct ... --server`` with a bearer token opened with ``key``."""
    bearer = runner.invoke(app, ["token", "--server", url, "--key", str(key)])
    assert 0 == bearer.exit_code, bearer.output
    return runner.invoke(app, [*args, "--server", url, "--bearer", bearer.stdout.strip()])


def _serving(database: list[str]) -> dict[str, str]:
    return {**os.environ, "LEDGER_DATABASE_URL": database[1], "LEDGER_NAME": database[3]}


def test_correct_over_the_api_prefills_the_v2_values_and_submits(
    tmp_path: Path, database: list[str]
) -> None:
    """Over the API the statements hold commitments: ``ledger correct --server`` reads each
    value through its disclosure, so the HR officer's draft is the database's, values and all;
    edited and sent with ``ledger submit --server``, the correction is admitted, v2 again."""
    stream = _open_record(tmp_path, database)
    _add_personal_data(tmp_path, database, stream)
    stored = _draft("correct", str(stream), "2", *database)

    with listening(UVICORN, _serving(database), tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        served = _served_draft(url, tmp_path / "hr.key", "correct", str(stream), "2")
        made = json.loads(served.stdout)
        made["data"]["replacement"]["first_name"] = "สมหมาย"
        made["data"]["reason"] = "สะกดชื่อผิด"
        path = tmp_path / "correction.json"
        path.write_text(json.dumps(made, ensure_ascii=False), encoding="utf-8")
        key = str(tmp_path / "hr.key")
        sent = runner.invoke(
            app, ["submit", str(path), "--server", url, "--key", key, "--cid", HR_CID]
        )
    ledger = _ledger(database)
    signed = json.loads(ledger.stream_events(stream)[-1].statement)
    ledger.close()
    entry = _record(database, stream).entries[2]

    assert 0 == served.exit_code, served.output
    assert stored == json.loads(served.stdout)
    assert ("สมมติ", "O") == (
        stored["data"]["replacement"]["first_name"],
        stored["data"]["replacement"]["blood_group"],
    )
    assert 0 == sent.exit_code, sent.output
    assert ("สมหมาย", "ทดสอบ", "O") == (
        entry.data.first_name,
        entry.data.last_name,
        entry.data.blood_group,
    )
    assert (2, {"commitment"}) == (signed["v"], set(signed["data"]["replacement"]["blood_group"]))


def test_correct_over_the_api_leaves_blank_what_the_caller_does_not_read(
    tmp_path: Path, database: list[str]
) -> None:
    """DLA's administrator reads personal data but not health: over the API their correction
    draft of a corrected entry has the names (the correction's replacement) and leaves the
    blood group blank, saying why in the draft and on standard error."""
    stream = _open_record(tmp_path, database)
    _add_personal_data(tmp_path, database, stream)
    _correct(tmp_path, database, stream, "สะกดชื่อผิด", first_name="สมหมาย")

    with listening(UVICORN, _serving(database), tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        served = _served_draft(url, tmp_path / "admin.key", "correct", str(stream), "2")
    made = json.loads(served.stdout)
    replacement = made["data"]["replacement"]

    assert 0 == served.exit_code, served.output
    assert 3 == made["data"]["supersedes"]
    assert ("สมหมาย", "ทดสอบ", None) == (
        replacement["first_name"],
        replacement["last_name"],
        replacement["blood_group"],
    )
    assert "do not read health data" in made["fields"]["data.replacement.blood_group"]
    assert "ไม่ได้" in made["fields"]["data.replacement.blood_group"]
    assert "data.replacement.blood_group" in served.stderr
    assert "first_name" not in served.stderr


def test_correct_over_the_api_of_an_erased_person_is_refused_by_name(
    tmp_path: Path, database: list[str]
) -> None:
    """Once the person is erased their values are gone (the disclosure answers 410): the
    correction draft is refused, saying so, rather than written with blanks."""
    stream = _open_record(tmp_path, database)
    erase = ["person", "erase", str(stream), *database, "--cid", HR_CID]
    erase += ["--key", str(tmp_path / "hr.key"), "--legal-basis", d.ERASURE["legal_basis"]]
    erased = runner.invoke(app, [*erase, "--reason", d.ERASURE["reason"]])
    assert 0 == erased.exit_code, erased.output

    with listening(UVICORN, _serving(database), tmp_path / "uvicorn.log") as url:
        wait_for_health(url, time.monotonic() + 30)
        served = _served_draft(url, tmp_path / "hr.key", "correct", str(stream), "1")

    assert 1 == served.exit_code, served.output
    assert "the person's data is erased" in served.output
    assert "" == served.stdout
