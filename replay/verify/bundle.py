"""Verify an offline audit bundle (``replay.bundles``) without the database.

``verify_bundle`` checks everything ``verify_database`` checks of the events (hash, binding,
key as of signing time, role, signature, chains), every inclusion proof against the anchor
(for scope ``all`` it recomputes the whole tree instead), every checkpoint's signature and
consistency, and the end line's digest: a single altered byte anywhere is rejected. Given a
checkpoint the auditor kept earlier, it proves the log has only grown since: the kept root must
be one of the bundle's checkpoints, which are all consistent with the anchor.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from ledger.canonical import CanonicalizationError, parse_canonical
from ledger.domain.operators import registry_stream_id
from ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from projections.transparency.checkpoints import Checkpoint, read_checkpoint
from projections.transparency.errors import CheckpointError
from replay.bundles import BUNDLE_FORMAT, BUNDLE_VERSION
from replay.errors import BundleError
from replay.source import Decoded
from replay.verify.chains import ChainLinker
from replay.verify.checkpoints import check_checkpoints, check_kept, open_note
from replay.verify.events import Checker, Settings
from replay.verify.keys import KeyTimeline, build_timeline, describe_anchor, origin_of
from replay.verify.report import Failure, Report
from replay.verify.tree import RecomputedTree

_NO_KEY = "no system key to check it with"

BundleEvent = tuple[Decoded, int | None, list[bytes] | None]
"""An event line: the event, its leaf index and its inclusion proof in the anchor, if any."""


@dataclass
class _Bundle:
    header: dict[str, Any]
    events: list[BundleEvent]
    checkpoints: list[tuple[str, list[bytes]]]


def verify_bundle(
    path: Path,
    *,
    kept: Sequence[str] = (),
    trust_anchor: bytes | None = None,
    strict: bool = False,
) -> Report:
    """Verify a bundle offline; the report names each failure's notification id and kind.
    ``strict`` also checks each statement's data (``replay.verify.personal``)."""
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
    checker = Checker(Settings(dict(timeline.keys), timeline.genesis_id, strict=strict))
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


def keys_for_event(
    path: Path, event_hash: str, *, trust_anchor: bytes | None = None
) -> tuple[Report, dict[str, bytes]]:
    """Verify the bundle; when it verifies and holds the event hashed ``event_hash``, every
    key its registry enrolled (key id -> public key), which signed that event as verified;
    else no key. A third party checks a disclosure of that event with them."""
    report = verify_bundle(path, trust_anchor=trust_anchor)
    if not report.ok:
        return report, {}
    bundle = _read(path.read_bytes(), Report(ledger=report.ledger))
    if not any(event.claimed_hash == event_hash for event, _, _ in bundle.events):
        report.notes.append("the bundle does not hold the disclosed event")
        return report, {}
    registry_id = registry_stream_id(report.ledger).bytes
    registry = sorted(
        (event for event, _, _ in bundle.events if event.stream == registry_id),
        key=lambda event: event.notification_id,
    )
    timeline = build_timeline(registry, report.ledger, trust_anchor)
    return report, {key_id: record.public_key for key_id, record in timeline.keys.items()}


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


def _event(value: dict[str, Any]) -> BundleEvent:
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
    events: list[BundleEvent],
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
    events: list[BundleEvent],
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
    opened: list[tuple[Checkpoint, list[bytes]]] = []
    for note, proof in bundle.checkpoints:
        try:
            opened.append((open_note(note, timeline, origin, missing=_NO_KEY), proof))
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
    try:
        kept = open_note(note, timeline, origin, missing=_NO_KEY)
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


__all__ = ["verify_bundle"]
