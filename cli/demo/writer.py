"""Signing many demo statements and submitting them in batches.

The demo loads about 13,000 signed events. Reading each stream's head before signing and
submitting one statement at a time would cost a round trip per event; ``BatchWriter`` instead
keeps each stream's version and head hash as it signs (every statement follows the one before
on its stream), and submits them with ``Ledger.submit_batch``, a few hundred per transaction.
The ledger checks every statement exactly as it checks one sent alone.

A statement that holds a personal value (``ledger.domain.personal_fields``: a record's citizen
ID, birth date, names, leave type...) is signed as v2: its values replaced by salted
commitments (``ledger.commitments.commit_statement_data``), the values and salts sent beside it
as disclosures, which the ledger keeps in its vault (docs/personal-data.md). A statement with
no personal value (an e-Plan project, a position, a certification) stays v1: it reads the same
in both formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from ledger.application import Ledger, Receipt
from ledger.commitments import commit_statement_data
from ledger.signing import Signer, sign_statement
from ledger.statement import (
    GENESIS_PREV_HASH,
    SignedStatement,
    SignerRef,
    build_statement,
    key_id_of,
)

BATCH = 1000


@dataclass(frozen=True, slots=True)
class Operator:
    """A demo operator: the key that signs, and the citizen ID it is enrolled for (None for
    the record owner, enrolled by her record: she signs v2 statements naming no citizen ID)."""

    signer: Signer
    cid: str | None

    @property
    def ref(self) -> SignerRef:
        return SignerRef(cid=self.cid, key=key_id_of(self.signer.public_key))


class BatchWriter:
    """Signs statements in order, each at its stream's head, and submits them in batches."""

    def __init__(self, ledger: Ledger, batch: int = BATCH) -> None:
        self.ledger = ledger
        self.batch = batch
        self.pending: list[SignedStatement] = []
        self.disclosures: list[dict[str, Any] | None] = []
        self.heads: dict[UUID, tuple[int, str]] = {}
        self.receipts: list[Receipt] = []

    def add(
        self,
        operator: Operator,
        stream: UUID,
        type: str,
        data: dict[str, Any],
        effective: date,
    ) -> SignedStatement:
        if stream not in self.heads:
            self.heads[stream] = self.ledger.head(stream)
        version, head = self.heads[stream]
        committed, disclosed = commit_statement_data(type, stream, data)
        statement = build_statement(
            stream=stream,
            expected_version=version,
            prev_hash=head,
            type=type,
            data=committed if disclosed else data,
            effective=effective,
            signer=operator.ref,
            signed_at=datetime.now(UTC),
            v=2 if disclosed or operator.cid is None else 1,
        )
        signed = sign_statement(statement, operator.signer)
        self.heads[stream] = (version + 1, signed.hash)
        self.pending.append(signed)
        self.disclosures.append(
            {path: item.as_json() for path, item in disclosed.items()} if disclosed else None
        )
        if len(self.pending) >= self.batch:
            self.flush()
        return signed

    def new_stream(self, stream: UUID) -> None:
        """Note that ``stream`` does not exist yet (spares a head lookup per new stream)."""
        self.heads.setdefault(stream, (0, GENESIS_PREV_HASH))

    def forget(self) -> None:
        """Forget the heads: someone else appended to the ledger meanwhile."""
        self.flush()
        self.heads.clear()

    def flush(self) -> None:
        if self.pending:
            pairs = [(signed.canonical, signed.signature) for signed in self.pending]
            self.receipts.extend(self.ledger.submit_batch(pairs, self.disclosures))
            self.pending, self.disclosures = [], []
