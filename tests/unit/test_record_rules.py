"""Cross-event rules of a personnel record (issue 12, item 3): nothing takes effect after a
separation but what still applies then; leave within service and not overlapping another.
One behaviour each, through the ledger on in-memory SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.field_labels import value_label
from ledger.domain.permissions import Role
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.record_entries import OWNER_SECTIONS, RecordSection
from ledger.domain.signed import SignedFields
from ledger.errors import InvalidDataError
from ledger.statement import SignedStatement
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, first_rule, memory_ledger, offline_chain
from tests.people import PERSON_CID
from web.forms.describe import OFFERED

LAO = NAKHON_PHANOM_LAO
STARTED = date(2019, 4, 1)
LEFT = date(2020, 1, 1)  # the separations below take effect on this day
AFTER = date(2020, 3, 2)


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    yield from memory_ledger("record_rules")


def in_service(kit: LedgerKit, **fields: Any) -> uuid.UUID:
    """A record whose employment started on ``STARTED``."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO, **fields), effective=STARTED)
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted"), STARTED)
    return stream


def resigned(kit: LedgerKit, **fields: Any) -> uuid.UUID:
    """A record whose resignation took effect on ``LEFT``."""
    stream = in_service(kit, **fields)
    kit.emit(kit.hr, stream, "Resigned", d.status_data("Resigned"), effective=LEFT)
    return stream


def leave(
    start: str, end: str | None = None, days: str = "1", kind: str = "sick"
) -> dict[str, Any]:
    return {"leave_type": kind, "start": start, "end": end or start, "days": days}


def take(kit: LedgerKit, stream: uuid.UUID, data: dict[str, Any]) -> int:
    """Record a leave, effective on its first day; its entry id."""
    effective = date.fromisoformat(data["start"])
    return kit.emit(kit.hr, stream, "LeaveTaken", data, effective=effective).version


# Nothing after a separation.


def test_leave_after_retirement_is_refused(kit: LedgerKit) -> None:
    """Leave dated 2021 on a record retired in 2020 is refused."""
    stream = in_service(kit, birth_date="1960-05-10")
    retired = {"last_day": "2020-09-30", "order": d.order("9/2563", "2020-08-20")}
    kit.emit(kit.hr, stream, "Retired", retired, effective=date(2020, 10, 1))

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2021-03-01"))

    assert ("record.after_separation", "effective") == first_rule(refused)


def test_no_entry_takes_effect_after_a_separation(kit: LedgerKit) -> None:
    """An entry of a section that ends with service (training) is refused after it."""
    stream = resigned(kit)

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"], AFTER)

    assert ("record.after_separation", "effective") == first_rule(refused)


def test_an_entry_on_the_separation_day_is_accepted(kit: LedgerKit) -> None:
    """The day the separation takes effect is not after it (the line recording it)."""
    stream = resigned(kit)

    line = {**d.salary_entry(), "movement_type": "ลาออก"}
    kit.emit(kit.hr, stream, "PositionSalaryEntryAdded", line, effective=LEFT)

    assert 4 == kit.ledger.head(stream)[0]


def test_a_backdated_entry_is_accepted_after_a_separation(kit: LedgerKit) -> None:
    """An entry that took effect while in service may be recorded after the person left."""
    stream = resigned(kit)

    kit.emit(kit.hr, stream, "TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"], STARTED)

    assert 4 == kit.ledger.head(stream)[0]


@pytest.mark.parametrize(
    "type_",
    [
        "PersonalDataRecorded",
        "NameChanged",
        "AddressChanged",
        "PhotoAttached",
        "FamilyMemberRecorded",
        "DecorationRecorded",
        "PenaltyImposed",
        "DocumentScanned",
    ],
)
def test_what_still_applies_is_accepted_after_a_separation(kit: LedgerKit, type_: str) -> None:
    """The person's own data, family, decorations, discipline and scans outlast service."""
    stream = resigned(kit)

    kit.emit(kit.hr, stream, type_, d.ENTRY_DATA[type_], effective=AFTER)

    assert 4 == kit.ledger.head(stream)[0]


def test_decorations_are_returned_and_amnesties_applied_after_a_separation(
    kit: LedgerKit,
) -> None:
    """DecorationReturned and AmnestyApplied name entries of service and still apply after it."""
    stream = in_service(kit)
    decoration = kit.emit(kit.hr, stream, "DecorationRecorded", d.ENTRY_DATA["DecorationRecorded"])
    penalty = kit.emit(kit.hr, stream, "PenaltyImposed", d.ENTRY_DATA["PenaltyImposed"])
    kit.emit(kit.hr, stream, "Resigned", d.status_data("Resigned"), effective=LEFT)

    returned = {"decoration": decoration.version, "returned_on": "2020-03-02"}
    kit.emit(kit.hr, stream, "DecorationReturned", returned, effective=AFTER)
    amnesty = {"penalty": penalty.version, "law": "พ.ร.บ.ล้างมลทิน พ.ศ. ๒๕๖๒"}
    kit.emit(kit.hr, stream, "AmnestyApplied", amnesty, effective=AFTER)

    assert 7 == kit.ledger.head(stream)[0]


def test_corrections_and_voids_are_accepted_after_a_separation(kit: LedgerKit) -> None:
    """Earlier entries are corrected and voided after the person left."""
    stream = in_service(kit)
    education = kit.emit(kit.hr, stream, "EducationAdded", d.education()).version
    other = kit.emit(kit.hr, stream, "OtherItemRecorded", d.ENTRY_DATA["OtherItemRecorded"])
    kit.emit(kit.hr, stream, "Resigned", d.status_data("Resigned"), effective=LEFT)

    fix = {"supersedes": education, "reason": "พิมพ์ผิด", "replacement": d.education(1)}
    kit.emit(kit.hr, stream, "EntryCorrected", fix, effective=AFTER)
    void = {"entry": other.version, "reason": "บันทึกซ้ำ"}
    kit.emit(kit.hr, stream, "EntryVoided", void, effective=AFTER)

    assert 7 == kit.ledger.head(stream)[0]


def test_an_owners_request_is_resolved_after_a_separation(kit: LedgerKit) -> None:
    """The owner asks, and HR answers, after the owner left service."""
    owner = kit.operator([Role.RECORD_OWNER], LAO, cid=PERSON_CID)
    stream = resigned(kit, cid=PERSON_CID)

    request = {"section": "general", "proposal": "ขอแก้ไขที่อยู่"}
    asked = kit.emit(owner, stream, "ChangeRequestedByOwner", request, effective=AFTER)
    answer = {"request": asked.version, "outcome": "accepted"}
    kit.emit(kit.hr, stream, "ChangeRequestResolved", answer, effective=AFTER)

    assert 5 == kit.ledger.head(stream)[0]


NOT_ASKED = sorted(set(RecordSection) - set(OWNER_SECTIONS))


@pytest.mark.parametrize("section", NOT_ASKED)
def test_an_owner_asks_only_about_the_sections_she_may(kit: LedgerKit, section: str) -> None:
    """A section her form does not offer (the scans, her status, the LAO's structure and
    frame) is refused naming the rule and ``data.section`` in Thai and English, and nothing is
    appended; a section it offers is taken."""
    owner = kit.operator([Role.RECORD_OWNER], LAO, cid=PERSON_CID)
    stream = in_service(kit, cid=PERSON_CID)
    head = kit.ledger.head(stream)

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(owner, stream, "ChangeRequestedByOwner", {"section": section, "proposal": "ขอ"})

    assert ("record.change_request_section", "data.section") == first_rule(refused)
    violation = refused.value.violations[0]
    assert str(value_label("RecordSection", section)) in violation.th
    assert f"the section {section}:" in violation.en
    assert head == kit.ledger.head(stream)
    kit.emit(owner, stream, "ChangeRequestedByOwner", {"section": "family", "proposal": "ขอ"})
    assert head[0] + 1 == kit.ledger.head(stream)[0]


def test_the_owners_form_offers_the_sections_the_gate_takes(kit: LedgerKit) -> None:
    """One list: the owner's form offers exactly ``OWNER_SECTIONS`` (15 of the 19), and the
    gate takes a request about each of them."""
    owner = kit.operator([Role.RECORD_OWNER], LAO, cid=PERSON_CID)
    stream = in_service(kit, cid=PERSON_CID)
    offered = OFFERED[("ChangeRequestedByOwnerData", "section")]

    for section in OWNER_SECTIONS:
        kit.emit(owner, stream, "ChangeRequestedByOwner", {"section": section, "proposal": "ขอ"})

    assert {section.value for section in OWNER_SECTIONS} == offered
    assert (15, 19) == (len(OWNER_SECTIONS), len(RecordSection))
    assert 2 + len(OWNER_SECTIONS) == kit.ledger.head(stream)[0]


def test_entries_resume_after_a_reentry(kit: LedgerKit) -> None:
    """After a new EmploymentStarted the person is in service again."""
    stream = resigned(kit)
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted",
             kind="reentered"), effective=AFTER)  # fmt: skip

    kit.emit(kit.hr, stream, "TrainingRecorded", d.ENTRY_DATA["TrainingRecorded"], AFTER)

    assert 5 == kit.ledger.head(stream)[0]


def test_a_record_in_transit_takes_no_later_entry(kit: LedgerKit) -> None:
    """Transferred out (not yet arrived), the record takes nothing effective after the day."""
    stream = in_service(kit)
    kit.emit(kit.hr, stream, "TransferredOut", d.status_data("TransferredOut"), effective=LEFT)

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "OtherItemRecorded", d.ENTRY_DATA["OtherItemRecorded"], AFTER)

    assert ("record.after_separation", "effective") == first_rule(refused)


# Leave within service.


def test_leave_before_employment_started_is_refused(kit: LedgerKit) -> None:
    """A leave starts on or after the day employment started."""
    stream = in_service(kit)

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2019-03-29"))

    assert ("record.leave_outside_service", "data.start") == first_rule(refused)


def test_leave_on_a_record_never_in_service_is_refused(kit: LedgerKit) -> None:
    """A record whose employment has not started takes no leave."""
    stream = uuid.uuid4()
    kit.emit(kit.hr, stream, "RecordOpened", d.record(LAO))

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2019-06-03"))

    assert ("record.leave_outside_service", "data.start") == first_rule(refused)


def test_leave_reaching_the_separation_is_refused(kit: LedgerKit) -> None:
    """A leave ends before the day the separation took effect (recorded late or not)."""
    stream = resigned(kit)

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2019-12-30", "2020-01-01", days="3"))

    assert ("record.leave_outside_service", "data.start") == first_rule(refused)


def test_leave_between_two_spells_of_service_is_refused(kit: LedgerKit) -> None:
    """Between a resignation and a re-entry the person was not in service."""
    stream = resigned(kit)
    kit.emit(kit.hr, stream, "EmploymentStarted", d.status_data("EmploymentStarted",
             kind="reentered"), effective=date(2020, 6, 1))  # fmt: skip

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2020-03-02"))

    assert ("record.leave_outside_service", "data.start") == first_rule(refused)


def test_a_revoked_separation_never_interrupted_service(kit: LedgerKit) -> None:
    """After an appeal revokes the separation, leave during the revoked gap is accepted."""
    stream = resigned(kit)
    revoked = d.status_data("SeparationRevoked")
    kit.emit(kit.hr, stream, "SeparationRevoked", revoked, effective=date(2020, 6, 1))

    take(kit, stream, leave("2020-03-02"))

    assert 5 == kit.ledger.head(stream)[0]


def test_overlapping_leave_is_refused(kit: LedgerKit) -> None:
    """Two leaves of a record share no day."""
    stream = in_service(kit)
    first = take(kit, stream, leave("2019-06-03", "2019-06-05", days="3"))

    with pytest.raises(InvalidDataError) as refused:
        take(kit, stream, leave("2019-06-05", "2019-06-06", days="2", kind="personal"))

    assert ("record.leave_overlap", "data.start") == first_rule(refused)
    assert str(first) == refused.value.violations[0].details["entry"]


def test_two_half_days_share_a_day(kit: LedgerKit) -> None:
    """A morning's sick leave and an afternoon's personal leave on one day are both kept."""
    stream = in_service(kit)
    take(kit, stream, leave("2019-06-03", days="0.5"))

    take(kit, stream, leave("2019-06-03", days="0.5", kind="personal"))

    assert 4 == kit.ledger.head(stream)[0]


def test_a_corrected_leave_is_checked_against_the_others(kit: LedgerKit) -> None:
    """A correction may move a leave over its own days, not over another leave's."""
    stream = in_service(kit)
    first = take(kit, stream, leave("2019-06-03", "2019-06-04", days="2"))
    take(kit, stream, leave("2019-06-10"))
    fix = {"supersedes": first, "reason": "วันลาผิด"}

    kit.emit(kit.hr, stream, "EntryCorrected", {**fix, "replacement": leave("2019-06-04")})
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "EntryCorrected",
                 {**fix, "supersedes": 5, "replacement": leave("2019-06-10")})  # fmt: skip

    assert ("record.leave_overlap", "data.replacement.start") == first_rule(refused)


def test_a_voided_leave_leaves_its_days_free(kit: LedgerKit) -> None:
    """Once voided, a leave's days may be taken by another leave."""
    stream = in_service(kit)
    first = take(kit, stream, leave("2019-06-03"))
    kit.emit(kit.hr, stream, "EntryVoided", {"entry": first, "reason": "ยกเลิกการลา"})

    take(kit, stream, leave("2019-06-03", kind="personal"))

    assert 5 == kit.ledger.head(stream)[0]


# Stored events.


def _stored(signed: SignedStatement) -> SignedFields:
    return SignedFields(signed.canonical.decode("utf-8"), signed.signature.hex(), signed.hash)


def test_stored_events_replay_whatever_the_rules_say_now() -> None:
    """The rules run at admission only: events stored before them replay as they were."""
    chain = offline_chain(
        [
            ("RecordOpened", {**d.record(LAO), "province": "ตาก"}),  # not its LAO's province
            ("LeaveTaken", leave("2019-06-03")),  # before employment started
            ("EmploymentStarted", d.status_data("EmploymentStarted")),
            ("LeaveTaken", leave("2019-06-03", kind="personal")),  # overlapping the first
        ]
    )
    first, *rest = chain
    record = PersonnelRecord.open(first.statement.stream, PersonnelRecord.RecordOpened,
                                  _stored(first))  # fmt: skip
    for signed in rest:
        record.record(EVENT_TYPES[signed.statement.type].event_class, _stored(signed))

    replayed: Any = None
    for event in record.collect_events():
        replayed = event.mutate(replayed)

    assert ("ตาก", 2) == (replayed.province, len(replayed.entries_of(PersonnelRecord.LeaveTaken)))


# An age retirement on its day.


def test_retirement_takes_effect_the_day_after_its_last_day(kit: LedgerKit) -> None:
    """Born 10/05/2503, the last day is 30/09/2563: a retirement effective 30/09/2564 is
    refused on ``effective`` naming 01/10/2563 in the Buddhist era; on 01/10/2563 it lands."""
    stream = in_service(kit, birth_date="1960-05-10")
    retired = {"last_day": "2020-09-30", "order": d.order("9/2563", "2020-08-20")}

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.hr, stream, "Retired", retired, effective=date(2021, 9, 30))
    kit.emit(kit.hr, stream, "Retired", retired, effective=date(2020, 10, 1))

    assert ("record.retirement_effective", "effective") == first_rule(refused)
    violation = refused.value.violations[0]
    assert "01/10/2563" in violation.th
    assert "01/10/2563" in violation.en
    assert "30/09/2564" in violation.th
