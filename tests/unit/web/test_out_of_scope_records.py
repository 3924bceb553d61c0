"""A record outside the reader's share answers, on every page that takes a record (or an id
that leads to one: an entry, a document's hash, a certificate's code), exactly as a record that
does not exist: the same status (404, as the API answers), the same page word for word but for
the id, in Thai, naming the rule. A role that may not read records at all keeps its 403.

The readers: another LAO's HR officer, the owner of another record of the same LAO, an auditor
of another province. Each route is asked once with the existing record (its entry, its document,
its certificate) and once with a random id that no stream has."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from ledger.domain.certificates import CertificateKind
from ledger.domain.permissions import Role, Scope
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, Operator
from tests.people import made_up_cid
from tests.unit.web.pdf_kit import person_record
from tests.unit.web.web_kit import log_in
from web.certificates import certified_data
from web.errors import NOT_READABLE

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"a made-up face" * 20
OWNER_CID = made_up_cid(640)
TAK_PROVINCE = Scope(level="province", province="ตาก")
CORRECTED = 4  # the record's salary line (RecordOpened, personal data, employment, salary)


class World:
    """A record of Nakhon Phanom's LAO with a photo bound and a certificate issued; the owner
    of another record there."""

    def __init__(self, client: TestClient, kit: LedgerKit) -> None:
        self.record = person_record(kit)
        log_in(client, kit.hr.signer)
        uploaded = client.post(
            "/app/documents",
            data={"stream": str(self.record), "kind": "photo"},
            files={"file": ("x", JPEG)},
        )
        assert 200 == uploaded.status_code, uploaded.text
        found = re.search(r"id=\"uploaded-sha256\" class=\"hash\">([0-9a-f]{64})<", uploaded.text)
        assert found is not None, uploaded.text
        self.sha = found.group(1)
        photo = {"year": 2563, "sha256": self.sha, "media_type": "image/jpeg"}
        kit.emit(kit.hr, self.record, "PhotoAttached", photo)
        record = kit.ledger.aggregate(self.record)
        certificate = certified_data(
            record, self.record, CertificateKind.SALARY, date(2019, 10, 1), "ประกอบการขอสินเชื่อ"
        )
        issued = date(2020, 1, 15)
        self.code = kit.emit(kit.hr, uuid.uuid4(), "CertificateIssued", certificate, issued).hash
        own = uuid.uuid4()
        kit.emit(kit.hr, own, "RecordOpened", d.record(NAKHON_PHANOM_LAO, cid=OWNER_CID))
        self.owner = kit.record_owner(own, NAKHON_PHANOM_LAO, OWNER_CID)
        self.auditor = kit.operator([Role.AUDITOR], TAK_PROVINCE)
        assert 200 == client.get(f"/app/records/{self.record}/documents/{self.sha}").status_code
        assert 200 == client.get(f"/app/records/{self.record}/certificates/new").status_code


@pytest.fixture
def world(client: TestClient, kit: LedgerKit) -> World:
    return World(client, kit)


Ask = Callable[[TestClient, str], Response]
"""One route asked about a record id (or, for a certificate, a code)."""

FORM = {"kind": "salary", "as_of": "๑/๑๐/๒๕๖๒", "purpose": "ประกอบการขอสินเชื่อ"}


def _get(path: str) -> Ask:
    return lambda client, record: client.get(path.format(record=record))


def _post(path: str, data: dict[str, str] | None = None) -> Ask:
    return lambda client, record: client.post(path.format(record=record), data=data or {})


RECORD_ROUTES: dict[str, Ask] = {
    "kp7": _get("/app/records/{record}"),
    "kp7 as of": _get("/app/records/{record}?as_of=1/10/2562&view=known"),
    "kp7 pdf": _get("/app/records/{record}/kp7.pdf"),
    "new entry types": _get("/app/records/{record}/new"),
    "new entry form": _get("/app/records/{record}/new/LeaveTaken"),
    "new entry posted": _post("/app/records/{record}/new/LeaveTaken"),
    "transfer arriving": _get("/app/records/{record}/new/TransferredIn"),
    "correct form": _get(f"/app/records/{{record}}/entries/{CORRECTED}/correct"),
    "correct posted": _post(f"/app/records/{{record}}/entries/{CORRECTED}/correct"),
    "void form": _get(f"/app/records/{{record}}/entries/{CORRECTED}/void"),
    "void posted": _post(f"/app/records/{{record}}/entries/{CORRECTED}/void"),
    "employment": _get("/app/records/{record}/employment"),
    "certificate form": _get("/app/records/{record}/certificates/new"),
    "certificate review": _post("/app/records/{record}/certificates/new", FORM),
    "upload": lambda client, record: client.post(
        "/app/documents",
        data={"stream": record, "kind": "photo"},
        files={"file": ("x", JPEG)},
    ),
}
OWNER_ROUTES: dict[str, Ask] = {
    "kp7": RECORD_ROUTES["kp7"],
    "kp7 pdf": RECORD_ROUTES["kp7 pdf"],
    "new entry types": RECORD_ROUTES["new entry types"],
    "change request form": _get("/app/records/{record}/new/ChangeRequestedByOwner"),
    "change request posted": _post(
        "/app/records/{record}/new/ChangeRequestedByOwner",
        {"section": "general", "proposal": "ขอแก้ไขที่อยู่"},
    ),
    "employment": RECORD_ROUTES["employment"],
}
AUDIT_ROUTES: dict[str, Ask] = {
    "history": _get("/app/audit/records/{record}"),
    "bundle": _get("/app/audit/bundles/record/{record}"),
}


def _same(client: TestClient, ask: Ask, existing: str, missing: str) -> Response:
    """The answer about ``existing``, once checked equal to the one about ``missing`` (status,
    type and body, the id aside)."""
    outside = ask(client, existing)
    unknown = ask(client, missing)
    assert outside.status_code == unknown.status_code
    assert outside.headers["content-type"] == unknown.headers["content-type"]
    assert outside.text.replace(existing, "ID") == unknown.text.replace(missing, "ID")
    return outside


def _not_found(answer: Response) -> None:
    """The ก.พ.๗ page's answer to a record one may not read: 404, Thai first, the rule."""
    assert 404 == answer.status_code, answer.text
    assert NOT_READABLE[0] in answer.text
    assert 'data-rule="stream.not_found"' in answer.text or "stream.not_found" in answer.text
    assert "ไม่พบหน้านี้" not in answer.text


@pytest.mark.parametrize("route", sorted(RECORD_ROUTES))
def test_another_laos_record_answers_as_none(
    route: str, client: TestClient, kit: LedgerKit, world: World
) -> None:
    """Tak's HR officer asking about Nakhon Phanom's record: the answer of a record that does
    not exist, 404 naming ``stream.not_found``, the menu's current page marked."""
    log_in(client, kit.other_hr.signer)

    answer = _same(client, RECORD_ROUTES[route], str(world.record), str(uuid.uuid4()))

    _not_found(answer)
    if route != "upload":
        assert 'id="nav-records" aria-current="page"' in answer.text


@pytest.mark.parametrize("route", sorted(OWNER_ROUTES))
def test_anothers_record_answers_the_owner_as_none(
    route: str, client: TestClient, world: World
) -> None:
    """The owner of another record of the same LAO: the answer of a record that does not exist."""
    log_in(client, world.owner.signer)

    answer = _same(client, OWNER_ROUTES[route], str(world.record), str(uuid.uuid4()))

    _not_found(answer)
    assert 'id="nav-own-record" aria-current' not in answer.text


def test_a_document_of_another_laos_record_answers_as_none(
    client: TestClient, kit: LedgerKit, world: World
) -> None:
    """The photo the record binds, asked by Tak's officer and by the owner of another record:
    the answer of a record that does not exist, whatever the hash."""
    for reader in (kit.other_hr, world.owner):
        log_in(client, reader.signer)
        ask = _get(f"/app/records/{{record}}/documents/{world.sha}")
        answer = _same(client, ask, str(world.record), str(uuid.uuid4()))
        _not_found(answer)
        assert b"JFIF" not in answer.content


def test_a_certificate_of_another_laos_record_answers_as_no_certificate(
    client: TestClient, kit: LedgerKit, world: World
) -> None:
    """The certificate's PDF, asked by Tak's officer and by the owner of another record: the
    404 of a code no certificate has, naming ``certificate.unknown``."""
    for reader in (kit.other_hr, world.owner):
        log_in(client, reader.signer)
        ask = _get("/app/certificates/{record}.pdf")
        answer = _same(client, ask, world.code, secrets.token_hex(32))
        assert 404 == answer.status_code
        assert "ไม่พบหนังสือรับรองที่มีรหัสตรวจสอบนี้" in answer.text
        assert "certificate.unknown" in answer.text
        assert "%PDF" not in answer.text


@pytest.mark.parametrize("route", sorted(AUDIT_ROUTES))
def test_another_provinces_auditor_finds_no_history(
    route: str, client: TestClient, world: World
) -> None:
    """An auditor of Tak asking for the record's history or bundle: as for a stream that does
    not exist (404), the audit menu marked."""
    log_in(client, world.auditor.signer)

    answer = _same(client, AUDIT_ROUTES[route], str(world.record), str(uuid.uuid4()))

    assert 404 == answer.status_code
    assert 'id="nav-audit" aria-current="page"' in answer.text


def test_a_role_that_reads_no_records_keeps_its_403(
    client: TestClient, kit: LedgerKit, world: World
) -> None:
    """An e-Plan officer of the record's own LAO reads no personnel records: the pages refuse
    her role (403, the same for the record and for none), not a record."""
    officer: Operator = kit.operator([Role.EPLAN_FINANCE], NAKHON_PHANOM_LAO)
    log_in(client, officer.signer)
    asks = [
        RECORD_ROUTES["kp7"],
        RECORD_ROUTES["kp7 pdf"],
        _get(f"/app/records/{{record}}/documents/{world.sha}"),
    ]

    answers = [_same(client, ask, str(world.record), str(uuid.uuid4())) for ask in asks]
    pdf = _same(client, _get("/app/certificates/{record}.pdf"), world.code, "0" * 64)

    assert [403] * 4 == [answer.status_code for answer in (*answers, pdf)]
    assert all(NOT_READABLE[0] not in answer.text for answer in answers)
