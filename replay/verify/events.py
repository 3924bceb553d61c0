"""Checking events: each one's hash, binding, signer's key as of signing time, role, signature.

For every event: its hash (``sha256(statement || signature)`` against the stored one), its
binding (the signed ``stream``/``expected_version`` against where it is stored, the signed
``type`` against the stored event class), its signer's key against the key timeline *as of its
notification id*, the signer's role for the type, and the Ed25519 signature; then its chain
record (``replay.verify.chains``) and its leaf of the recomputed tree, compared with the
transparency log's leaf when the log holds one.

``Checker.check_rows`` reads a batch of database rows on a fast path: the stored layout sliced
by ``ledger.stored``, the statement's fields by ``ledger.statement.CANONICAL_FIELDS``, the
signatures checked together by ``ledger.signing.verify_digests``. Any row that does not pass
every check there goes through ``check_row``, which checks it again in full and names each
failure. ``strict`` parses (and validates the data of) every statement: a v2 statement's
commitments by their form, the rest by the model (``replay.verify.personal``).
"""

from __future__ import annotations

import hashlib
from array import array
from binascii import hexlify, unhexlify
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from ledger.domain.catalog import EVENT_TYPES
from ledger.errors import MalformedStatementError
from ledger.merkle import HASH_SIZE, leaf_hash
from ledger.signing import verify_digests, verify_signature
from ledger.statement import CANONICAL_FIELDS, SYSTEM_CID, read_statement
from ledger.stored import StoredEventError, read_signed_state, slice_signed_states
from replay.source import HEADER, Decoded, PackedRow, RawRow, unpack_row
from replay.verify.chains import HAS_PREV, RECORD, ZERO_HASH, chain_record
from replay.verify.keys import KeyRecord, validity
from replay.verify.personal import data_failures
from replay.verify.report import Failure

FastKeys = dict[bytes, tuple[bytes, bytes | None, frozenset[str], int, int | None]]
"""Keys by key id: (public key, signer cid, roles, enrolled at, revoked at), as bytes."""
FastTypes = dict[bytes, tuple[bytes, frozenset[str], bytes]]
"""Event types by name: (stored topic, roles that may emit it, the aggregate's topic)."""


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

        Three passes over the rows: read and check everything but the signatures, then check
        all the signatures in one tight loop (libsodium's tables stay in the CPU's caches), then
        record the events in log order.
        """
        if self.settings.strict:  # every statement parsed and validated in full
            for header, state in rows:
                self.check_row(unpack_row(header, state))
            return
        planned, signed = self._plan(rows)
        self._record_planned(planned, verify_digests(signed))

    def _plan(
        self, rows: Sequence[PackedRow]
    ) -> tuple[list[tuple[Any, ...]], list[tuple[bytes, bytes]]]:
        """Check every row but its signature; plan each one that passes with its signature to
        check, and each other one (its notification id None) for ``check_row``.

        The statement is hashed once: the signed digest, then the same state extended by the
        signature gives the event hash. The loop makes no Python call per row beyond builtins
        and the compiled pattern: it runs a million times in an audit.
        """
        keys, types, genesis = self._fast_context()
        fields_match, sha, position = CANONICAL_FIELDS.fullmatch, hashlib.sha256, HEADER.unpack_from
        topic_at = HEADER.size
        planned: list[tuple[Any, ...]] = []
        signed: list[tuple[bytes, bytes]] = []
        plan, sign = planned.append, signed.append
        sliced = slice_signed_states(map(itemgetter(1), rows))
        for (header, state), stored in zip(rows, sliced, strict=True):
            if stored is None:
                plan((None, header, state))
                continue
            text, signature, claimed, recorded_at, origin = stored
            hashing = sha(text)
            digest = hashing.digest()
            hashing.update(signature)
            event_hash = hashing.digest()
            fields = fields_match(text)
            if fields is None or hexlify(event_hash) != claimed:
                plan((None, header, state))
                continue
            expected, prev, cid, key_id, signed_stream, event_type = fields.group(2, 3, 4, 5, 6, 7)
            nid, stream, version = position(header)
            spec = types.get(event_type)
            key = keys.get(key_id)
            if (
                spec is None
                or key is None
                or spec[0] != header[topic_at:]
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
            plan((nid, header, state, stream, version, prev, event_hash, recorded_at))
        return planned, signed

    def _record_planned(self, planned: list[tuple[Any, ...]], verdicts: list[bool]) -> None:
        """Record checked rows in log order; rows the fast path left, or whose signature
        failed, go through ``check_row``."""
        records, leaves, ids = self.records, self.leaves, self.ids
        stored, position = self._stored, self._position
        pack, sha = RECORD.pack, hashlib.sha256
        verdict = iter(verdicts)
        for item in planned:
            nid, header, state = item[0], item[1], item[2]
            if nid is None or not next(verdict):
                self.check_row(unpack_row(header, state))
                continue
            stream, version, prev, event_hash, recorded_at = item[3:]
            records += pack(stream, version, nid, unhexlify(prev), event_hash, HAS_PREV)
            leaves += sha(b"\x00" + event_hash).digest()  # ledger.merkle.leaf_hash, inline
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

    def _fast_context(self) -> tuple[FastKeys, FastTypes, int | None]:
        keys = {
            record.key_id.encode("ascii"): (
                record.public_key,
                record.cid.encode("ascii") if record.cid is not None else None,
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
        self._check_signer(nid, event_type, cid, key_id, statement, signature)
        self._record(nid, stream, version, prev_hash, event_hash)
        return event_hash

    def _check_signer(
        self,
        nid: int,
        event_type: str,
        cid: str | None,
        key_id: str,
        statement: bytes,
        signature: bytes,
    ) -> None:
        """The signer's key as of this event, the key's roles for the type, and the signature."""
        failures = self.failures
        record = self._keys.get(key_id)
        if record is None or record.cid != cid:
            failures.append(Failure(nid, "unknown-key", f"key {key_id} of signer {_mask(cid)}"))
            return
        timing = validity(record, nid, event_type)
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
        if not verify_signature(record.public_key, statement, signature):
            failures.append(Failure(nid, "bad-signature", f"key {key_id}"))

    def _fields(
        self, nid: int, statement: bytes, signature: bytes
    ) -> tuple[bytes, int, bytes, str, str | None, str] | None:
        """(stream bytes, expected version, prev hash, type, signer cid, key id), or None (the
        cid is None for a record owner enrolled by her record, in a v2 statement)."""
        found = None if self.settings.strict else CANONICAL_FIELDS.fullmatch(statement)
        if found is not None:
            version, prev, cid, key, stream, event_type = found.group(2, 3, 4, 5, 6, 7)
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
                self.failures += data_failures(nid, parsed, spec.data_model)
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
        for _, _, nid, _, event_hash, _ in RECORD.iter_unpack(self.records):
            yield nid, event_hash

    def _record(
        self,
        nid: int,
        stream: bytes,
        version: int,
        prev_hash: bytes | None,
        event_hash: bytes | None,
    ) -> None:
        self.records += chain_record(stream, version, nid, prev_hash, event_hash)
        self.ids.append(nid)
        # An unreadable event still takes its place in the tree, as a leaf nobody signed.
        self.leaves += leaf_hash(event_hash or ZERO_HASH)


def _mask(cid: str | None) -> str:
    """A citizen ID shortened for reports (PDPA): enough to tell operators apart, no more (a
    record owner, who signs with no citizen ID, by her role)."""
    if cid is None:
        return "record owner"
    return cid if cid == SYSTEM_CID else f"{cid[:1]}xxxxxxxx{cid[-4:]}"


__all__ = ["Checker", "Settings"]
