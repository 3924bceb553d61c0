"""Offline audit bundles: one self-contained file an auditor verifies without the database.

A bundle is UTF-8 text, one RFC 8785 canonical JSON object per line:

1. a header: format, version, ledger, scope, when it was exported, the log's origin and size;
2. the events, in notification order: the whole registry stream (the enrolments and
   revocations the signatures are judged by) and every event of the streams in scope (whole
   streams, so each chain can be checked from its start), each with its statement and signature
   (base64), hashes, transaction time, leaf index and an inclusion proof in the anchor;
3. the log's checkpoints as signed notes, the newest being the anchor, each older one with a
   consistency proof to the anchor;
4. an end line with the number of lines before it and the SHA-256 of all their bytes.

This module builds bundles (``build_bundle``; ``export_bundle`` writes one to a file, and the
API serves the very same bytes) from the ledger's database;
``replay.verify.bundle.verify_bundle`` checks one offline: every event, every proof and
checkpoint, and the end line's digest, so a single altered byte anywhere is rejected.

The digest catches corruption; the signatures and proofs catch forgery. The transaction times
are carried as the server stored them (no signature covers them).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from ledger.canonical import CanonicalizationError, canonicalize, parse_canonical
from ledger.domain.operators import registry_stream_id
from ledger.merkle import consistency_ranges, inclusion_ranges
from ledger.stored import StoredEventError
from replay.errors import BundleError, ScopeError
from replay.source import DatabaseSource, RawRow, decode_row, readable

BUNDLE_FORMAT = "thai-lgov-ledger/audit-bundle"
BUNDLE_VERSION = 1
_READ_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class Scope:
    """What a bundle covers: one record (any stream), one LAO's streams, or everything."""

    kind: Literal["record", "lao", "all"]
    stream: UUID | None = None
    lao: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.kind == "record":
            return {"kind": "record", "stream": str(self.stream)}
        if self.kind == "lao":
            return {"kind": "lao", "lao": self.lao}
        return {"kind": "all"}

    def describe(self) -> str:
        if self.kind == "record":
            return f"record {self.stream}"
        if self.kind == "lao":
            return f"LAO {self.lao}"
        return "the whole ledger"


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What went into a bundle."""

    path: Path
    events: int
    streams: int
    checkpoints: int
    tree_size: int


@dataclass(frozen=True, slots=True)
class Bundle:
    """A bundle's bytes, as ``export_bundle`` writes them and the API serves them, and what
    went into it."""

    data: bytes
    events: int
    streams: frozenset[UUID]
    checkpoints: int
    tree_size: int


def _line(value: dict[str, Any]) -> bytes:
    return canonicalize(value) + b"\n"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


# Export.


def export_bundle(
    url: str,
    ledger_name: str,
    scope: Scope,
    path: Path,
    *,
    now: datetime | None = None,
) -> ExportSummary:
    """Write the bundle of ``scope`` to ``path`` from the ledger's database."""
    bundle = build_bundle(url, ledger_name, scope, now=now)
    path.write_bytes(bundle.data)
    return ExportSummary(
        path, bundle.events, len(bundle.streams), bundle.checkpoints, bundle.tree_size
    )


def build_bundle(
    url: str, ledger_name: str, scope: Scope, *, now: datetime | None = None
) -> Bundle:
    """The bundle of ``scope`` from the ledger's database (exported at ``now``)."""
    source = DatabaseSource(url, ledger_name)
    try:
        registry_id = registry_stream_id(ledger_name)
        registry = source.stream_events(registry_id)
        if not registry:
            raise ScopeError(f"ledger {ledger_name} has no genesis in this database")
        rows = {row[0]: row for row in registry}
        streams = {registry_id}
        for row in _scope_rows(source, scope):
            rows.setdefault(row[0], row)
            streams.add(UUID(bytes=row[1]))
        has_log = source.has_transparency_log()
        checkpoints = source.checkpoints() if has_log else []
        anchor = checkpoints[-1] if checkpoints else None
        ordered = [rows[nid] for nid in sorted(rows)]
        leaves = source.leaves(ordered[0][0], ordered[-1][0] + 1) if has_log else {}
        tree_size = anchor[0] if anchor else 0
        header = {
            "bundle": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "ledger": ledger_name,
            "scope": scope.as_json(),
            "exported_at": (now or datetime.now(UTC)).isoformat(),
            "tree_size": tree_size,
            "events": len(ordered),
        }
        lines = [_line(header)]
        for row in ordered:
            lines.append(_line(_event_line(source, row, leaves.get(row[0]), anchor)))
        for size, _root, _issued, note in checkpoints:
            proof = source.range_hashes(consistency_ranges(size, anchor[0])) if anchor else []
            lines.append(
                _line({"kind": "checkpoint", "note": note, "consistency": [p.hex() for p in proof]})
            )
    finally:
        source.close()
    body = b"".join(lines)
    end = _line({"kind": "end", "lines": len(lines), "sha256": hashlib.sha256(body).hexdigest()})
    return Bundle(body + end, len(ordered), frozenset(streams), len(checkpoints), tree_size)


def _scope_rows(source: DatabaseSource, scope: Scope) -> Iterable[RawRow]:
    if scope.kind == "record":
        if scope.stream is None:
            raise ScopeError("a record scope names the record's stream id")
        found = source.stream_events(scope.stream)
        if not found:
            raise ScopeError(f"no record {scope.stream} in this ledger")
        return found
    if scope.kind == "lao":
        if not scope.lao:
            raise ScopeError("an LAO scope names the LAO's DLA code")
        streams = _streams_naming_lao(source, scope.lao)
        if not streams:
            raise ScopeError(f"no record names LAO {scope.lao}")
        return [row for stream in sorted(streams) for row in source.stream_events(stream)]
    return _all_rows(source)


def _all_rows(source: DatabaseSource) -> Iterable[RawRow]:
    last = source.max_notification_id()
    for first in range(1, last + 1, _READ_BATCH):
        yield from source.events(first, min(first + _READ_BATCH, last + 1))


def _streams_naming_lao(source: DatabaseSource, lao: str) -> set[UUID]:
    """Streams with an event whose signed data names the LAO (``data.lao``)."""
    ids = source.notification_ids_mentioning(lao.encode("ascii"))
    streams = set()
    for first in range(0, len(ids), _READ_BATCH):
        for decoded in readable(source.events_by_ids(ids[first : first + _READ_BATCH])):
            if statement_lao(decoded.statement) == lao:
                streams.add(UUID(bytes=decoded.stream))
    return streams


def statement_lao(statement: bytes) -> str | None:
    """The ``data.lao`` a statement names, if any (the generic mark of an LAO's streams)."""
    try:
        value = json.loads(statement)
    except ValueError:
        return None
    data = value.get("data") if isinstance(value, dict) else None
    lao = data.get("lao") if isinstance(data, dict) else None
    return lao if isinstance(lao, str) else None


def _event_line(
    source: DatabaseSource,
    row: RawRow,
    leaf: tuple[int, bytes, str] | None,
    anchor: tuple[int, bytes, datetime, str] | None,
) -> dict[str, Any]:
    nid, stream, version, topic, _ = row
    try:
        decoded = decode_row(row)
    except StoredEventError as error:
        raise BundleError(f"notification {nid} is unreadable in the database: {error}") from None
    leaf_index = leaf[0] if leaf is not None else None
    proof: list[str] | None = None
    if leaf_index is not None and anchor is not None and leaf_index < anchor[0]:
        proof = [p.hex() for p in source.range_hashes(inclusion_ranges(leaf_index, anchor[0]))]
    return {
        "kind": "event",
        "notification_id": nid,
        "stream": str(UUID(bytes=stream)),
        "version": version,
        "topic": topic,
        "statement": _b64(decoded.statement),
        "signature": _b64(decoded.signature),
        "hash": decoded.claimed_hash,
        "recorded_at": decoded.recorded_at,
        "leaf_index": leaf_index,
        "inclusion": proof,
    }


def read_header(path: Path) -> dict[str, Any]:
    """A bundle's header line (for display before verifying)."""
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        value = parse_canonical(first.rstrip(b"\n"))
    except CanonicalizationError as error:
        raise BundleError(str(error)) from None
    if not isinstance(value, dict) or value.get("bundle") != BUNDLE_FORMAT:
        raise BundleError("the first line is not a bundle header")
    return value


__all__ = [
    "BUNDLE_FORMAT",
    "Bundle",
    "ExportSummary",
    "Scope",
    "build_bundle",
    "export_bundle",
    "read_header",
    "statement_lao",
]
