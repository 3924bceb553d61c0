"""A disclosure file: one personal field of one signed v2 statement, proven to a third party.

The file holds the statement's canonical bytes and signature as the ledger stored them, the
field's path, and its disclosure (value and salt)::

    {"format": "thai-lgov-ledger disclosure", "version": 1,
     "record": "<stream uuid>", "event": <stream version>, "notification_id": <log position>,
     "type": "RecordOpened", "path": "cid", "value": "<the value, as v1 would sign it>",
     "salt": "<32 bytes, base64>", "statement": "<canonical bytes, base64>",
     "signature": "<64 bytes, base64>", "event_hash": "<sha256(statement || signature), hex>"}

``check_disclosure_file`` is what the third party runs, offline, trusting only the signer's
public key it holds: the statement is a v2 statement of the record at that version, its
signature verifies under the trusted key its ``signer.key`` names, the path is personal for
its type and holds a commitment, and ``commitment(record, path, salt, value)`` gives that
commitment (docs/personal-data.md). Nothing else of the statement is disclosed: its other
personal fields stay commitments. Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ledger.commitments import COMMITMENT_KEY, Disclosure, commitment, is_commitment
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import personal_paths
from ledger.errors import MalformedStatementError
from ledger.signing import verify_signature
from ledger.statement import Statement, read_statement

FORMAT = "thai-lgov-ledger disclosure"
VERSION = 1
KEYS = frozenset(
    {"format", "version", "record", "event", "notification_id", "type", "path", "value"}
    | {"salt", "statement", "signature", "event_hash"}
)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def disclosure_file(
    *,
    statement: bytes,
    signature: bytes,
    notification_id: int,
    path: str,
    disclosure: Disclosure,
) -> dict[str, Any]:
    """The file's JSON for one field of a stored v2 statement (read with its signature)."""
    parsed = read_statement(statement, signature).statement
    return {
        "format": FORMAT,
        "version": VERSION,
        "record": str(parsed.stream),
        "event": parsed.expected_version + 1,
        "notification_id": notification_id,
        "type": parsed.type,
        "path": path,
        "value": disclosure.value,
        "salt": _b64(disclosure.salt),
        "statement": _b64(statement),
        "signature": _b64(signature),
        "event_hash": hashlib.sha256(statement + signature).hexdigest(),
    }


@dataclass
class CheckedDisclosure:
    """What a disclosure file proves, and each problem found (Thai, then English)."""

    record: str = "?"
    event: int = 0
    type: str = "?"
    path: str = "?"
    value: Any = None
    signer_cid: str | None = "?"  # None: the record owner, who signs with no citizen ID
    key_id: str = "?"
    signed_at: str = "?"
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "record": self.record,
            "event": self.event,
            "type": self.type,
            "path": self.path,
            "value": self.value if self.ok else None,
            "signer": {"cid": self.signer_cid, "key": self.key_id},
            "signed_at": self.signed_at,
            "problems": [{"th": th, "en": en} for th, en in self.problems],
        }


def check_disclosure_file(raw: object, public_keys: Mapping[str, bytes]) -> CheckedDisclosure:
    """Check a disclosure file's JSON against the trusted keys (key id -> Ed25519 public key)."""
    found = CheckedDisclosure()
    problems = found.problems
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("version") != VERSION:
        problems.append(("ไม่ใช่แฟ้มการเปิดเผยข้อมูลรุ่น 1", f"not a {FORMAT} v{VERSION} file"))
        return found
    if set(raw) != KEYS:
        problems.append(("แฟ้มมีช่องไม่ครบหรือเกิน", f"its fields are not {', '.join(sorted(KEYS))}"))
        return found
    found.record, found.event, found.type = str(raw["record"]), raw["event"], str(raw["type"])
    found.path, found.value = str(raw["path"]), raw["value"]
    try:
        statement, signature = _decoded(raw["statement"]), _decoded(raw["signature"])
        disclosure = Disclosure.from_json({"value": raw["value"], "salt": raw["salt"]})
        parsed = read_statement(statement, signature).statement
    except (binascii.Error, ValueError, TypeError, MalformedStatementError):
        problems.append(("อ่านข้อความที่ลงนามไม่ได้", "the signed statement cannot be read"))
        return found
    found.signer_cid, found.key_id = parsed.signer.cid, parsed.signer.key
    found.signed_at = parsed.signed_at.isoformat()
    _check_binding(found, raw, parsed, statement + signature)
    key = public_keys.get(parsed.signer.key)
    if key is None:
        problems.append(
            ("ไม่มีกุญแจสาธารณะที่เชื่อถือของผู้ลงนาม", f"no trusted public key {parsed.signer.key}")
        )
    elif not verify_signature(key, statement, signature):
        problems.append(("ลายมือชื่อไม่ถูกต้อง", "the signature does not verify under the key"))
    if disclosure is None:
        problems.append(("ค่าเปิดเผยผิดรูปแบบ", "the value and salt are not a disclosure"))
    else:
        _check_commitment(found, parsed, disclosure)
    return found


def _decoded(text: object) -> bytes:
    if not isinstance(text, str):
        raise TypeError("not base64 text")
    return base64.b64decode(text, validate=True)


def _check_binding(
    found: CheckedDisclosure, raw: Mapping[str, Any], parsed: Statement, signed: bytes
) -> None:
    """The file's record, event, type and hash are the statement's own."""
    if (
        found.record != str(parsed.stream)
        or found.event != parsed.expected_version + 1
        or found.type != parsed.type
        or raw["event_hash"] != hashlib.sha256(signed).hexdigest()
    ):
        found.problems.append(
            (
                "ระเบียน ลำดับเหตุการณ์ ประเภท หรือแฮชในแฟ้มไม่ตรงกับข้อความที่ลงนาม",
                "the file's record, event, type or hash is not the signed statement's",
            )
        )
    if parsed.v != 2:
        found.problems.append(
            ("ข้อความรุ่น 1 ไม่มีค่าผูกมัด", "a v1 statement holds no commitment to disclose")
        )


def _check_commitment(found: CheckedDisclosure, parsed: Statement, disclosure: Disclosure) -> None:
    """The path is personal for the type and its commitment is the disclosure's."""
    spec = EVENT_TYPES.get(parsed.type)
    node: Any = parsed.data
    for part in found.path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if spec is None or found.path not in personal_paths(spec.data_model) or not is_commitment(node):
        found.problems.append(
            ("ช่องนี้ไม่มีค่าผูกมัดในข้อความที่ลงนาม", "the statement holds no commitment at this path")
        )
        return
    try:
        hexed = commitment(str(parsed.stream), found.path, disclosure.salt, disclosure.value)
    except ValueError:
        hexed = ""
    if hexed != node[COMMITMENT_KEY]:
        found.problems.append(
            (
                "ค่าและเกลือไม่ตรงกับค่าผูกมัดที่ลงนาม",
                "the value and salt do not give the signed commitment",
            )
        )


__all__ = ["FORMAT", "VERSION", "CheckedDisclosure", "check_disclosure_file", "disclosure_file"]
