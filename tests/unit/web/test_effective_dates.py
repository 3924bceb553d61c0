"""The effective date of a form's entry is never silently today: a blank one follows the
entry's own date (a leave's start, a corrected entry's effective date), else it is refused
beside its field in Thai and nothing is signed."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.test_entry_pages import _last, _record, _sign
from tests.unit.web.web_kit import log_in

LEAVE = {"leave_type": "sick", "start": "12/01/2563", "end": "14/01/2563", "days": "3"}


def test_blank_effective_leave_files_on_its_start(client: TestClient, kit: LedgerKit) -> None:
    """A sick leave of 12-14/01/2563 with the effective date blank is filed effective
    12/01/2563, not on the day it was typed."""
    stream = _record(kit)
    log_in(client, kit.hr.signer)

    receipt = _sign(client, client.post(f"/app/records/{stream}/new/LeaveTaken", data={
        **LEAVE, "effective": ""}), kit.hr)  # fmt: skip

    assert 201 == receipt.status_code, receipt.text
    event_type, statement, _, _ = _last(kit, stream)
    assert ("LeaveTaken", date(2020, 1, 12)) == (event_type, statement.effective)


def test_blank_effective_without_a_natural_date_is_refused(
    client: TestClient, kit: LedgerKit
) -> None:
    """A resignation's effective date left blank (its order has no effective date) is refused
    beside the field in Thai (422); no sign request is issued, nothing is signed."""
    stream = _record(kit)
    log_in(client, kit.hr.signer)
    before = len(kit.ledger.stream_events(stream))
    form = client.get(f"/app/records/{stream}/new/Resigned")

    page = client.post(f"/app/records/{stream}/new/Resigned", data={
        "order.number": "5/2563", "order.date": "01/02/2563", "order.issuer": "นายก อบต.",
    })  # fmt: skip

    assert 'id="field-effective"' in form.text
    assert "aria-required" in form.text
    assert 422 == page.status_code
    assert 'id="error-effective"' in page.text
    assert "ต้องกรอกวันที่มีผล" in page.text
    assert "data-sign-wire" not in page.text
    assert before == len(kit.ledger.stream_events(stream))


def test_correction_keeps_the_entrys_effective_date(client: TestClient, kit: LedgerKit) -> None:
    """A correction's form is prefilled with the corrected entry's effective date, and a blank
    one takes it too ("this entry, corrected"), never today."""
    stream = _record(kit)
    log_in(client, kit.hr.signer)
    _sign(client, client.post(f"/app/records/{stream}/new/LeaveTaken", data=LEAVE), kit.hr)
    version = len(kit.ledger.stream_events(stream))
    base = f"/app/records/{stream}/entries/{version}"

    form = client.get(f"{base}/correct")
    receipt = _sign(client, client.post(f"{base}/correct", data={
        "reason": "พิมพ์ผิด", "replacement.leave_type": "sick", "replacement.start": "12/01/2563",
        "replacement.end": "13/01/2563", "replacement.days": "2", "effective": "",
    }), kit.hr)  # fmt: skip
    void_form = client.get(f"/app/records/{stream}/entries/{version + 1}/void")

    assert 'value="12/01/2563"' in form.text.split('id="field-effective"')[1][:200]
    assert 201 == receipt.status_code, receipt.text
    assert date(2020, 1, 12) == _last(kit, stream)[1].effective
    assert 'value="12/01/2563"' in void_form.text.split('id="field-effective"')[1][:200]


def test_retirement_on_the_wrong_day_is_refused_beside_the_field(
    client: TestClient, kit: LedgerKit
) -> None:
    """Born 10/05/2504 (last day 30/09/2564): a retirement effective 30/09/2565 is refused
    beside the effective date in Thai, naming 01/10/2564; nothing is signed."""
    stream = _record(kit, birth="1961-05-10")
    log_in(client, kit.hr.signer)
    before = len(kit.ledger.stream_events(stream))

    page = client.post(f"/app/records/{stream}/new/Retired", data={
        "effective": "30/09/2565", "last_day": "30/09/2564", "order.number": "88/2564",
        "order.date": "01/09/2564", "order.issuer": "นายก อบต.",
    })  # fmt: skip

    assert 422 == page.status_code
    message = page.text.split('id="error-effective"')[1][:600]
    assert "record.retirement_effective" in message
    assert "01/10/2564" in message
    assert "data-sign-wire" not in page.text
    assert before == len(kit.ledger.stream_events(stream))
