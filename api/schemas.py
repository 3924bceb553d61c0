"""Request and response bodies of the HTTP API.

Bytes travel as standard padded base64 (DESIGN.md section 3) and hashes as lowercase hex.
``Base64Bytes`` decodes strictly: a character outside the alphabet, missing padding or a
non-string value fails validation, which the API answers 400 ``malformed-request``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode, b64encode
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from api.sessions import Challenge, Token
from ledger.application import Receipt, RecordedEvent
from ledger.domain.snapshot import LaoSnapshot, SnapshotLeaf
from ledger.errors import SnapshotNotFoundError
from ledger.merkle import leaf_hash
from ledger.statement import KEY_ID
from projections.reports.snapshots import SubmittedSnapshot
from projections.transparency.store import ConsistencyProof, InclusionProof, StoredCheckpoint

MAX_STATEMENT_BYTES = 256 * 1024
"""Largest statement the API reads; the base64 text is at most 4/3 of it."""

MAX_BATCH_ITEMS = 1000
"""Most statements in one batch (one transaction)."""


def _decode_base64(value: Any) -> bytes:
    if not isinstance(value, str):
        raise ValueError("must be a standard padded base64 string")
    if len(value) > 4 * (MAX_STATEMENT_BYTES // 3 + 1):
        raise ValueError(f"must encode at most {MAX_STATEMENT_BYTES} bytes")
    try:
        return b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("is not standard padded base64") from None


def encode_base64(raw: bytes) -> str:
    return b64encode(raw).decode("ascii")


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_decode_base64),
    WithJsonSchema({"type": "string", "contentEncoding": "base64"}),
]
"""Bytes sent as standard padded base64 text."""

KeyId = Annotated[str, Field(pattern=KEY_ID, description="First 16 hex of sha256(public key)")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProblemItem(BaseModel):
    """One rule a refused request broke: its id, the field, and what to put right."""

    rule: str = Field(description="The rule's id, e.g. date.two_digit_year (GET /rules)")
    field: str = Field(description="Where, as a dotted path, e.g. data.birth_date")
    th: str = Field(description="What is wrong, in Thai")
    en: str = Field(description="What is wrong, in English")


class RuleOut(BaseModel):
    """A rule of the catalogue: its id and what it says, in Thai and English."""

    id: str = Field(description="e.g. date.two_digit_year")
    th: str
    en: str


class LabelledOut(BaseModel):
    """A code with its Thai and English names."""

    th: str
    en: str


class StreamKindOut(LabelledOut):
    kind: str = Field(description="the aggregate, e.g. PersonnelRecord")
    derived_from: list[str] | None = Field(
        default=None, description="an opening whose stream these fields of its data name"
    )


class RoleOut(LabelledOut):
    role: str = Field(description="e.g. lao_hr_officer")


class EventTypeOut(LabelledOut):
    """An event type a statement may name: what it is called and who signs it on what."""

    type: str = Field(description="e.g. EducationAdded")
    stream: StreamKindOut
    opens_stream: bool = Field(description="whether it is the first event of a new stream")
    roles: list[RoleOut] = Field(description="the roles that may sign it")


class StreamHeadOut(BaseModel):
    """What a new statement on the stream signs against."""

    stream: UUID
    version: int = Field(description="the stream's version: a new statement's expected_version")
    hash: str = Field(description="the last event's hash: a new statement's prev_hash")
    kind: str = Field(description="the stream's kind (aggregate), e.g. PersonnelRecord")


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API answers.

    ``title_th`` says the same as ``title`` in Thai; a refusal for broken rules lists them in
    ``errors`` (and the first one's id in ``rule``), never echoing a citizen ID or a name.
    """

    type: str
    title: str
    status: int
    detail: str
    title_th: str | None = None
    rule: str | None = None
    errors: list[ProblemItem] | None = None


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    ledger: str
    initialised: bool


class SignedStatementIn(_Body):
    """One signed statement: the canonical bytes exactly as signed, and the signature; a v2
    statement also its disclosures (docs/personal-data.md)."""

    statement: Base64Bytes
    signature: Base64Bytes
    disclosures: dict[str, Any] | None = Field(
        default=None,
        description='v2 only: per personal path, {"value": the value, "salt": 32 bytes in '
        "base64}, checked against the statement's commitments and kept in the vault",
    )

    def as_pair(self) -> tuple[bytes, bytes]:
        return self.statement, self.signature


class StatementBatchIn(_Body):
    """Statements appended together in one transaction, or not at all."""

    items: list[SignedStatementIn] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)

    def as_pairs(self) -> list[tuple[bytes, bytes]]:
        return [item.as_pair() for item in self.items]

    def disclosures(self) -> list[dict[str, Any] | None]:
        return [item.disclosures for item in self.items]


class ReceiptOut(BaseModel):
    """Where an accepted statement landed: log position, stream, version and event hash."""

    notification_id: int
    stream: UUID
    version: int
    hash: str

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        return cls(
            notification_id=receipt.notification_id,
            stream=receipt.stream,
            version=receipt.version,
            hash=receipt.hash,
        )


class EventOut(BaseModel):
    """One stored event, as signed: enough for a client to verify it with the public keys."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    statement: str = Field(description="base64 of the canonical statement bytes")
    signature: str = Field(description="base64 of the 64-byte Ed25519 signature")
    hash: str
    prev_hash: str
    recorded_at: datetime

    @classmethod
    def of(cls, event: RecordedEvent) -> EventOut:
        return cls(
            notification_id=event.notification_id,
            stream=event.stream,
            version=event.version,
            type=event.type,
            statement=encode_base64(event.statement),
            signature=encode_base64(event.signature),
            hash=event.hash,
            prev_hash=event.prev_hash,
            recorded_at=event.recorded_at,
        )


class ChallengeIn(_Body):
    key_id: KeyId


class ChallengeOut(BaseModel):
    challenge: str = Field(description="base64; sign sha256(session context + these bytes)")
    expires_at: datetime

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeOut:
        return cls(challenge=encode_base64(challenge.value), expires_at=challenge.expires_at)


class SessionIn(_Body):
    key_id: KeyId
    challenge: Base64Bytes
    signature: Base64Bytes


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth token type, not a secret)
    expires_at: datetime

    @classmethod
    def of(cls, token: Token) -> TokenOut:
        return cls(access_token=token.value, expires_at=token.expires_at)


class CheckpointOut(BaseModel):
    """A signed checkpoint of the transparency log: its fields and the C2SP signed note."""

    tree_size: int
    root_hash: str = Field(description="hex of the Merkle tree root")
    issued_at: datetime
    note: str = Field(description="the checkpoint as a C2SP signed note (tlog-checkpoint)")

    @classmethod
    def of(cls, checkpoint: StoredCheckpoint) -> CheckpointOut:
        return cls(
            tree_size=checkpoint.tree_size,
            root_hash=checkpoint.root_hash.hex(),
            issued_at=checkpoint.issued_at,
            note=checkpoint.note,
        )


class InclusionProofOut(BaseModel):
    """Where an event sits in the log: RFC 9162 inclusion proof of its leaf in a checkpoint."""

    notification_id: int
    leaf_index: int
    tree_size: int
    event_hash: str = Field(description="hex of the event hash (the leaf's data)")
    leaf_hash: str = Field(description="hex of SHA-256(0x00 || event hash)")
    proof: list[str] = Field(description="hex hashes, leaf level first (RFC 9162 2.1.3)")
    checkpoint: CheckpointOut

    @classmethod
    def of(cls, found: InclusionProof) -> InclusionProofOut:
        return cls(
            notification_id=found.notification_id,
            leaf_index=found.leaf_index,
            tree_size=found.checkpoint.tree_size,
            event_hash=found.event_hash.hex(),
            leaf_hash=leaf_hash(found.event_hash).hex(),
            proof=[item.hex() for item in found.proof],
            checkpoint=CheckpointOut.of(found.checkpoint),
        )


class SnapshotOut(BaseModel):
    """An LAO's snapshot at a log position: what a ``LaoDataSubmitted`` names (docs/domain.md,
    "The snapshot")."""

    lao: str
    position: int = Field(description="the log position (notification id) it was taken at")
    root: str = Field(description="hex of the RFC 9162 Merkle root over the leaves")
    record_count: int

    @classmethod
    def of(cls, snapshot: LaoSnapshot) -> SnapshotOut:
        return cls(
            lao=snapshot.lao,
            position=snapshot.position,
            root=snapshot.root,
            record_count=snapshot.record_count,
        )


class SnapshotLeafOut(BaseModel):
    """One record a snapshot covers: its stream and its latest event at the position."""

    stream: UUID
    version: int
    hash: str = Field(description="hex of the event hash")

    @classmethod
    def of(cls, leaf: SnapshotLeaf) -> SnapshotLeafOut:
        return cls(stream=leaf.stream, version=leaf.version, hash=leaf.hash)


class SubmittedSnapshotOut(SnapshotOut):
    """What a submitted snapshot covers, leaf by leaf in tree order."""

    cycle: str = Field(description="the certification cycle whose submission named the root")
    records: list[SnapshotLeafOut]

    @classmethod
    def of_submitted(cls, found: SubmittedSnapshot) -> SubmittedSnapshotOut:
        return cls(
            **SnapshotOut.of(found.snapshot).model_dump(),
            cycle=found.cycle,
            records=[SnapshotLeafOut.of(leaf) for leaf in found.snapshot.leaves],
        )


class SnapshotInclusionOut(SnapshotOut):
    """One record's place in a submitted snapshot: its leaf and RFC 9162 inclusion proof.

    A client checks it with ``ledger.merkle.verify_inclusion(leaf_index, record_count,
    leaf_hash, proof, root)``, where the leaf's data is ``"<stream>:<version>:<hash>"``."""

    cycle: str
    record: SnapshotLeafOut
    leaf_index: int
    leaf: str = Field(description='the leaf data, "<stream>:<version>:<hash>" in ASCII')
    leaf_hash: str = Field(description="hex of SHA-256(0x00 || leaf data)")
    proof: list[str] = Field(description="hex hashes, leaf level first (RFC 9162 2.1.3)")

    @classmethod
    def of_record(cls, found: SubmittedSnapshot, stream: UUID) -> SnapshotInclusionOut:
        """The inclusion of ``stream``'s leaf (``SnapshotNotFoundError`` when not covered)."""
        snapshot = found.snapshot
        index = snapshot.index_of(stream)
        if index is None:
            raise SnapshotNotFoundError(f"snapshot {snapshot.root} does not cover {stream}")
        leaf = snapshot.leaves[index]
        return cls(
            **SnapshotOut.of(snapshot).model_dump(),
            cycle=found.cycle,
            record=SnapshotLeafOut.of(leaf),
            leaf_index=index,
            leaf=leaf.encode().decode("ascii"),
            leaf_hash=leaf_hash(leaf.encode()).hex(),
            proof=[item.hex() for item in snapshot.inclusion_proof(index)],
        )


class ConsistencyProofOut(BaseModel):
    """The RFC 9162 consistency proof that an older checkpoint's tree is a prefix of a newer."""

    old_size: int
    new_size: int
    proof: list[str] = Field(description="hex hashes (RFC 9162 2.1.4)")
    old: CheckpointOut
    new: CheckpointOut

    @classmethod
    def of(cls, found: ConsistencyProof) -> ConsistencyProofOut:
        return cls(
            old_size=found.old.tree_size,
            new_size=found.new.tree_size,
            proof=[item.hex() for item in found.proof],
            old=CheckpointOut.of(found.old),
            new=CheckpointOut.of(found.new),
        )
