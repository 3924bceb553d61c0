"""Admission's side of "one active employment per category per person" (``ledger.domain.persons``).

For each statement that makes a record hold a person's place (``claim_of``), admission asks
the ledger for the person's other records (``FindPerson``: the records whose citizen ID is the
one claimed, v1 and v2 alike, ``ledger.persons``), adds them to the batch's working streams
(a stream the batch already holds keeps its working state, with the batch's pending events),
and checks the claim against them and against the records this batch claimed for the same
citizen ID before (two openings in one batch). The lookup's answer is kept for the batch, so
a citizen ID is looked up once per batch.

The answer is read outside the events' transaction: two writers each reading it before the
other's commit would both pass. The ledger runs every batch that may claim a place under one
lock (``ledger.persons.PersonLock``), from before this lookup to after its commit.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from uuid import UUID

from pydantic import BaseModel

from ledger.domain.catalog import EventType
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.persons import Claim, check_one_active, claim_of
from ledger.domain.signed import SignedAggregate

FindPerson = Callable[[str], dict[UUID, SignedAggregate | None]]
"""The current state of every readable record whose citizen ID may be the one given (a
filter: the check compares each record's own citizen ID); an erased person's records are not
among them."""


class PersonClaims:
    """The claims of one batch, checked on its working streams (changed in place)."""

    def __init__(
        self, find: FindPerson | None, working: MutableMapping[UUID, SignedAggregate | None]
    ) -> None:
        self._find = find
        self._working = working
        self._found: dict[str, set[UUID]] = {}
        self._claimed: dict[str, set[UUID]] = {}

    def check(
        self,
        spec: EventType,
        data: BaseModel,
        stream: UUID,
        record: SignedAggregate | None,
    ) -> Claim | None:
        """Refuse the statement if it claims a place another record holds; the claim, for
        ``claimed`` once the statement is recorded."""
        if self._find is None or spec.aggregate is not PersonnelRecord:
            return None
        before = record if isinstance(record, PersonnelRecord) else None
        claim = claim_of(spec.event_class, before, data)
        if claim is None:
            return None
        if claim.cid not in self._found:
            found = self._find(claim.cid)
            for other, state in found.items():
                self._working.setdefault(other, state)
            self._found[claim.cid] = set(found)
        others = self._found[claim.cid] | self._claimed.get(claim.cid, set())
        check_one_active(spec.event_class, claim, stream, (self._working.get(o) for o in others))
        return claim

    def claimed(self, claim: Claim | None, stream: UUID) -> None:
        """The statement of ``claim`` on ``stream`` was recorded in the batch."""
        if claim is not None:
            self._claimed.setdefault(claim.cid, set()).add(stream)


__all__ = ["FindPerson", "PersonClaims"]
