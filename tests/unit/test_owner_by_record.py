"""A record owner enrolled by her personnel record: no citizen ID in her enrolment nor in what
she signs (issue 17). Her statements are v2 naming ``"cid":null``; only her key may sign so,
and it may sign nothing else; her own record is the one her enrolment names. With a vault, an
owner alone is enrolled by her record, not her citizen ID. The auditor's verifier and the Kafka
consumers' verifier check her statements like any other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.application import Ledger
from ledger.canonical import canonicalize
from ledger.domain.operators import EnrolmentData
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import Role
from ledger.errors import (
    InvalidDataError,
    LedgerError,
    MalformedStatementError,
    UnknownKeyError,
    UnseenStreamError,
)
from ledger.genesis import compose, enrolment_data
from ledger.settings import LedgerSettings
from ledger.statement import CANONICAL_FIELDS, SignerRef, Statement, digest
from projections.kafka.report_view import ReportStore, rebuild_from_ledger
from projections.kafka.verification import KeyRegistry, TrustAnchor
from projections.store import ViewDatabase
from replay.verify import verify_database
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    SOFTWARE,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    enrol,
    first_rule,
    record_data,
    v1_client,
)
from tests.people import PERSON_CID, made_up_cid

REQUEST = {"section": "general", "proposal": "ขอแก้ไขนามสกุลหลังสมรส"}


@pytest.fixture
def vault_kit(tmp_path: Path) -> Iterator[LedgerKit]:
    """A kit over an SQLite ledger with a vault of key files (it takes v2 personal values)."""
    settings = LedgerSettings(
        database_url=f"sqlite:///{tmp_path}/ledger.sqlite",
        name="owners",
        vault_key_dir=tmp_path / "vault-keys",
    )
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def own_record(kit: LedgerKit, cid: str = PERSON_CID) -> uuid.UUID:
    """A record of the kit's first LAO, opened by its HR officer (v2 with a vault)."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", record_data(cid=cid))
    return stream


def owner_of(kit: LedgerKit, record: uuid.UUID) -> Operator:
    owner = Operator(cid=None)
    enrol(kit, owner, [Role.RECORD_OWNER], NAKHON_PHANOM_LAO, record=record)
    return owner


def enrol_data(kit: LedgerKit, **fields: object) -> dict[str, object]:
    data = enrolment_data(
        cid=None,
        public_key=Operator(cid=None).signer.public_key,
        roles=[Role.RECORD_OWNER],
        scope=NAKHON_PHANOM_LAO,
        storage=SOFTWARE,
    )
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def admin_enrols(kit: LedgerKit, data: dict[str, object]) -> None:
    signed = compose(
        kit.ledger,
        stream=kit.ledger.registry_id,
        type="OperatorEnrolled",
        data=data,
        signer=kit.admin.signer,
        cid=str(kit.admin.cid),
    )
    kit.submit(signed)


def test_the_owner_signs_with_no_citizen_id_and_the_log_holds_none(vault_kit: LedgerKit) -> None:
    """Her enrolment names her record; her request is v2 naming ``"cid":null``; her citizen
    ID is nowhere in the registry's or her record's signed statements."""
    kit = vault_kit
    record = own_record(kit)
    owner = owner_of(kit, record)

    kit.emit(owner, record, "ChangeRequestedByOwner", REQUEST)

    enrolment = kit.ledger.enrolment_for(owner.signer.key_id)
    assert enrolment is not None
    assert (None, record) == (enrolment.cid, enrolment.record)
    signed = [
        e.statement for s in (kit.ledger.registry_id, record) for e in kit.ledger.stream_events(s)
    ]
    request = signed[-1]
    assert b'"signer":{"cid":null,"key":"' + owner.signer.key_id.encode() + b'"}' in request
    assert b'"v":2' in request
    assert not any(PERSON_CID.encode() in statement for statement in signed)
    assert {2: "general"} == {
        k: r.section for k, r in kit.ledger.aggregate(record).change_requests.items()
    }


def test_a_key_signs_only_in_the_name_it_was_enrolled_for(vault_kit: LedgerKit) -> None:
    """An officer's key (enrolled by citizen ID) naming no citizen ID, and an owner's key
    (enrolled by record) naming one, are both refused as keys never enrolled."""
    kit = vault_kit
    record = own_record(kit)
    owner = owner_of(kit, record)
    hr_without_cid = Operator(cid=None, signer=kit.hr.signer)
    owner_with_cid = Operator(cid=PERSON_CID, signer=owner.signer)

    with pytest.raises(UnknownKeyError):
        kit.emit(hr_without_cid, record, "OtherItemRecorded", {"text": "ทดลอง"})
    with pytest.raises(UnknownKeyError):
        kit.emit(owner_with_cid, record, "ChangeRequestedByOwner", REQUEST)


def test_a_v1_statement_names_its_signer(vault_kit: LedgerKit) -> None:
    """v1's form is frozen: a v1 statement with a null cid is not a statement (the model and
    the ledger's door both say so)."""
    kit = vault_kit
    record = own_record(kit)
    owner = owner_of(kit, record)
    v2 = kit.sign(owner, stream=record, type="ChangeRequestedByOwner", data=REQUEST)
    as_v1 = v2.statement.to_json() | {"v": 1, "data": REQUEST}
    canonical = canonicalize(as_v1)

    with pytest.raises(ValueError, match="v1 statement names its signer"):
        Statement.model_validate(as_v1)
    with pytest.raises(MalformedStatementError):
        kit.ledger.submit(canonical, owner.signer.sign(digest(canonical)))
    # The readers' fast pattern (v1 only) leaves it to the full parse, which refuses it.
    assert CANONICAL_FIELDS.fullmatch(canonical) is None
    assert CANONICAL_FIELDS.fullmatch(canonicalize(as_v1 | {"signer": SIGNER})) is not None


def test_an_enrolment_stored_before_reads_as_it_did() -> None:
    """Old enrolment data (a citizen ID, no ``record``) parses as before, and a signer with a
    citizen ID is written as it always was."""
    old = enrol_data_by_cid()

    parsed = EnrolmentData.model_validate(old)

    assert (PERSON_CID, None) == (parsed.cid, parsed.record)
    assert b'{"cid":"' + PERSON_CID.encode() + b'","key":"0123456789abcdef"}' == canonicalize(
        SignerRef(cid=PERSON_CID, key="0123456789abcdef").model_dump(mode="json")
    )


SIGNER = {"cid": PERSON_CID, "key": "0123456789abcdef"}


def enrol_data_by_cid() -> dict[str, object]:
    return enrolment_data(
        cid=PERSON_CID,
        public_key=Operator(cid=None).signer.public_key,
        roles=[Role.LAO_HR_OFFICER],
        scope=NAKHON_PHANOM_LAO,
        storage=SOFTWARE,
    )


def test_an_owner_asks_only_about_the_record_she_was_enrolled_by(vault_kit: LedgerKit) -> None:
    kit = vault_kit
    owner = owner_of(kit, own_record(kit))
    someone_else = own_record(kit, made_up_cid(321))

    with pytest.raises(UnseenStreamError):  # another's record is not found for her
        kit.emit(owner, someone_else, "ChangeRequestedByOwner", REQUEST)


def test_one_active_owner_key_per_record(vault_kit: LedgerKit) -> None:
    """A second key for the record is refused until the first is revoked."""
    kit = vault_kit
    record = own_record(kit)
    first = owner_of(kit, record)

    with pytest.raises(InvalidDataError) as refused:
        owner_of(kit, record)
    assert ("operator.record_active_key", "data.record") == first_rule(refused)
    revocation = {"key_id": first.signer.key_id, "reason": "บัตรหาย"}
    kit.emit(kit.admin, kit.ledger.registry_id, "OperatorKeyRevoked", revocation)
    kit.emit(owner_of(kit, record), record, "ChangeRequestedByOwner", REQUEST)


@pytest.mark.parametrize(
    ("fields", "rule", "field"),
    [
        (
            {"cid": PERSON_CID, "record": "?", "roles": ["lao_hr_officer"]},
            "operator.cid_or_record",
            "data.cid",
        ),
        ({"roles": ["record_owner", "lao_hr_officer"]}, "operator.owner_roles", "data.roles"),
        (
            {"record": str(organization_stream_id("6480101"))},
            "operator.owner_record",
            "data.record",
        ),
        ({"record": str(uuid.uuid4())}, "operator.owner_record", "data.record"),
        ({"scope": TAK_LAO.model_dump(exclude_none=True)}, "operator.owner_scope", "data.scope"),
    ],
)
def test_an_enrolment_by_record_is_a_record_owners_of_a_record_in_her_scope(
    vault_kit: LedgerKit, fields: dict[str, object], rule: str, field: str
) -> None:
    kit = vault_kit
    record = own_record(kit)
    named = {"record": str(record)} | {
        key: str(record) if value == "?" else value for key, value in fields.items()
    }

    with pytest.raises(InvalidDataError) as refused:
        admin_enrols(kit, enrol_data(kit, **named))
    assert (rule, field) == first_rule(refused)


def test_an_erased_persons_record_enrols_no_owner(vault_kit: LedgerKit) -> None:
    """Her record's personal data erased, no key is enrolled by it (it cannot be read), and
    the key enrolled before signs nothing on it."""
    kit = vault_kit
    record = own_record(kit)
    owner = owner_of(kit, record)
    erasure = {"legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33 คำขอเลขที่ 1/2568",
               "reason": "เจ้าของข้อมูลขอให้ลบ"}  # fmt: skip
    kit.emit(kit.hr, record, "PersonErased", erasure)

    with pytest.raises(LedgerError) as refused:
        admin_enrols(kit, enrol_data(kit, record=str(record)))
    assert ["person.erased"] == [v.id for v in refused.value.violations]
    with pytest.raises(LedgerError):
        kit.emit(owner, record, "ChangeRequestedByOwner", REQUEST)


def test_an_enrolment_names_a_citizen_id_or_a_record(vault_kit: LedgerKit) -> None:
    kit = vault_kit
    data = enrol_data(kit, roles=["lao_hr_officer"])

    with pytest.raises(InvalidDataError) as refused:
        admin_enrols(kit, data)
    assert ("operator.cid_or_record", "data.cid") == first_rule(refused)


def test_with_a_vault_an_owner_alone_is_enrolled_by_her_record(vault_kit: LedgerKit) -> None:
    """By citizen ID she is refused by name; an officer who also owns a record keeps hers; in
    the transition period (``accept_v1_personal``) the old enrolment is still taken."""
    kit = vault_kit
    own_record(kit)

    with pytest.raises(InvalidDataError) as refused:
        kit.operator([Role.RECORD_OWNER], NAKHON_PHANOM_LAO, cid=PERSON_CID)
    assert ("operator.owner_by_record", "data.cid") == first_rule(refused)
    kit.operator([Role.LAO_HEAD, Role.RECORD_OWNER], NAKHON_PHANOM_LAO)
    with v1_client(kit) as old:
        old.operator([Role.RECORD_OWNER], NAKHON_PHANOM_LAO, cid=PERSON_CID)


def test_without_a_vault_an_owner_is_enrolled_by_citizen_id(kit: LedgerKit) -> None:
    """With no vault she could sign no personal value: by record is refused by name, by
    citizen ID taken as before."""
    record = kit.open_record(cid=PERSON_CID)

    with pytest.raises(InvalidDataError) as refused:
        owner_of(kit, record)
    assert ("operator.owner_needs_vault", "data.record") == first_rule(refused)
    owner = kit.operator([Role.RECORD_OWNER], NAKHON_PHANOM_LAO, cid=PERSON_CID)
    kit.emit(owner, record, "ChangeRequestedByOwner", REQUEST)


def test_the_verifiers_check_an_owners_statements(vault_kit: LedgerKit, tmp_path: Path) -> None:
    """``audit verify`` (strict and fast) and the Kafka consumers' verifier take her
    statements and her key as enrolled by record; a forged one naming a cid is caught."""
    kit = vault_kit
    record = own_record(kit)
    owner = owner_of(kit, record)
    kit.emit(owner, record, "ChangeRequestedByOwner", REQUEST)
    url, name = kit.ledger.settings.database_url, kit.ledger.name

    for strict in (False, True):
        assert [] == verify_database(url, name, workers=1, strict=strict).failures
    db = ViewDatabase(f"sqlite:///{tmp_path}/view.sqlite")
    store = ReportStore(db, "report")
    store.create()
    registry = KeyRegistry(TrustAnchor(kit.system.signer.public_key), kit.ledger.registry_id)
    try:
        applied = rebuild_from_ledger(kit.ledger, store, registry)
        assert [] == store.rejects()
        assert kit.ledger.recorder.max_notification_id() == applied
    finally:
        db.close()
