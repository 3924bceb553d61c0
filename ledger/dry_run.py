"""The dry run of one unsigned statement (``Ledger.check_draft``): admission's checks against
what is stored now, appending nothing.

Why: a rule that depends on the stream's state (a leave outside the person's service, a salary
entry after retirement) should reach the officer at the form, before the card is asked to sign.
The checks are admission's own (``ledger.admission.Admission``): event type, clock, the named
key's enrolment for its roles and scope, the data, the expected version and prev_hash, the
stream's kind, the scope and the aggregate's rules. No signature is checked; ``submit`` checks
all. The streams are read fresh from storage into a throwaway copy (never the stream cache),
the registry is not changed, no parse is remembered: the log stays as it was.

``hidden`` names streams read as not opened: an erased record outside the signer's share that
a rule reads beside the written stream (``api.access.erasure_as_signer_sees``), so that the
rule answers as it does of a record that does not exist, and tells neither the record nor its
erasure.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any
from uuid import UUID

from ledger.admission import Admission, LoadStreams, Streams
from ledger.disclosed import Door, reveal_all
from ledger.domain.operators import OperatorRegistry
from ledger.domain.snapshot import SnapshotAt
from ledger.errors import NotInitialisedError
from ledger.person_claims import FindPerson
from ledger.settings import LedgerSettings
from ledger.statement import SignedStatement, Statement


def hiding(load_streams: LoadStreams, hidden: Collection[UUID]) -> LoadStreams:
    """``load_streams``, reading every stream of ``hidden`` as not opened (None)."""
    if not hidden:
        return load_streams

    def load(streams: set[UUID]) -> Streams:
        found = load_streams(streams - set(hidden))
        found.update(dict.fromkeys(streams & set(hidden)))
        return found

    return load


def check_draft(
    statement: Statement,
    disclosures: Mapping[str, Any] | None,
    *,
    settings: LedgerSettings,
    door: Door,
    registry_id: UUID,
    registry: OperatorRegistry | None,
    load_streams: LoadStreams,
    snapshot_at: SnapshotAt,
    find_person: FindPerson | None = None,
    hidden: Collection[UUID] = (),
) -> None:
    """Raise the ``LedgerError`` admission would raise for ``statement`` (v2: with its
    ``disclosures``, checked first) on the streams ``load_streams`` reads, or return None."""
    unsigned = SignedStatement(statement.canonical_bytes(), b"", statement)
    draft = reveal_all([unsigned], [disclosures], door)[0]
    if registry is None and statement.type != "LedgerInitialised":
        raise NotInitialisedError
    load = hiding(load_streams, hidden)
    admission = Admission(
        settings,
        registry_id,
        registry,
        load({statement.stream}),
        load_streams=load,
        find_receipt=lambda _item: None,
        snapshot_at=snapshot_at,
        find_person=find_person,
    )
    admission.admit([draft], admission.preload_related([draft]))


__all__ = ["check_draft", "hiding"]
