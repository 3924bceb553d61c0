"""A prepared draft signed as a statement: v2, its personal values committed, with the
disclosures to send beside it; or v1, every value in clear (docs/personal-data.md).

A client writes v2 by default: each personal field its event type declares
(``ledger.domain.personal_fields``) and the draft fills in is signed as a salted commitment
(``ledger.commitments.commit_statement_data``, a fresh 256-bit salt per field), and the value
and salt go beside the statement for the ledger's vault. A statement that commits nothing (its
type declares no personal field, or the draft leaves them all empty) is signed v1: the same
bytes but the version, so a ledger with no vault takes it. ``v1`` signs every value in clear,
for a ledger that has no vault (it refuses v2 with ``personal.no_vault``).

The draft itself holds plain values (it is the officer's own file); the salts are made here,
at signing, and never written to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID

from ledger.commitments import Disclosure, commit_statement_data, is_commitment
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import personal_paths
from ledger.signing import Signer, sign_statement
from ledger.statement import SignedStatement, SignerRef, build_statement, key_id_of

Format = Literal[1, 2]


@dataclass(frozen=True, slots=True)
class SignedDraft:
    """A signed statement and the disclosures to send with it (JSON form; None for v1)."""

    signed: SignedStatement
    disclosures: dict[str, Any] | None


def commitments_in(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """The personal paths where a draft holds a commitment object instead of a value (copied
    from a signed statement): a client cannot sign those, it must write the value."""
    spec = EVENT_TYPES.get(event_type)
    if spec is None:
        return []
    found = []
    for path in personal_paths(spec.data_model):
        node: Any = data
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if is_commitment(node):
            found.append(f"data.{path}")
    return found


def sign_draft(
    *,
    event_type: str,
    stream: UUID,
    data: dict[str, Any],
    head: tuple[int, str],
    effective: date,
    signer: Signer,
    cid: str | None,
    fmt: Format = 2,
) -> SignedDraft:
    """The draft's statement at ``head`` (version, previous hash), signed: v2 with its
    disclosures when ``fmt`` is 2 and the draft has a personal value to commit, else v1; always
    v2 for a signer with no citizen ID (``cid`` None: a record owner enrolled by her record)."""
    signed_data: dict[str, Any] = data
    disclosures: dict[str, Disclosure] = {}
    if fmt == 2:
        signed_data, disclosures = commit_statement_data(event_type, stream, data)
    elif cid is None:
        raise ValueError("a v1 statement names its signer's citizen ID")
    version: Format = 2 if disclosures or cid is None else 1
    statement = build_statement(
        stream=stream,
        expected_version=head[0],
        prev_hash=head[1],
        type=event_type,
        data=signed_data,
        effective=effective,
        signer=SignerRef(cid=cid, key=key_id_of(signer.public_key)),
        signed_at=datetime.now(UTC),
        v=version,
    )
    sent = {path: item.as_json() for path, item in disclosures.items()} if disclosures else None
    return SignedDraft(sign_statement(statement, signer), sent)


__all__ = ["Format", "SignedDraft", "commitments_in", "sign_draft"]
