"""Verify a ledger from its stored bytes: signatures, chains, the key registry, the Merkle log.

``verify_database`` recomputes, without trusting anything the server computed:

* every event: its hash (``sha256(statement || signature)`` against the stored one), its binding
  (the signed ``stream``/``expected_version`` against where it is stored, the signed ``type``
  against the stored event class), its signer's key against the enrolment registry *as of its
  notification id* (enrolled before it, not revoked before it: a revoked key stays valid for what
  it signed earlier), the signer's role for the type, and the Ed25519 signature;
* every stream's hash chain (versions 1, 2, 3... each naming the previous event's hash) and the
  notification log's gaplessness (a missing id is a deleted event);
* the transparency log: each stored leaf against the recomputed event hash, every checkpoint's
  signature (the genesis system key, under the log's origin), its root against the Merkle tree
  recomputed from the events, and a consistency proof between each two consecutive checkpoints;
* checkpoints the auditor kept from earlier (``kept``): a rewritten log no longer hashes to them.

Each failure names its notification id and a kind (``KINDS``). Events are checked in chunks of
notification ids across processes (one per core; each reads its own chunk from the database),
while this process links the chains and assembles the tree as chunks come back in order.

By default a statement's fields are read with a strict pattern of its canonical layout; a
statement that does not fit is parsed fully, and ``strict=True`` parses (and validates the data
of) every statement, at several times the cost. The genesis is trusted as found unless the
auditor pins the system key (``trust_anchor``). ``verify_bundle`` checks an offline bundle the
same way.

One module per concern: ``report`` (failures and the report), ``keys`` (the key registry as of
signing time), ``events`` (each event's checks), ``chains`` (each stream's hash chain), ``tree``
(the recomputed Merkle tree), ``checkpoints`` (the log's and the auditor's checkpoints),
``chunks`` (the work of one process), ``database`` (the driver), ``bundle`` (offline bundles).
"""

from __future__ import annotations

from replay.source import Decoded
from replay.verify.bundle import verify_bundle
from replay.verify.chains import ChainLinker
from replay.verify.checkpoints import check_checkpoints, check_kept
from replay.verify.database import verify_database
from replay.verify.events import Checker, Settings
from replay.verify.keys import KeyRecord, KeyTimeline, build_timeline, describe_anchor, origin_of
from replay.verify.report import KINDS, Failure, Report
from replay.verify.tree import RecomputedTree

__all__ = [
    "KINDS",
    "ChainLinker",
    "Checker",
    "Decoded",
    "Failure",
    "KeyRecord",
    "KeyTimeline",
    "RecomputedTree",
    "Report",
    "Settings",
    "build_timeline",
    "check_checkpoints",
    "check_kept",
    "describe_anchor",
    "origin_of",
    "verify_bundle",
    "verify_database",
]
