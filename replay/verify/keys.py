"""The key registry as of signing time: which key could sign what, and when.

The registry stream (genesis, enrolments, revocations) is replayed into a ``KeyTimeline``: every
key ever enrolled with the notification ids of its enrolment and revocation. A key signs validly
after its enrolment and before its revocation, so a revoked key stays valid for what it signed
earlier. The genesis enrols the system key: the trust anchor, taken as found unless the auditor
pins it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.operators import EnrolmentData, GenesisData, RevocationData
from ledger.errors import MalformedStatementError
from ledger.signing import verify_signature
from ledger.statement import SYSTEM_CID, Statement, key_id_of, read_statement
from projections.transparency.checkpoints import log_origin
from replay.source import Decoded
from replay.verify.report import Failure, Report, first_line


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key, and the stretch of the log in which it may sign."""

    key_id: str
    public_key: bytes
    cid: str | None
    """None for a record owner enrolled by her record (she signs with a null cid)."""
    roles: frozenset[str]
    enrolled_at: int
    """Notification id of its enrolment (the genesis for the system key)."""
    revoked_at: int | None = None
    """Notification id of its revocation: it signs validly only before it."""


@dataclass
class KeyTimeline:
    """Every key ever enrolled, with when it was enrolled and revoked (by notification id)."""

    keys: dict[str, KeyRecord] = field(default_factory=dict)
    genesis_id: int | None = None
    system_key: KeyRecord | None = None
    failures: list[Failure] = field(default_factory=list)


def build_timeline(
    registry: Sequence[Decoded], ledger_name: str, trust_anchor: bytes | None = None
) -> KeyTimeline:
    """Replay the registry stream into the keys' validity, checking what the registry needs.

    Registry events that fail their signature or key check are left out (the event scan reports
    them); what only the registry can say (a bad genesis, an enrolment of nothing) is reported
    here.
    """
    timeline = KeyTimeline()
    for event in sorted(registry, key=lambda item: item.version):
        try:
            statement = read_statement(event.statement, event.signature).statement
        except MalformedStatementError:
            continue  # reported as malformed by the scan
        if event.version == 1:
            _read_genesis(timeline, event, statement, ledger_name, trust_anchor)
            continue
        if timeline.system_key is None:
            break
        if not _is_signed_validly(timeline, event, statement):
            continue  # the scan reports the key, role or signature failure
        try:
            _apply(timeline, event.notification_id, statement)
        except (ValidationError, ValueError) as error:
            timeline.failures.append(
                Failure(event.notification_id, "invalid-enrolment", first_line(error))
            )
    if timeline.system_key is None and not any(
        item.kind == "trust-anchor" for item in timeline.failures
    ):
        timeline.failures.append(Failure(None, "trust-anchor", "the ledger has no genesis"))
    return timeline


def _is_signed_validly(timeline: KeyTimeline, event: Decoded, statement: Statement) -> bool:
    """Signed by an enrolled key of the signer, valid then, whose roles may emit the type."""
    signer = timeline.keys.get(statement.signer.key)
    spec = EVENT_TYPES.get(statement.type)
    return not (
        signer is None
        or signer.cid != statement.signer.cid
        or validity(signer, event.notification_id, statement.type) is not None
        or spec is None
        or not {role.value for role in spec.roles} & signer.roles
        or not verify_signature(signer.public_key, event.statement, event.signature)
    )


def _apply(timeline: KeyTimeline, nid: int, statement: Statement) -> None:
    """An enrolment or a revocation; ``ValueError`` for anything else on the registry."""
    if statement.type == "OperatorEnrolled":
        data = EnrolmentData.model_validate(statement.data)
        if data.key_id in timeline.keys:
            raise ValueError(f"key {data.key_id} is already enrolled")
        if (data.cid is None) == (data.record is None):
            raise ValueError("an enrolment names a citizen ID or a personnel record, one of them")
        timeline.keys[data.key_id] = KeyRecord(
            key_id=data.key_id,
            public_key=bytes.fromhex(data.public_key),
            cid=data.cid,
            roles=frozenset(role.value for role in data.roles),
            enrolled_at=nid,
        )
    elif statement.type == "OperatorKeyRevoked":
        revocation = RevocationData.model_validate(statement.data)
        record = timeline.keys.get(revocation.key_id)
        if record is None or record.revoked_at is not None:
            raise ValueError(f"key {revocation.key_id} is not enrolled and unrevoked")
        if record is timeline.system_key:
            raise ValueError("the system key is the trust anchor and is not revoked")
        timeline.keys[revocation.key_id] = KeyRecord(
            record.key_id, record.public_key, record.cid, record.roles, record.enrolled_at, nid
        )
    else:
        raise ValueError(f"{statement.type} does not belong on the registry")


def _read_genesis(
    timeline: KeyTimeline,
    event: Decoded,
    statement: Statement,
    ledger_name: str,
    trust_anchor: bytes | None,
) -> None:
    nid = event.notification_id
    try:
        data = GenesisData.model_validate(statement.data)
    except ValidationError as error:
        timeline.failures.append(Failure(nid, "trust-anchor", first_line(error)))
        return
    public_key = bytes.fromhex(data.public_key)
    problems = []
    if statement.type != "LedgerInitialised":
        problems.append("the registry does not start with LedgerInitialised")
    if statement.signer.cid != SYSTEM_CID or statement.signer.key != data.key_id:
        problems.append("the genesis is not signed by the key it enrols")
    if data.ledger != ledger_name:
        problems.append(f"the genesis names ledger {data.ledger}, not {ledger_name}")
    if trust_anchor is not None and public_key != trust_anchor:
        problems.append(
            f"the genesis key {key_id_of(public_key)} is not the pinned trust anchor "
            f"{key_id_of(trust_anchor)}"
        )
    if not verify_signature(public_key, event.statement, event.signature):
        problems.append("the genesis signature does not verify under its own key")
    if problems:
        timeline.failures.append(Failure(nid, "trust-anchor", "; ".join(problems)))
        return
    record = KeyRecord(data.key_id, public_key, SYSTEM_CID, frozenset({"system"}), nid)
    timeline.keys[data.key_id] = record
    timeline.system_key = record
    timeline.genesis_id = nid


def validity(record: KeyRecord, nid: int, event_type: str) -> str | None:
    """The failure kind when the key could not sign at ``nid`` (not yet enrolled, or revoked)."""
    if nid < record.enrolled_at or (
        nid == record.enrolled_at and event_type != "LedgerInitialised"
    ):
        return "key-not-enrolled-yet"
    if record.revoked_at is not None and nid > record.revoked_at:
        return "revoked-key"
    return None


def origin_of(ledger_name: str, timeline: KeyTimeline) -> str | None:
    """The log's origin, from the ledger's name and its genesis system key."""
    system = timeline.system_key
    return log_origin(ledger_name, system.key_id) if system is not None else None


def describe_anchor(report: Report, timeline: KeyTimeline, pinned: bytes | None) -> None:
    """Say in the report which key is the trust anchor, and whether the auditor pinned it."""
    system = timeline.system_key
    report.trust_anchor = system.key_id if system is not None else None
    report.anchor_pinned = pinned is not None
    if pinned is None and system is not None:
        report.notes.append(
            f"the genesis key {system.key_id} was taken as found: pin it with --trust-anchor"
        )


__all__ = [
    "KeyRecord",
    "KeyTimeline",
    "build_timeline",
    "describe_anchor",
    "origin_of",
    "validity",
]
