"""The operator registry (ทะเบียนผู้ปฏิบัติงาน): which key belongs to whom, with which roles and scope.

One stream per ledger holds the genesis and every enrolment and revocation, so the key registry
as of any point in the log is the replay of one stream. The genesis enrols the system key and is
signed by that same key (the trust anchor); every later key is enrolled by a key enrolled before.
A citizen ID has at most one active key; a revoked key stays valid for what it signed earlier.

An officer is enrolled by her citizen ID (``cid``), which every statement she signs names. A
record owner, a citizen reading and asking about her own record rather than an officer in
office, is enrolled by her personnel record (``record``, its stream id) instead: her citizen ID
is in neither the enrolment nor her signatures (``SignerRef.cid`` null), and her own record is
the one her enrolment names. A record has at most one active owner key.

An enrolment's scope names real places: a province scope one of the 77 provinces, an LAO scope a
registered, active organization in the province of its registration (the registry reads that
organization's stream, so an LAO is registered before its staff are enrolled). The genesis and
the first admin's enrolment name no LAO and read nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ledger.domain.base import CheckContext, LedgerAggregate, LedgerCreated, LedgerEvent, broken
from ledger.domain.organizations import organization_stream_id, registered_organization
from ledger.domain.permissions import NATIONAL, Role, Scope
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.provinces import check_province
from ledger.domain.rules import is_valid_cid
from ledger.domain.values import Paragraphs
from ledger.statement import HEX64, KEY_ID, Statement, key_id_of
from ledger.violations import rule

KEY_ENROLLED = rule(
    "operator.key_enrolled",
    "กุญแจ {key_id} ลงทะเบียนไว้แล้ว",
    "key {key_id} is already enrolled",
)
ACTIVE_KEY = rule(
    "operator.active_key",
    "ผู้ปฏิบัติงานรายนี้มีกุญแจที่ใช้งานอยู่แล้ว ({key_id}): เพิกถอนกุญแจเดิมก่อนลงทะเบียนกุญแจใหม่",
    "this operator already has the active key {key_id}: revoke it first",
)
ACTIVE_KEY_ELSEWHERE = rule(
    "operator.active_key_elsewhere",
    "ผู้ปฏิบัติงานรายนี้มีกุญแจที่ใช้งานอยู่แล้วนอกขอบเขตของท่าน: ผู้ดูแลระบบซึ่งมีขอบเขตครอบคลุม"
    "กุญแจนั้น (หรือ สถ.) ต้องเพิกถอนกุญแจเดิมก่อน",
    "this operator already has an active key outside your scope: an administrator whose scope "
    "covers it (or DLA) revokes it first",
)
"""``operator.active_key`` told to an enrolling key whose scope does not cover the active
key's: neither the key nor where it acts is named."""
KEY_NOT_ENROLLED = rule(
    "operator.key_not_enrolled",
    "กุญแจ {key_id} ยังไม่ได้ลงทะเบียน",
    "key {key_id} is not enrolled",
)
KEY_REVOKED = rule(
    "operator.key_revoked",
    "กุญแจ {key_id} ถูกเพิกถอนแล้ว",
    "key {key_id} is already revoked",
)
CID_OR_RECORD = rule(
    "operator.cid_or_record",
    "การลงทะเบียนกุญแจต้องระบุเลขประจำตัวประชาชน (cid) ของผู้ปฏิบัติงาน หรือทะเบียนประวัติ (record) "
    "ของเจ้าของประวัติ อย่างใดอย่างหนึ่งเท่านั้น",
    "an enrolment names either the operator's citizen ID (cid) or the record owner's personnel "
    "record (record), exactly one of them",
)
OWNER_ROLES = rule(
    "operator.owner_roles",
    "การลงทะเบียนตามทะเบียนประวัติ (record) ใช้กับเจ้าของประวัติเท่านั้น: บทบาทต้องเป็น record_owner อย่างเดียว",
    "an enrolment by personnel record (record) is a record owner's: its roles are exactly "
    "[record_owner]",
)
OWNER_RECORD = rule(
    "operator.owner_record",
    "ไม่พบทะเบียนประวัติ {record} ที่เจ้าของประวัติจะลงทะเบียนตาม",
    "there is no personnel record {record} to enrol its owner by",
)
OWNER_SCOPE = rule(
    "operator.owner_scope",
    "ขอบเขตของเจ้าของประวัติ ({scope_th}) ต้องครอบคลุมทะเบียนประวัติของตน ({record_scope_th})",
    "a record owner's scope ({scope}) must cover her record's ({record_scope})",
)
RECORD_ACTIVE_KEY = rule(
    "operator.record_active_key",
    "เจ้าของทะเบียนประวัตินี้มีกุญแจที่ใช้งานอยู่แล้ว ({key_id}): เพิกถอนกุญแจเดิมก่อนลงทะเบียนกุญแจใหม่",
    "this record's owner already has the active key {key_id}: revoke it first",
)
SYSTEM_KEY = rule(
    "operator.system_key",
    "กุญแจของระบบเป็นจุดยึดความเชื่อถือ (trust anchor) จึงเพิกถอนไม่ได้",
    "the system key is the trust anchor and is not revoked",
)


def registry_stream_id(ledger_name: str) -> UUID:
    """The operator registry's stream id, derived from the ledger's name (one per ledger)."""
    return uuid5(NAMESPACE_URL, f"urn:thai-lgov-ledger:{ledger_name}:operators")


class KeyStorage(BaseModel):
    """Where the private key lives: a smart card, a PKCS#11 token, or (development) software."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["openpgp-card", "pkcs11", "software"]
    serial: str | None = Field(default=None, max_length=128)


class _KeyData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    public_key: str = Field(pattern=r"^[0-9a-f]{64}$")
    key_id: str = Field(pattern=KEY_ID)
    key_storage: KeyStorage

    @model_validator(mode="after")
    def _key_id_matches(self) -> _KeyData:
        expected = key_id_of(bytes.fromhex(self.public_key))
        if self.key_id != expected:
            raise ValueError(f"key_id {self.key_id} is not the id of public_key ({expected})")
        return self


class GenesisData(_KeyData):
    """The first event of a ledger: its name and the system key that signs it."""

    ledger: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")


class EnrolmentData(_KeyData):
    """An operator's key binding: citizen ID (or, for a record owner, her personnel record) ->
    public key -> storage -> roles -> scope. ``record`` came later: an enrolment stored before
    it names a citizen ID and reads as it always did."""

    cid: str | None = None
    record: UUID | None = None
    roles: list[Role] = Field(min_length=1)
    scope: Scope

    @field_validator("cid")
    @classmethod
    def _cid_checksum(cls, cid: str | None) -> str | None:
        if cid is not None and not is_valid_cid(cid):
            raise ValueError("citizen ID must be 13 digits with a valid check digit")
        return cid

    @field_validator("roles")
    @classmethod
    def _no_system_role(cls, roles: list[Role]) -> list[Role]:
        if Role.SYSTEM in roles:
            raise ValueError("the system role belongs to the genesis key only")
        if len(set(roles)) != len(roles):
            raise ValueError("roles must not repeat")
        return roles


class RevocationData(BaseModel):
    """Ends a key: it signs nothing new from the moment the revocation is recorded."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key_id: str = Field(pattern=KEY_ID)
    reason: Paragraphs = Field(min_length=1, max_length=500)


@dataclass
class Enrolment:
    """One enrolled key as the registry knows it."""

    key_id: str
    public_key: bytes
    cid: str | None  # None for a record owner enrolled by her record
    roles: frozenset[Role]
    scope: Scope
    key_storage: KeyStorage
    enrolled_at: datetime
    enrolment_hash: str
    revoked_at: datetime | None = None
    enrolled_by: str = ""  # the key that signed the enrolment (the genesis: itself)
    revoked_by: str | None = None  # the key that signed the revocation
    revocation_reason: str | None = None
    record: UUID | None = None  # the personnel record of an owner enrolled by it

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass
class _RegistryState:
    keys: dict[str, Enrolment] = field(default_factory=dict)
    active_key_by_cid: dict[str, str] = field(default_factory=dict)
    active_key_by_record: dict[UUID, str] = field(default_factory=dict)


class OperatorRegistry(LedgerAggregate):
    """ทะเบียนผู้ปฏิบัติงาน: the ledger's genesis and its key registry, one stream per ledger."""

    def __init__(self) -> None:
        self.state = _RegistryState()
        self.ledger_name = ""
        self.system_key_id = ""

    # The genesis is the only event whose signer is the key it enrols.
    class LedgerInitialised(LedgerCreated["OperatorRegistry", GenesisData]):
        roles = frozenset({Role.SYSTEM})

        @classmethod
        def opening_scope(cls, data: GenesisData) -> Scope:
            return NATIONAL

        def evolve_with(
            self, registry: OperatorRegistry, statement: Statement, data: GenesisData
        ) -> None:
            registry.ledger_name = data.ledger
            registry.system_key_id = data.key_id
            registry.state.keys[data.key_id] = Enrolment(
                key_id=data.key_id,
                public_key=bytes.fromhex(data.public_key),
                cid=statement.signer.cid,
                roles=frozenset({Role.SYSTEM}),
                scope=NATIONAL,
                key_storage=data.key_storage,
                enrolled_at=self.timestamp,
                enrolment_hash=self.hash,
                enrolled_by=data.key_id,
            )

    class OperatorEnrolled(LedgerEvent["OperatorRegistry", EnrolmentData]):
        roles = frozenset({Role.SYSTEM, Role.DLA_ADMIN})

        @classmethod
        def target_scope(cls, registry: OperatorRegistry, data: EnrolmentData) -> Scope:
            return data.scope  # the enrolling key must cover the scope it grants

        @classmethod
        def related_streams(
            cls, registry: OperatorRegistry | None, data: EnrolmentData
        ) -> Collection[UUID]:
            lao = data.scope.lao
            streams = [organization_stream_id(lao)] if lao is not None else []
            if data.record is not None:
                streams.append(data.record)  # the owner's record: it exists, in her scope
            return streams

        @classmethod
        def check_with(
            cls, registry: OperatorRegistry, data: EnrolmentData, context: CheckContext
        ) -> None:
            scope = data.scope
            if scope.province is not None:
                check_province(cls, scope.province, "data.scope.province")
            if scope.lao is not None and scope.province is not None:
                fields = ("data.scope.lao", "data.scope.province")
                registered_organization(cls, context, scope.lao, scope.province, fields)
            if data.record is not None:
                cls._check_owner_record(registry, data, data.record, context)
            elif data.cid is not None:
                cls._check_active_key(registry, data.cid, context)

        @classmethod
        def _check_active_key(
            cls, registry: OperatorRegistry, cid: str, context: CheckContext
        ) -> None:
            """One active key per operator: the key is named to an enrolling key whose scope
            covers it, anyone else is told only that there is one outside her scope."""
            active = registry.state.active_key_by_cid.get(cid)
            if active is None:
                return
            scope = context.actor.scope
            if scope is None or scope.covers(registry.state.keys[active].scope):
                raise broken(cls, ACTIVE_KEY, "data.cid", key_id=active)
            raise broken(cls, ACTIVE_KEY_ELSEWHERE, "data.cid")

        @classmethod
        def _check_owner_record(
            cls,
            registry: OperatorRegistry,
            data: EnrolmentData,
            record: UUID,
            context: CheckContext,
        ) -> None:
            """The record an owner is enrolled by is a personnel record her scope covers (an
            erased one cannot be read: ``person.erased``), and has no active owner key. The
            enrolling key covers the scope it grants (``target_scope``), so it covers the
            record too; a record outside the enrolling key's scope is answered as one that does
            not exist (``operator.owner_record``), neither located nor said to have a key."""
            found = context.find_seen(record, PersonnelRecord)
            if found is None:  # or outside the enrolling key's scope: not located for it
                raise broken(cls, OWNER_RECORD, "data.record", record=str(record))
            record_scope = found.read_scope()
            if not data.scope.covers(record_scope):
                raise broken(
                    cls,
                    OWNER_SCOPE,
                    "data.scope",
                    scope=data.scope.describe(),
                    scope_th=data.scope.describe_th(),
                    record_scope=record_scope.describe(),
                    record_scope_th=record_scope.describe_th(),
                )
            active = registry.state.active_key_by_record.get(record)
            if active is not None:  # asked once the record is known to be the signer's to see
                raise broken(cls, RECORD_ACTIVE_KEY, "data.record", key_id=active)

        @classmethod
        def check(cls, registry: OperatorRegistry, data: EnrolmentData) -> None:
            if data.key_id in registry.state.keys:
                raise broken(cls, KEY_ENROLLED, "data.key_id", key_id=data.key_id)
            if (data.cid is None) == (data.record is None):
                raise broken(cls, CID_OR_RECORD, "data.cid")
            if data.record is not None:
                if data.roles != [Role.RECORD_OWNER]:
                    raise broken(cls, OWNER_ROLES, "data.roles")
                return  # the record's own rules read it: ``check_with``

        def evolve_with(
            self, registry: OperatorRegistry, statement: Statement, data: EnrolmentData
        ) -> None:
            registry.state.keys[data.key_id] = Enrolment(
                key_id=data.key_id,
                public_key=bytes.fromhex(data.public_key),
                cid=data.cid,
                roles=frozenset(data.roles),
                scope=data.scope,
                key_storage=data.key_storage,
                enrolled_at=self.timestamp,
                enrolment_hash=self.hash,
                enrolled_by=statement.signer.key,
                record=data.record,
            )
            if data.record is not None:
                registry.state.active_key_by_record[data.record] = data.key_id
            elif data.cid is not None:
                registry.state.active_key_by_cid[data.cid] = data.key_id

    class OperatorKeyRevoked(LedgerEvent["OperatorRegistry", RevocationData]):
        roles = frozenset({Role.SYSTEM, Role.DLA_ADMIN})

        @classmethod
        def target_scope(cls, registry: OperatorRegistry, data: RevocationData) -> Scope:
            enrolment = registry.state.keys.get(data.key_id)  # the revoker covers the key's
            return enrolment.scope if enrolment else NATIONAL

        @classmethod
        def check(cls, registry: OperatorRegistry, data: RevocationData) -> None:
            enrolment = registry.state.keys.get(data.key_id)
            if enrolment is None:
                raise broken(cls, KEY_NOT_ENROLLED, "data.key_id", key_id=data.key_id)
            if enrolment.is_revoked:
                raise broken(cls, KEY_REVOKED, "data.key_id", key_id=data.key_id)
            if Role.SYSTEM in enrolment.roles:
                raise broken(cls, SYSTEM_KEY, "data.key_id")

        def evolve_with(
            self, registry: OperatorRegistry, statement: Statement, data: RevocationData
        ) -> None:
            enrolment = registry.state.keys[data.key_id]
            enrolment.revoked_at = self.timestamp
            enrolment.revoked_by = statement.signer.key
            enrolment.revocation_reason = data.reason
            by_cid, by_record = (
                registry.state.active_key_by_cid,
                registry.state.active_key_by_record,
            )
            if enrolment.cid is not None and by_cid.get(enrolment.cid) == data.key_id:
                del by_cid[enrolment.cid]
            if enrolment.record is not None and by_record.get(enrolment.record) == data.key_id:
                del by_record[enrolment.record]

    # Queries.

    def enrolment(self, key_id: str) -> Enrolment | None:
        return self.state.keys.get(key_id)

    def enrolments(self) -> list[Enrolment]:
        return list(self.state.keys.values())

    def read_scope(self) -> Scope:
        # The registry names every operator of the ledger: national readers only.
        return NATIONAL


__all__ = [
    "HEX64",
    "Enrolment",
    "EnrolmentData",
    "GenesisData",
    "KeyStorage",
    "OperatorRegistry",
    "RevocationData",
    "registry_stream_id",
]
