"""What a verification found: each failure with its notification id and kind, and a summary.

``verify_database`` and ``verify_bundle`` fill a ``Report``; ``ledger audit verify`` prints it
(``--json``: ``Report.as_json``). ``KINDS`` names every kind of failure for the CLI's legend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS: dict[str, str] = {
    "malformed": "the stored event or its statement cannot be read",
    "hash-mismatch": "the stored event hash is not sha256(statement || signature)",
    "position-mismatch": "the statement is signed for another stream or version than stored at",
    "type-mismatch": "the stored event class (topic) is not the signed statement's type",
    "time-mismatch": "the stored transaction time differs from the one the log took in",
    "invalid-data": "the statement's data fails its event type's model (strict mode)",
    "personal-in-clear": "a v2 statement holds a personal value in clear, not its commitment "
    "(strict mode)",
    "stray-commitment": "a commitment where the event type declares no personal field, or in a "
    "v1 statement (strict mode)",
    "invalid-genesis": "a genesis statement anywhere but at the start of the registry",
    "unknown-key": "the signer's key is not enrolled, or not for the citizen ID that signed",
    "key-not-enrolled-yet": "the signing key was enrolled only after this event",
    "revoked-key": "the signing key was revoked before this event",
    "forbidden-role": "the signer's roles may not emit this type",
    "bad-signature": "the Ed25519 signature does not verify under the enrolled key",
    "broken-chain": "prev_hash is not the hash of the stream's previous event",
    "version-gap": "the stream skips versions before this event (an event is missing)",
    "version-order": "the stream's versions go backwards or repeat at this event",
    "missing-event": "no event holds this notification id (deleted, or the log has a gap)",
    "leaf-mismatch": "the transparency log holds another hash for this notification, or none",
    "trust-anchor": "the genesis is missing, malformed, or not the pinned system key",
    "invalid-enrolment": "a registry event that enrols or revokes nothing valid",
    "checkpoint-signature": "a checkpoint is malformed or its signature does not verify",
    "bundle-digest": "the bundle's bytes are not the ones it was sealed with",
    "bundle-malformed": "a line of the bundle is not canonical JSON of the expected shape",
    "checkpoint-root": "the events no longer hash to a checkpoint's root (the log was changed)",
    "checkpoint-inconsistent": "a checkpoint is not an extension of the one before it",
    "kept-checkpoint": "a checkpoint kept by the auditor does not match the log",
}
"""Every kind of failure, and what it means."""


@dataclass(frozen=True, slots=True)
class Failure:
    """One thing that does not verify, and where."""

    notification_id: int | None
    kind: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"notification_id": self.notification_id, "kind": self.kind, "detail": self.detail}


@dataclass
class Report:
    """What a verification found."""

    ledger: str
    events: int = 0
    streams: int = 0
    tree_size: int = 0
    checkpoints: int = 0
    kept_checkpoints: int = 0
    transparency_log: bool = False
    trust_anchor: str | None = None
    anchor_pinned: bool = False
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def sort(self) -> None:
        self.failures.sort(
            key=lambda item: (
                item.notification_id is None,
                item.notification_id or 0,
                item.kind,
                item.detail,
            )
        )

    def failing_ids(self) -> list[int]:
        return sorted({f.notification_id for f in self.failures if f.notification_id is not None})

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "ledger": self.ledger,
            "events": self.events,
            "streams": self.streams,
            "transparency_log": {
                "present": self.transparency_log,
                "tree_size": self.tree_size,
                "checkpoints": self.checkpoints,
            },
            "kept_checkpoints": self.kept_checkpoints,
            "trust_anchor": {"key_id": self.trust_anchor, "pinned": self.anchor_pinned},
            "seconds": round(self.seconds, 3),
            "failing_notification_ids": self.failing_ids(),
            "failures": [item.as_json() for item in self.failures],
            "notes": self.notes,
        }


def first_line(error: Exception) -> str:
    """An error's first line, for a failure's detail (pydantic's errors run to many lines)."""
    return str(error).strip().splitlines()[0]


__all__ = ["KINDS", "Failure", "Report", "first_line"]
