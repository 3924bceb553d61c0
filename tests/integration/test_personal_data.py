"""Admitting v2 statements on both backends: disclosures checked before anything is appended,
the rules run on the disclosed values, and the events table holds no personal value in clear;
a ledger with a vault refuses new v1 personal values (``personal.v1_in_clear``) but in a
transition period."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from ledger.application import Ledger
from ledger.commitments import Disclosure
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from ledger.vault import ErasedError, Vault
from replay.verify import verify_database
from tests import domain_data as d
from tests.card_stack import SoftHsmToken
from tests.ledger_kit import (
    LedgerKit,
    build_kit,
    education_data,
    record_data,
    v1_client,
    vault_settings,
)
from tests.people import made_up_cid
from tests.raw_rows import events_bytes, text_forms
from tests.vault_kit import kept_value

NAME = {"prefix": "นางสาว", "first_name": "สมหญิง", "last_name": "ใจดีทดสอบ"}


@pytest.fixture
def settings(backend_url: str, tmp_path: Path) -> LedgerSettings:
    """A ledger with a vault whose per-person keys are development key files."""
    return vault_settings(backend_url, tmp_path)


@pytest.fixture
def kit(settings: LedgerSettings) -> Iterator[LedgerKit]:
    """An initialised ledger with a vault, an admin and two HR officers."""
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def _v2(
    kit: LedgerKit, stream: uuid.UUID, type_: str, draft: dict[str, Any]
) -> tuple[SignedStatement, dict[str, Any]]:
    """An HR officer's v2 statement at the stream's head, and its disclosures as JSON."""
    return kit.sign_v2(kit.hr, stream, type_, draft)


def _submit(kit: LedgerKit, signed: SignedStatement, disclosures: dict[str, Any] | None) -> Any:
    return kit.ledger.submit(signed.canonical, signed.signature, disclosures)


def test_a_v2_record_is_stored_without_personal_values(
    kit: LedgerKit, settings: LedgerSettings
) -> None:
    """A v2 record's citizen ID, birth date and Thai name are nowhere in the events table,
    while a v1 record's citizen ID is (the search finds what is there)."""
    cid, v1_cid = made_up_cid(501), made_up_cid(502)
    stream = uuid.uuid4()
    draft = {**record_data(cid=cid), "birth_date": "1975-01-15"}
    opened, disclosures = _v2(kit, stream, "RecordOpened", draft)
    _submit(kit, opened, disclosures)
    named, disclosures = _v2(kit, stream, "PersonalDataRecorded", NAME)
    receipt = _submit(kit, named, disclosures)
    with v1_client(kit) as old:  # v1 personal values on a vault ledger: a transition period
        old.emit(old.hr, uuid.uuid4(), "RecordOpened", record_data(cid=v1_cid))

    raw = events_bytes(settings)
    assert 2 == receipt.version
    assert v1_cid.encode() in raw
    for value in (cid, "1975-01-15", *NAME.values()):
        assert [] == [form for form in text_forms(value) if form in raw], value
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)
    assert NAME["first_name"] == kept_value(
        vault, kit.ledger, stream, "PersonalDataRecorded", "first_name"
    )


@pytest.mark.parametrize(
    ("spoil", "rule", "field"),
    [
        (lambda o: o.pop("cid"), "personal.disclosure_missing", "data.cid"),
        (
            lambda o: o.update(lao={"value": "6480101", "salt": o["cid"]["salt"]}),
            "personal.disclosure_extra",
            "disclosures.lao",
        ),
        (
            lambda o: o["cid"].update(value=made_up_cid(503)),
            "personal.disclosure_wrong",
            "data.cid",
        ),
        (
            lambda o: o["cid"].update(salt=base64.b64encode(b"\1" * 32).decode()),
            "personal.disclosure_wrong",
            "data.cid",
        ),
        (lambda o: o["cid"].update(salt="c2hvcnQ="), "personal.disclosure_form", "disclosures.cid"),
    ],
)
def test_a_wrong_or_missing_disclosure_appends_nothing(
    kit: LedgerKit, spoil: Any, rule: str, field: str
) -> None:
    """Each broken disclosure is refused by its rule on its field, and nothing is appended."""
    stream = uuid.uuid4()
    opened, disclosures = _v2(kit, stream, "RecordOpened", record_data(cid=made_up_cid(504)))
    spoil(disclosures)
    before = kit.event_count()

    with pytest.raises(InvalidDataError) as refused:
        _submit(kit, opened, disclosures)

    assert (rule, field) in [(v.id, v.field) for v in refused.value.violations]
    assert before == kit.event_count()
    assert (0, "0" * 64) == kit.ledger.head(stream)


def test_the_rules_run_on_the_disclosed_values(kit: LedgerKit) -> None:
    """A citizen ID with a wrong check digit is refused by the model though it is committed."""
    stream = uuid.uuid4()
    opened, disclosures = _v2(kit, stream, "RecordOpened", record_data(cid="1999900005016"))

    with pytest.raises(InvalidDataError) as refused:
        _submit(kit, opened, disclosures)

    assert "data.cid" == refused.value.violations[0].field


def test_a_replay_reads_the_birth_date_from_the_vault(settings: LedgerSettings) -> None:
    """After a restart (a new Ledger, nothing cached), the retirement rule still reads the
    birth date the v2 record opened with, from the vault."""
    first = build_kit(Ledger(settings))
    stream = uuid.uuid4()
    draft = {**record_data(cid=made_up_cid(505)), "birth_date": "1961-05-10"}
    opened, disclosures = _v2(first, stream, "RecordOpened", draft)
    _submit(first, opened, disclosures)
    first.ledger.close()
    again = LedgerKit(Ledger(settings), first.system, first.admin, first.hr, first.other_hr)

    again.emit(again.hr, stream, "EmploymentStarted", {"kind": "appointed", "order": d.order()})
    with pytest.raises(InvalidDataError, match=r"retirement\.last_day"):
        again.emit(again.hr, stream, "Retired", {"last_day": "2020-09-30", "order": d.order()})
    receipt = again.emit(
        again.hr, stream, "Retired", {"last_day": "2021-09-30", "order": d.order()}
    )
    record = again.ledger.aggregate(stream)
    again.ledger.close()

    assert 3 == receipt.version
    assert date(1961, 5, 10) == getattr(record, "birth_date", None)


def test_v1_refuses_disclosures_and_v2_needs_a_vault(backend_url: str, kit: LedgerKit) -> None:
    """Disclosures sent with a v1 statement are refused; a ledger with no vault refuses v2."""
    kit.v2 = False  # sign v1 as asked
    plain = kit.sign(kit.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data())
    with pytest.raises(InvalidDataError) as refused:
        _submit(kit, plain, {"cid": Disclosure("1", b"\0" * 32).as_json()})
    assert "personal.v1_disclosures" == refused.value.violations[0].id

    opened, disclosures = _v2(kit, uuid.uuid4(), "RecordOpened", record_data())
    no_vault_settings = {"vault_key_dir": None, "vault_beside_sqlite": False}
    bare = Ledger(kit.ledger.settings.model_copy(update=no_vault_settings))
    with pytest.raises(InvalidDataError) as no_vault:
        bare.submit(opened.canonical, opened.signature, disclosures)
    bare.close()
    assert "personal.no_vault" == no_vault.value.violations[0].id


def test_the_api_takes_disclosures(kit: LedgerKit, settings: LedgerSettings) -> None:
    """POST /statements takes a v2 statement with its disclosures; a wrong one is a 422
    naming the rule and the field in Thai and English."""
    stream = uuid.uuid4()
    opened, disclosures = _v2(kit, stream, "RecordOpened", record_data(cid=made_up_cid(506)))
    body = {
        "statement": base64.b64encode(opened.canonical).decode(),
        "signature": base64.b64encode(opened.signature).decode(),
    }
    with TestClient(create_app(settings, kit.ledger)) as client:
        wrong = {**disclosures, "cid": {**disclosures["cid"], "value": made_up_cid(507)}}
        refused = client.post("/statements", json={**body, "disclosures": wrong})
        accepted = client.post("/statements", json={**body, "disclosures": disclosures})

    assert 422 == refused.status_code
    problem = refused.json()
    assert "personal.disclosure_wrong" == problem["rule"]
    assert "data.cid" == problem["errors"][0]["field"]
    assert problem["errors"][0]["th"]
    assert made_up_cid(507) not in refused.text
    assert 201 == accepted.status_code
    assert 1 == accepted.json()["version"]


def test_a_ledger_keeps_values_under_a_token_s_keys(
    settings: LedgerSettings, softhsm: SoftHsmToken
) -> None:
    """With the vault's keys on a SoftHSM2 token (from the settings), a v2 record is accepted
    and its values read back; erased, they are gone."""
    on_token = settings.model_copy(
        update={
            "vault_key_dir": None,
            "vault_pkcs11_module": softhsm.module,
            "vault_token_label": softhsm.label,
            "vault_token_pin": softhsm.pin,
        }
    )
    kit = build_kit(Ledger(on_token))
    stream = uuid.uuid4()
    opened, disclosures = _v2(kit, stream, "RecordOpened", record_data(cid=made_up_cid(508)))
    _submit(kit, opened, disclosures)
    vault = kit.ledger.vault
    assert isinstance(vault, Vault)

    assert made_up_cid(508) == kept_value(vault, kit.ledger, stream, "RecordOpened", "cid")
    assert vault.erase(str(stream))
    with pytest.raises(ErasedError):
        kept_value(vault, kit.ledger, stream, "RecordOpened", "cid")
    kit.ledger.close()


def test_the_auditor_verifies_a_log_holding_v2_events(kit: LedgerKit) -> None:
    """Signatures, chains and the tree of a log with v2 events verify without the vault."""
    stream = uuid.uuid4()
    opened, disclosures = _v2(kit, stream, "RecordOpened", record_data(cid=made_up_cid(509)))
    _submit(kit, opened, disclosures)
    named, disclosures = _v2(kit, stream, "PersonalDataRecorded", NAME)
    _submit(kit, named, disclosures)

    url, name = kit.ledger.settings.database_url, kit.ledger.name
    report = verify_database(url, name, workers=1)
    strict = verify_database(url, name, workers=1, strict=True)

    assert [] == report.failures
    assert kit.event_count() == report.events
    assert [] == strict.failures  # commitments checked by their form, the rest by the model


# Personal data lives only in the vault: a ledger with a vault refuses a new v1 statement that
# signs a personal value in clear (``personal.v1_in_clear``, naming each field), unless its
# transition setting still takes them; a ledger without one takes v1 as before; v1 statements
# already stored keep verifying and reading.


@pytest.fixture
def old(settings: LedgerSettings) -> Iterator[LedgerKit]:
    """An initialised ledger with a vault; its kit signs v1 as asked (``emit_v2`` for v2)."""
    ledger = Ledger(settings)
    kit = build_kit(ledger)
    kit.v2 = False
    yield kit
    ledger.close()


def _rules(refused: pytest.ExceptionInfo[InvalidDataError]) -> list[tuple[str, str]]:
    return [(v.id, v.field) for v in refused.value.violations]


def test_a_v1_personal_value_is_refused_naming_each_field(old: LedgerKit) -> None:
    """A v1 record opening (citizen ID, birth date) is refused on each field, nothing is
    appended; the same refusal from the dry run; a v2 one is taken."""
    stream = uuid.uuid4()
    data = {**record_data(cid=made_up_cid(601)), "birth_date": "1975-01-15"}
    plain = old.sign(old.hr, stream=stream, type="RecordOpened", data=data)
    before = old.event_count()

    with pytest.raises(InvalidDataError) as refused:
        old.submit(plain)
    with pytest.raises(InvalidDataError) as dry_run:
        old.ledger.check_draft(plain.statement)

    expected = [("personal.v1_in_clear", "data.cid"), ("personal.v1_in_clear", "data.birth_date")]
    assert sorted(expected) == sorted(_rules(refused))
    assert _rules(refused) == _rules(dry_run)
    assert made_up_cid(601) not in str(refused.value)
    assert before == old.event_count()
    assert (0, "0" * 64) == old.ledger.head(stream)
    assert 1 == old.emit_v2(old.hr, stream, "RecordOpened", data).version


def test_a_batch_with_one_v1_personal_value_appends_nothing(old: LedgerKit) -> None:
    """A batch is all or none: one v1 name among v2 statements refuses the batch."""
    stream = uuid.uuid4()
    old.emit_v2(old.hr, stream, "RecordOpened", record_data(cid=made_up_cid(602)))
    signed = old.chain(
        old.hr, stream, [("EducationAdded", education_data()), ("NameChanged", _renamed())]
    )
    before = old.event_count()

    with pytest.raises(InvalidDataError) as refused:
        old.submit_all(signed)

    assert {("personal.v1_in_clear", f"data.{f}") for f in NAME} | {
        ("personal.v1_in_clear", "data.reason")
    } == set(_rules(refused))
    assert before == old.event_count()


def test_v1_without_personal_values_is_taken(old: LedgerKit) -> None:
    """A v1 statement with no personal value (an education entry) is taken on a ledger with a
    vault."""
    stream = uuid.uuid4()
    old.emit_v2(old.hr, stream, "RecordOpened", record_data(cid=made_up_cid(603)))

    assert 2 == old.emit(old.hr, stream, "EducationAdded", education_data()).version


@contextmanager
def _crowded() -> Iterator[bool]:
    """The group committer's arrival, as when other statements are in flight."""
    yield True


def test_group_commit_refuses_as_a_batch_does(old: LedgerKit) -> None:
    """A v1 statement arriving while others are in flight (the group-commit path) is refused
    by the same rule before it joins a group."""
    assert old.ledger.committer is not None
    plain = old.sign(
        old.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(cid=made_up_cid(604))
    )
    old.ledger.committer.arrival = _crowded  # type: ignore[method-assign]
    with pytest.raises(InvalidDataError) as refused:
        old.submit(plain)

    assert ("personal.v1_in_clear", "data.cid") == _rules(refused)[0]


def test_a_v1_personal_statement_resent_gets_its_first_receipt(old: LedgerKit) -> None:
    """A v1 record opening taken in a transition period, sent again once the ledger refuses
    v1 personal values, is a safe retry: its first receipt, alone, in a batch and on the
    group-commit path, nothing appended; a new one is still refused."""
    data = record_data(cid=made_up_cid(606))
    plain = old.sign(old.hr, stream=uuid.uuid4(), type="RecordOpened", data=data)
    fresh = old.sign(old.hr, stream=uuid.uuid4(), type="RecordOpened", data=data)
    with v1_client(old) as transition:
        first = transition.submit(plain)
    before = old.event_count()

    again, batch = old.submit(plain), old.submit_all([plain])
    assert old.ledger.committer is not None
    old.ledger.committer.arrival = _crowded  # type: ignore[method-assign]
    grouped = old.submit(plain)
    with pytest.raises(InvalidDataError) as refused:
        old.submit_all([plain, fresh])

    assert [first] * 3 == [again, *batch, grouped]
    assert before == old.event_count()
    assert ("personal.v1_in_clear", "data.cid") == _rules(refused)[0]


def test_the_transition_setting_takes_v1(settings: LedgerSettings) -> None:
    """``accept_v1_personal`` on: a ledger with a vault still takes v1 personal values."""
    ledger = Ledger(settings.model_copy(update={"accept_v1_personal": True}))
    transition = build_kit(ledger)
    try:
        stream = transition.open_record()
        assert 1 == transition.ledger.head(stream)[0]
    finally:
        ledger.close()


def test_without_a_vault_v1_is_taken_and_stays_readable_with_one(
    backend_url: str, tmp_path: Path
) -> None:
    """A ledger without a vault takes v1 (legacy). Given a vault later, its v1 events still
    verify and replay, a non-personal v1 entry is taken on the v1 record, a new v1 name is
    refused."""
    name = f"t{uuid.uuid4().hex[:12]}"  # no vault: none configured, none beside an SQLite file
    bare = LedgerSettings.model_validate(
        {"database_url": backend_url, "name": name, "vault_beside_sqlite": False}
    )
    first = build_kit(Ledger(bare))
    assert first.ledger.vault is None
    stream = first.open_record()
    first.emit(first.hr, stream, "PersonalDataRecorded", NAME)
    first.ledger.close()

    ledger = Ledger(bare.model_copy(update={"vault_key_dir": tmp_path / "keys"}))
    later = LedgerKit(ledger, first.system, first.admin, first.hr, first.other_hr)
    try:
        assert 3 == later.emit(later.hr, stream, "EducationAdded", education_data()).version
        with pytest.raises(InvalidDataError) as refused:
            later.emit(later.hr, stream, "NameChanged", _renamed())
        record = later.ledger.aggregate(stream)
        report = verify_database(bare.database_url, bare.name, workers=1)
    finally:
        ledger.close()

    assert "personal.v1_in_clear" == refused.value.violations[0].id
    assert 3 == record.version
    assert [] == report.failures


def test_the_api_answers_422_naming_the_rule(old: LedgerKit, settings: LedgerSettings) -> None:
    """POST /statements: 422, the rule and the field in Thai and English, no value echoed."""
    plain = old.sign(
        old.hr, stream=uuid.uuid4(), type="RecordOpened", data=record_data(cid=made_up_cid(605))
    )
    with TestClient(create_app(settings, old.ledger)) as client:
        answer = client.post("/statements", json=_body(plain))

    assert 422 == answer.status_code
    problem = answer.json()
    assert "personal.v1_in_clear" == problem["rule"]
    assert "data.cid" == problem["errors"][0]["field"]
    assert problem["errors"][0]["th"]
    assert made_up_cid(605) not in answer.text


def _renamed() -> dict[str, str]:
    return {**NAME, "reason": "สมรส"}


def _body(signed: SignedStatement) -> dict[str, str]:
    return {
        "statement": base64.b64encode(signed.canonical).decode(),
        "signature": base64.b64encode(signed.signature).decode(),
    }
