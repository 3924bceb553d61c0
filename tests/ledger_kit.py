"""A ready-made ledger for tests: genesis, an admin, two registered LAOs with an HR officer each,
helpers to sign."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ledger.application import Ledger, Receipt
from ledger.commitments import commit_data, commit_statement_data
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.operators import KeyStorage
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import Role, Scope
from ledger.errors import InvalidDataError
from ledger.genesis import compose, enrolment_data, initialise
from ledger.processes import lao_snapshot
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner, sign_statement
from ledger.statement import GENESIS_PREV_HASH, SignedStatement, SignerRef, build_statement
from tests import domain_data as d
from tests.people import ADMIN_CID, HR_CID, OTHER_HR_CID, fresh_cid, made_up_cid

SOFTWARE = KeyStorage(kind="software")
NAKHON_PHANOM_LAO = Scope(level="lao", province="นครพนม", lao="6480101")
TAK_LAO = Scope(level="lao", province="ตาก", lao="6630101")
REGISTERED_ON = date(2000, 1, 1)
"""When DLA registered the kit's two LAOs (before anything else of theirs takes effect)."""


@dataclass
class Operator:
    cid: str | None  # None: a record owner enrolled by her record (she signs v2, no cid)
    signer: SoftwareSigner = field(default_factory=SoftwareSigner.generate)


@dataclass
class LedgerKit:
    ledger: Ledger
    system: Operator
    admin: Operator
    hr: Operator  # HR officer of NAKHON_PHANOM_LAO
    other_hr: Operator  # HR officer of TAK_LAO
    seeds: Iterator[int] = field(default_factory=lambda: itertools.count(10_000))
    v2: bool = False  # sign statement v2: personal values committed, disclosed at submit
    disclosed: dict[str, dict[str, Any]] = field(default_factory=dict)  # by statement hash

    def sign(
        self,
        operator: Operator,
        *,
        stream: uuid.UUID,
        type: str,
        data: dict[str, Any],
        expected_version: int | None = None,
        prev_hash: str | None = None,
        effective: date = date(2019, 4, 1),
        v: int = 1,
    ) -> SignedStatement:
        """Sign a statement (format ``v``), at the stream's head unless a version and prev_hash
        are given; a retirement left at the default date takes effect the day after its last
        day (the rule ``record.retirement_effective``). A v2 kit (``v2``) signs v2 whatever
        ``v`` says: it commits the personal values and keeps the disclosures for ``submit``."""
        if type == "Retired" and effective == date(2019, 4, 1) and "last_day" in data:
            effective = date.fromisoformat(str(data["last_day"])) + timedelta(days=1)
        if expected_version is None or prev_hash is None:
            head_version, head_hash = self.ledger.head(stream)
            expected_version = head_version if expected_version is None else expected_version
            prev_hash = head_hash if prev_hash is None else prev_hash
        disclosures: dict[str, Any] = {}
        if (self.v2 or operator.cid is None) and v == 1:
            data, committed = commit_statement_data(type, stream, data)
            disclosures, v = {path: item.as_json() for path, item in committed.items()}, 2
        statement = build_statement(
            stream=stream,
            expected_version=expected_version,
            prev_hash=prev_hash,
            type=type,
            data=data,
            effective=effective,
            signer=SignerRef(cid=operator.cid, key=operator.signer.key_id),
            signed_at=datetime.now(UTC),
            v=v,
        )
        signed = sign_statement(statement, operator.signer)
        if disclosures:
            self.disclosed[signed.hash] = disclosures
        return signed

    def submit(self, signed: SignedStatement) -> Receipt:
        disclosures = self.disclosed.pop(signed.hash, None)
        return self.ledger.submit(signed.canonical, signed.signature, disclosures)

    def emit(
        self,
        operator: Operator,
        stream: uuid.UUID,
        type: str,
        data: dict[str, Any],
        effective: date = date(2019, 4, 1),
    ) -> Receipt:
        """Sign at the stream's head and submit."""
        return self.submit(
            self.sign(operator, stream=stream, type=type, data=data, effective=effective)
        )

    def sign_v2(
        self, operator: Operator, stream: uuid.UUID, type: str, data: dict[str, Any]
    ) -> tuple[SignedStatement, dict[str, Any]]:
        """A v2 statement at the stream's head (its personal values committed), and its
        disclosures as JSON."""
        committed, disclosures = commit_data(EVENT_TYPES[type].data_model, str(stream), data)
        signed = self.sign(operator, stream=stream, type=type, data=committed, v=2)
        return signed, {path: item.as_json() for path, item in disclosures.items()}

    def emit_v2(
        self, operator: Operator, stream: uuid.UUID, type: str, data: dict[str, Any]
    ) -> Receipt:
        """Sign a v2 statement at the stream's head and submit it with its disclosures (the
        ledger needs a vault)."""
        signed, disclosures = self.sign_v2(operator, stream, type, data)
        return self.ledger.submit(signed.canonical, signed.signature, disclosures)

    def chain(
        self,
        operator: Operator,
        stream: uuid.UUID,
        items: Sequence[tuple[str, dict[str, Any]]],
        *,
        start: tuple[int, str] | None = None,
        effective: date = date(2019, 4, 1),
    ) -> list[SignedStatement]:
        """Sign statements that follow one another on a stream (for one batch), from its
        head or from ``start`` = (version, head hash)."""
        version, head = start if start is not None else self.ledger.head(stream)
        signed = []
        for type_, data in items:
            statement = self.sign(
                operator,
                stream=stream,
                type=type_,
                data=data,
                expected_version=version,
                prev_hash=head,
                effective=effective,
            )
            signed.append(statement)
            version, head = version + 1, statement.hash
        return signed

    def submit_all(self, signed: Sequence[SignedStatement]) -> list[Receipt]:
        """Submit statements as one batch (all or none)."""
        disclosures = [self.disclosed.pop(s.hash, None) for s in signed]
        return self.ledger.submit_batch([(s.canonical, s.signature) for s in signed], disclosures)

    def operator(self, roles: Sequence[Role], scope: Scope, cid: str | None = None) -> Operator:
        """Enrol a new operator with a made-up citizen ID (or ``cid``)."""
        operator = Operator(cid=cid or made_up_cid(next(self.seeds)))
        enrol(self, operator, list(roles), scope)
        return operator

    def record_owner(self, record: uuid.UUID, scope: Scope, cid: str) -> Operator:
        """Enrol the owner of ``record`` (whose person has ``cid``): by her record on a ledger
        with a vault (her citizen ID nowhere in the log), by ``cid`` on one without."""
        if self.ledger.vault is None:
            return self.operator([Role.RECORD_OWNER], scope, cid=cid)
        operator = Operator(cid=None)
        enrol(self, operator, [Role.RECORD_OWNER], scope, record=record)
        return operator

    def open_record(
        self,
        operator: Operator | None = None,
        scope: Scope = NAKHON_PHANOM_LAO,
        cid: str | None = None,
    ) -> uuid.UUID:
        """Open a record (of ``cid``, else of a person of its own)."""
        stream = uuid.uuid4()
        data = record_data(scope, cid)
        self.submit(self.sign(operator or self.hr, stream=stream, type="RecordOpened", data=data))
        return stream

    def event_count(self) -> int:
        return self.ledger.recorder.max_notification_id() or 0


def memory_ledger(name: str) -> Iterator[Ledger]:
    """A fresh ledger in SQLite memory, closed after the test (a module's ``ledger`` fixture
    that overrides the root one, so ``kit`` uses it: ``yield from memory_ledger("rules")``)."""
    app = Ledger(LedgerSettings(database_url="sqlite:///:memory:", name=name))
    yield app
    app.close()


def first_rule(refused: pytest.ExceptionInfo[InvalidDataError]) -> tuple[str, str]:
    """The id of the first rule a refusal names, and the field it names."""
    violation = refused.value.violations[0]
    return violation.id, violation.field


def record_data(scope: Scope = NAKHON_PHANOM_LAO, cid: str | None = None) -> dict[str, Any]:
    """A record's header; without ``cid``, a person of its own (``people.fresh_cid``)."""
    return {
        "cid": cid or fresh_cid(),
        "category": "official",
        "lao": scope.lao,
        "province": scope.province,
        "birth_date": "1970-10-01",
    }


def education_data(n: int = 0) -> dict[str, Any]:
    return {
        "institution": "มหาวิทยาลัยขอนแก่น",
        "qualification": f"ปริญญาตรี {n}",
        "major": "รัฐประศาสนศาสตร์",
        "finished": "1992-03-31",
    }


def offline_chain(items: Sequence[tuple[str, dict[str, Any]]]) -> list[SignedStatement]:
    """Statements that follow one another on a new stream, signed by a fresh key with no
    ledger at all (for tests of the domain alone)."""
    signer, stream, head = SoftwareSigner.generate(), uuid.uuid4(), GENESIS_PREV_HASH
    chain = []
    for version, (type_, data) in enumerate(items):
        statement = build_statement(
            stream=stream,
            expected_version=version,
            prev_hash=head,
            type=type_,
            data=data,
            effective=date(2019, 4, 1),
            signer=SignerRef(cid=HR_CID, key=signer.key_id),
            signed_at=datetime.now(UTC),
        )
        chain.append(sign_statement(statement, signer))
        head = chain[-1].hash
    return chain


def enrol(
    kit: LedgerKit,
    operator: Operator,
    roles: list[Role],
    scope: Scope,
    record: uuid.UUID | None = None,
) -> Receipt:
    """The admin enrols ``operator`` (by citizen ID; a record owner by her ``record``)."""
    signed = compose(
        kit.ledger,
        stream=kit.ledger.registry_id,
        type="OperatorEnrolled",
        data=enrolment_data(
            cid=operator.cid,
            public_key=operator.signer.public_key,
            roles=roles,
            scope=scope,
            storage=SOFTWARE,
            record=record,
        ),
        signer=kit.admin.signer,
        cid=str(kit.admin.cid),
    )
    return kit.submit(signed)


def register(kit: LedgerKit, scope: Scope, **fields: str) -> Receipt:
    """DLA registers the LAO of ``scope`` (an SAO unless ``fields`` say otherwise)."""
    code, province = str(scope.lao), str(scope.province)
    data = d.organization(code, province, **fields)
    stream = organization_stream_id(code)
    return kit.emit(kit.admin, stream, "OrganizationRegistered", data, effective=REGISTERED_ON)


def build_kit(ledger: Ledger) -> LedgerKit:
    """Initialise ``ledger``, register two LAOs in different provinces and enrol an admin and
    an HR officer of each (an LAO is registered before its staff are enrolled). On a ledger
    with a vault that takes no v1 personal value (``Ledger.door``) the kit signs v2, as every
    client must there."""
    kit = LedgerKit(
        ledger=ledger,
        system=Operator(cid="system"),
        admin=Operator(cid=ADMIN_CID),
        hr=Operator(cid=HR_CID),
        other_hr=Operator(cid=OTHER_HR_CID),
        v2=not ledger.door.v1_personal,
    )
    initialise(
        ledger,
        system_signer=kit.system.signer,
        system_storage=SOFTWARE,
        admin_cid=kit.admin.cid,
        admin_public_key=kit.admin.signer.public_key,
        admin_storage=SOFTWARE,
    )
    register(kit, NAKHON_PHANOM_LAO)
    register(kit, TAK_LAO)
    enrol(kit, kit.hr, [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)
    enrol(kit, kit.other_hr, [Role.LAO_HR_OFFICER], TAK_LAO)
    return kit


def vault_settings(database_url: str, tmp_path: Path) -> LedgerSettings:
    """A fresh ledger's settings (tables of its own) with a vault of development key files."""
    return LedgerSettings(
        database_url=database_url,
        name=f"t{uuid.uuid4().hex[:12]}",
        vault_key_dir=tmp_path / "vault-keys",
    )


@contextmanager
def v1_client(kit: LedgerKit) -> Iterator[LedgerKit]:
    """What an old client writes in a transition period: a kit signing v1, on the same storage
    through a ledger that still takes v1 personal values (``accept_v1_personal``)."""
    ledger = Ledger(kit.ledger.settings.model_copy(update={"accept_v1_personal": True}))
    try:
        yield LedgerKit(ledger, kit.system, kit.admin, kit.hr, kit.other_hr)
    finally:
        ledger.close()


def submission(ledger: Ledger, lao: str, position: int | None = None) -> dict[str, Any]:
    """The data of a ``LaoDataSubmitted`` naming the LAO's snapshot at ``position`` (None: the
    log's end now), as the ledger computes it."""
    snapshot = lao_snapshot(ledger, lao, position)
    return {
        "snapshot_root": snapshot.root,
        "record_count": snapshot.record_count,
        "position": snapshot.position,
    }


__all__ = [
    "GENESIS_PREV_HASH",
    "LedgerKit",
    "Operator",
    "build_kit",
    "enrol",
    "first_rule",
    "offline_chain",
    "register",
    "submission",
    "v1_client",
    "vault_settings",
]
