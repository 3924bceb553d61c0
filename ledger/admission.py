"""Admission: the checks of one batch of signed statements, on streams already loaded.

``Ledger.submit_batch`` loads the streams a batch writes, then asks ``Admission`` whether each
statement may join them, in the batch's order and in DESIGN.md section 3's order: a known event
type; a ``signed_at`` not in the future; for the genesis, the trust anchor's own rules, for any
other statement, a known, unrevoked key of the named citizen with a role that may emit the
type; data valid for the type; a stream the signer may see (``_sees``: one not opened, for a
type that continues a stream, or one outside the signer's share is refused in the same words,
``stream.not_found``, before its version or head is compared, so that a signer learns nothing
of streams outside its share); the expected version (or a receipt, when the very statement is
already recorded) and prev_hash of the stream; a stream opened or continued by the right kind
of event; the signer's scope; the aggregate's own rules, and one active record per person and
category (``ledger.person_claims``: the person's other records, which storage finds, are read
beside the batch's). The first failure raises its ``LedgerError``. An accepted statement
becomes a pending event of its aggregate in the batch's working streams, so a later statement
of the batch sees it.

Admission never reads storage itself: it is handed the loaded streams, the operator registry and
the settings, and callables for what only storage knows (the streams the domain's rules read
that are not loaded yet; the receipt of a statement already recorded; the snapshot of an LAO's
records at a log position, which the domain's certification check compares). The signature
checks run apart, on ``ledger.signing``'s verifier threads; ``signing_key`` here says which key
each signature is checked with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from ledger import admission_rules as rules
from ledger.admission_rules import refused
from ledger.domain.base import Actor, CheckContext, LedgerAggregate
from ledger.domain.catalog import EVENT_TYPES, EventType
from ledger.domain.dates import OUT_OF_RANGE, DateKind, implausible_year
from ledger.domain.event_labels import STREAM_LABELS
from ledger.domain.operators import Enrolment, OperatorRegistry
from ledger.domain.permissions import Scope
from ledger.domain.reading import only_own_record
from ledger.domain.signed import Parsed, SignedAggregate, SignedFields
from ledger.domain.snapshot import SnapshotAt
from ledger.domain.value_checks import value_violations
from ledger.errors import (
    UNKNOWN_EVENT_TYPE,
    AlreadyInitialisedError,
    BrokenChainError,
    ForbiddenError,
    InvalidDataError,
    LedgerError,
    RevokedKeyError,
    StaleVersionError,
    UnknownKeyError,
    model_violations,
)
from ledger.person_claims import FindPerson, PersonClaims
from ledger.settings import LedgerSettings
from ledger.statement import (
    GENESIS_PREV_HASH,
    SYSTEM_CID,
    SignedStatement,
    Statement,
    describe_validation_error,
)
from ledger.violations import Violation

GENESIS = "LedgerInitialised"

Streams = dict[UUID, SignedAggregate | None]
"""A batch's working streams: each stream's current state, None for a stream not opened."""

LoadStreams = Callable[[set[UUID]], Streams]
"""Reads the current state of the given streams from storage."""


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


RememberParse = Callable[[str, Parsed], None]
"""Keeps a checked statement's parse, keyed by its canonical text, for later replays."""

FindReceipt = Callable[[SignedStatement], Receipt | None]
"""The receipt of this very statement if storage already holds it (a safe retry), else None."""


@dataclass(frozen=True, slots=True)
class Accepted:
    """A statement admitted to the batch; ``existing`` is its first receipt when resubmitted."""

    signed: SignedStatement
    existing: Receipt | None = None


def enrolment_of(item: SignedStatement, registry: OperatorRegistry | None) -> Enrolment:
    """The enrolment of the statement's signing key, or the error saying why it may not sign."""
    signer = item.statement.signer
    enrolment = registry.enrolment(signer.key) if registry is not None else None
    if enrolment is None:
        raise UnknownKeyError(signer.key)
    if enrolment.cid != signer.cid:
        # Worded as for a key never enrolled: a caller who has not proved the key is theirs
        # must not learn that it exists, nor that it belongs to another citizen ID. A record
        # owner's key (enrolled by her record, no cid) signs with a null cid, and only so.
        raise UnknownKeyError(signer.key)
    if enrolment.revoked_at is not None:
        raise RevokedKeyError(signer.key, enrolment.revoked_at.isoformat())
    return enrolment


def signing_key(item: SignedStatement, registry: OperatorRegistry | None) -> bytes:
    """The public key the statement's signature is checked with."""
    statement = item.statement
    if statement.type != "LedgerInitialised":
        return enrolment_of(item, registry).public_key
    # The genesis is signed by the key it enrols: the trust anchor.
    public_key = statement.data.get("public_key")
    wrong = refused(GENESIS, rules.GENESIS_PUBLIC_KEY, "data.public_key")
    if not isinstance(public_key, str) or len(public_key) != 64:
        raise wrong
    try:
        return bytes.fromhex(public_key)
    except ValueError:
        raise wrong from None


def _related(spec: EventType, data: BaseModel, current: SignedAggregate | None) -> Iterable[UUID]:
    """The other streams the domain's check of this statement reads."""
    aggregate = spec.aggregate
    if not issubclass(aggregate, LedgerAggregate):
        return ()
    target = current if isinstance(current, aggregate) else None
    return aggregate.related_streams(spec.event_class, data, target)


def related_of(statement: Statement, current: SignedAggregate | None) -> set[UUID]:
    """The other streams the domain's check of ``statement`` reads, ``current`` being its
    stream's state (None: not opened); none for an unknown type or data its model refuses."""
    spec = EVENT_TYPES.get(statement.type)
    if spec is None:
        return set()
    try:
        data = spec.data_model.model_validate(statement.data)
    except ValidationError:
        return set()
    return set(_related(spec, data, current))


class Admission:
    """The checks of one batch: which statements may join the batch's working streams.

    ``working`` is changed in place: related streams are added as they are loaded, and an
    accepted statement becomes a pending event of its (possibly new) aggregate there.
    ``registry`` is the operator registry the batch was started on (None before the genesis).
    """

    def __init__(
        self,
        settings: LedgerSettings,
        registry_id: UUID,
        registry: OperatorRegistry | None,
        working: Streams,
        *,
        load_streams: LoadStreams,
        find_receipt: FindReceipt,
        remember_parse: RememberParse | None = None,
        snapshot_at: SnapshotAt | None = None,
        find_person: FindPerson | None = None,
    ) -> None:
        self._settings = settings
        self._claims = PersonClaims(find_person, working)  # one active record per person
        self._snapshot_at = snapshot_at
        self._remember_parse = remember_parse
        self._registry_id = registry_id
        self._registry = registry
        self._working = working
        self._load_streams = load_streams
        self._find_receipt = find_receipt

    def preload_related(self, signed: list[SignedStatement]) -> list[BaseModel | None]:
        """Load the streams the batch's domain rules read, in one query; return parsed data.

        A statement whose type or data is wrong is skipped here: ``admit`` raises its error in
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
                    wanted.update(_related(spec, data, self._working.get(item.statement.stream)))
            parsed.append(data)
        self._load_missing(wanted)
        return parsed

    def admit(
        self, signed: list[SignedStatement], parsed: list[BaseModel | None]
    ) -> list[Accepted]:
        """Check every statement in order (``parsed`` from ``preload_related``); raise the
        first statement's ``LedgerError``."""
        return [self.accept(item, data) for item, data in zip(signed, parsed, strict=True)]

    def accept(self, item: SignedStatement, parsed: BaseModel | None = None) -> Accepted:
        """Check one statement and record it on its working stream."""
        statement = item.statement
        spec = EVENT_TYPES.get(statement.type)
        if spec is None:
            raise refused(statement.type, UNKNOWN_EVENT_TYPE, "type", type=statement.type)
        self._check_clock(item)
        enrolment = self._check_signer(spec, item)
        _check_effective(item)
        data = parsed if parsed is not None else self._parse_data(spec, statement.data)
        _check_values(spec, item)
        aggregate = self._working[statement.stream]
        if not _sees(spec, data, aggregate, enrolment):
            existing = self._find_receipt(item)  # a resend, its stream since out of its scope
            if existing is not None:
                return Accepted(item, existing)
            raise refused_unseen(spec, statement.stream, opened=aggregate is not None)
        actual_version = aggregate.version if aggregate is not None else 0
        if statement.expected_version != actual_version:
            existing = self._find_receipt(item)
            if existing is not None:
                return Accepted(item, existing)
            raise StaleVersionError(
                str(statement.stream), statement.expected_version, actual_version
            )
        head = aggregate.head_hash if aggregate is not None else GENESIS_PREV_HASH
        if statement.prev_hash != head:
            raise BrokenChainError(str(statement.stream), actual_version, statement.prev_hash, head)
        self._record(spec, item, data, aggregate, enrolment)
        return Accepted(item)

    def _check_signer(self, spec: EventType, item: SignedStatement) -> Enrolment | None:
        """The signer's enrolment, with a role that may emit the type (None for the genesis)."""
        if spec.name == "LedgerInitialised":
            self._check_genesis(item)
            return None
        enrolment = enrolment_of(item, self._registry_in_batch())
        if not (spec.roles & enrolment.roles):
            raise ForbiddenError(
                spec.name,
                f"roles {', '.join(sorted(enrolment.roles))} may not emit it",
            )
        return enrolment

    def _record(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        aggregate: SignedAggregate | None,
        enrolment: Enrolment | None,
    ) -> None:
        """Open or continue the stream with the checked statement, once its stream's rules
        allow it."""
        statement = item.statement
        text = item.canonical.decode("utf-8")
        parsed = (statement, data)
        if self._remember_parse is not None:
            self._remember_parse(text, parsed)  # replays of this stream reuse this parse
        # The new event applies this parse too, rather than parsing the same bytes again.
        fields = SignedFields(text, item.signature.hex(), item.hash, parsed)
        if aggregate is None:
            self._check_opening(spec, item, data, enrolment)
            claim = self._claims.check(spec, data, statement.stream, None)
            # The catalogue types event_class as any Event; _check_opening saw it is a Created.
            opened = spec.aggregate.open(statement.stream, spec.event_class, fields)  # type: ignore[arg-type]
            self._working[statement.stream] = opened
            self._claims.claimed(claim, statement.stream)
            return
        if enrolment is None:  # only the genesis has none, and it opens a stream
            raise refused(spec.name, rules.ALREADY_OPEN, "stream", event=spec.name)
        self._check_append(spec, item, data, aggregate, enrolment)
        claim = self._claims.check(spec, data, statement.stream, aggregate)
        aggregate.record(spec.event_class, fields)
        self._claims.claimed(claim, statement.stream)

    def _registry_in_batch(self) -> OperatorRegistry | None:
        """The registry as this batch sees it: including enrolments earlier in the batch."""
        in_batch = self._working.get(self._registry_id)
        if isinstance(in_batch, OperatorRegistry):
            return in_batch
        return self._registry

    def _check_clock(self, item: SignedStatement) -> None:
        skew = timedelta(seconds=self._settings.max_clock_skew_seconds)
        if item.statement.signed_at > datetime.now(UTC) + skew:
            signed_at = item.statement.signed_at.isoformat()
            raise refused(
                item.statement.type, rules.SIGNED_IN_FUTURE, "signed_at", signed_at=signed_at
            )

    def _check_genesis(self, item: SignedStatement) -> None:
        statement = item.statement
        if statement.stream != self._registry_id:
            registry = str(self._registry_id)
            raise refused(GENESIS, rules.REGISTRY_ONLY, "stream", registry=registry)
        if self._registry is not None:
            raise AlreadyInitialisedError
        if statement.signer.cid != SYSTEM_CID or statement.signer.key != statement.data.get(
            "key_id"
        ):
            raise refused(GENESIS, rules.GENESIS_SIGNER, "signer")
        if statement.data.get("ledger") != self._settings.name:
            raise refused(GENESIS, rules.GENESIS_LEDGER, "data.ledger", name=self._settings.name)

    @staticmethod
    def _parse_data(spec: EventType, data: dict[str, Any]) -> BaseModel:
        try:
            return spec.data_model.model_validate(data)
        except ValidationError as error:
            raise InvalidDataError(
                spec.name, [describe_validation_error(error)], model_violations(error.errors())
            ) from None

    def _check_opening(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        enrolment: Enrolment | None,
    ) -> None:
        if spec.aggregate is OperatorRegistry and item.statement.stream != self._registry_id:
            registry = str(self._registry_id)
            raise refused(spec.name, rules.REGISTRY_ONLY, "stream", registry=registry)
        if enrolment is not None:
            _check_scope(spec, enrolment, spec.aggregate.opening_scope(spec.event_class, data))
        spec.aggregate.check_opening(spec.event_class, data)
        if enrolment is not None and issubclass(spec.aggregate, LedgerAggregate):
            context = self._context(spec, item, data, enrolment, None)
            spec.aggregate.check_opening_with(spec.event_class, data, context)

    def _check_append(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        aggregate: SignedAggregate,
        enrolment: Enrolment,
    ) -> None:
        if spec.opens_stream:
            raise refused(spec.name, rules.ALREADY_OPEN, "stream", event=spec.name)
        if not isinstance(aggregate, spec.aggregate):
            raise refused(spec.name, rules.WRONG_KIND, "stream", **_kinds(spec, aggregate))
        _check_scope(spec, enrolment, aggregate.target_scope(spec.event_class, data))
        aggregate.check(spec.event_class, data)
        if isinstance(aggregate, LedgerAggregate):
            context = self._context(spec, item, data, enrolment, aggregate)
            aggregate.check_with(spec.event_class, data, context)

    def _context(
        self,
        spec: EventType,
        item: SignedStatement,
        data: BaseModel,
        enrolment: Enrolment,
        current: SignedAggregate | None,
    ) -> CheckContext:
        """The context of a domain check, loading any related stream not loaded yet (a stream
        opened earlier in the same batch can name streams the batch did not preload)."""
        self._load_missing(set(_related(spec, data, current)))
        statement = item.statement
        return CheckContext(
            stream=statement.stream,
            effective=statement.effective,
            actor=_actor(enrolment),
            related=self._working,
            snapshot_at=self._snapshot_at,
        )

    def _load_missing(self, streams: set[UUID]) -> None:
        missing = {stream for stream in streams if stream not in self._working}
        if missing:
            self._working.update(self._load_streams(missing))


def _sees(
    spec: EventType,
    data: BaseModel,
    aggregate: SignedAggregate | None,
    enrolment: Enrolment | None,
) -> bool:
    """Whether the signer may learn anything of the statement's stream (its version, its head,
    its kind), as ``api.access`` lets a reader see a stream. A stream not opened: only for a
    type that opens one. An opened one: for a record owner, only her own record; for anyone
    else, when their scope covers the scope the stream is read in, or the scope this type asks
    of its signer (the destination of a transfer signs the arrival). The genesis sees all."""
    if aggregate is None:
        return spec.opens_stream
    if enrolment is None:
        return True
    if _actor(enrolment).sees(aggregate):
        return True
    if only_own_record(enrolment.roles):
        return False
    applies = not spec.opens_stream and isinstance(aggregate, spec.aggregate)
    return applies and enrolment.scope.covers(aggregate.target_scope(spec.event_class, data))


def _actor(enrolment: Enrolment) -> Actor:
    """The signer as the domain's rules see her: her roles, an owner's record, her scope."""
    return Actor(enrolment.cid, enrolment.roles, enrolment.record, enrolment.scope)


def refused_unseen(spec: EventType, stream: UUID, *, opened: bool) -> LedgerError:
    """The refusal of a statement of ``spec`` on a stream its signer does not see: the one a
    stream not opened gets (``stream.not_found``), whatever the statement claims of it. An
    opening type on a stream ``opened`` outside the signer's share is told only that the id is
    taken (``stream.already_open``), never the stream's version or head."""
    if opened and spec.opens_stream:
        return refused(spec.name, rules.ALREADY_OPEN, "stream", event=spec.name)
    return rules.unseen_stream(spec.name, stream, _openers(spec))


def _openers(spec: EventType) -> str:
    """The event types that open a stream of the kind ``spec`` applies to."""
    kind = [
        t.name for t in EVENT_TYPES.values() if t.opens_stream and t.aggregate is spec.aggregate
    ]
    return ", ".join(kind or [t.name for t in EVENT_TYPES.values() if t.opens_stream])


def _check_effective(item: SignedStatement) -> None:
    """The statement's valid time is an order or effective date: a year 0062 (a ``1/4/62``
    read as is) or 2562 (a Buddhist year written as ISO) is refused, both readings shown."""
    statement = item.statement
    details = implausible_year(DateKind.EVENT, statement.effective)
    if details is not None:
        raise InvalidDataError(
            statement.type, violations=[Violation(OUT_OF_RANGE, "effective", details)]
        )


def _check_values(spec: EventType, item: SignedStatement) -> None:
    """The data's dates, text and money as signed (ISO dates of plausible years, text a person
    can see, plain decimals): checked here, never on replay (``ledger.domain.value_checks``)."""
    violations = value_violations(spec.data_model, item.statement.data)
    if violations:
        raise InvalidDataError(spec.name, violations=violations)


def _kinds(spec: EventType, aggregate: SignedAggregate) -> dict[str, str]:
    """The kinds of stream an event type applies to and the one it was sent to, in Thai and
    English (the stream labels of ``ledger.domain.event_labels``)."""
    kind, actual = spec.aggregate.__name__, type(aggregate).__name__
    kind_th = STREAM_LABELS[kind].th if kind in STREAM_LABELS else kind
    actual_th = STREAM_LABELS[actual].th if actual in STREAM_LABELS else actual
    names = {"kind": kind, "actual": actual, "kind_th": kind_th, "actual_th": actual_th}
    return {"event": spec.name, **names}


def _check_scope(spec: EventType, enrolment: Enrolment, target: Scope) -> None:
    if not enrolment.scope.covers(target):
        raise ForbiddenError(
            spec.name,
            f"the signer's scope ({enrolment.scope.describe()}) does not cover {target.describe()}",
        )
