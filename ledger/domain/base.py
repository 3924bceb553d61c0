"""What the domain's aggregates see when the ledger checks a statement, beyond its data.

The foundation's hooks (``SignedAggregate.check`` and ``check_opening``) see an event type and
its data. The domain's rules also need the statement's valid time, who signs it, the stream it
targets and, for a few rules, other streams: a position's holder must be a record held by the
same LAO; a position, a certification cycle or a plan belongs to a registered organization; a
plan project belongs to a plan. ``LedgerAggregate`` adds those entry points and ``LedgerEvent``
the hooks behind them, so each rule sits on its event type; the ledger calls them after the role,
version, chain and scope checks:

* ``related_streams`` names the other streams a check reads; the ledger loads them together with
  the batch's own streams (one more query per batch, and only when a batch names any), so the
  rule still sees plain values and no repository;
* ``CheckContext.snapshot_at`` is the ledger's port for what only the log knows: the snapshot of
  an LAO's records at a log position (``ledger.domain.snapshot``), which a certification names;
* ``check_with`` / ``check_opening_with`` validate with a ``CheckContext`` and raise
  ``InvalidDataError`` (a rule is broken) or ``ForbiddenError`` (a permission that depends on
  the target: a record owner only on their own record).

A rule answers a related stream its signer does not see (``Actor.sees``) exactly as one that
does not exist (``CheckContext.find_seen``), so its refusal tells her nothing outside her share.

Related streams are read, not locked: the append is guarded on the streams it writes, so a
concurrent change to a related stream between the check and the commit goes unnoticed. These
rules are entry-time integrity checks (like a foreign key), not invariants across streams.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from pydantic import BaseModel

from ledger.domain.permissions import Role, Scope, lao_scope
from ledger.domain.reading import is_own_record, only_own_record
from ledger.domain.signed import SignedAggregate, SignedCreated, SignedEvent
from ledger.domain.snapshot import SnapshotAt
from ledger.errors import ForbiddenError, InvalidDataError
from ledger.violations import Rule, Violation, rule

STREAM_NOT_DERIVED = rule(
    "stream.not_derived",
    "รายการนี้ต้องบันทึกในสตรีม {expected} ซึ่งคำนวณจาก {fields} ในข้อมูลของรายการ",
    "this statement goes on stream {expected}, derived from {fields} in its data",
)

A = TypeVar("A", bound=SignedAggregate)
L = TypeVar("L", bound="LedgerAggregate")
D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who signs the statement: the citizen ID (or "system"; None for a record owner enrolled
    by her record), the roles of the key, the record an owner's key was enrolled by, and the
    key's scope (None: a check run without a signer's scope, which sees every stream)."""

    cid: str | None
    roles: frozenset[Role]
    record: UUID | None = None
    scope: Scope | None = None

    def sees(self, stream: SignedAggregate) -> bool:
        """Whether this signer may learn anything of ``stream``, a stream a rule reads beside
        the one written (as admission lets a signer see the stream she writes): a record
        owner only her own record, anyone else a stream her scope covers. A rule answers a
        related stream she does not see exactly as one that does not exist, so that its
        refusal tells her nothing outside her share (docs/personal-data.md, "Rules that read
        another stream")."""
        if only_own_record(self.roles):
            record_cid = getattr(stream, "cid", None)
            return is_own_record(self.record, self.cid, stream.id, record_cid)
        return self.scope is None or self.scope.covers(stream.read_scope())


@dataclass(frozen=True, slots=True)
class CheckContext:
    """The statement around the data: target stream, valid time, signer, related streams, and
    the ledger's snapshots of an LAO's records (None where the ledger offers none)."""

    stream: UUID
    effective: date
    actor: Actor
    related: Mapping[UUID, SignedAggregate | None]
    snapshot_at: SnapshotAt | None = None

    def find(self, stream: UUID, kind: type[A]) -> A | None:
        """The related stream's current state if it exists and is a ``kind``, else None."""
        found = self.related.get(stream)
        return found if isinstance(found, kind) else None

    def find_seen(self, stream: UUID, kind: type[A]) -> A | None:
        """As ``find``, and None as well for a stream the signer does not see (``Actor.sees``):
        a rule naming what it found must not find what lies outside the signer's share."""
        found = self.find(stream, kind)
        return found if found is not None and self.actor.sees(found) else None


class LedgerAggregate(SignedAggregate):
    """A domain aggregate: the foundation's signed aggregate with context-aware checks, each
    handed over to the event type's own hook (``LedgerEvent``)."""

    @classmethod
    def related_streams(
        cls, event_class: type[SignedAggregate.Event], data: BaseModel, current: Self | None
    ) -> Collection[UUID]:
        """Other streams the check of ``event_class`` reads (``current`` is None on opening)."""
        return ledger_event(event_class).related_streams(current, data)

    def check_with(
        self, event_class: type[SignedAggregate.Event], data: BaseModel, context: CheckContext
    ) -> None:
        """Raise ``InvalidDataError`` or ``ForbiddenError`` when this event may not happen now."""
        ledger_event(event_class).check_with(self, data, context)

    @classmethod
    def check_opening_with(
        cls, event_class: type[SignedAggregate.Event], data: BaseModel, context: CheckContext
    ) -> None:
        """Raise ``InvalidDataError`` or ``ForbiddenError`` when this stream may not open so."""
        ledger_opening(event_class).check_opening_with(data, context)


class LedgerEvent(SignedEvent[L, D]):
    """An event of a domain aggregate ``L`` with data ``D``: its rules may read the context."""

    @classmethod
    def related_streams(cls, aggregate: L | None, data: D) -> Collection[UUID]:
        """Other streams this event's rules read (``aggregate`` is None on opening)."""
        return ()

    @classmethod
    def check_with(cls, aggregate: L, data: D, context: CheckContext) -> None:
        """Raise ``InvalidDataError`` or ``ForbiddenError`` when this event may not happen now."""


class LedgerCreated(LedgerEvent[L, D], SignedCreated[L, D]):
    """The first event of a domain aggregate's stream."""

    @classmethod
    def check_opening_with(cls, data: D, context: CheckContext) -> None:
        """Raise ``InvalidDataError`` or ``ForbiddenError`` when the stream may not open so."""


def ledger_event(event_class: type[SignedAggregate.Event]) -> type[LedgerEvent[Any, Any]]:
    """``event_class`` as a domain event type (every event of a ``LedgerAggregate`` is one)."""
    if not issubclass(event_class, LedgerEvent):
        raise TypeError(f"{event_class.__name__} is not an event of a domain aggregate")
    return event_class


def ledger_opening(event_class: type[SignedAggregate.Event]) -> type[LedgerCreated[Any, Any]]:
    """``event_class`` as a domain aggregate's opening event type."""
    if not issubclass(event_class, LedgerCreated):
        raise TypeError(f"{event_class.__name__} does not open a domain aggregate's stream")
    return event_class


def broken(
    event_class: type[SignedAggregate.Event], rule: Rule, field: str, **details: str
) -> InvalidDataError:
    """The error for a broken rule of the catalogue (``ledger.violations``), on ``field``
    (a dotted path such as ``data.to_lao``), with the details its messages name."""
    return InvalidDataError(event_class.__name__, violations=[Violation(rule, field, details)])


def check_derived_stream(
    event_class: type[SignedAggregate.Event], context: CheckContext, expected: UUID, fields: str
) -> None:
    """Raise the broken rule when the statement's stream is not ``expected``, the stream its
    data's natural key (``fields``, such as ``lao, number``) names."""
    if context.stream != expected:
        raise broken(
            event_class, STREAM_NOT_DERIVED, "stream", expected=str(expected), fields=fields
        )


def forbidden(event_class: type[SignedAggregate.Event], reason: str) -> ForbiddenError:
    """The error for a permission the target refuses, naming the event type."""
    return ForbiddenError(event_class.__name__, reason)


class LaoHeldAggregate(LedgerAggregate):
    """An aggregate held by one LAO: writing and reading it need a scope covering that LAO.

    Subclasses set ``province`` and ``lao`` in their opening event (a ``LaoOpening``), whose
    data names both. (Plain defaults, no annotations: the library turns annotated aggregate
    classes into dataclasses.)
    """

    province = ""
    lao = ""

    def read_scope(self) -> Scope:
        return lao_scope(self.province, self.lao)


class HeldByLao(Protocol):
    """Data naming the LAO that holds a stream (an opening event's data)."""

    @property
    def lao(self) -> str: ...

    @property
    def province(self) -> str: ...


H = TypeVar("H", bound=HeldByLao)


class LaoOpening(LedgerCreated[L, H]):
    """An opening event whose data names the LAO that will hold the stream."""

    @classmethod
    def opening_scope(cls, data: H) -> Scope:
        return lao_scope(data.province, data.lao)
