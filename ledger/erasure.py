"""Erasing a person (PDPA): a signed ``PersonErased``, then the person's key destroyed.

The erasure is an event like any other: signed by an authorised role (the LAO's HR officer,
or the DLA administrator: ``ledger.domain.permissions.ERASERS``) with its legal basis, checked
and appended by the ledger. Once it is appended, and only then, the ledger destroys the
person's vault key (``ledger.vault.Vault.erase``): a refused or lost erasure destroys nothing,
and an appended one always names who erased whom and why. The ledger also forgets what its
memory holds of the person (the stream's cached state and its revealed statements). From then
on the stream cannot be replayed (its values are gone): a statement on it is refused, and the
reads show the person as erased (docs/personal-data.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from ledger.admission import Accepted
from ledger.disclosed import VaultPort
from ledger.domain.signed import SignedAggregate
from ledger.parsed_statements import ParsedStatements
from ledger.statement import SignedStatement
from ledger.stream_cache import StreamCache

ERASURE = "PersonErased"


def keep_and_erase(
    vault: VaultPort | None,
    streams: StreamCache,
    parsed: ParsedStatements,
    working: Iterable[SignedAggregate | None],
    appended: Iterable[object],
) -> list[UUID]:
    """After a batch is saved: keep its streams' states in the cache; then, for each
    ``PersonErased`` among the statements appended (``SignedStatement`` or ``Accepted``; a
    refusal is skipped), destroy the person's key and forget the person. The erased streams."""
    streams.put(working)
    erased = sorted(
        {item.statement.stream for item in _statements(appended) if item.statement.type == ERASURE}
    )
    if not erased:
        return []
    streams.forget(erased)
    parsed.forget(erased)
    if vault is not None:
        for stream in erased:
            vault.erase(str(stream))
    return erased


def _statements(appended: Iterable[object]) -> Iterable[SignedStatement]:
    for item in appended:
        if isinstance(item, Accepted):
            yield item.signed
        elif isinstance(item, SignedStatement):
            yield item
