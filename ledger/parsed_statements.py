"""A ledger's memo of statements it has parsed, so replaying a stream it read or wrote recently
does not parse the same canonical bytes again.

One per ``Ledger`` (not process-wide): admission puts the parse it checked, replays take theirs
from it. The key is the stored text itself, so a changed byte is never served an earlier parse;
parses are immutable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ValidationError

from ledger.domain.signed import Parsed, SignedAggregate
from ledger.errors import VaultNeededError
from ledger.statement import Statement

Reveal = Callable[[type[BaseModel], str, dict[str, Any]], dict[str, Any]]
"""A v2 statement's data with its personal values from the vault (model, subject, data)."""


class ParsedStatements:
    """At most ``capacity`` parses, least recently used evicted first. With ``reveal``, a v2
    statement is parsed with its personal values from the vault (``ledger.vault``), so the
    aggregate's rules read them on replay as they did at admission."""

    def __init__(self, capacity: int = 8192, reveal: Reveal | None = None) -> None:
        self._reveal = reveal
        self._capacity = capacity
        self._items: OrderedDict[str, Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, text: str, parsed: Parsed) -> None:
        with self._lock:
            self._items[text] = parsed
            self._items.move_to_end(text)
            if len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def forget(self, streams: Collection[UUID]) -> None:
        """Drop the parses of these streams' statements (an erased person's revealed values)."""
        with self._lock:
            for text in [t for t, (found, _) in self._items.items() if found.stream in streams]:
                del self._items[text]

    def of(self, event: SignedAggregate.Event) -> Parsed:
        """The event's statement and data: from the memo, or parsed now and kept."""
        with self._lock:
            found = self._items.get(event.statement)
            if found is not None:
                self._items.move_to_end(event.statement)
                return found
        parsed = self._parse(event)
        self.put(event.statement, parsed)
        return parsed

    def _parse(self, event: SignedAggregate.Event) -> Parsed:
        if not event.statement.endswith('"v":2}'):
            return event.parse()
        if self._reveal is None:  # no vault: only a v2 statement with no commitment reads
            try:
                return event.parse()
            except ValidationError:
                raise VaultNeededError(str(event.originator_id)) from None
        statement = Statement.model_validate_json(event.statement)
        data = self._reveal(event.Data, str(statement.stream), statement.data)
        return statement.model_copy(update={"data": data}), event.Data.model_validate(data)
