"""One active employment per category per person (``record.person_already_active``): a second
record of a citizen ID in a staff category is refused while another is not separated, whoever
opens it and in whichever LAO, in v1 (citizen ID in clear) and v2 (behind a commitment, found
through the vault's keyed index), in one batch, in one group commit and in the dry run; the
refusal names neither the record, its LAO nor a name. Before, two LAOs each opened a record of
the same official, and one LAO could open two.

Through the ledger on an SQLite file: without a vault (v1) and with one (v2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.disclosed import read_revealed
from ledger.domain.persons import may_claim
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.conftest import NO_VAULT
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    TAK_LAO,
    LedgerKit,
    Operator,
    build_kit,
    first_rule,
    vault_settings,
)
from tests.people import fresh_cid

RULE = "record.person_already_active"
ERASURE = {"legal_basis": "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล มาตรา 33", "reason": "เจ้าของขอลบ"}
STARTED = date(2019, 4, 1)
LEFT = date(2020, 1, 1)
LATER = date(2020, 3, 2)


@pytest.fixture(params=["v1", "v2"])
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LedgerKit]:
    """An initialised ledger: v1 without a vault, v2 with one (its kit signs v2)."""
    url = f"sqlite:///{tmp_path}/ledger.sqlite"
    if request.param == "v1":
        settings = LedgerSettings.model_validate({"database_url": url, "name": "one"} | NO_VAULT)
    else:
        settings = vault_settings(url, tmp_path)
    ledger = Ledger(settings)
    yield build_kit(ledger)
    ledger.close()


def opening(
    kit: LedgerKit, cid: str, *, by: Operator | None = None, category: str = "official"
) -> SignedStatement:
    """A signed ``RecordOpened`` of a new stream, by the LAO of ``by`` (the Nakhon Phanom HR
    officer unless told)."""
    operator = by or kit.hr
    scope = TAK_LAO if operator is kit.other_hr else NAKHON_PHANOM_LAO
    return kit.sign(
        operator,
        stream=uuid.uuid4(),
        type="RecordOpened",
        data=d.record(scope, cid=cid, category=category),
        effective=STARTED,
    )


def in_service(kit: LedgerKit, cid: str, by: Operator | None = None) -> uuid.UUID:
    signed = opening(kit, cid, by=by)
    kit.submit(signed)
    stream = signed.statement.stream
    kit.emit(by or kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"))
    return stream


def refused(kit: LedgerKit, signed: SignedStatement) -> InvalidDataError:
    """The refusal of ``signed``, after checking that nothing was appended."""
    before = kit.event_count()
    with pytest.raises(InvalidDataError) as error:
        kit.submit(signed)
    assert before == kit.event_count()
    return error.value


def _says_nothing_of(error: InvalidDataError, *hidden: str) -> None:
    """The refusal's messages, in both languages, name none of ``hidden``."""
    violation = error.violations[0]
    texts = [str(error), violation.th, violation.en, repr(violation.details)]
    for text in texts:
        for value in hidden:
            assert value not in text


def test_a_second_record_of_a_person_in_a_category_is_refused_in_any_lao(
    kit: LedgerKit,
) -> None:
    """Tak's HR officer and Nakhon Phanom's own are both refused; the refusal names the rule,
    the field and the category, never the record, its LAO or province, nor the person."""
    cid = fresh_cid()
    first = in_service(kit, cid)

    for by in (kit.other_hr, kit.hr):
        error = refused(kit, opening(kit, cid, by=by))
        assert (RULE, "data.cid") == first_rule_of(error)
        violation = error.violations[0]
        assert "เลขประจำตัวประชาชนนี้มีทะเบียนประวัติ" in violation.th
        assert "ข้าราชการส่วนท้องถิ่น" in violation.th
        assert "the citizen ID already has a personnel record of category official" in (
            violation.en
        )
        _says_nothing_of(error, str(first), "6480101", "นครพนม", cid)


def test_the_dry_run_refuses_it_as_the_gate_does(kit: LedgerKit) -> None:
    cid = fresh_cid()
    in_service(kit, cid)
    draft = opening(kit, cid, by=kit.other_hr)
    disclosures = kit.disclosed.pop(draft.hash, None)

    with pytest.raises(InvalidDataError) as error:
        kit.ledger.check_draft(draft.statement, disclosures)

    assert (RULE, "data.cid") == first_rule(error)


def test_another_category_or_another_person_is_accepted(kit: LedgerKit) -> None:
    cid = fresh_cid()
    in_service(kit, cid)

    kit.submit(opening(kit, cid, by=kit.other_hr, category="contract"))
    kit.submit(opening(kit, fresh_cid(), by=kit.other_hr))


def test_a_record_not_yet_in_service_holds_the_place(kit: LedgerKit) -> None:
    """A pending record (opened, its appointment not yet recorded) is the person's too."""
    cid = fresh_cid()
    kit.submit(opening(kit, cid))

    assert (RULE, "data.cid") == first_rule_of(refused(kit, opening(kit, cid, by=kit.other_hr)))


def first_rule_of(error: InvalidDataError) -> tuple[str, str]:
    violation = error.violations[0]
    return violation.id, violation.field


@pytest.mark.parametrize("separation", ["Resigned", "Dismissed", "Died", "TransferredOut"])
def test_a_separated_record_frees_the_place(kit: LedgerKit, separation: str) -> None:
    cid = fresh_cid()
    old = in_service(kit, cid)
    kit.emit(kit.hr, old, separation, d.status_data(separation), effective=LEFT)

    kit.submit(opening(kit, cid, by=kit.other_hr))


def test_a_reentry_while_another_record_is_active_is_refused(kit: LedgerKit) -> None:
    """Resigned at Nakhon Phanom, appointed at Tak: the old record's re-entry is refused until
    the Tak record is separated too."""
    cid = fresh_cid()
    old = in_service(kit, cid)
    kit.emit(kit.hr, old, "Resigned", d.status_data("Resigned"), effective=LEFT)
    new = in_service(kit, cid, by=kit.other_hr)
    reentry = d.status_data("EmploymentStarted")

    signed = kit.sign(kit.hr, stream=old, type="EmploymentStarted", data=reentry, effective=LATER)
    error = refused(kit, signed)
    assert (RULE, "stream") == first_rule_of(error)
    _says_nothing_of(error, str(new), "6630101", "ตาก")

    kit.emit(kit.other_hr, new, "Resigned", d.status_data("Resigned"), effective=LATER)
    kit.emit(kit.hr, old, "EmploymentStarted", reentry, effective=LATER)


def test_an_appeal_or_an_arrival_while_another_record_is_active_is_refused(
    kit: LedgerKit,
) -> None:
    """A dismissal revoked on appeal, and a transfer's arrival, give the record back its place:
    refused while the person holds another record of the category."""
    cid = fresh_cid()
    dismissed = in_service(kit, cid)
    kit.emit(kit.hr, dismissed, "Dismissed", d.status_data("Dismissed"), effective=LEFT)
    moving = in_service(kit, cid, by=kit.other_hr)
    kit.emit(kit.other_hr, moving, "TransferredOut", transfer_to_nakhon_phanom(), LEFT)
    in_service(kit, cid)  # a third record of the same official, at Nakhon Phanom

    appeal = kit.sign(
        kit.hr,
        stream=dismissed,
        type="SeparationRevoked",
        data=d.status_data("SeparationRevoked"),
        effective=LATER,
    )
    assert (RULE, "stream") == first_rule_of(refused(kit, appeal))
    arrival = kit.sign(
        kit.hr,
        stream=moving,
        type="TransferredIn",
        data=d.status_data("TransferredIn", from_lao="6630101"),
        effective=LATER,
    )
    assert (RULE, "stream") == first_rule_of(refused(kit, arrival))


def transfer_to_nakhon_phanom() -> dict[str, Any]:
    return d.status_data("TransferredOut", to_lao="6480101", to_province="นครพนม")


def test_a_header_correction_to_an_active_persons_id_is_refused(kit: LedgerKit) -> None:
    """Correcting a record's citizen ID (or category) onto a person's active place is refused
    (field ``data.replacement.cid``); a correction that keeps them is not checked."""
    cid = fresh_cid()
    in_service(kit, cid)
    other = in_service(kit, fresh_cid())
    header = d.record(NAKHON_PHANOM_LAO, cid=cid)

    signed = kit.sign(
        kit.hr,
        stream=other,
        type="EntryCorrected",
        data={"supersedes": 1, "reason": "พิมพ์เลขผิด", "replacement": header},
        effective=LATER,
    )
    assert (RULE, "data.replacement.cid") == first_rule_of(refused(kit, signed))

    header_kept = kit.ledger.aggregate(other)
    fixed = d.record(NAKHON_PHANOM_LAO, cid=header_kept.cid, birth_date="1971-10-01")  # type: ignore[attr-defined]
    fix = {"supersedes": 1, "reason": "วันเกิดผิด", "replacement": fixed}
    kit.emit(kit.hr, other, "EntryCorrected", fix, effective=LATER)


def test_a_record_corrected_to_a_new_citizen_id_holds_that_persons_place(
    kit: LedgerKit,
) -> None:
    """The record is found under the ID its header was corrected to (v1: the correction's
    stored header; v2: the keyed index of ``replacement.cid``)."""
    record, corrected = in_service(kit, fresh_cid()), fresh_cid()
    header = d.record(NAKHON_PHANOM_LAO, cid=corrected)
    fix = {"supersedes": 1, "reason": "พิมพ์เลขผิด", "replacement": header}
    kit.emit(kit.hr, record, "EntryCorrected", fix, effective=LATER)

    error = refused(kit, opening(kit, corrected, by=kit.other_hr))
    assert (RULE, "data.cid") == first_rule_of(error)


def test_two_openings_in_one_batch_are_refused_together(kit: LedgerKit) -> None:
    cid = fresh_cid()
    batch = [opening(kit, cid), opening(kit, cid, by=kit.other_hr)]
    before = kit.event_count()

    with pytest.raises(InvalidDataError) as error:
        kit.submit_all(batch)

    assert (RULE, "data.cid") == first_rule(error)
    assert before == kit.event_count()
    kit.submit_all([opening(kit, cid), opening(kit, cid, category="teacher")])


def test_a_group_commit_takes_the_first_opening_and_refuses_the_second(kit: LedgerKit) -> None:
    """Each statement of a group is judged on its own, after the ones before it."""
    cid = fresh_cid()
    signed = [opening(kit, cid), opening(kit, cid, by=kit.other_hr)]
    disclosures = [kit.disclosed.pop(item.hash, None) for item in signed]
    items = [(item.canonical, item.signature) for item in signed]
    revealed = read_revealed(items, disclosures, kit.ledger.door)

    first, second = kit.ledger.decide_each(revealed)

    assert not isinstance(first, InvalidDataError)
    assert isinstance(second, InvalidDataError)
    assert (RULE, "data.cid") == first_rule_of(second)


def test_an_erased_person_holds_no_place(tmp_path: Path) -> None:
    """Decision: an erased person's record cannot be read any more (their key is destroyed, the
    keyed index rows with it), so it holds no place: a new record may be opened."""
    ledger = Ledger(vault_settings(f"sqlite:///{tmp_path}/erased.sqlite", tmp_path))
    try:
        kit = build_kit(ledger)
        cid = fresh_cid()
        erased = in_service(kit, cid)
        kit.emit(kit.hr, erased, "PersonErased", ERASURE)

        kit.submit(opening(kit, cid, by=kit.other_hr))
        assert (RULE, "data.cid") == first_rule_of(refused(kit, opening(kit, cid)))
    finally:
        ledger.close()


def test_which_statements_may_claim_a_place() -> None:
    """What the ledger serialises (``PersonLock``): openings, re-entries, arrivals, appeals and
    header corrections; not an entry, nor the correction of another entry."""
    assert may_claim("RecordOpened", {})
    assert may_claim("EmploymentStarted", {})
    assert may_claim("TransferredIn", {})
    assert may_claim("SeparationRevoked", {})
    assert may_claim("EntryCorrected", {"replacement": {"cid": {"commitment": "00"}}})
    assert not may_claim("EntryCorrected", {"replacement": {"leave_type": "sick"}})
    assert not may_claim("EducationAdded", {})
    assert not may_claim("Resigned", {})
