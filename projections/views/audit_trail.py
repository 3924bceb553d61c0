"""The audit trail of each record (and of every other stream): who did what, when, on what basis.

``events`` keeps one row per event, keyed by its log position: the stream and version, the
type, the actor (the signer's citizen ID, or ``system``; ``record_owner`` for a record owner
enrolled by her record, who signs with no citizen ID) and the key that signed, the valid time
(effective) and the transaction time (recorded), the legal reference the statement cites (an
order, a letter, an ordinance...) and the event hash. ``keys`` follows the operator registry:
every enrolled key with its roles, scope and public key, and its revocation, from which a trail
shows the roles and scope each event was signed under and the key's standing then (``enrolled``,
``revoked``; ``genesis`` for the self-signed first event). The statement's data (the "after"; a
correction names the entry it supersedes, whose event is the "before") is not copied: the trail
reads it from the ledger's stored bytes, exactly as signed, which also say which log positions
are the stream's.

``audit_trail`` checks each event's signature against those stored bytes (the ledger's own
copy, not the view's): the Ed25519 signature under the enrolled public key, the event hash and
the chain link to the previous event. Checking at read time keeps the catch-up fast (a record's
trail is a few dozen events) and means the status shown was computed from the bytes as stored
when asked, not when projected.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.application import Ledger, RecordedEvent
from ledger.signing import verify_signature
from ledger.statement import GENESIS_PREV_HASH, OWNER_SIGNER, event_hash
from projections.log import LogEvent
from projections.rows import loads
from projections.store import Cursor
from projections.views.runner import View

LEGAL_REF_FIELDS = ("order", "legal_ref", "reference", "letter", "announcement", "ordinance")
"""Data fields that carry the legal basis of an event (an OrderRef), in order of preference."""

EVENT_COLUMNS = (
    "notification_id",
    "stream",
    "version",
    "type",
    "actor",
    "key_id",
    "effective",
    "recorded_at",
    "legal_ref",
    "hash",
)
KEY_COLUMNS = (
    "key_id",
    "cid",
    "roles",
    "scope",
    "public_key",
    "enrolled_at",
    "revoked_at",
    "revoked_recorded_at",
)


_DECODER = json.JSONDecoder()


def cites(event: LogEvent) -> str | None:
    """The legal reference an event cites, as the JSON text it was signed in: the data is
    decoded only around the reference (a correction's replacement included)."""
    text = event.data_text
    for name in LEGAL_REF_FIELDS:
        at = text.find(f'"{name}":{{')
        if at >= 0:
            start = at + len(name) + 3
            found, end = _DECODER.raw_decode(text, start)
            if isinstance(found, dict) and "number" in found:
                return text[start:end]
    return None


def legal_reference(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The legal reference the data cites (looking into a correction's replacement too)."""
    for name in LEGAL_REF_FIELDS:
        value = data.get(name)
        if isinstance(value, dict) and "number" in value:
            return value
    replacement = data.get("replacement")
    return legal_reference(replacement) if isinstance(replacement, dict) else None


def scope_text(scope: Mapping[str, Any]) -> str:
    """``national``, ``province:<name>`` or ``lao:<province>:<DLA code>`` (as the CLI writes)."""
    level = scope.get("level")
    if level == "province":
        return f"province:{scope.get('province')}"
    if level == "lao":
        return f"lao:{scope.get('province')}:{scope.get('lao')}"
    return "national"


class AuditTrailView(View):
    """ร่องรอยการแก้ไข: every event with its actor, role, times and legal reference."""

    name = "audit"

    def table_definitions(self) -> Mapping[str, str]:
        return {
            "events": (
                "notification_id BIGINT NOT NULL, stream TEXT NOT NULL, "
                "version BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL, "
                "key_id TEXT NOT NULL, effective TEXT NOT NULL, recorded_at TEXT NOT NULL, "
                "legal_ref TEXT, hash TEXT NOT NULL, PRIMARY KEY (notification_id)"
            ),
            "keys": (
                "key_id TEXT PRIMARY KEY, cid TEXT NOT NULL, roles TEXT NOT NULL, "
                "scope TEXT NOT NULL, public_key TEXT NOT NULL, enrolled_at BIGINT NOT NULL, "
                "revoked_at BIGINT, revoked_recorded_at TEXT"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        """By hash: a certificate's verification code is its event hash (``GET /verify``)."""
        return {"events": ["hash"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        keys: dict[str, dict[str, Any]] = {}
        rows = []
        for event in events:
            if event.type in KEY_TYPES:
                self._key_event(cursor, tables["keys"], keys, event)
            rows.append(
                (
                    event.notification_id,
                    event.stream_text,
                    event.version,
                    event.type,
                    event.actor,
                    event.key_id,
                    event.effective,
                    event.recorded_text,
                    cites(event),
                    event.hash,
                )
            )
        cursor.upsert(
            tables["keys"],
            KEY_COLUMNS,
            [tuple(keys[k][c] for c in KEY_COLUMNS) for k in sorted(keys)],
            key=("key_id",),
        )
        cursor.append(tables["events"], EVENT_COLUMNS, rows, key=("notification_id",))

    def _key_event(
        self, cursor: Cursor, table: str, keys: dict[str, dict[str, Any]], event: LogEvent
    ) -> None:
        """An enrolment (the genesis enrols the system key) or a revocation."""
        data = event.data
        key_id = data["key_id"]
        known = keys.get(key_id) or _key(cursor, table, key_id)
        if event.type == "OperatorKeyRevoked":
            if known is not None and known["revoked_at"] is None:
                known["revoked_at"] = event.notification_id
                known["revoked_recorded_at"] = event.recorded_text
                keys[key_id] = known
            return
        if known is None:
            genesis = event.type == "LedgerInitialised"
            keys[key_id] = {
                "key_id": key_id,
                "cid": "system" if genesis else data.get("cid") or OWNER_SIGNER,
                "roles": "system" if genesis else ",".join(data["roles"]),
                "scope": "national" if genesis else scope_text(data["scope"]),
                "public_key": data["public_key"],
                "enrolled_at": event.notification_id,
                "revoked_at": None,
                "revoked_recorded_at": None,
            }


KEY_TYPES = frozenset({"LedgerInitialised", "OperatorEnrolled", "OperatorKeyRevoked"})


def _key(cursor: Cursor, table: str, key_id: str) -> dict[str, Any] | None:
    found = cursor.select_in(table, KEY_COLUMNS, "key_id", [key_id])
    return dict(zip(KEY_COLUMNS, found[0], strict=True)) if found else None


def key_status(event_type: str, notification_id: int, key: Mapping[str, Any] | None) -> str:
    """The signing key's standing when it signed: ``genesis`` (the self-signed anchor),
    ``enrolled``, ``revoked`` (signed after its revocation), ``unknown``."""
    if event_type == "LedgerInitialised":
        return "genesis"
    if key is None:
        return "unknown"
    revoked_at = key["revoked_at"]
    return "enrolled" if revoked_at is None or revoked_at >= notification_id else "revoked"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One event of a stream's audit trail."""

    notification_id: int
    stream: str
    version: int
    type: str
    actor: str
    key_id: str
    roles: tuple[str, ...]
    scope: str
    effective: str
    recorded_at: str
    legal_ref: dict[str, Any] | None
    data: dict[str, Any]
    hash: str
    key_status: str  # when it signed: enrolled, genesis (self-signed anchor), revoked, unknown
    key_revoked_at: str | None  # when the key was revoked later (what it signed before stays)
    signature: str  # verified, or what failed: bad signature, hash mismatch, broken chain

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {"roles": list(self.roles)}


def trail_rows(
    cursor: Cursor, tables: Mapping[str, str], notification_ids: Collection[int]
) -> list[dict[str, Any]]:
    """The view's rows of these log positions, in log order, each with its signing key's
    roles, scope, public key, revocation and standing when it signed."""
    rows = [
        dict(zip(EVENT_COLUMNS, row, strict=True))
        for row in cursor.select_in(
            tables["events"], EVENT_COLUMNS, "notification_id", notification_ids
        )
    ]
    keys = {
        row[0]: dict(zip(KEY_COLUMNS, row, strict=True))
        for row in cursor.select_in(
            tables["keys"], KEY_COLUMNS, "key_id", {row["key_id"] for row in rows}
        )
    }
    for row in rows:
        key = keys.get(row["key_id"])
        row["roles"] = key["roles"] if key else ""
        row["scope"] = key["scope"] if key else ""
        row["public_key"] = key["public_key"] if key else None
        row["key_revoked_at"] = key["revoked_recorded_at"] if key else None
        row["key_status"] = key_status(row["type"], int(row["notification_id"]), key)
    return sorted(rows, key=lambda row: int(row["notification_id"]))


def audit_trail(
    cursor: Cursor, tables: Mapping[str, str], ledger: Ledger, stream: UUID
) -> list[AuditEntry]:
    """The stream's audit trail, each event's signature checked against the stored bytes.

    The view's rows are keyed by log position; the ledger's own index of the stream says
    which positions are the stream's (and supplies the signed bytes to check and the data)."""
    stored = {event.notification_id: event for event in ledger.stream_events(stream)}
    entries = []
    previous = GENESIS_PREV_HASH
    for row in trail_rows(cursor, tables, stored):
        recorded = stored.get(int(row["notification_id"]))
        entries.append(
            AuditEntry(
                notification_id=int(row["notification_id"]),
                stream=row["stream"],
                version=int(row["version"]),
                type=row["type"],
                actor=row["actor"],
                key_id=row["key_id"],
                roles=tuple(r for r in str(row["roles"]).split(",") if r),
                scope=row["scope"],
                effective=row["effective"],
                recorded_at=row["recorded_at"],
                legal_ref=loads(row["legal_ref"]),
                data=json.loads(recorded.statement)["data"] if recorded is not None else {},
                hash=row["hash"],
                key_status=row["key_status"],
                key_revoked_at=row["key_revoked_at"],
                signature=signature_status(recorded, row["public_key"], previous),
            )
        )
        previous = recorded.hash if recorded is not None else row["hash"]
    return entries


def signature_status(recorded: RecordedEvent | None, public_key: str | None, previous: str) -> str:
    """``verified`` when the stored statement's signature verifies under the enrolled key, its
    hash is the stored hash and it names the previous event's hash; else what failed."""
    if recorded is None:
        return "missing from the ledger"
    if public_key is None:
        return "unknown key"
    if not verify_signature(bytes.fromhex(public_key), recorded.statement, recorded.signature):
        return "bad signature"
    if event_hash(recorded.statement, recorded.signature) != recorded.hash:
        return "hash mismatch"
    if json.loads(recorded.statement).get("prev_hash") != previous:
        return "broken chain"
    return "verified"
