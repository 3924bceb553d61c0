"""The audit trail of each record (and of every other stream): who did what, when, on what basis.

``events`` keeps one row per event: the actor (the signer's citizen ID, or ``system``), the
roles and scope the signing key was enrolled with, the valid time (effective) and the
transaction time (recorded), the legal reference the statement cites (an order, a letter, an
ordinance...), the statement's data (the "after"; a correction names the entry it supersedes,
the "before" is that entry's row), the event hash, and the key's standing when it signed
(``enrolled``; ``genesis`` for the self-signed first event). ``keys`` follows the operator
registry: every enrolled key with its roles, scope and public key, and its revocation.

``audit_trail`` reads a stream's rows and checks each event's signature against the stored bytes
(the ledger's own copy, not the view's): the Ed25519 signature under the enrolled public key,
the event hash and the chain link to the previous event. Checking at read time keeps the
catch-up fast (a record's trail is a few dozen events) and means the status shown was computed
from the bytes as stored when asked, not when projected.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ledger.application import Ledger, RecordedEvent
from ledger.signing import verify_signature
from ledger.statement import GENESIS_PREV_HASH, event_hash
from projections.log import LogEvent
from projections.rows import dumps, loads, utc_text
from projections.runner import View
from projections.store import Cursor

LEGAL_REF_FIELDS = ("order", "legal_ref", "reference", "letter", "announcement", "ordinance")
"""Data fields that carry the legal basis of an event (an OrderRef), in order of preference."""

EVENT_COLUMNS = (
    "notification_id",
    "stream",
    "version",
    "type",
    "actor",
    "key_id",
    "roles",
    "scope",
    "effective",
    "recorded_at",
    "legal_ref",
    "data",
    "hash",
    "key_status",
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
                "notification_id BIGINT PRIMARY KEY, stream TEXT NOT NULL, "
                "version BIGINT NOT NULL, type TEXT NOT NULL, actor TEXT NOT NULL, "
                "key_id TEXT NOT NULL, roles TEXT NOT NULL, scope TEXT NOT NULL, "
                "effective TEXT NOT NULL, recorded_at TEXT NOT NULL, legal_ref TEXT, "
                "data TEXT NOT NULL, hash TEXT NOT NULL, key_status TEXT NOT NULL"
            ),
            "keys": (
                "key_id TEXT PRIMARY KEY, cid TEXT NOT NULL, roles TEXT NOT NULL, "
                "scope TEXT NOT NULL, public_key TEXT NOT NULL, enrolled_at BIGINT NOT NULL, "
                "revoked_at BIGINT, revoked_recorded_at TEXT"
            ),
        }

    def index_definitions(self) -> Mapping[str, Sequence[str]]:
        return {"events": ["stream, version"]}

    def handle(self, cursor: Cursor, events: Sequence[LogEvent], tables: Mapping[str, str]) -> None:
        signers = {event.key_id for event in events}
        keys: dict[str, dict[str, Any]] = {
            row[0]: dict(zip(KEY_COLUMNS, row, strict=True))
            for row in cursor.select_in(tables["keys"], KEY_COLUMNS, "key_id", signers)
        }
        changed: set[str] = set()
        rows = []
        for event in events:
            data = event.data
            if event.type in ("LedgerInitialised", "OperatorEnrolled"):
                key_id = data["key_id"]
                if key_id not in keys:
                    genesis = event.type == "LedgerInitialised"
                    keys[key_id] = {
                        "key_id": key_id,
                        "cid": "system" if genesis else data["cid"],
                        "roles": "system" if genesis else ",".join(data["roles"]),
                        "scope": "national" if genesis else scope_text(data["scope"]),
                        "public_key": data["public_key"],
                        "enrolled_at": event.notification_id,
                        "revoked_at": None,
                        "revoked_recorded_at": None,
                    }
                    changed.add(key_id)
            elif event.type == "OperatorKeyRevoked":
                revoked = keys.get(data["key_id"])
                if revoked is None:
                    revoked = _key(cursor, tables["keys"], data["key_id"])
                    if revoked is not None:
                        keys[data["key_id"]] = revoked
                if revoked is not None and revoked["revoked_at"] is None:
                    revoked["revoked_at"] = event.notification_id
                    revoked["revoked_recorded_at"] = utc_text(event.recorded_at)
                    changed.add(revoked["key_id"])
            signer = keys.get(event.key_id)
            rows.append(
                (
                    event.notification_id,
                    str(event.stream),
                    event.version,
                    event.type,
                    event.signer_cid,
                    event.key_id,
                    signer["roles"] if signer else "",
                    signer["scope"] if signer else "",
                    event.effective,
                    utc_text(event.recorded_at),
                    _json_or_none(legal_reference(data)),
                    dumps(data),
                    event.hash,
                    _key_status(event, signer),
                )
            )
        cursor.upsert(
            tables["keys"],
            KEY_COLUMNS,
            [tuple(keys[k][c] for c in KEY_COLUMNS) for k in sorted(changed)],
            key=("key_id",),
        )
        cursor.upsert(tables["events"], EVENT_COLUMNS, rows, key=("notification_id",), update=())


def _json_or_none(value: Any) -> str | None:
    return None if value is None else dumps(value)


def _key(cursor: Cursor, table: str, key_id: str) -> dict[str, Any] | None:
    found = cursor.select_in(table, KEY_COLUMNS, "key_id", [key_id])
    return dict(zip(KEY_COLUMNS, found[0], strict=True)) if found else None


def _key_status(event: LogEvent, signer: dict[str, Any] | None) -> str:
    if event.type == "LedgerInitialised":
        return "genesis"
    if signer is None:
        return "unknown"
    revoked_at = signer["revoked_at"]
    return "enrolled" if revoked_at is None or revoked_at >= event.notification_id else "revoked"


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


def trail_rows(cursor: Cursor, tables: Mapping[str, str], stream: str) -> list[dict[str, Any]]:
    """The stream's rows of the view, in version order, with their key's public key and
    revocation."""
    columns = ", ".join(f"e.{c}" for c in EVENT_COLUMNS)
    cursor.execute(
        f"SELECT {columns}, k.public_key, k.revoked_recorded_at FROM {tables['events']} e "
        f"LEFT JOIN {tables['keys']} k ON k.key_id = e.key_id "
        "WHERE e.stream = ? ORDER BY e.version",
        [stream],
    )
    return [
        dict(zip((*EVENT_COLUMNS, "public_key", "key_revoked_at"), row, strict=True))
        for row in cursor.fetchall()
    ]


def audit_trail(
    cursor: Cursor, tables: Mapping[str, str], ledger: Ledger, stream: UUID
) -> list[AuditEntry]:
    """The stream's audit trail, each event's signature checked against the stored bytes."""
    rows = trail_rows(cursor, tables, str(stream))
    stored = {event.version: event for event in ledger.stream_events(stream)} if rows else {}
    entries = []
    previous = GENESIS_PREV_HASH
    for row in rows:
        recorded = stored.get(int(row["version"]))
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
                data=loads(row["data"]),
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
