"""The ledger application: checks signed statements and appends them as immutable events.

``Ledger.submit`` enforces DESIGN.md section 3 in order: readable canonical statement; known,
unrevoked key of the named citizen; valid signature; a role that may emit the type; data valid
for the type; the expected version and prev_hash of the stream; the signer's scope; the
aggregate's own rules. Any rejection raises a ``LedgerError`` and appends nothing. Resubmitting
a statement that is already recorded returns its first receipt.

Domain aggregates (``LedgerAggregate``) also see the statement's context: its stream, valid
time and signer, and the other streams their rules read (``related_streams``: a position's
holder record, the organization a position belongs to...). Those are loaded together, in one
more query per batch and only when some statement of the batch names any.

The streams a batch writes come from ``ledger.stream_cache`` when this ledger wrote them last
(no read before a write); a copy that another writer made stale is caught by the insert, and
the batch is checked again on what is stored. Signatures are checked on verifier threads while
the streams load and, for a big batch, while the insert is in flight: the recorder asks for the
verdicts before it commits.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError
from pydantic import BaseModel, ValidationError

from ledger.domain.base import Actor, CheckContext, LedgerAggregate
from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.operators import Enrolment, OperatorRegistry, registry_stream_id
from ledger.domain.permissions import Role, Scope
from ledger.domain.signed import SignedAggregate, SignedFields
from ledger.errors import (
    AlreadyInitialisedError,
    BadSignatureError,
    BrokenChainError,
    ForbiddenError,
    InvalidDataError,
    LedgerError,
    NotInitialisedError,
    RevokedKeyError,
    StaleVersionError,
    StreamNotFoundError,
    UnknownKeyError,
)
from ledger.parsed_statements import ParsedStatements
from ledger.settings import LedgerSettings
from ledger.signing import verify_signature
from ledger.statement import (
    GENESIS_PREV_HASH,
    SYSTEM_CID,
    SignedStatement,
    describe_validation_error,
    read_statement,
)
from ledger.storage import RegistryGuard, eventsourcing_env, notification_index
from ledger.stream_cache import StreamCache

_VERIFIER_THREADS = 2


_HAND_OVER_FROM = 4
"""Batches of at least this many statements are verified on the verifier threads."""


def _verify_all(work: list[tuple[bytes, bytes, bytes]]) -> list[bool]:
    return [verify_signature(key, canonical, signature) for key, canonical, signature in work]


class _Verification:
    """The signature checks of one batch: running on the verifier threads, or, for a batch of
    a few statements, done on the calling thread when first asked for (handing a few checks
    over and back costs more than the checks themselves)."""

    def __init__(
        self,
        signed: list[SignedStatement],
        work: list[tuple[bytes, bytes, bytes]],
        pool: ThreadPoolExecutor,
    ) -> None:
        self._signed = signed
        self._work = work
        self.in_background = len(work) >= _HAND_OVER_FROM
        self._chunks: list[Future[list[bool]]] = []
        if self.in_background:
            size = -(-len(work) // _VERIFIER_THREADS)
            self._chunks = [
                pool.submit(_verify_all, work[start : start + size])
                for start in range(0, len(work), size)
            ]

    def check(self) -> None:
        """Wait for the verdicts; raise ``BadSignatureError`` for the first bad signature."""
        if self.in_background:
            verdicts = [ok for chunk in self._chunks for ok in chunk.result()]
        else:
            verdicts = _verify_all(self._work)
        for item, ok in zip(self._signed, verdicts, strict=True):
            if not ok:
                raise BadSignatureError(item.statement.signer.key)


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the ledger returns for an accepted statement."""

    notification_id: int
    stream: UUID
    version: int
    hash: str


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One stored event of a stream, as auditors and clients read it."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    statement: bytes
    signature: bytes
    hash: str
    prev_hash: str
    recorded_at: datetime


class _DecideAgain(Exception):  # noqa: N818 (a signal between two methods, not an error)
    """A batch was rejected on cached stream state: check it again on what is stored."""


@dataclass(slots=True)
class _Accepted:
    signed: SignedStatement
    existing: Receipt | None = None


class Ledger(Application[UUID]):
    """One ledger: its events table, its notification log and its operator registry."""

    def __init__(self, settings: LedgerSettings) -> None:
        self.settings = settings
        self.name = settings.name  # names the tables, so several ledgers share one database
        super().__init__(env=eventsourcing_env(settings))
        self.registry_id = registry_stream_id(settings.name)
        self._index = notification_index(self.recorder)
        self._registry: OperatorRegistry | None = None
        self._registry_lock = threading.Lock()
        self._streams = StreamCache(settings.stream_cache_size)
        self._parsed = ParsedStatements()
        self._verifier = ThreadPoolExecutor(
            max_workers=_VERIFIER_THREADS, thread_name_prefix="verify"
        )

    def close(self) -> None:
        self._verifier.shutdown(wait=False)
        super().close()

    # Writing.

    def submit(self, statement: bytes, signature: bytes) -> Receipt:
        """Check one signed statement and append it; return its receipt."""
        return self.submit_batch([(statement, signature)])[0]

    def submit_batch(self, items: Sequence[tuple[bytes, bytes]]) -> list[Receipt]:
        """Check signed statements and append them all in one transaction, or none of them."""
        signed = [read_statement(statement, signature) for statement, signature in items]
        if not signed:
            return []
        try:
            return self._append(signed, fresh=False)
        except (IntegrityError, UnknownKeyError, _DecideAgain):
            # Another writer took one of these positions, or the operator registry moved on
            # since our cached copy (a key enrolled elsewhere, or revoked meanwhile), or a cached
            # stream copy led to a rejection. Check again against what is stored now: a racing
            # copy of the very same statement yields its receipt, anything else the error it
            # deserves.
            return self._append(signed, fresh=True)

    def _append(self, signed: list[SignedStatement], *, fresh: bool) -> list[Receipt]:
        """Check and save a batch; ``fresh`` reads every stream and the registry from storage."""
        targets = {item.statement.stream for item in signed}
        if fresh:
            self._streams.forget(targets)
            lent = {}
        else:
            lent = self._streams.take(targets)
        try:
            receipts, working = self._check_and_save(signed, targets, lent, fresh_registry=fresh)
        except LedgerError as error:
            if lent:
                raise _DecideAgain from error
            raise
        self._streams.put(working.values())
        return receipts

    def _check_and_save(
        self,
        signed: list[SignedStatement],
        targets: set[UUID],
        lent: dict[UUID, SignedAggregate],
        *,
        fresh_registry: bool,
    ) -> tuple[list[Receipt], dict[UUID, SignedAggregate | None]]:
        registry = self.registry(refresh=fresh_registry)
        if registry is None and signed[0].statement.type != "LedgerInitialised":
            raise NotInitialisedError
        guard = RegistryGuard(self.registry_id, registry.version if registry else 0)
        # Signatures are checked on the verifier threads while this one reads the streams.
        verification = self._start_verifying(signed, registry)
        working: dict[UUID, SignedAggregate | None] = dict(lent)
        unread = targets - lent.keys()
        if unread:
            working.update(self._load_streams(unread))
        parsed = self._load_related(signed, working)
        try:
            accepted = [
                self._accept(item, working, data) for item, data in zip(signed, parsed, strict=True)
            ]
        except LedgerError:
            verification.check()  # an unsigned statement learns nothing more
            raise
        to_save = [aggregate for aggregate in working.values() if aggregate is not None]
        pending = any(aggregate.pending_events for aggregate in to_save)
        # The verifier threads go on while the insert travels to the database and back: the
        # recorder asks for the verdicts before it commits, and a bad one rolls the insert
        # back. A few inline checks run here instead, before the table lock is taken.
        in_flight = pending and verification.in_background
        if not in_flight:
            verification.check()
        recordings = (
            self.save(
                *to_save,
                registry_guard=guard,
                before_commit=verification.check if in_flight else None,
            )
            if pending
            else []
        )
        ids = {
            (r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
            for r in recordings
        }
        receipts = []
        for outcome in accepted:
            if outcome.existing is not None:
                receipts.append(outcome.existing)
                continue
            statement = outcome.signed.statement
            version = statement.expected_version + 1
            receipts.append(
                Receipt(
                    notification_id=ids[(statement.stream, version)],
                    stream=statement.stream,
                    version=version,
                    hash=outcome.signed.hash,
                )
            )
        return receipts, working

    def _start_verifying(
        self, signed: list[SignedStatement], registry: OperatorRegistry | None
    ) -> _Verification:
        """Look up each signer's key and start checking the signatures.

        A big batch is cut into one chunk per verifier thread (libsodium releases the GIL), so
        it costs a handful of hand-overs rather than one per statement.
        """
        work = [
            (self._signing_key(item, registry), item.canonical, item.signature) for item in signed
        ]
        return _Verification(signed, work, self._verifier)

    def _signing_key(self, item: SignedStatement, registry: OperatorRegistry | None) -> bytes:
        statement = item.statement
        if statement.type == "LedgerInitialised":
            # The genesis is signed by the key it enrols: the trust anchor.
            public_key = statement.data.get("public_key")
            if not isinstance(public_key, str) or len(public_key) != 64:
                raise InvalidDataError("LedgerInitialised", ["data.public_key: 64 hex characters"])
            try:
                return bytes.fromhex(public_key)
            except ValueError:
                raise InvalidDataError(
                    "LedgerInitialised", ["data.public_key: 64 hex characters"]
                ) from None
        enrolment = self._enrolment(item, registry)
        return enrolment.public_key

    def _enrolment(self, item: SignedStatement, registry: OperatorRegistry | None) -> Enrolment:
        signer = item.statement.signer
        enrolment = registry.enrolment(signer.key) if registry is not None else None
        if enrolment is None:
            raise UnknownKeyError(signer.key)
        if enrolment.cid != signer.cid:
            raise UnknownKeyError(signer.key, "is not enrolled for the citizen ID that signed")
        if enrolment.revoked_at is not None:
            raise RevokedKeyError(signer.key, enrolment.revoked_at.isoformat())
        return enrolment

    def _load_related(
        self, signed: list[SignedStatement], working: dict[UUID, SignedAggregate | None]
    ) -> list[BaseModel | None]:
        """Load the streams the batch's domain rules read, in one query; return parsed data.

        A statement whose type or data is wrong is skipped here: ``_accept`` raises its error in
        the batch's order. The parsed data is handed on so no statement is parsed twice.
        """
        parsed: list[BaseModel | None] = []
        wanted: set[UUID] = set()
        for item in signed:
            spec = EVENT_TYPES.get(item.statement.type)
            data: BaseModel | None = None
            if spec is not None and issubclass(spec.aggregate, LedgerAggregate):
                try:
                    data = spec.data_model.model_validate(item.statement.data)
                except ValidationError:
                    data = None
                if data is not None:
                    wanted.update(self._related(spec, data, working.get(item.statement.stream)))
            parsed.append(data)
        missing = wanted - working.keys()
        if missing:
            working.update(self._load_streams(missing))
        return parsed

    @staticmethod
    def _related(
        spec: EventType, data: BaseModel, current: SignedAggregate | None
    ) -> Iterable[UUID]:
        aggregate = spec.aggregate
        if not issubclass(aggregate, LedgerAggregate):
            return ()
        target = current if isinstance(current, aggregate) else None
        return aggregate.related_streams(spec.event_class, data, target)

    def _accept(
        self,
        item: SignedStatement,
        working: dict[UUID, SignedAggregate | None],
        parsed: BaseModel | None = None,
    ) -> _Accepted:
        statement = item.statement
        spec = EVENT_TYPES.get(statement.type)
        if spec is None:
            raise InvalidDataError(statement.type, ["unknown event type"])
        self._check_clock(item)
        enrolment: Enrolment | None = None
        if spec.name == "LedgerInitialised":
            self._check_genesis(item)
        else:
            enrolment = self._enrolment(item, self._registry_for(working))
            if not (spec.roles & enrolment.roles):
                raise ForbiddenError(
                    spec.name,
                    f"roles {', '.join(sorted(enrolment.roles))} may not emit it",
                )
        data = parsed if parsed is not None else self._parse_data(spec, statement.data)

        aggregate = self._working_aggregate(statement.stream, working)
        actual_version = aggregate.version if aggregate is not None else 0
        if statement.expected_version != actual_version:
            existing = self._existing_receipt(item)
            if existing is not None:
                return _Accepted(item, existing)
            raise StaleVersionError(
                str(statement.stream), statement.expected_version, actual_version
            )
        head = aggregate.head_hash if aggregate is not None else GENESIS_PREV_HASH
        if statement.prev_hash != head:
            raise BrokenChainError(str(statement.stream), actual_version, statement.prev_hash, head)

        text = item.canonical.decode("utf-8")
        self._parsed.put(text, (statement, data))  # replays of this stream reuse this parse
        fields = SignedFields(text, item.signature.hex(), item.hash, (statement, data))
        if aggregate is None:
            self._check_opening(spec, item, data, enrolment, working)
            opened = spec.aggregate.open(statement.stream, spec.event_class, fields)  # type: ignore[arg-type]
            working[statement.stream] = opened
        else:
            if enrolment is None:  # only the genesis has none, and it opens a stream
                raise InvalidDataError(spec.name, ["only the genesis is signed by its own key"])
            self._check_append(spec, item, data, aggregate, enrolment, working)
            aggregate.record(spec.event_class, fields)
        return _Accepted(item)

    def _check_clock(self, item: SignedStatement) -> None:
        skew = timedelta(seconds=self.settings.max_clock_skew_seconds)
        if item.statement.signed_at > datetime.now(UTC) + skew:
            raise InvalidDataError(item.statement.type, ["signed_at lies in the future"])

    def _check_genesis(self, item: SignedStatement) -> None:
        statement = item.statement
        if statement.stream != self.registry_id:
            raise InvalidDataError(
                "LedgerInitialised", [f"the genesis belongs on stream {self.registry_id}"]
            )
        if self.registry() is not None:
            raise AlreadyInitialisedError
        if statement.signer.cid != SYSTEM_CID or statement.signer.key != statement.data.get(
            "key_id"
        ):
            raise InvalidDataError(
                "LedgerInitialised", ["the genesis is signed by the system key it enrols"]
            )
        if statement.data.get("ledger") != self.settings.name:
            raise InvalidDataError(
                "LedgerInitialised",
                [f"data.ledger must be this ledger's name {self.settings.name}"],
            )

    def _parse_data(self, spec: EventType, data: dict[str, Any]) -> BaseModel:
        try:
            return spec.data_model.model_validate(data)
        except ValidationError as error:
            raise InvalidDataError(spec.name, [describe_validation_error(error)]) from None

    def _context(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        enrolment: Enrolment,
        working: dict[UUID, SignedAggregate | None],
        current: SignedAggregate | None,
    ) -> CheckContext:
        """The context of a domain check, loading any related stream not loaded yet (a stream
        opened earlier in the same batch can name streams the batch did not preload)."""
        missing = set(self._related(spec, data, current)) - working.keys()
        if missing:
            working.update(self._load_streams(missing))
        statement = item.statement
        return CheckContext(
            stream=statement.stream,
            effective=statement.effective,
            actor=Actor(cid=statement.signer.cid, roles=enrolment.roles),
            related=working,
        )

    def _check_opening(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        enrolment: Enrolment | None,
        working: dict[UUID, SignedAggregate | None],
    ) -> None:
        if not spec.opens_stream:
            openers = [t.name for t in EVENT_TYPES.values() if t.opens_stream]
            raise InvalidDataError(
                spec.name, [f"a new stream starts with one of {', '.join(openers)}"]
            )
        if spec.aggregate is OperatorRegistry and item.statement.stream != self.registry_id:
            raise InvalidDataError(spec.name, ["operator events belong on the registry stream"])
        if enrolment is not None:
            self._check_scope(spec, enrolment, spec.aggregate.opening_scope(spec.event_class, data))
        spec.aggregate.check_opening(spec.event_class, data)
        if enrolment is not None and issubclass(spec.aggregate, LedgerAggregate):
            context = self._context(spec, item, data, enrolment, working, None)
            spec.aggregate.check_opening_with(spec.event_class, data, context)

    def _check_append(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        aggregate: SignedAggregate,
        enrolment: Enrolment,
        working: dict[UUID, SignedAggregate | None],
    ) -> None:
        if spec.opens_stream:
            raise InvalidDataError(spec.name, ["only a new stream starts with it"])
        if not isinstance(aggregate, spec.aggregate):
            raise InvalidDataError(
                spec.name, [f"it applies to a {spec.aggregate.__name__}, not to this stream"]
            )
        self._check_scope(spec, enrolment, aggregate.target_scope(spec.event_class, data))
        aggregate.check(spec.event_class, data)
        if isinstance(aggregate, LedgerAggregate):
            context = self._context(spec, item, data, enrolment, working, aggregate)
            aggregate.check_with(spec.event_class, data, context)

    def _check_scope(self, spec: EventType, enrolment: Enrolment, target: Scope) -> None:
        if not enrolment.scope.covers(target):
            raise ForbiddenError(
                spec.name,
                f"the signer's scope ({enrolment.scope.describe()}) does not cover "
                f"{target.describe()}",
            )

    def _load_streams(self, streams: set[UUID]) -> dict[UUID, SignedAggregate | None]:
        """The current state of every stream a batch touches, read in one query."""
        working: dict[UUID, SignedAggregate | None] = {}
        for stream, stored_events in self._index.select_streams(sorted(streams)).items():
            aggregate: Any = None
            for stored in stored_events:
                event = self.mapper.to_domain_event(stored)
                if not isinstance(event, SignedAggregate.Event):
                    raise InvalidDataError("statement", [f"stream {stream} is not a ledger stream"])
                aggregate = event.mutate_parsed(aggregate, self._parsed.of(event))
            if aggregate is not None and not isinstance(aggregate, SignedAggregate):
                raise InvalidDataError("statement", [f"stream {stream} is not a ledger stream"])
            working[stream] = aggregate
        return working

    def load(self, streams: Iterable[UUID]) -> dict[UUID, SignedAggregate | None]:
        """The current state of many streams (None for a stream not opened), read in one query
        per 500 streams. For processes that enumerate streams from the notification log."""
        wanted = list(dict.fromkeys(streams))
        found: dict[UUID, SignedAggregate | None] = {}
        for start in range(0, len(wanted), 500):
            found.update(self._load_streams(set(wanted[start : start + 500])))
        return found

    def _working_aggregate(
        self, stream: UUID, working: dict[UUID, SignedAggregate | None]
    ) -> SignedAggregate | None:
        return working[stream]

    def _registry_for(self, working: dict[UUID, SignedAggregate | None]) -> OperatorRegistry | None:
        """The registry as this batch sees it: including enrolments earlier in the batch."""
        in_batch = working.get(self.registry_id)
        if isinstance(in_batch, OperatorRegistry):
            return in_batch
        return self.registry()

    def _existing_receipt(self, item: SignedStatement) -> Receipt | None:
        """The receipt of this very statement if it is already recorded (a safe retry)."""
        statement = item.statement
        version = statement.expected_version + 1
        events = list(self.events.get(statement.stream, gt=statement.expected_version, lte=version))
        if not events or getattr(events[0], "hash", None) != item.hash:
            return None
        ids = self._index.notification_ids(statement.stream, [version])
        return Receipt(ids[version], statement.stream, version, item.hash)

    # Reading.

    def registry(self, *, refresh: bool = False) -> OperatorRegistry | None:
        """The operator registry (cached; ``refresh`` applies events recorded since)."""
        with self._registry_lock:
            if self._registry is None:
                try:
                    found: object = self.repository.get(self.registry_id)
                except AggregateNotFoundError:
                    return None
                if not isinstance(found, OperatorRegistry):
                    raise TypeError(f"stream {self.registry_id} is not an operator registry")
                self._registry = found
            elif refresh:
                for event in self.events.get(self.registry_id, gt=self._registry.version):
                    if not isinstance(event, SignedAggregate.Event):
                        raise TypeError(f"unexpected event {type(event).__name__} in registry")
                    event.mutate(self._registry)
            return self._registry

    def aggregate(self, stream: UUID) -> SignedAggregate:
        """The current state of one stream."""
        try:
            found: object = self.repository.get(stream)
        except AggregateNotFoundError:
            raise StreamNotFoundError(str(stream)) from None
        if not isinstance(found, SignedAggregate):
            raise StreamNotFoundError(str(stream))
        return found

    def stream_events(self, stream: UUID) -> list[RecordedEvent]:
        """Every event of a stream with its statement bytes, signature, hashes and log position."""
        events = list(self.events.get(stream))
        if not events:
            raise StreamNotFoundError(str(stream))
        ids = self._index.notification_ids(stream)
        prev = GENESIS_PREV_HASH
        recorded = []
        for event in events:
            if not isinstance(event, SignedAggregate.Event):
                raise StreamNotFoundError(str(stream))  # not one of the ledger's signed streams
            recorded.append(
                RecordedEvent(
                    notification_id=ids[event.originator_version],
                    stream=stream,
                    version=event.originator_version,
                    type=type(event).__name__,
                    statement=event.statement.encode("utf-8"),
                    signature=bytes.fromhex(event.signature),
                    hash=event.hash,
                    prev_hash=prev,
                    recorded_at=event.timestamp,
                )
            )
            prev = event.hash
        return recorded

    def head(self, stream: UUID) -> tuple[int, str]:
        """The stream's version and head hash, or (0, zeros) for a stream not yet opened."""
        try:
            aggregate = self.aggregate(stream)
        except StreamNotFoundError:
            return 0, GENESIS_PREV_HASH
        return aggregate.version, aggregate.head_hash

    def enrolment_for(self, key_id: str) -> Enrolment | None:
        """The enrolment of a key id (current registry)."""
        registry = self.registry(refresh=True)
        return registry.enrolment(key_id) if registry is not None else None

    def active_enrolment(self, key_id: str) -> Enrolment:
        """The enrolment of a key that may act now, or the error saying why it may not."""
        enrolment = self.enrolment_for(key_id)
        if enrolment is None:
            raise UnknownKeyError(key_id)
        if enrolment.revoked_at is not None:
            raise RevokedKeyError(key_id, enrolment.revoked_at.isoformat())
        return enrolment


def is_system(enrolment: Enrolment) -> bool:
    return Role.SYSTEM in enrolment.roles


__all__ = ["Ledger", "LedgerError", "Receipt", "RecordedEvent", "read_statement"]
