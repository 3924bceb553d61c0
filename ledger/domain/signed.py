"""The base of every aggregate in the ledger: each of its events is a signed statement.

A stored event holds the statement's canonical bytes (as UTF-8 text), the signature and the
event hash; its typed fields are parsed from those bytes by the event's ``Data`` model, so what
is stored is exactly what was signed. Aggregates validate in ``check`` (before an event exists)
and change state in the event's ``evolve`` (on replay, with no validation).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, ClassVar, Self

from eventsourcing.domain import Aggregate
from pydantic import BaseModel

from ledger.domain.permissions import Role, Scope
from ledger.statement import GENESIS_PREV_HASH, Statement


class ParsedStatements:
    """A bounded memo of statements already parsed, keyed by their exact canonical text.

    The ledger parses a statement once to check it; the memo lets the event's ``apply`` reuse
    that parse (and recent replays reuse theirs). The key is the stored text itself, so a
    changed byte can never be served an earlier parse. Parsed statements are immutable.
    """

    def __init__(self, capacity: int = 8192) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, tuple[Statement, BaseModel]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> tuple[Statement, BaseModel] | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, parsed: tuple[Statement, BaseModel]) -> None:
        with self._lock:
            self._items[text] = parsed
            self._items.move_to_end(text)
            if len(self._items) > self._capacity:
                self._items.popitem(last=False)


PARSED = ParsedStatements()


class SignedAggregate(Aggregate):
    """An aggregate whose events form a signed hash chain.

    ``head_hash`` is the hash of the latest event. (No class-level annotations here: the library
    turns annotated aggregate classes into dataclasses.)
    """

    head_hash = GENESIS_PREV_HASH

    class Event(Aggregate.Event):
        """A signed event: the statement as signed, its signature (hex) and its event hash."""

        Data: ClassVar[type[BaseModel]]
        roles: ClassVar[frozenset[Role]] = frozenset()

        statement: str
        signature: str
        hash: str

        def parse(self) -> tuple[Statement, BaseModel]:
            """The statement and its typed data, parsed from the stored canonical bytes."""
            found = PARSED.get(self.statement)
            if found is not None:
                return found
            statement = Statement.model_validate_json(self.statement)
            parsed = (statement, self.Data.model_validate(statement.data))
            PARSED.put(self.statement, parsed)
            return parsed

        def apply(self, aggregate: Any) -> None:
            statement, data = self.parse()
            self.evolve(aggregate, statement, data)
            aggregate.head_hash = self.hash

        def evolve(self, aggregate: Any, statement: Statement, data: Any) -> None:
            """Change the aggregate's state; override in each event type. Never validates."""

    class Created(Event, Aggregate.Created):
        """The first event of a stream."""

    def check(self, event_class: type[SignedAggregate.Event], data: Any) -> None:
        """Raise ``InvalidDataError`` when a domain rule forbids this event now. Override."""

    def target_scope(self, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        """The scope a signer must cover to emit ``event_class`` on this aggregate."""
        raise NotImplementedError

    @classmethod
    def opening_scope(cls, event_class: type[SignedAggregate.Event], data: Any) -> Scope:
        """The scope a signer must cover to open a new stream with ``event_class``."""
        raise NotImplementedError

    def read_scope(self) -> Scope:
        """The scope a reader must cover to read this stream's events. Override."""
        raise NotImplementedError

    @classmethod
    def check_opening(cls, event_class: type[SignedAggregate.Event], data: Any) -> None:
        """Raise ``InvalidDataError`` when the opening event breaks a domain rule. Override."""

    @classmethod
    def open(cls, stream: Any, event_class: type[Created], signed: SignedFields) -> Self:
        """Start a new stream with its (already checked) first event."""
        return cls._create(event_class, id=stream, **signed.as_kwargs())

    def record(self, event_class: type[Event], signed: SignedFields) -> None:
        """Append an (already checked) event to this stream."""
        self.trigger_event(event_class, **signed.as_kwargs())


class SignedFields:
    """The three stored fields of a signed event, ready to become an event."""

    __slots__ = ("hash", "signature", "statement")

    def __init__(self, statement: str, signature: str, hash: str) -> None:
        self.statement = statement
        self.signature = signature
        self.hash = hash

    def as_kwargs(self) -> dict[str, str]:
        return {"statement": self.statement, "signature": self.signature, "hash": self.hash}
