"""A ledger's memo of statements it has parsed, so replaying a stream it read or wrote recently
does not parse the same canonical bytes again.

One per ``Ledger`` (not process-wide): admission puts the parse it checked, replays take theirs
from it. The key is the stored text itself, so a changed byte is never served an earlier parse;
parses are immutable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ledger.domain.signed import Parsed, SignedAggregate


class ParsedStatements:
    """At most ``capacity`` parses, least recently used evicted first."""

    def __init__(self, capacity: int = 8192) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, Parsed] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, text: str, parsed: Parsed) -> None:
        with self._lock:
            self._items[text] = parsed
            self._items.move_to_end(text)
            if len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def of(self, event: SignedAggregate.Event) -> Parsed:
        """The event's statement and data: from the memo, or parsed now and kept."""
        with self._lock:
            found = self._items.get(event.statement)
            if found is not None:
                self._items.move_to_end(event.statement)
                return found
        parsed = event.parse()
        self.put(event.statement, parsed)
        return parsed
