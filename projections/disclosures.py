"""Exporting one field's disclosure of a record (``ledger.disclosure_files``).

``committed_field`` finds the stored v2 event at a version of the record and the kind of data
its field is (``personal`` or ``health``, from ``ledger.domain.personal_fields``), so the API
checks the caller's right to read that kind before anything is revealed; ``export_disclosure``
then reads the field's value and salt from the vault (``ErasedError`` once the person is
erased: 410) and makes the file. The API logs the read in the record's access log.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ledger.application import Ledger, RecordedEvent
from ledger.commitments import COMMITMENT_KEY, is_commitment
from ledger.disclosed import NO_VAULT
from ledger.disclosure_files import disclosure_file
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import personal_paths
from ledger.domain.reading import DataKind
from ledger.domain.search import QueryError
from ledger.statement import read_statement
from ledger.vault import Vault
from ledger.vault_keys import ErasedError
from ledger.violations import Violation, rule

NO_COMMITMENT = rule(
    "personal.no_commitment",
    "เหตุการณ์นี้ไม่มีค่าผูกมัด (commitment) ในช่องนี้ จึงไม่มีค่าให้เปิดเผย",
    "this event holds no commitment at this path, so there is nothing to disclose",
)


def committed_field(
    ledger: Ledger, stream: UUID, version: int, path: str
) -> tuple[RecordedEvent, str, DataKind]:
    """The record's event at ``version``, the commitment at ``path`` and the field's kind;
    ``QueryError`` (``personal.no_commitment``) when the event holds no commitment there."""
    events = ledger.stream_events(stream)
    if not 1 <= version <= len(events):
        raise QueryError(Violation(NO_COMMITMENT, "query.event"))
    event = events[version - 1]
    parsed = read_statement(event.statement, event.signature).statement
    spec = EVENT_TYPES.get(parsed.type)
    kind = None if spec is None else personal_paths(spec.data_model).get(path)
    node: object = parsed.data
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if kind is None or parsed.v != 2 or not isinstance(node, dict) or not is_commitment(node):
        raise QueryError(Violation(NO_COMMITMENT, "query.path"))
    return event, str(node[COMMITMENT_KEY]), kind


def export_disclosure(
    ledger: Ledger, event: RecordedEvent, path: str, hexed: str
) -> dict[str, Any]:
    """The disclosure file of the field, its value and salt read from the vault."""
    vault = ledger.vault
    if not isinstance(vault, Vault):
        raise QueryError(Violation(NO_VAULT, "query.path"))
    kept_path, disclosure = vault.disclosure(str(event.stream), hexed)
    if kept_path != path:
        raise ErasedError
    return disclosure_file(
        statement=event.statement,
        signature=event.signature,
        notification_id=event.notification_id,
        path=path,
        disclosure=disclosure,
    )


__all__ = ["NO_COMMITMENT", "committed_field", "export_disclosure"]
