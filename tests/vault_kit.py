"""Reading back what the vault keeps for one field of one signed statement.

The vault keeps values by (person, commitment), never by a field's name alone: a person's
``first_name`` may be their own (``PersonalDataRecorded``) or a family member's
(``FamilyMemberRecorded``). A test names the event whose field it means; the commitment is read
from that event's signed statement, as a report reads it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from ledger.application import Ledger
from ledger.vault import Vault


def kept_value(vault: Vault, ledger: Ledger, stream: uuid.UUID, type: str, path: str) -> Any:
    """The value ``vault`` keeps for ``path`` of the stream's newest ``type`` event (read
    through ``ledger``); ``ErasedError`` once the person is erased."""
    for event in reversed(ledger.stream_events(stream)):
        if event.type == type:
            node: Any = json.loads(event.statement)["data"]
            for part in path.split("."):
                node = node[part]
            return vault.disclosure(str(stream), node["commitment"])[1].value
    raise KeyError(type)


__all__ = ["kept_value"]
