"""The base of every aggregate in the ledger: each of its events is a signed statement.

A stored event holds the statement's canonical bytes (as UTF-8 text), the signature and the
event hash; its typed fields are parsed from those bytes by the event's ``Data`` model, so what
is stored is exactly what was signed.

Each event type names its aggregate and its data (``SignedEvent[Aggregate, Data]``) and keeps
its rule beside its effect: ``check`` validates before the event exists; ``evolve`` changes the
aggregate (``evolve_with`` when the change needs the statement too) and never validates. The
aggregate's entry points the ledger calls (``check``, ``target_scope``, ``opening_scope``,
``check_opening``) hand over to the event type, so neither the ledger nor the aggregate
dispatches on a type's name.

Appending, the ledger has parsed the statement already to check it: it hands that parse over
with the signed fields (``SignedFields.parsed``) and the new event applies it as it is
(``mutate_parsed``). Nothing is memoised here: a replay parses the stored text, or is handed a
parse by a memo its caller keeps (the ledger's ``ParsedStatements``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Self, TypeVar, get_args
from uuid import UUID

from eventsourcing.domain import Aggregate, OriginatorIDError, OriginatorVersionError
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel

from ledger.domain.permissions import Role, Scope
from ledger.statement import GENESIS_PREV_HASH, Statement

A = TypeVar("A", bound="SignedAggregate")
D = TypeVar("D")  # an event's data model: a pydantic model (``SignedEvent`` takes it as ``Data``)

Parsed = tuple[Statement, BaseModel]
"""A statement and its typed data, as parsed from an event's stored canonical bytes."""


class SignedAggregate(Aggregate):
    """An aggregate whose events form a signed hash chain.

    ``head_hash`` is the hash of the latest event. (No class-level annotations here: the library
    turns annotated aggregate classes into dataclasses.)
    """

    head_hash = GENESIS_PREV_HASH

    class Event(Aggregate.Event):
        """A signed event of any aggregate: the statement as signed, its signature (hex) and its
        event hash. Readers of the log name this type; ``SignedEvent`` adds the typed hooks."""

        Data: ClassVar[type[BaseModel]]
        roles: ClassVar[frozenset[Role]] = frozenset()

        statement: str
        signature: str
        hash: str

        def parse(self) -> Parsed:
            """The statement and its typed data, parsed from the stored canonical bytes."""
            statement = Statement.model_validate_json(self.statement)
            return statement, self.Data.model_validate(statement.data)

        def apply(self, aggregate: Any) -> None:
            statement, data = self.parse()
            self.apply_parsed(aggregate, statement, data)

        def mutate_parsed(self, aggregate: Any, parsed: Parsed | None) -> Any:
            """What the library's ``mutate`` does, but the event applies ``parsed`` when given:
            its statement and data as whoever read them before parsed them (the ledger that
            checked it), so they are not parsed again."""
            if aggregate.id != self.originator_id:
                raise OriginatorIDError(self.originator_id, aggregate.id)
            if self.originator_version != aggregate.version + 1:
                raise OriginatorVersionError(self.originator_version, aggregate.version + 1)
            self.apply_parsed(aggregate, *(parsed if parsed is not None else self.parse()))
            aggregate.version = self.originator_version
            aggregate.modified_on = self.timestamp
            return aggregate

        def apply_parsed(self, aggregate: Any, statement: Statement, data: BaseModel) -> None:
            """Apply the event given its statement and data, already parsed from its bytes."""
            aggregate.note_statement(self.originator_version, self.Data, statement)
            self.evolve_with(aggregate, statement, data)
            aggregate.head_hash = self.hash

        def evolve_with(self, aggregate: Any, statement: Statement, data: Any) -> None:
            """Change the aggregate's state (``SignedEvent`` names the types)."""
            self.evolve(aggregate, data)

        def evolve(self, aggregate: Any, data: Any) -> None:
            """Change the aggregate's state (``SignedEvent`` names the types)."""

    class Created(Event, Aggregate.Created):
        """The first event of a stream."""

        def mutate_parsed(self, aggregate: Any, parsed: Parsed | None) -> Any:
            """What the library's ``mutate`` does for a first event (it makes the aggregate:
            aggregates here take no constructor arguments, the opening event sets their state),
            but the event applies ``parsed`` when given."""
            cls = resolve_topic(self.originator_topic)
            created = cls.__new__(cls)
            created.__base_init__(self.originator_id, self.originator_version, self.timestamp)
            cls.__init__(created)
            self.apply_parsed(created, *(parsed if parsed is not None else self.parse()))
            return created

    def note_statement(
        self, version: int, data_model: type[BaseModel], statement: Statement
    ) -> None:
        """What the aggregate keeps of a statement beyond its data, as each event is applied
        (nothing here; a personnel record notes its v1 personal values: ``domain.erasable``)."""

    # The entry points the ledger calls: each hands over to the event type's own hook.

    def check(self, event_class: type[SignedAggregate.Event], data: BaseModel) -> None:
        """Raise ``InvalidDataError`` when a domain rule forbids this event now."""
        typed(event_class).check(self, data)

    def target_scope(self, event_class: type[SignedAggregate.Event], data: BaseModel) -> Scope:
        """The scope a signer must cover to emit ``event_class`` on this aggregate."""
        return typed(event_class).target_scope(self, data)

    @classmethod
    def opening_scope(cls, event_class: type[SignedAggregate.Event], data: BaseModel) -> Scope:
        """The scope a signer must cover to open a new stream with ``event_class``."""
        return opening(event_class).opening_scope(data)

    def read_scope(self) -> Scope:
        """The scope a reader must cover to read this stream's events. Override."""
        raise NotImplementedError

    @classmethod
    def check_opening(cls, event_class: type[SignedAggregate.Event], data: BaseModel) -> None:
        """Raise ``InvalidDataError`` when the opening event breaks a domain rule."""
        opening(event_class).check_opening(data)

    # Appending (the ledger has checked the event).

    @classmethod
    def open(
        cls, stream: UUID, event_class: type[SignedAggregate.Created], signed: SignedFields
    ) -> Self:
        """Start a new stream with its first event (what the library's ``_create`` does, but
        the event applies the parse it is handed)."""
        event = event_class(
            **signed.as_kwargs(),
            originator_topic=get_topic(cls),
            originator_id=stream,
            originator_version=cls.INITIAL_VERSION,
            timestamp=event_class.create_timestamp(),
        )
        aggregate: Self = event.mutate_parsed(None, signed.parsed)
        aggregate.pending_events.append(event)
        return aggregate

    def record(self, event_class: type[SignedAggregate.Event], signed: SignedFields) -> None:
        """Append an event to this stream (what the library's ``trigger_event`` does, but the
        event applies the parse it is handed)."""
        event = event_class(
            **signed.as_kwargs(),
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=event_class.create_timestamp(),
        )
        event.mutate_parsed(self, signed.parsed)
        self.pending_events.append(event)


class SignedEvent(SignedAggregate.Event, Generic[A, D]):
    """An event of an ``A`` whose data is a ``D``: the hooks that name their types.

    An event type names both (``class EducationAdded(SignedEvent["PersonnelRecord",
    EducationAddedData])``, or through a base that fixes the aggregate); its ``Data`` model is
    taken from that type argument, so the data the hooks see is the data that was parsed.
    """

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        models = {
            argument
            for base in cls.__dict__.get("__orig_bases__", ())
            for argument in get_args(base)
            if isinstance(argument, type) and issubclass(argument, BaseModel)
        }
        if len(models) > 1:
            raise TypeError(f"{cls.__qualname__} names more than one data model: {models}")
        if models:
            cls.Data = models.pop()

    def evolve(self, aggregate: A, data: D) -> None:
        """Change the aggregate's state. Never validates: a replay must reproduce what was
        recorded even if the rules change later."""

    def evolve_with(self, aggregate: A, statement: Statement, data: D) -> None:
        """``evolve``, for the effects that need the statement itself (its valid time, its
        signer): override this one instead."""
        self.evolve(aggregate, data)

    @classmethod
    def check(cls, aggregate: A, data: D) -> None:
        """Raise ``InvalidDataError`` when a domain rule forbids this event on ``aggregate``."""

    @classmethod
    def target_scope(cls, aggregate: A, data: D) -> Scope:
        """The scope a signer must cover: by default the one holding the stream (its readers')."""
        return aggregate.read_scope()


class SignedCreated(SignedEvent[A, D], SignedAggregate.Created):
    """The first event of an ``A``'s stream, whose data is a ``D``."""

    @classmethod
    def opening_scope(cls, data: D) -> Scope:
        """The scope a signer must cover to open the stream with this data. Override."""
        raise NotImplementedError

    @classmethod
    def check_opening(cls, data: D) -> None:
        """Raise ``InvalidDataError`` when opening the stream with this data breaks a rule."""


def typed(event_class: type[SignedAggregate.Event]) -> type[SignedEvent[Any, Any]]:
    """``event_class`` as the event type with typed hooks that every catalogued type is."""
    if not issubclass(event_class, SignedEvent):
        raise TypeError(f"{event_class.__name__} declares no aggregate and data types")
    return event_class


def opening(event_class: type[SignedAggregate.Event]) -> type[SignedCreated[Any, Any]]:
    """``event_class`` as an opening event type (the ledger asks only of those)."""
    if not issubclass(event_class, SignedCreated):
        raise TypeError(f"{event_class.__name__} does not open a stream")
    return event_class


class SignedFields:
    """The three stored fields of a signed event, ready to become an event, and the statement
    and data the ledger parsed them to (so the new event need not parse them again)."""

    __slots__ = ("hash", "parsed", "signature", "statement")

    def __init__(
        self, statement: str, signature: str, hash: str, parsed: Parsed | None = None
    ) -> None:
        self.statement = statement
        self.signature = signature
        self.hash = hash
        self.parsed = parsed

    def as_kwargs(self) -> dict[str, str]:
        return {"statement": self.statement, "signature": self.signature, "hash": self.hash}
