"""``ledger operator enrol --record``: a record owner enrolled by her personnel record, on a
ledger in an SQLite file (its vault of key files beside it). The citizen ID given (her card's
or ``--cid``) is checked against the record's, read through the vault, and written nowhere."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import ADMIN_CID, PERSON_CID, made_up_cid

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})
SCOPE = "lao:นครพนม:6480101"


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[LedgerKit]:
    settings = LedgerSettings(database_url=f"sqlite:///{tmp_path}/l.sqlite", name="owners")
    ledger = Ledger(settings)
    assert ledger.vault is not None  # the key files beside the SQLite file
    built = build_kit(ledger)
    built.admin.signer.to_file(tmp_path / "admin.key")
    yield built
    ledger.close()


def _enrol(kit: LedgerKit, tmp_path: Path, *person: str) -> tuple[int, str, str]:
    """Enrol a fresh public key (its file ``<key id>.key``) as a record owner; exit code,
    output, key id."""
    key = SoftwareSigner.generate()
    key.to_file(tmp_path / f"{key.key_id}.key")
    result = runner.invoke(
        app,
        [
            "operator", "enrol", "--database-url", kit.ledger.settings.database_url,
            "--name", kit.ledger.name, "--admin-key", str(tmp_path / "admin.key"),
            "--admin-cid", ADMIN_CID, "--public-key", key.public_key.hex(), "--scope", SCOPE,
            *person,
        ],
    )  # fmt: skip
    return result.exit_code, result.output, key.key_id


def test_an_owner_is_enrolled_by_her_record(kit: LedgerKit, tmp_path: Path) -> None:
    """By record with her own citizen ID: enrolled (role record_owner, no cid); with another
    person's citizen ID: refused, naming no citizen ID; by citizen ID alone: refused by the
    ledger's rule."""
    record = uuid.uuid4()
    kit.emit(kit.hr, record, "RecordOpened", record_data(cid=PERSON_CID))

    wrong = _enrol(kit, tmp_path, "--record", str(record), "--cid", made_up_cid(77))
    right = _enrol(kit, tmp_path, "--record", str(record), "--cid", PERSON_CID)
    by_cid = _enrol(kit, tmp_path, "--cid", made_up_cid(78), "--role", "record_owner")

    assert 1 == wrong[0]
    assert "not that of record" in wrong[1]
    assert made_up_cid(77) not in wrong[1]
    assert PERSON_CID not in wrong[1]
    assert 0 == right[0], right[1]
    enrolment = kit.ledger.enrolment_for(right[2])
    assert enrolment is not None
    assert (None, record, {"record_owner"}) == (
        enrolment.cid,
        enrolment.record,
        set(enrolment.roles),
    )
    assert 1 == by_cid[0]
    assert "operator.owner_by_record" in by_cid[1]


def _owner_request(
    kit: LedgerKit, tmp_path: Path, section: str, proposal: str
) -> tuple[uuid.UUID, str, list[str]]:
    """A record whose owner is enrolled by it, and the draft of her request about ``section``:
    the record, her key id, and the arguments of ``ledger submit`` but for ``--owner``."""
    record = uuid.uuid4()
    kit.emit(kit.hr, record, "RecordOpened", record_data(cid=PERSON_CID))
    code, output, key_id = _enrol(kit, tmp_path, "--record", str(record), "--cid", PERSON_CID)
    assert 0 == code, output
    draft = tmp_path / "request.json"
    request = {"section": section, "proposal": proposal}
    body = {"stream": str(record), "type": "ChangeRequestedByOwner", "data": request}
    draft.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    database = ["--database-url", kit.ledger.settings.database_url, "--name", kit.ledger.name]
    key = ["--key", str(tmp_path / f"{key_id}.key")]
    return record, key_id, ["submit", str(draft), *database, *key]


def test_the_owner_submits_with_no_citizen_id(kit: LedgerKit, tmp_path: Path) -> None:
    """``ledger submit --owner`` signs her request v2 naming no citizen ID; ``--format v1``
    with it is refused before anything is signed."""
    record, key_id, submit = _owner_request(kit, tmp_path, "general", "ขอแก้ไขที่อยู่")

    as_v1 = runner.invoke(app, [*submit, "--owner", "--format", "v1"])
    sent = runner.invoke(app, [*submit, "--owner"])

    assert 1 == as_v1.exit_code
    assert "--owner signs v2 only" in as_v1.output
    assert 0 == sent.exit_code, sent.output
    [stored] = [e for e in kit.ledger.stream_events(record) if e.type == "ChangeRequestedByOwner"]
    signed = json.loads(stored.statement)
    assert (2, {"cid": None, "key": key_id}) == (signed["v"], signed["signer"])


def test_the_owner_asks_about_no_section_her_form_does_not_offer(
    kit: LedgerKit, tmp_path: Path
) -> None:
    """``ledger submit --owner`` of a request about the LAO's position frame (not one of her
    ก.พ.๗'s sections she may ask about) exits 1 naming the rule and ``data.section`` in Thai and
    English, and appends nothing."""
    record, _key_id, submit = _owner_request(kit, tmp_path, "frame", "ขอแก้ไขกรอบอัตรากำลัง")
    head = kit.ledger.head(record)

    sent = runner.invoke(app, [*submit, "--owner"])

    assert 1 == sent.exit_code, sent.output
    assert "[record.change_request_section] data.section:" in sent.output
    assert "เจ้าของประวัติขอแก้ไขหมวดกรอบอัตรากำลังไม่ได้" in sent.output
    assert "a record owner may not ask to change the section frame" in sent.output
    assert head == kit.ledger.head(record)
