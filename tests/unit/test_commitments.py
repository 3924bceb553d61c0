"""Statement v2's salted commitments: the byte layout, commit then check, and what breaks them."""

from __future__ import annotations

import hashlib
import re
import struct
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ledger.canonical import canonicalize
from ledger.commitments import (
    TAG,
    Disclosure,
    check_disclosures,
    check_statement,
    commit_data,
    commit_statement_data,
    commitment,
    is_commitment,
    read_disclosures,
    reveal_data,
)
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import CORRECTION_FIELDS, PERSONAL_FIELDS, personal_paths
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.reading import DataKind
from ledger.domain.record_entries import (
    EntryCorrectedData,
    PersonalDataRecordedData,
    RecordOpenedData,
)
from ledger.statement import SignerRef, Statement, build_statement

SUBJECT = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5"
OPENED = {
    "cid": "1999900005015",
    "category": "employee",
    "lao": "6480101",
    "province": "นครพนม",
    "birth_date": "1975-01-15",
}
NAMES = {"prefix": "นาย", "first_name": "สมมติ", "last_name": "ทดสอบ"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
salts = st.binary(min_size=32, max_size=32)
paths = st.sampled_from(sorted(set(personal_paths(PersonalDataRecordedData)) | {"cid"}))


def test_the_layout_is_five_length_prefixed_parts() -> None:
    """The commitment is sha256 over tag, subject, path, salt and the value's JCS bytes, each
    after its 4-byte big-endian length: what docs/personal-data.md tells a verifier."""
    salt = bytes(range(32))
    parts = [TAG, SUBJECT.encode(), b"cid", salt, b'"1999900005015"']
    expected = hashlib.sha256(b"".join(struct.pack(">I", len(p)) + p for p in parts)).hexdigest()

    assert expected == commitment(SUBJECT, "cid", salt, "1999900005015")


def test_the_documented_example_holds() -> None:
    """The worked example of docs/personal-data.md is what the code computes."""
    expected = "a1cfa900c9525884675f858765126d469a8cee60b5b7bf869bb285ab84ca3d18"

    assert expected == commitment(SUBJECT, "cid", bytes(range(32)), "1999900005015")


@given(value=json_values, salt=salts, path=paths)
def test_a_disclosure_checks_against_its_commitment(value: Any, salt: bytes, path: str) -> None:
    """Any JSON value committed under a salt checks with the same value and salt."""
    data = {path: {"commitment": commitment(SUBJECT, path, salt, value)}}
    model = RecordOpenedData if path == "cid" else PersonalDataRecordedData

    assert [] == check_disclosures(model, SUBJECT, data, {path: Disclosure(value, salt)})


@given(value=json_values, other=json_values, salt=salts, flip=st.integers(0, 255))
def test_any_change_breaks_the_commitment(value: Any, other: Any, salt: bytes, flip: int) -> None:
    """Another value, salt, path or subject gives another commitment."""
    base = commitment(SUBJECT, "first_name", salt, value)
    changed_salt = bytes([salt[0] ^ (flip or 1)]) + salt[1:]

    if canonicalize(other) != canonicalize(value):
        assert base != commitment(SUBJECT, "first_name", salt, other)
    assert base != commitment(SUBJECT, "first_name", changed_salt, value)
    assert base != commitment(SUBJECT, "last_name", salt, value)
    assert base != commitment(SUBJECT.replace("6f", "7f"), "first_name", salt, value)


@given(first=st.text(min_size=1, max_size=30))
def test_commit_data_round_trips(first: str) -> None:
    """commit_data's statement data and disclosures check, and reveal the draft's data."""
    draft = {**NAMES, "first_name": first, "sex": "male", "gpf_member": True}
    data, disclosures = commit_data(PersonalDataRecordedData, SUBJECT, draft)

    assert [] == check_disclosures(PersonalDataRecordedData, SUBJECT, data, disclosures)
    assert draft == reveal_data(data, disclosures)
    assert {"prefix", "first_name", "last_name", "sex"} == set(disclosures)
    assert data["gpf_member"] is True  # not personal: signed as it is


def test_no_personal_value_is_left_in_clear() -> None:
    """The committed data holds neither the citizen ID nor the birth date, only commitments."""
    data, _ = commit_data(RecordOpenedData, SUBJECT, OPENED)

    assert is_commitment(data["cid"])
    assert is_commitment(data["birth_date"])
    assert "1999900005015" not in repr(data)
    assert "1975" not in repr(data)
    assert "นครพนม" == data["province"]


def test_two_commits_of_one_citizen_id_differ() -> None:
    """Fresh salts: the same citizen ID committed twice gives two unrelated commitments."""
    first, _ = commit_data(RecordOpenedData, SUBJECT, OPENED)
    second, _ = commit_data(RecordOpenedData, SUBJECT, OPENED)

    assert first["cid"] != second["cid"]


def _rules(data: dict[str, Any], disclosures: dict[str, Disclosure]) -> list[tuple[str, str]]:
    found = check_disclosures(RecordOpenedData, SUBJECT, data, disclosures)
    return [(violation.id, violation.field) for violation in found]


def test_a_missing_disclosure_is_named() -> None:
    """A commitment without its disclosure is refused on its field."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    del disclosures["cid"]

    assert [("personal.disclosure_missing", "data.cid")] == _rules(data, disclosures)


def test_an_extra_disclosure_is_named() -> None:
    """A disclosure for a field without a commitment is refused."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    disclosures["lao"] = Disclosure("6480101", b"\x01" * 32)

    assert [("personal.disclosure_extra", "disclosures.lao")] == _rules(data, disclosures)


def test_a_wrong_value_is_named() -> None:
    """Another citizen ID under the right salt does not match the commitment."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    disclosures["cid"] = Disclosure("1999900000021", disclosures["cid"].salt)

    assert [("personal.disclosure_wrong", "data.cid")] == _rules(data, disclosures)


def test_a_disclosure_of_another_person_is_wrong() -> None:
    """A disclosure checked under another subject (another record) does not match."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    found = check_disclosures(RecordOpenedData, SUBJECT.replace("6f", "70"), data, disclosures)

    assert {"personal.disclosure_wrong"} == {violation.id for violation in found}


def test_a_value_in_clear_is_refused() -> None:
    """A v2 statement may not sign a personal field's value in clear."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    data["cid"] = OPENED["cid"]
    del disclosures["cid"]

    assert [("personal.in_clear", "data.cid")] == _rules(data, disclosures)


def test_a_commitment_where_no_personal_field_is_declared_is_refused() -> None:
    """A commitment object in a field that is not personal is refused (never a value)."""
    data, disclosures = commit_data(RecordOpenedData, SUBJECT, OPENED)
    data["lao"] = {"commitment": "0" * 64}

    assert [("personal.not_personal", "data.lao")] == _rules(data, disclosures)


def test_a_correction_commits_the_replacement_s_personal_fields() -> None:
    """EntryCorrected commits replacement.<field> for the fields personal in entry models."""
    draft = {"supersedes": 2, "reason": "สะกดผิด", "replacement": {**NAMES, "sex": "female"}}
    data, disclosures = commit_data(EntryCorrectedData, SUBJECT, draft)

    assert {f"replacement.{name}" for name in (*NAMES, "sex")} == set(disclosures)
    assert [] == check_disclosures(EntryCorrectedData, SUBJECT, data, disclosures)
    assert draft == reveal_data(data, disclosures)
    assert DataKind.HEALTH == CORRECTION_FIELDS["replacement.leave_type"]


def test_disclosures_read_from_json() -> None:
    """The JSON form (base64 salt) reads back; a salt of another length is refused by path."""
    good = Disclosure("สมมติ", b"\x02" * 32)
    found, problems = read_disclosures({"first_name": good.as_json(), "cid": {"value": 1}})

    assert {"first_name": good} == found
    assert ["disclosures.cid"] == [problem.field for problem in problems]


def test_declared_fields_exist_and_belong_to_personnel_records() -> None:
    """Every declared field is a field of its model, and only a personnel record's events
    declare any (so the subject, the stream, is always one person)."""
    models = {spec.data_model: spec for spec in EVENT_TYPES.values()}
    for model, fields in PERSONAL_FIELDS.items():
        assert model in models
        assert models[model].aggregate is PersonnelRecord
        assert set(fields) <= set(model.model_fields)


def test_docs_list_every_personal_field() -> None:
    """docs/personal-data.md's table names each event type's personal fields as declared."""
    text = (Path(__file__).parents[2] / "docs" / "personal-data.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| ([A-Za-z]+) \| (.+) \|$", text, flags=re.MULTILINE))
    for name, spec in EVENT_TYPES.items():
        declared = personal_paths(spec.data_model)
        if declared and name != "EntryCorrected":
            assert set(declared) == set(re.findall(r"`([a-z0-9_.]+)`", rows.get(name, ""))), name


names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
subjects = st.uuids()


@given(first=names, last=names, subject=subjects)
def test_a_statement_s_disclosures_check_round_trip(first: str, last: str, subject: Any) -> None:
    """commit_statement_data then check_statement finds nothing wrong, for any name and record."""
    draft = {**NAMES, "first_name": first, "last_name": last}
    data, disclosures = commit_statement_data("PersonalDataRecorded", subject, draft)
    statement = _statement(subject, data)

    assert [] == check_statement(statement, disclosures)
    assert draft == reveal_data(data, disclosures)


@given(
    first=names,
    other=names,
    subject=subjects,
    other_subject=subjects,
    flip=st.integers(0, 31),
    change=st.sampled_from(["value", "salt", "path", "subject"]),
)
def test_any_change_to_a_disclosure_is_refused(
    first: str, other: str, subject: Any, other_subject: Any, flip: int, change: str
) -> None:
    """Another value, salt, path or subject than the one committed: check_statement refuses
    it, naming the field."""
    draft = {**NAMES, "first_name": first, "last_name": first}
    data, disclosures = commit_statement_data("PersonalDataRecorded", subject, draft)
    given_ = dict(disclosures)
    kept = disclosures["first_name"]
    if change == "value" and other != first:
        given_["first_name"] = Disclosure(other, kept.salt)
    elif change == "salt":
        salt = bytearray(kept.salt)
        salt[flip] ^= 1
        given_["first_name"] = Disclosure(kept.value, bytes(salt))
    elif change == "path":  # the same value's disclosure for last_name, given for first_name
        given_["first_name"] = disclosures["last_name"]
    elif change == "subject" and other_subject != subject:
        subject = other_subject
    else:
        return
    found = check_statement(_statement(subject, data), given_)

    assert "data.first_name" in [violation.field for violation in found]
    assert {"personal.disclosure_wrong"} == {violation.id for violation in found}


def _statement(stream: Any, data: dict[str, Any]) -> Statement:
    return build_statement(
        stream=stream,
        expected_version=1,
        prev_hash="0" * 64,
        type="PersonalDataRecorded",
        data=data,
        effective=date(2019, 4, 1),
        signer=SignerRef(cid="1999900000021", key="0" * 16),
        signed_at=datetime(2019, 4, 2, tzinfo=UTC),
        v=2,
    )
