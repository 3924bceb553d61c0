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

``verify_bundle`` checks everything ``replay.verify`` checks of the events (hash, binding,
key as of signing time, role, signature, chains), every inclusion proof against the anchor
(for scope ``all`` it recomputes the whole tree instead), every checkpoint's signature and
consistency, and the end line's digest: a single altered byte anywhere is rejected. Given a
checkpoint the auditor kept earlier, it proves the log has only grown since: the kept root must
be one of the bundle's checkpoints, which are all consistent with the anchor.

The digest catches corruption; the signatures and proofs catch forgery. The transaction times
are carried as the server stored them (no signature covers them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from ledger.canonical import CanonicalizationError, canonicalize, parse_canonical
from ledger.domain.operators import registry_stream_id
from ledger.merkle import (
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from projections.transparency.checkpoints import Checkpoint, open_checkpoint, read_checkpoint
from projections.transparency.errors import CheckpointError
from replay.errors import BundleError, ScopeError
from replay.source import DatabaseSource, RawRow
from replay.verify import (
    ChainLinker,
    Checker,
    Decoded,
    Failure,
    KeyTimeline,
    RecomputedTree,
    Report,
    Settings,
    build_timeline,
    check_checkpoints,
    check_kept,
    decode_row,
    describe_anchor,
    origin_of,
)

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
        lines = [
            _line(
                {
                    "bundle": BUNDLE_FORMAT,
                    "version": BUNDLE_VERSION,
                    "ledger": ledger_name,
                    "scope": scope.as_json(),
                    "exported_at": (now or datetime.now(UTC)).isoformat(),
                    "tree_size": anchor[0] if anchor else 0,
                    "events": len(ordered),
                }
            )
        ]
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
    path.write_bytes(body + end)
    return ExportSummary(
        path, len(ordered), len(streams), len(checkpoints), anchor[0] if anchor else 0
    )


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
        for row in source.events_by_ids(ids[first : first + _READ_BATCH]):
            decoded = decode_row(row)
            if isinstance(decoded, Decoded) and statement_lao(decoded.statement) == lao:
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
    decoded = decode_row(row)
    if not isinstance(decoded, Decoded):
        raise BundleError(f"notification {nid} is unreadable in the database: {decoded.detail}")
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


# Verification.


@dataclass
class _Bundle:
    header: dict[str, Any]
    events: list[tuple[Decoded, int | None, list[bytes] | None]]
    checkpoints: list[tuple[str, list[bytes]]]


def verify_bundle(
    path: Path,
    *,
    kept: Sequence[str] = (),
    trust_anchor: bytes | None = None,
) -> Report:
    """Verify a bundle offline; the report names each failure's notification id and kind."""
    started = time.perf_counter()
    raw = path.read_bytes()
    report = Report(ledger="?")
    bundle = _read(raw, report)
    ledger_name = str(bundle.header.get("ledger", "?"))
    report.ledger = ledger_name
    registry_id = registry_stream_id(ledger_name).bytes
    events = sorted(bundle.events, key=lambda item: item[0].notification_id)
    timeline = build_timeline(
        [event for event, _, _ in events if event.stream == registry_id], ledger_name, trust_anchor
    )
    report.failures.extend(timeline.failures)
    describe_anchor(report, timeline, trust_anchor)
    checker = Checker(Settings(dict(timeline.keys), timeline.genesis_id, strict=False))
    for event, _, _ in events:
        checker.check(event)
    report.failures.extend(checker.failures)
    linker = ChainLinker()
    linker.link(bytes(checker.records))
    report.failures.extend(linker.failures)
    report.events, report.streams = len(events), len(linker.heads)
    origin = origin_of(ledger_name, timeline)
    notes = [note for note, _ in bundle.checkpoints]
    tree = RecomputedTree()
    everything = bundle.header.get("scope", {}).get("kind") == "all"
    if everything:
        _recompute(tree, checker, events, report)
        rows = [_row(note) for note in notes]
        check_checkpoints(report, tree, [row for row in rows if row is not None], timeline, origin)
        check_kept(report, tree, kept, timeline, origin)
    else:
        _check_proofs(report, checker, events, bundle, timeline, origin, kept)
    report.transparency_log = bool(notes)
    report.sort()
    report.seconds = time.perf_counter() - started
    return report


def _read(raw: bytes, report: Report) -> _Bundle:
    if not raw.endswith(b"\n"):
        raise BundleError("it does not end with a newline (cut short?)")
    lines = raw.split(b"\n")[:-1]
    if len(lines) < 2:
        raise BundleError("it has no header and end line")
    header = _parse(lines[0], 1, report) or {}
    if header.get("bundle") != BUNDLE_FORMAT or header.get("version") != BUNDLE_VERSION:
        raise BundleError(f"the first line is not a {BUNDLE_FORMAT} v{BUNDLE_VERSION} header")
    end = _parse(lines[-1], len(lines), report) or {}
    body = raw[: len(raw) - len(lines[-1]) - 1]
    if end.get("kind") != "end" or end.get("lines") != len(lines) - 1:
        report.failures.append(Failure(None, "bundle-digest", "the end line is missing or wrong"))
    elif end.get("sha256") != hashlib.sha256(body).hexdigest():
        report.failures.append(
            Failure(None, "bundle-digest", "the bundle's bytes are not the ones it was sealed with")
        )
    bundle = _Bundle(header, [], [])
    for number, line in enumerate(lines[1:-1], start=2):
        value = _parse(line, number, report)
        if value is None:
            continue
        try:
            if value.get("kind") == "event":
                bundle.events.append(_event(value))
            elif value.get("kind") == "checkpoint":
                proof = [bytes.fromhex(item) for item in value["consistency"]]
                bundle.checkpoints.append((str(value["note"]), proof))
            else:
                raise ValueError(f"unknown line kind {value.get('kind')!r}")
        except (KeyError, TypeError, ValueError) as error:
            report.failures.append(Failure(None, "bundle-malformed", f"line {number}: {error}"))
    return bundle


def _parse(line: bytes, number: int, report: Report) -> dict[str, Any] | None:
    try:
        value = parse_canonical(line)
    except CanonicalizationError as error:
        report.failures.append(Failure(None, "bundle-malformed", f"line {number}: {error}"))
        return None
    if not isinstance(value, dict):
        report.failures.append(Failure(None, "bundle-malformed", f"line {number}: not an object"))
        return None
    return value


def _event(value: dict[str, Any]) -> tuple[Decoded, int | None, list[bytes] | None]:
    proof = value.get("inclusion")
    decoded = Decoded(
        notification_id=int(value["notification_id"]),
        stream=UUID(str(value["stream"])).bytes,
        version=int(value["version"]),
        topic=str(value["topic"]),
        statement=base64.b64decode(value["statement"], validate=True),
        signature=base64.b64decode(value["signature"], validate=True),
        claimed_hash=str(value["hash"]),
        recorded_at=str(value["recorded_at"]),
    )
    leaf_index = value.get("leaf_index")
    return (
        decoded,
        None if leaf_index is None else int(leaf_index),
        None if proof is None else [bytes.fromhex(item) for item in proof],
    )


def _row(note: str) -> tuple[int, bytes, datetime, str] | None:
    try:
        checkpoint = read_checkpoint(note)
    except CheckpointError:
        return (0, b"", datetime.now(UTC), note)  # let the signature check report it
    return (checkpoint.tree_size, checkpoint.root_hash, checkpoint.issued_at, note)


def _recompute(
    tree: RecomputedTree,
    checker: Checker,
    events: list[tuple[Decoded, int | None, list[bytes] | None]],
    report: Report,
) -> None:
    """Scope ``all``: the bundle holds every event, so the tree is recomputed from them."""
    expected = 1
    for event, _, _ in events:
        while expected < event.notification_id:
            report.failures.append(
                Failure(expected, "missing-event", "the bundle of everything lacks it")
            )
            expected += 1
        expected = event.notification_id + 1
    tree.add_leaves(bytes(checker.leaves), checker.ids)
    tree.finish()
    report.tree_size = tree.size


def _check_proofs(
    report: Report,
    checker: Checker,
    events: list[tuple[Decoded, int | None, list[bytes] | None]],
    bundle: _Bundle,
    timeline: KeyTimeline,
    origin: str | None,
    kept: Sequence[str],
) -> None:
    """A partial scope: each event's inclusion in the anchor, checkpoints' consistency to it."""
    opened = _open_checkpoints(report, bundle, timeline, origin)
    if not opened:
        report.notes.append("the bundle has no checkpoint: no event is anchored in the log")
        report.failures.extend(
            Failure(None, "kept-checkpoint", "the bundle has no checkpoint to compare with")
            for _ in kept
        )
        return
    anchor = max(opened, key=lambda item: item.tree_size)
    report.tree_size = anchor.tree_size
    report.checkpoints = len(bundle.checkpoints)
    unanchored = 0
    for (event, leaf_index, proof), (nid, event_hash) in zip(
        events, checker.event_hashes(), strict=True
    ):
        if leaf_index is None or leaf_index >= anchor.tree_size:
            unanchored += 1
            continue
        if leaf_index != nid - 1 or not verify_inclusion(
            leaf_index, anchor.tree_size, leaf_hash(event_hash), proof or [], anchor.root_hash
        ):
            report.failures.append(
                Failure(
                    event.notification_id,
                    "leaf-mismatch",
                    f"not included at leaf {leaf_index} of checkpoint {anchor.tree_size}",
                )
            )
    if unanchored:
        report.notes.append(f"{unanchored} events are newer than the bundle's latest checkpoint")
    by_size = {item.tree_size: item for item in opened}
    for note in kept:
        _check_kept_against(report, note, by_size, anchor, timeline, origin)


def _open_checkpoints(
    report: Report, bundle: _Bundle, timeline: KeyTimeline, origin: str | None
) -> list[Checkpoint]:
    system = timeline.system_key
    opened: list[tuple[Checkpoint, list[bytes]]] = []
    for note, proof in bundle.checkpoints:
        try:
            if system is None or origin is None:
                raise CheckpointError("no system key to check it with")
            opened.append((open_checkpoint(note, system.public_key, origin), proof))
        except CheckpointError as error:
            report.failures.append(Failure(None, "checkpoint-signature", error.problem))
    if not opened:
        return []
    anchor = max((item for item, _ in opened), key=lambda item: item.tree_size)
    for checkpoint, proof in opened:
        if not verify_consistency(
            checkpoint.tree_size, anchor.tree_size, checkpoint.root_hash, anchor.root_hash, proof
        ):
            report.failures.append(
                Failure(
                    None,
                    "checkpoint-inconsistent",
                    f"checkpoint {checkpoint.tree_size} is not a prefix of the anchor "
                    f"{anchor.tree_size}",
                )
            )
    return [item for item, _ in opened]


def _check_kept_against(
    report: Report,
    note: str,
    by_size: dict[int, Checkpoint],
    anchor: Checkpoint,
    timeline: KeyTimeline,
    origin: str | None,
) -> None:
    report.kept_checkpoints += 1
    system = timeline.system_key
    try:
        if system is None or origin is None:
            raise CheckpointError("no system key to check it with")
        kept = open_checkpoint(note, system.public_key, origin)
    except CheckpointError as error:
        report.failures.append(Failure(None, "kept-checkpoint", error.problem))
        return
    if kept.tree_size > anchor.tree_size:
        report.failures.append(
            Failure(
                None,
                "kept-checkpoint",
                f"the kept checkpoint ({kept.tree_size}) is newer than the bundle's log "
                f"({anchor.tree_size}): the log lost events, or the bundle is stale",
            )
        )
        return
    same = by_size.get(kept.tree_size)
    if same is None or same.root_hash != kept.root_hash:
        report.failures.append(
            Failure(
                None,
                "kept-checkpoint",
                f"the log no longer has the kept checkpoint's root at size {kept.tree_size}: "
                "it was rewritten since",
            )
        )


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
    "ExportSummary",
    "Scope",
    "export_bundle",
    "read_header",
    "statement_lao",
    "verify_bundle",
]
