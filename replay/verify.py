"""Verify a ledger from its stored bytes: signatures, chains, the key registry, the Merkle log.

``verify_database`` recomputes, without trusting anything the server computed:

* every event: its hash (``sha256(statement || signature)`` against the stored one), its binding
  (the signed ``stream``/``expected_version`` against where it is stored, the signed ``type``
  against the stored event class), its signer's key against the enrolment registry *as of its
  notification id* (enrolled before it, not revoked before it: a revoked key stays valid for what
  it signed earlier), the signer's role for the type, and the Ed25519 signature;
* every stream's hash chain (versions 1, 2, 3... each naming the previous event's hash) and the
  notification log's gaplessness (a missing id is a deleted event);
* the transparency log: each stored leaf against the recomputed event hash, every checkpoint's
  signature (the genesis system key, under the log's origin), its root against the Merkle tree
  recomputed from the events, and a consistency proof between each two consecutive checkpoints;
* checkpoints the auditor kept from earlier (``kept``): a rewritten log no longer hashes to them.

Each failure names its notification id and a kind (``KINDS``). Events are checked in chunks of
notification ids across processes (one per core; each reads its own chunk from the database),
while this process links the chains and assembles the tree as chunks come back in order.

By default a statement's fields are read with a strict pattern of its canonical layout; a
statement that does not fit is parsed fully, and ``strict=True`` parses (and validates the data
of) every statement, at several times the cost. The genesis is trusted as found unless the
auditor pins the system key (``trust_anchor``).
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import re
import struct
import time
from array import array
from binascii import hexlify, unhexlify
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import nacl.exceptions
import nacl.signing
from eventsourcing.utils import get_topic
from nacl.bindings import crypto_sign_open
from pydantic import ValidationError

from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.operators import (
    EnrolmentData,
    GenesisData,
    RevocationData,
    registry_stream_id,
)
from ledger.errors import MalformedStatementError
from ledger.merkle import (
    HASH_SIZE,
    consistency_ranges,
    leaf_hash,
    range_hash,
    verify_consistency,
)
from ledger.statement import GENESIS_PREV_HASH, SYSTEM_CID, key_id_of, read_statement
from ledger.stored import StoredEventError, read_signed_state
from projections.transparency.checkpoints import Checkpoint, log_origin, open_checkpoint
from projections.transparency.errors import CheckpointError
from replay.source import CheckpointRow, DatabaseSource, PackedRow, RawRow, unpack_row

KINDS: dict[str, str] = {
    "malformed": "the stored event or its statement cannot be read",
    "hash-mismatch": "the stored event hash is not sha256(statement || signature)",
    "position-mismatch": "the statement is signed for another stream or version than stored at",
    "type-mismatch": "the stored event class (topic) is not the signed statement's type",
    "time-mismatch": "the stored transaction time differs from the one the log took in",
    "invalid-data": "the statement's data fails its event type's model (strict mode)",
    "invalid-genesis": "a genesis statement anywhere but at the start of the registry",
    "unknown-key": "the signer's key is not enrolled, or not for the citizen ID that signed",
    "key-not-enrolled-yet": "the signing key was enrolled only after this event",
    "revoked-key": "the signing key was revoked before this event",
    "forbidden-role": "the signer's roles may not emit this type",
    "bad-signature": "the Ed25519 signature does not verify under the enrolled key",
    "broken-chain": "prev_hash is not the hash of the stream's previous event",
    "version-gap": "the stream skips versions before this event (an event is missing)",
    "version-order": "the stream's versions go backwards or repeat at this event",
    "missing-event": "no event holds this notification id (deleted, or the log has a gap)",
    "leaf-mismatch": "the transparency log holds another hash for this notification, or none",
    "trust-anchor": "the genesis is missing, malformed, or not the pinned system key",
    "invalid-enrolment": "a registry event that enrols or revokes nothing valid",
    "checkpoint-signature": "a checkpoint is malformed or its signature does not verify",
    "bundle-digest": "the bundle's bytes are not the ones it was sealed with",
    "bundle-malformed": "a line of the bundle is not canonical JSON of the expected shape",
    "checkpoint-root": "the events no longer hash to a checkpoint's root (the log was changed)",
    "checkpoint-inconsistent": "a checkpoint is not an extension of the one before it",
    "kept-checkpoint": "a checkpoint kept by the auditor does not match the log",
}
"""Every kind of failure, and what it means."""

CHUNK_BITS = 13
CHUNK_SIZE = 1 << CHUNK_BITS
"""Events per work unit: a power of two, so a complete chunk is a perfect subtree of the log."""

PARALLEL_THRESHOLD = 4 * CHUNK_SIZE
"""Below this many events, processes cost more to start than they save."""

ZERO_HASH = bytes(HASH_SIZE)
_GENESIS_PREV = bytes.fromhex(GENESIS_PREV_HASH)
_RECORD = struct.Struct("<16sqq32s32sB")
_HAS_PREV = 1
_VERIFY_KEYS: dict[bytes, nacl.signing.VerifyKey] = {}
"""Verify keys by public key, built once per process (there may be tens of thousands)."""
_FAST_HEAD = re.compile(
    rb'\{"timestamp":\{"_type_":"datetime_iso","_data_":"([0-9A-Za-z:.+\-]{1,64})"\}'
    rb'(?:,"originator_topic":"([A-Za-z0-9_.:]{1,300})")?,"statement":"'
)
"""The start of a stored event's state as the library writes it (see ``ledger.stored``)."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that does not verify, and where."""

    notification_id: int | None
    kind: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"notification_id": self.notification_id, "kind": self.kind, "detail": self.detail}


@dataclass
class Report:
    """What a verification found."""

    ledger: str
    events: int = 0
    streams: int = 0
    tree_size: int = 0
    checkpoints: int = 0
    kept_checkpoints: int = 0
    transparency_log: bool = False
    trust_anchor: str | None = None
    anchor_pinned: bool = False
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def sort(self) -> None:
        self.failures.sort(
            key=lambda item: (
                item.notification_id is None,
                item.notification_id or 0,
                item.kind,
                item.detail,
            )
        )

    def failing_ids(self) -> list[int]:
        return sorted({f.notification_id for f in self.failures if f.notification_id is not None})

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "ledger": self.ledger,
            "events": self.events,
            "streams": self.streams,
            "transparency_log": {
                "present": self.transparency_log,
                "tree_size": self.tree_size,
                "checkpoints": self.checkpoints,
            },
            "kept_checkpoints": self.kept_checkpoints,
            "trust_anchor": {"key_id": self.trust_anchor, "pinned": self.anchor_pinned},
            "seconds": round(self.seconds, 3),
            "failing_notification_ids": self.failing_ids(),
            "failures": [item.as_json() for item in self.failures],
            "notes": self.notes,
        }


# The key registry as of signing time.


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """One key, and the stretch of the log in which it may sign."""

    key_id: str
    public_key: bytes
    cid: str
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


@dataclass(frozen=True, slots=True)
class Decoded:
    """A stored event's position and signed fields (from a database row or a bundle line)."""

    notification_id: int
    stream: bytes
    version: int
    topic: str
    statement: bytes
    signature: bytes
    claimed_hash: str
    recorded_at: str


def decode_row(row: RawRow) -> Decoded | Failure:
    """A database row's signed fields, or the failure saying it has none."""
    nid, stream, version, topic, state = row
    try:
        statement, signature, claimed, recorded_at, _ = read_signed_state(state)
    except StoredEventError as error:
        return Failure(nid, "malformed", str(error))
    return Decoded(nid, stream, version, topic, statement, signature, claimed, recorded_at)


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
            signed = read_statement(event.statement, event.signature)
        except MalformedStatementError:
            continue  # reported as malformed by the scan
        statement = signed.statement
        nid = event.notification_id
        if event.version == 1:
            _read_genesis(timeline, event, statement, ledger_name, trust_anchor)
            continue
        if timeline.system_key is None:
            break
        signer = timeline.keys.get(statement.signer.key)
        spec = EVENT_TYPES.get(statement.type)
        if (
            signer is None
            or signer.cid != statement.signer.cid
            or _validity(signer, nid, statement.type) is not None
            or spec is None
            or not {role.value for role in spec.roles} & signer.roles
            or not _signature_verifies(signer.public_key, event.statement, event.signature)
        ):
            continue  # the scan reports the key, role or signature failure
        try:
            if statement.type == "OperatorEnrolled":
                data = EnrolmentData.model_validate(statement.data)
                if data.key_id in timeline.keys:
                    raise ValueError(f"key {data.key_id} is already enrolled")
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
                    record.key_id,
                    record.public_key,
                    record.cid,
                    record.roles,
                    record.enrolled_at,
                    nid,
                )
            else:
                raise ValueError(f"{statement.type} does not belong on the registry")
        except (ValidationError, ValueError) as error:
            timeline.failures.append(Failure(nid, "invalid-enrolment", _first_line(error)))
    if timeline.system_key is None and not any(
        item.kind == "trust-anchor" for item in timeline.failures
    ):
        timeline.failures.append(Failure(None, "trust-anchor", "the ledger has no genesis"))
    return timeline


def _read_genesis(
    timeline: KeyTimeline,
    event: Decoded,
    statement: Any,
    ledger_name: str,
    trust_anchor: bytes | None,
) -> None:
    nid = event.notification_id
    try:
        data = GenesisData.model_validate(statement.data)
    except ValidationError as error:
        timeline.failures.append(Failure(nid, "trust-anchor", _first_line(error)))
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
    if not _signature_verifies(public_key, event.statement, event.signature):
        problems.append("the genesis signature does not verify under its own key")
    if problems:
        timeline.failures.append(Failure(nid, "trust-anchor", "; ".join(problems)))
        return
    record = KeyRecord(data.key_id, public_key, SYSTEM_CID, frozenset({"system"}), nid)
    timeline.keys[data.key_id] = record
    timeline.system_key = record
    timeline.genesis_id = nid


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _validity(record: KeyRecord, nid: int, event_type: str) -> str | None:
    if nid < record.enrolled_at or (
        nid == record.enrolled_at and event_type != "LedgerInitialised"
    ):
        return "key-not-enrolled-yet"
    if record.revoked_at is not None and nid > record.revoked_at:
        return "revoked-key"
    return None


def _signature_verifies(public_key: bytes, statement: bytes, signature: bytes) -> bool:
    try:
        nacl.signing.VerifyKey(public_key).verify(hashlib.sha256(statement).digest(), signature)
    except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
        return False
    return True


# Checking events.

_STATEMENT_TAIL = re.compile(
    rb',"effective":"\d{4}-\d{2}-\d{2}","expected_version":(0|[1-9][0-9]{0,15}),'
    rb'"nonce":"[^"\\]{8,128}","prev_hash":"([0-9a-f]{64})","signed_at":"[^"\\]{10,40}",'
    rb'"signer":\{"cid":"([0-9]{13}|system)","key":"([0-9a-f]{16})"\},'
    rb'"stream":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",'
    rb'"type":"([A-Z][A-Za-z0-9]{1,63})","v":1\}'
)


@dataclass(frozen=True, slots=True)
class Settings:
    """What every checking process needs: the key timeline and the options."""

    keys: dict[str, KeyRecord]
    genesis_id: int | None
    strict: bool
    chain_only: bool = False
    """Only hashes and chains: no statement fields but prev_hash, no keys, no signatures."""


class Checker:
    """Checks events one by one; keeps the failures, chain records and leaf hashes it produced."""

    def __init__(
        self,
        settings: Settings,
        stored_leaves: dict[int, bytes] | None = None,
        log_position: int = 0,
    ) -> None:
        self.settings = settings
        self._keys = settings.keys
        self._stored = stored_leaves
        self._position = log_position
        self._type_roles = {
            name: frozenset(role.value for role in spec.roles) for name, spec in EVENT_TYPES.items()
        }
        self._topics = {name: get_topic(spec.event_class) for name, spec in EVENT_TYPES.items()}
        self.failures: list[Failure] = []
        self.records = bytearray()
        self.leaves = bytearray()
        self.ids = array("q")

    def check(self, event: Decoded) -> None:
        """Check one event and record its chain link and leaf."""
        self._check(
            event.notification_id,
            event.stream,
            event.version,
            event.topic,
            event.statement,
            event.signature,
            event.claimed_hash,
        )

    def check_rows(self, rows: Sequence[PackedRow]) -> None:
        """Check packed database rows: each row that passes every check on the fast path is
        recorded at once; any other row goes through ``check_row``, which says what is wrong.

        The fast path slices the stored layout (``ledger.stored``), hashes the statement once
        (the signed digest, then the same state extended by the signature: the event hash),
        reads the fields from the canonical layout, and calls libsodium directly. It runs in
        three passes over the rows: read and check everything but the signatures, then check all
        the signatures in one tight loop (libsodium's tables stay in the CPU's caches), then
        record the events in log order.
        """
        if self.settings.strict:  # every statement parsed and validated in full
            for header, state in rows:
                self.check_row(unpack_row(header, state))
            return
        context = self._fast_context()
        head_match, tail_match = _FAST_HEAD.match, _STATEMENT_TAIL.fullmatch
        sha = hashlib.sha256
        keys, types, genesis = context
        number = int.from_bytes
        planned: list[tuple[Any, ...]] = []
        signed: list[tuple[bytes, bytes]] = []
        plan, sign = planned.append, signed.append
        for header, state in rows:
            nid = number(header[:8], "big")
            version = number(header[24:32], "big")
            stream = header[8:24]
            head = head_match(state)
            end = len(state) - 219
            if (
                head is None
                or state[end : end + 15] != b'","signature":"'
                or state[end + 143 : end + 153] != b'","hash":"'
                or state[end + 217 :] != b'"}'
            ):
                plan((None, header, state))
                continue
            raw = state[head.end() : end]
            text = raw.replace(b'\\"', b'"')
            if b"\\" in text or raw.count(b'"') != len(raw) - len(text):
                plan((None, header, state))
                continue
            try:
                signature = unhexlify(state[end + 15 : end + 143])
            except ValueError:
                plan((None, header, state))
                continue
            hashing = sha(text)
            digest = hashing.digest()
            hashing.update(signature)
            event_hash = hashing.digest()
            at = text.rfind(b',"effective":"')
            fields = tail_match(text, at) if at > 0 and text.startswith(b'{"data":{') else None
            if fields is None or hexlify(event_hash) != state[end + 153 : end + 217]:
                plan((None, header, state))
                continue
            expected, prev, cid, key_id, signed_stream, event_type = fields.groups()
            spec = types.get(event_type)
            key = keys.get(key_id)
            origin = head.group(2)
            if (
                spec is None
                or key is None
                or spec[0] != header[32:]
                or not spec[1] & key[2]
                or key[1] != cid
                or nid <= key[3]
                or (key[4] is not None and nid > key[4])
                or int(expected) + 1 != version
                or unhexlify(signed_stream.replace(b"-", b"")) != stream
                or (origin is not None and version == 1 and origin != spec[2])
                or (origin is None) != (version != 1)
                or nid == genesis
            ):
                plan((None, header, state))
                continue
            sign((signature + digest, key[0]))
            plan((nid, header, state, stream, version, prev, event_hash, head.group(1)))
        verdicts = _verify_all(signed)
        self._record_planned(planned, verdicts)

    def _record_planned(self, planned: list[tuple[Any, ...]], verdicts: list[bool]) -> None:
        """Record checked rows in log order; rows the fast path left, or whose signature
        failed, go through ``check_row``."""
        records, leaves, ids = self.records, self.leaves, self.ids
        stored, position = self._stored, self._position
        pack, sha = _RECORD.pack, hashlib.sha256
        verdict = iter(verdicts)
        for item in planned:
            nid, header, state = item[0], item[1], item[2]
            if nid is None or not next(verdict):
                self.check_row(unpack_row(header, state))
                continue
            stream, version, prev, event_hash, recorded_at = item[3:]
            records += pack(stream, version, nid, unhexlify(prev), event_hash, _HAS_PREV)
            leaves += sha(b"\x00" + event_hash).digest()
            ids.append(nid)
            if stored is not None and nid <= position:
                leaf = stored.pop(nid, None)
                if leaf != event_hash + recorded_at:
                    self._compare_leaf(nid, leaf, event_hash, recorded_at)

    def _compare_leaf(
        self,
        nid: int,
        leaf: bytes | None,
        event_hash: bytes | None,
        recorded_at: bytes | None,
    ) -> None:
        """The transparency log's leaf (hash, then time) against the event stored there."""
        if event_hash is None:
            return  # an unreadable event: reported as malformed already
        if leaf is None:
            self.failures.append(
                Failure(nid, "leaf-mismatch", "the transparency log has no leaf for it")
            )
        elif leaf[:HASH_SIZE] != event_hash:
            self.failures.append(
                Failure(nid, "leaf-mismatch", "the transparency log logged another hash for it")
            )
        elif recorded_at is not None and leaf[HASH_SIZE:] != recorded_at:
            logged = leaf[HASH_SIZE:].decode("utf-8", "replace")
            self.failures.append(
                Failure(
                    nid,
                    "time-mismatch",
                    f"stored as recorded at {recorded_at.decode('utf-8', 'replace')}, the log "
                    f"took it in at {logged}",
                )
            )

    def _fast_context(
        self,
    ) -> tuple[
        dict[bytes, tuple[bytes, bytes, frozenset[str], int, int | None]],
        dict[bytes, tuple[bytes, frozenset[str], bytes]],
        int | None,
    ]:
        keys = {
            record.key_id.encode("ascii"): (
                record.public_key,
                record.cid.encode("ascii"),
                record.roles,
                record.enrolled_at,
                record.revoked_at,
            )
            for record in self._keys.values()
        }
        types = {
            name.encode("ascii"): (
                topic.encode("utf-8"),
                self._type_roles[name],
                topic.rpartition(".")[0].encode("utf-8"),
            )
            for name, topic in self._topics.items()
        }
        return keys, types, self.settings.genesis_id

    def check_row(self, row: RawRow) -> None:
        """Check one database row (decoding its stored state first)."""
        nid, stream, version, topic, state = row
        try:
            statement, signature, claimed, recorded_at, origin = read_signed_state(state)
        except StoredEventError as error:
            self.failures.append(Failure(nid, "malformed", str(error)))
            self._record(nid, stream, version, None, None)
            if self._stored is not None:
                self._stored.pop(nid, None)
            return
        if origin != (topic.rpartition(".")[0] if version == 1 else None):
            self.failures.append(
                Failure(
                    nid, "type-mismatch", f"the stored aggregate topic {origin} is not {topic}'s"
                )
            )
        event_hash = self._check(nid, stream, version, topic, statement, signature, claimed)
        if self._stored is not None and nid <= self._position:
            self._compare_leaf(
                nid, self._stored.pop(nid, None), event_hash, recorded_at.encode("utf-8")
            )

    def _check(
        self,
        nid: int,
        stream: bytes,
        version: int,
        topic: str,
        statement: bytes,
        signature: bytes,
        claimed: str,
    ) -> bytes:
        """Check one event in full, naming each failure; record it; return its hash."""
        failures = self.failures
        event_hash = hashlib.sha256(statement + signature).digest()
        if event_hash.hex() != claimed:
            failures.append(
                Failure(
                    nid,
                    "hash-mismatch",
                    f"stored {claimed[:16]}..., signed bytes hash to {event_hash.hex()[:16]}...",
                )
            )
        fields = self._fields(nid, statement, signature)
        if fields is None:
            self._record(nid, stream, version, None, event_hash)
            return event_hash
        signed_stream, expected_version, prev_hash, event_type, cid, key_id = fields
        if signed_stream != stream or expected_version + 1 != version:
            failures.append(
                Failure(
                    nid,
                    "position-mismatch",
                    f"signed for {UUID(bytes=signed_stream)} version {expected_version + 1}, "
                    f"stored at {UUID(bytes=stream)} version {version}",
                )
            )
        if topic != self._topics.get(event_type, event_type):
            failures.append(
                Failure(nid, "type-mismatch", f"stored as {topic}, signed as {event_type}")
            )
        if event_type == "LedgerInitialised" and nid != self.settings.genesis_id:
            failures.append(Failure(nid, "invalid-genesis", "a second genesis statement"))
        record = self._keys.get(key_id)
        if record is None or record.cid != cid:
            failures.append(Failure(nid, "unknown-key", f"key {key_id} of signer {_mask(cid)}"))
        else:
            verify_key = _VERIFY_KEYS.get(record.public_key)
            if verify_key is None:
                verify_key = _VERIFY_KEYS[record.public_key] = nacl.signing.VerifyKey(
                    record.public_key
                )
            timing = _validity(record, nid, event_type)
            if timing == "key-not-enrolled-yet":
                failures.append(
                    Failure(nid, timing, f"key {key_id} was enrolled at {record.enrolled_at}")
                )
            elif timing == "revoked-key":
                failures.append(
                    Failure(nid, timing, f"key {key_id} was revoked at {record.revoked_at}")
                )
            roles = self._type_roles.get(event_type)
            if roles is None:
                failures.append(Failure(nid, "forbidden-role", f"unknown event type {event_type}"))
            elif not roles & record.roles:
                failures.append(
                    Failure(nid, "forbidden-role", f"key {key_id} may not emit {event_type}")
                )
            try:
                verify_key.verify(hashlib.sha256(statement).digest(), signature)
            except (nacl.exceptions.BadSignatureError, ValueError, TypeError):
                failures.append(Failure(nid, "bad-signature", f"key {key_id}"))
        self._record(nid, stream, version, prev_hash, event_hash)
        return event_hash

    def _fields(
        self, nid: int, statement: bytes, signature: bytes
    ) -> tuple[bytes, int, bytes, str, str, str] | None:
        """(stream bytes, expected version, prev hash, type, signer cid, key id), or None."""
        if not self.settings.strict:
            start = statement.rfind(b',"effective":"')
            found = _STATEMENT_TAIL.fullmatch(statement, start) if start > 0 else None
            if found is not None and statement.startswith(b'{"data":{'):
                version, prev, cid, key, stream, event_type = found.groups()
                return (
                    unhexlify(stream.replace(b"-", b"")),
                    int(version),
                    unhexlify(prev),
                    event_type.decode("ascii"),
                    cid.decode("ascii"),
                    key.decode("ascii"),
                )
        try:
            read = read_statement(statement, signature if len(signature) == 64 else bytes(64))
        except MalformedStatementError as error:
            self.failures.append(Failure(nid, "malformed", str(error)))
            return None
        parsed = read.statement
        if self.settings.strict:
            spec = EVENT_TYPES.get(parsed.type)
            if spec is not None:
                try:
                    spec.data_model.model_validate(parsed.data)
                except ValidationError as error:
                    self.failures.append(Failure(nid, "invalid-data", _first_line(error)))
        return (
            parsed.stream.bytes,
            parsed.expected_version,
            bytes.fromhex(parsed.prev_hash),
            parsed.type,
            parsed.signer.cid,
            parsed.signer.key,
        )

    def event_hashes(self) -> Iterator[tuple[int, bytes]]:
        """(notification id, recomputed event hash) of each event checked, in order."""
        for _, _, nid, _, event_hash, _ in _RECORD.iter_unpack(self.records):
            yield nid, event_hash

    def _record(
        self,
        nid: int,
        stream: bytes,
        version: int,
        prev_hash: bytes | None,
        event_hash: bytes | None,
    ) -> None:
        flags = _HAS_PREV if prev_hash is not None else 0
        self.records += _RECORD.pack(
            stream, version, nid, prev_hash or ZERO_HASH, event_hash or ZERO_HASH, flags
        )
        self.ids.append(nid)
        # An unreadable event still takes its place in the tree, as a leaf nobody signed.
        self.leaves += leaf_hash(event_hash or ZERO_HASH)


def _verify_all(signed: list[tuple[bytes, bytes]]) -> list[bool]:
    """Check many Ed25519 signatures in a row: ``(signature || message, public key)`` each."""
    verdicts: list[bool] = []
    verdict, open_signed = verdicts.append, crypto_sign_open
    for message, public_key in signed:
        try:
            open_signed(message, public_key)
        except nacl.exceptions.BadSignatureError:
            verdict(False)
        else:
            verdict(True)
    return verdicts


def _mask(cid: str) -> str:
    """A citizen ID shortened for reports (PDPA): enough to tell operators apart, no more."""
    return cid if cid == SYSTEM_CID else f"{cid[:1]}xxxxxxxx{cid[-4:]}"


@dataclass
class ChunkResult:
    """What one chunk of notification ids gave: failures, chain records, leaves, subtree levels."""

    index: int
    first: int
    stop: int
    count: int
    complete: bool
    failures: list[Failure]
    records: bytes
    ids: bytes
    levels: list[bytes]


def _levels(leaves: bytes) -> list[bytes]:
    """The complete levels of the subtree over these leaf hashes (level 0 first)."""
    levels = [leaves]
    current = leaves
    sha = hashlib.sha256
    while len(current) >= 2 * HASH_SIZE:
        view = memoryview(current)
        pairs = len(current) // (2 * HASH_SIZE)
        parent = bytearray()
        for position in range(0, pairs * 2 * HASH_SIZE, 2 * HASH_SIZE):
            parent += sha(b"\x01" + view[position : position + 2 * HASH_SIZE]).digest()
        current = bytes(parent)
        levels.append(current)
    return levels


def check_chunk(
    source: DatabaseSource,
    settings: Settings,
    chunk: tuple[int, int, int],
    tlog_position: int,
) -> ChunkResult:
    """Check the events with notification ids in one chunk (and their transparency leaves)."""
    index, first, stop = chunk
    rows = source.packed_events(first, stop)
    if settings.chain_only:
        failures, records = check_chain_rows(rows)
        failures.extend(_gaps(rows, first, stop))
        return ChunkResult(index, first, stop, len(rows), False, failures, records, b"", [b""])
    logged = (
        source.packed_leaves(first, min(stop, tlog_position + 1)) if tlog_position >= first else {}
    )
    checker = Checker(settings, logged, tlog_position)
    checker.check_rows(rows)
    failures = checker.failures
    complete = len(rows) == stop - first
    failures.extend(_gaps(rows, first, stop))
    levels = _levels(bytes(checker.leaves)) if complete else [bytes(checker.leaves)]
    return ChunkResult(
        index,
        first,
        stop,
        len(rows),
        complete,
        failures,
        bytes(checker.records),
        checker.ids.tobytes(),
        levels,
    )


def _gaps(rows: Sequence[PackedRow], first: int, stop: int) -> list[Failure]:
    """The notification ids in ``[first, stop)`` that no row holds."""
    if len(rows) == stop - first:
        return []
    present = {int.from_bytes(header[:8], "big") for header, _ in rows}
    return [
        Failure(nid, "missing-event", "no stored event has this notification id")
        for nid in range(first, stop)
        if nid not in present
    ]


def check_chain_rows(rows: Sequence[PackedRow]) -> tuple[list[Failure], bytes]:
    """Chain-only checking: each event's hash from its bytes, and its chain link record."""
    failures: list[Failure] = []
    records = bytearray()
    pack, sha, head_match, number = _RECORD.pack, hashlib.sha256, _FAST_HEAD.match, int.from_bytes
    for header, state in rows:
        nid, stream, version = number(header[:8], "big"), header[8:24], number(header[24:32], "big")
        head = head_match(state)
        end = len(state) - 219
        if (
            head is None
            or state[end : end + 15] != b'","signature":"'
            or state[end + 143 : end + 153] != b'","hash":"'
            or state[end + 217 :] != b'"}'
        ):
            records += _chain_row_slowly(unpack_row(header, state), failures)
            continue
        raw = state[head.end() : end]
        text = raw.replace(b'\\"', b'"')
        at = text.rfind(b',"prev_hash":"')
        if b"\\" in text or raw.count(b'"') != len(raw) - len(text) or at < 0:
            records += _chain_row_slowly(unpack_row(header, state), failures)
            continue
        try:
            event_hash = sha(text + unhexlify(state[end + 15 : end + 143])).digest()
            prev = unhexlify(text[at + 14 : at + 78])
        except ValueError:
            records += _chain_row_slowly(unpack_row(header, state), failures)
            continue
        if hexlify(event_hash) != state[end + 153 : end + 217]:
            failures.append(Failure(nid, "hash-mismatch", "the stored hash is not the bytes' hash"))
        records += pack(stream, version, nid, prev, event_hash, _HAS_PREV)
    return failures, bytes(records)


def _chain_row_slowly(row: RawRow, failures: list[Failure]) -> bytes:
    nid, stream, version, _, state = row
    try:
        statement, signature, claimed, _, _ = read_signed_state(state)
    except StoredEventError as error:
        failures.append(Failure(nid, "malformed", str(error)))
        return _RECORD.pack(stream, version, nid, ZERO_HASH, ZERO_HASH, 0)
    event_hash = hashlib.sha256(statement + signature).digest()
    if event_hash.hex() != claimed:
        failures.append(Failure(nid, "hash-mismatch", "the stored hash is not the bytes' hash"))
    at = statement.rfind(b',"prev_hash":"')
    try:
        prev = unhexlify(statement[at + 14 : at + 78]) if at > 0 else b""
    except ValueError:
        prev = b""
    if len(prev) != HASH_SIZE:
        failures.append(Failure(nid, "malformed", "the statement names no prev_hash"))
        return _RECORD.pack(stream, version, nid, ZERO_HASH, event_hash, 0)
    return _RECORD.pack(stream, version, nid, prev, event_hash, _HAS_PREV)


# Worker processes.

_WORKER: dict[str, Any] = {}


def _start_worker(source: DatabaseSource, settings: Settings, tlog_position: int) -> None:
    _WORKER.update(source=source, settings=settings, tlog_position=tlog_position)


def _work(chunk: tuple[int, int, int]) -> ChunkResult:
    return check_chunk(_WORKER["source"], _WORKER["settings"], chunk, _WORKER["tlog_position"])


# Linking and the tree.


class ChainLinker:
    """Links each stream's events, in notification order, into its hash chain."""

    def __init__(self) -> None:
        self.heads: dict[bytes, tuple[int, bytes]] = {}
        self.failures: list[Failure] = []

    def link(self, records: bytes) -> None:
        heads, failures = self.heads, self.failures
        for stream, version, nid, prev, event_hash, flags in _RECORD.iter_unpack(records):
            head = heads.get(stream)
            expected_version, expected_prev = (
                (1, _GENESIS_PREV)
                if head is None
                else (
                    head[0] + 1,
                    head[1],
                )
            )
            if version != expected_version:
                kind = "version-gap" if version > expected_version else "version-order"
                failures.append(
                    Failure(
                        nid,
                        kind,
                        f"stream {UUID(bytes=stream)} is at version {expected_version - 1}, "
                        f"this event is version {version}",
                    )
                )
            if flags & _HAS_PREV and prev != expected_prev:
                failures.append(
                    Failure(
                        nid,
                        "broken-chain",
                        f"stream {UUID(bytes=stream)} version {version} names prev_hash "
                        f"{prev.hex()[:16]}..., the previous event hashes to "
                        f"{expected_prev.hex()[:16]}...",
                    )
                )
            heads[stream] = (version, event_hash)


class RecomputedTree:
    """The Merkle tree recomputed from the events, kept as whole levels of node hashes."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = [bytearray()]
        self.ids = array("q")
        self._aligned = True

    @property
    def size(self) -> int:
        return len(self.levels[0]) // HASH_SIZE

    def add_chunk(self, result: ChunkResult) -> None:
        """Add a chunk's leaves; while every chunk is complete, also its subtree levels."""
        self.ids.frombytes(result.ids)
        if self._aligned and result.complete:
            for level, hashes in enumerate(result.levels):
                if level == len(self.levels):
                    self.levels.append(bytearray())
                self.levels[level] += hashes
        else:
            self._aligned = False
            self.levels[0] += result.levels[0]

    def add_leaves(self, leaves: bytes, ids: Iterable[int]) -> None:
        self._aligned = False
        self.levels[0] += leaves
        self.ids.extend(ids)

    def finish(self) -> None:
        """Complete the upper levels (and all of them if a chunk was incomplete)."""
        if not self._aligned:
            del self.levels[1:]
        level = len(self.levels) - 1
        while len(self.levels[level]) >= 2 * HASH_SIZE:
            below = self.levels[level]
            done = len(self.levels[level + 1]) if level + 1 < len(self.levels) else 0
            if level + 1 == len(self.levels):
                self.levels.append(bytearray())
            above = self.levels[level + 1]
            view = memoryview(below)
            for index in range(done, len(below) // (2 * HASH_SIZE)):
                start = index * 2 * HASH_SIZE
                above += hashlib.sha256(b"\x01" + view[start : start + 2 * HASH_SIZE]).digest()
            level += 1

    def node(self, level: int, index: int) -> bytes:
        return bytes(self.levels[level][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def root(self, size: int) -> bytes:
        if size == 0:
            return hashlib.sha256(b"").digest()
        return range_hash(0, size, self.node)

    def consistency(self, old_size: int, new_size: int) -> list[bytes]:
        return [range_hash(a, b, self.node) for a, b in consistency_ranges(old_size, new_size)]

    def notification_id(self, size: int) -> int | None:
        """The notification id of the last leaf of a tree of ``size`` leaves."""
        return self.ids[size - 1] if 0 < size <= len(self.ids) else None


def check_checkpoints(
    report: Report,
    tree: RecomputedTree,
    rows: Sequence[CheckpointRow],
    timeline: KeyTimeline,
    origin: str | None,
) -> list[Checkpoint]:
    """Each checkpoint's signature, root and consistency with the one before; the good ones."""
    system = timeline.system_key
    verified: list[Checkpoint] = []
    previous: Checkpoint | None = None
    for size, root, _issued, note in rows:
        where = tree.notification_id(min(size, tree.size)) if size else None
        if system is None or origin is None:
            report.failures.append(
                Failure(where, "checkpoint-signature", f"checkpoint {size}: no system key to check")
            )
            continue
        try:
            checkpoint = open_checkpoint(note, system.public_key, origin)
        except CheckpointError as error:
            report.failures.append(
                Failure(where, "checkpoint-signature", f"checkpoint {size}: {error.problem}")
            )
            continue
        if (checkpoint.tree_size, checkpoint.root_hash) != (size, root):
            report.failures.append(
                Failure(
                    where,
                    "checkpoint-signature",
                    f"checkpoint {size}: the stored size or root differs from the signed note",
                )
            )
            continue
        if size > tree.size:
            report.failures.append(
                Failure(
                    where,
                    "checkpoint-root",
                    f"checkpoint {size} covers more events than the log holds ({tree.size})",
                )
            )
        elif tree.root(size) != checkpoint.root_hash:
            report.failures.append(
                Failure(
                    where,
                    "checkpoint-root",
                    f"the first {size} events no longer hash to checkpoint {size}'s root",
                )
            )
        if previous is not None and size <= tree.size:
            proof = tree.consistency(previous.tree_size, size)
            if not verify_consistency(
                previous.tree_size, size, previous.root_hash, checkpoint.root_hash, proof
            ):
                report.failures.append(
                    Failure(
                        where,
                        "checkpoint-inconsistent",
                        f"checkpoint {size} does not extend checkpoint {previous.tree_size}",
                    )
                )
        previous = checkpoint
        verified.append(checkpoint)
    report.checkpoints = len(rows)
    return verified


def check_kept(
    report: Report,
    tree: RecomputedTree,
    kept: Sequence[str],
    timeline: KeyTimeline,
    origin: str | None,
) -> None:
    """Checkpoints the auditor kept: signed by the log, and still the log's root at their size."""
    report.kept_checkpoints = len(kept)
    for note in kept:
        system = timeline.system_key
        try:
            if system is None or origin is None:
                raise CheckpointError("the ledger has no system key to check it with")
            checkpoint = open_checkpoint(note, system.public_key, origin)
        except CheckpointError as error:
            report.failures.append(Failure(None, "kept-checkpoint", error.problem))
            continue
        size = checkpoint.tree_size
        if size > tree.size:
            report.failures.append(
                Failure(
                    tree.notification_id(tree.size),
                    "kept-checkpoint",
                    f"the kept checkpoint covers {size} events, the log now holds {tree.size}: "
                    "events were removed",
                )
            )
        elif tree.root(size) != checkpoint.root_hash:
            report.failures.append(
                Failure(
                    tree.notification_id(size),
                    "kept-checkpoint",
                    f"the log was rewritten: its first {size} events no longer hash to the root "
                    f"of the checkpoint signed at {checkpoint.issued_at.isoformat()}",
                )
            )


# The whole database.

Progress = Callable[[int, int], None]


def verify_database(
    url: str,
    ledger_name: str,
    *,
    workers: int | None = None,
    trust_anchor: bytes | None = None,
    kept: Sequence[str] = (),
    strict: bool = False,
    chain_only: bool = False,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Report:
    """Verify one ledger in its database; ``workers`` processes (default: one per core).

    ``chain_only`` checks only each event's hash and each stream's chain (a quick sweep):
    no keys, no signatures, no transparency log.
    """
    started = time.perf_counter()
    source = DatabaseSource(url, ledger_name)
    report = Report(ledger=ledger_name)
    try:
        last_id = source.max_notification_id()
        registry = [
            decoded
            for decoded in map(decode_row, source.stream_events(registry_stream_id(ledger_name)))
            if isinstance(decoded, Decoded)
        ]
        timeline = build_timeline(registry, ledger_name, trust_anchor)
        report.failures.extend(timeline.failures)
        has_log = source.has_transparency_log()
        tlog_position = source.transparency_position()[0] if has_log else 0
        checkpoint_rows = source.checkpoints() if has_log else []
        tail_leaves = source.leaves_after(last_id) if has_log else []
    finally:
        source.close()
    describe_anchor(report, timeline, trust_anchor)
    settings = Settings(dict(timeline.keys), timeline.genesis_id, strict, chain_only)
    if chunk_size & (chunk_size - 1):
        raise ValueError("the chunk size is a power of two")
    chunks = [
        (index, 1 + index * chunk_size, min(1 + (index + 1) * chunk_size, last_id + 1))
        for index in range(math.ceil(last_id / chunk_size))
    ]
    linker = ChainLinker()
    tree = RecomputedTree()
    done = 0
    for result in _run_chunks(source, settings, chunks, tlog_position, workers):
        report.failures.extend(result.failures)
        linker.link(result.records)
        if not chain_only:
            tree.add_chunk(result)
        report.events += result.count
        done = result.stop - 1
        if progress is not None:
            progress(done, last_id)
    report.failures.extend(linker.failures)
    report.streams = len(linker.heads)
    if chain_only:
        report.notes.append("chain only: no keys, signatures or transparency log were checked")
    else:
        tree.finish()
        report.failures.extend(
            Failure(nid, "missing-event", f"the transparency log holds leaf {index} for it")
            for nid, index in tail_leaves
        )
        report.transparency_log = has_log
        report.tree_size = tree.size
        origin = origin_of(ledger_name, timeline)
        check_checkpoints(report, tree, checkpoint_rows, timeline, origin)
        check_kept(report, tree, kept, timeline, origin)
        if not has_log:
            report.notes.append("no transparency log: checkpoints and leaves were not checked")
    report.sort()
    report.seconds = time.perf_counter() - started
    return report


def _run_chunks(
    source: DatabaseSource,
    settings: Settings,
    chunks: list[tuple[int, int, int]],
    tlog_position: int,
    workers: int | None,
) -> Iterator[ChunkResult]:
    count = workers or os.cpu_count() or 1
    events = chunks[-1][2] - 1 if chunks else 0
    if count <= 1 or (events < PARALLEL_THRESHOLD and workers is None):
        local = DatabaseSource(source.url, source.ledger_name)
        try:
            for chunk in chunks:
                yield check_chunk(local, settings, chunk, tlog_position)
        finally:
            local.close()
        return
    # Fresh interpreters: the caller may hold database pools and threads that must not fork.
    context = multiprocessing.get_context("spawn")
    with context.Pool(
        count, initializer=_start_worker, initargs=(source, settings, tlog_position)
    ) as pool:
        yield from pool.imap(_work, chunks)


def origin_of(ledger_name: str, timeline: KeyTimeline) -> str | None:
    """The log's origin, from the ledger's name and its genesis system key."""
    system = timeline.system_key
    return log_origin(ledger_name, system.key_id) if system is not None else None


def describe_anchor(report: Report, timeline: KeyTimeline, pinned: bytes | None) -> None:
    system = timeline.system_key
    report.trust_anchor = system.key_id if system is not None else None
    report.anchor_pinned = pinned is not None
    if pinned is None and system is not None:
        report.notes.append(
            f"the genesis key {system.key_id} was taken as found: pin it with --trust-anchor"
        )


__all__ = [
    "KINDS",
    "ChainLinker",
    "Checker",
    "Decoded",
    "Failure",
    "KeyRecord",
    "KeyTimeline",
    "RecomputedTree",
    "Report",
    "Settings",
    "build_timeline",
    "check_checkpoints",
    "check_kept",
    "decode_row",
    "describe_anchor",
    "origin_of",
    "verify_database",
]
