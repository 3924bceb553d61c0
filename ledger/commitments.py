"""Statement v2: salted commitments in place of personal values (docs/personal-data.md).

A v2 statement is a v1 statement with ``"v": 2`` whose ``data`` holds, at each personal path
its event model declares (``ledger.domain.personal_fields``), a commitment object
``{"commitment": "<64 lowercase hex>"}`` instead of the value. The value and a 256-bit random
salt travel beside the signed bytes as a *disclosure*; the signature covers the commitments
only, so the signed log, its proofs, bundles and Kafka envelopes carry no personal value in
clear, and a value erased from the vault leaves every signature valid.

The commitment is sha256 over five length-prefixed parts (each a 4-byte big-endian length,
then the bytes)::

    sha256( L(tag) || L(subject) || L(path) || L(salt) || L(value) )
    tag     = b"thai-lgov-ledger commitment v1\\n"
    subject = UTF-8 of the person's subject id: the record's stream id, lowercase UUID text
    path    = UTF-8 of the field's dotted path inside data ("cid", "replacement.first_name")
    salt    = 32 random bytes (standard padded base64 in JSON)
    value   = RFC 8785 canonical bytes of the value as v1 would sign it ("1975-01-15", "male")

The salt makes the hash of a citizen ID unguessable (there are only 10**13 of them); the
subject and path bind a disclosure to one person's one field, so it cannot be replayed on
another. Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from ledger.canonical import CanonicalizationError, canonicalize
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.personal_fields import personal_paths
from ledger.statement import Statement
from ledger.violations import Violation, rule

TAG = b"thai-lgov-ledger commitment v1\n"
"""The domain tag: a commitment is never confused with any other sha256 of the project."""

SALT_BYTES = 32
COMMITMENT_KEY = "commitment"
_HEX64 = re.compile(r"[0-9a-f]{64}")

MISSING = rule(
    "personal.disclosure_missing",
    "ข้อมูลส่วนบุคคลในช่องนี้ลงนามเป็นค่าผูกมัด (commitment) แต่ไม่ได้ส่งค่าและเกลือ (disclosure) มาด้วย",
    "the field is signed as a commitment but its disclosure (value and salt) was not sent",
)
EXTRA = rule(
    "personal.disclosure_extra",
    "ส่งค่าเปิดเผย (disclosure) ของช่องที่ไม่มีค่าผูกมัดในข้อความที่ลงนาม",
    "a disclosure was sent for a field the signed statement holds no commitment for",
)
WRONG = rule(
    "personal.disclosure_wrong",
    "ค่าและเกลือที่เปิดเผยไม่ตรงกับค่าผูกมัดที่ลงนาม (ค่า เกลือ ช่อง หรือเจ้าของข้อมูลผิด)",
    "the disclosed value and salt do not match the signed commitment (wrong value, salt, "
    "field or person)",
)
IN_CLEAR = rule(
    "personal.in_clear",
    "ข้อความรุ่น 2 ต้องลงนามข้อมูลส่วนบุคคลในช่องนี้เป็นค่าผูกมัด ไม่ใช่ค่าจริง",
    "a v2 statement signs this personal field as a commitment, never its value in clear",
)
NOT_PERSONAL = rule(
    "personal.not_personal",
    "ช่องนี้ไม่ใช่ข้อมูลส่วนบุคคลของเหตุการณ์ประเภทนี้ จึงลงนามเป็นค่าผูกมัดไม่ได้",
    "this field is not personal in this event type, so it cannot be signed as a commitment",
)
FORM = rule(
    "personal.disclosure_form",
    'ค่าเปิดเผยต้องเป็น {{"value": ค่า, "salt": เกลือ 32 ไบต์แบบ base64}}',
    'a disclosure is {{"value": the value, "salt": 32 bytes in standard base64}}',
)
V1 = rule(
    "personal.v1_disclosures",
    "ข้อความรุ่น 1 ไม่มีค่าผูกมัด จึงไม่รับค่าเปิดเผย (disclosure)",
    "a v1 statement holds no commitment, so it takes no disclosures",
)


def _framed(part: bytes) -> bytes:
    return len(part).to_bytes(4, "big") + part


def commitment(subject: str, path: str, salt: bytes, value: Any) -> str:
    """The lowercase hex commitment to ``value`` at ``path`` of ``subject`` under ``salt``."""
    if len(salt) != SALT_BYTES:
        raise ValueError(f"a salt has {SALT_BYTES} bytes")
    parts = (TAG, subject.encode("utf-8"), path.encode("utf-8"), salt, canonicalize(value))
    return hashlib.sha256(b"".join(_framed(part) for part in parts)).hexdigest()


def is_commitment(value: object) -> bool:
    """Whether ``value`` is a commitment object: exactly ``{"commitment": <64 hex>}``."""
    return (
        isinstance(value, dict)
        and len(value) == 1
        and isinstance(found := value.get(COMMITMENT_KEY), str)
        and _HEX64.fullmatch(found) is not None
    )


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One personal field's value (JSON, as v1 would sign it) and its 32-byte salt."""

    value: Any
    salt: bytes

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "salt": base64.b64encode(self.salt).decode("ascii")}

    @classmethod
    def from_json(cls, raw: object) -> Disclosure | None:
        """A disclosure from its JSON form, or None when it has not that form."""
        if not isinstance(raw, dict) or set(raw) != {"value", "salt"}:
            return None
        salt = raw["salt"]
        if not isinstance(salt, str):
            return None
        try:
            decoded = base64.b64decode(salt, validate=True)
        except (binascii.Error, ValueError):
            return None
        return cls(raw["value"], decoded) if len(decoded) == SALT_BYTES else None


Disclosures = Mapping[str, Disclosure]
"""Path (dotted, inside ``data``) -> its disclosure."""


def read_disclosures(raw: object) -> tuple[dict[str, Disclosure], list[Violation]]:
    """Disclosures from a request body's JSON object, and a violation per malformed one."""
    if not isinstance(raw, dict):
        return {}, [Violation(FORM, "disclosures")]
    found: dict[str, Disclosure] = {}
    problems: list[Violation] = []
    for path, item in raw.items():
        disclosure = Disclosure.from_json(item)
        if disclosure is None:
            problems.append(Violation(FORM, f"disclosures.{path}"))
        else:
            found[str(path)] = disclosure
    return found, problems


def _get(data: Mapping[str, Any], path: str) -> tuple[bool, Any]:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``data`` with ``value`` at ``path`` (copying each object on the way)."""
    head, _, rest = path.partition(".")
    copy = dict(data)
    copy[head] = _set(dict(copy[head]), rest, value) if rest else value
    return copy


def commit_data(
    data_model: type[BaseModel], subject: str, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Disclosure]]:
    """A draft's ``data`` as a v2 statement signs it, and the disclosures to send with it.

    Each personal path present with a value (not null) gets a fresh random salt; ``data``
    holds values as v1 would sign them (ISO dates, decimal strings)."""
    committed = dict(data)
    disclosures: dict[str, Disclosure] = {}
    for path in personal_paths(data_model):
        present, value = _get(committed, path)
        if not present or value is None:
            continue
        salt = secrets.token_bytes(SALT_BYTES)
        hexed = commitment(subject, path, salt, value)
        committed = _set(committed, path, {COMMITMENT_KEY: hexed})
        disclosures[path] = Disclosure(value, salt)
    return committed, disclosures


def _stray_commitments(value: Any, path: str, declared: Mapping[str, object]) -> list[str]:
    """Paths of commitment objects that stand where no personal field is declared."""
    if is_commitment(value):
        return [] if path in declared else [path]
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _stray_commitments(item, f"{path}.{key}" if path else str(key), declared)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _stray_commitments(item, f"{path}.{index}" if path else str(index), declared)
    return found


def commitment_form(
    data_model: type[BaseModel], data: Mapping[str, Any]
) -> tuple[list[Violation], dict[str, str]]:
    """The form of a v2 statement's data, disclosures aside: a violation per personal value in
    clear (``personal.in_clear``) and per commitment where none is declared
    (``personal.not_personal``), and each committed path with its commitment (hex). What an
    auditor, who holds no disclosure, can check."""
    declared = personal_paths(data_model)
    problems = [
        Violation(NOT_PERSONAL, f"data.{path}") for path in _stray_commitments(data, "", declared)
    ]
    committed: dict[str, str] = {}
    for path in declared:
        present, value = _get(data, path)
        if not present or value is None:
            continue
        if is_commitment(value):
            committed[path] = value[COMMITMENT_KEY]
        else:
            problems.append(Violation(IN_CLEAR, f"data.{path}"))
    return problems, committed


def stray_commitments(data: Mapping[str, Any]) -> list[str]:
    """Paths of every commitment object in ``data``: in a v1 statement, each one is stray."""
    return _stray_commitments(data, "", {})


def replace_values(data: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with the value at each of ``values``' paths replaced (objects copied)."""
    replaced = dict(data)
    for path, value in values.items():
        replaced = _set(replaced, path, value)
    return replaced


def check_disclosures(
    data_model: type[BaseModel],
    subject: str,
    data: Mapping[str, Any],
    disclosures: Disclosures,
) -> list[Violation]:
    """Every broken rule of a v2 statement's data and disclosures, each naming its field
    (``data.<path>``; ``disclosures.<path>`` for an extra one); empty when they match."""
    problems, committed = commitment_form(data_model, data)
    for path, value in committed.items():
        disclosure = disclosures.get(path)
        if disclosure is None:
            problems.append(Violation(MISSING, f"data.{path}"))
        elif not _matches(subject, path, disclosure, value):
            problems.append(Violation(WRONG, f"data.{path}"))
    problems += [
        Violation(EXTRA, f"disclosures.{path}") for path in disclosures if path not in committed
    ]
    return problems


def _matches(subject: str, path: str, disclosure: Disclosure, expected: str) -> bool:
    try:
        return secrets.compare_digest(
            commitment(subject, path, disclosure.salt, disclosure.value), expected
        )
    except (CanonicalizationError, ValueError):
        return False


def commit_statement_data(
    event_type: str, stream: UUID, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Disclosure]]:
    """``commit_data`` for a draft of ``event_type`` on ``stream`` (the subject); an unknown
    type commits nothing (admission refuses it)."""
    spec = EVENT_TYPES.get(event_type)
    if spec is None:
        return dict(data), {}
    return commit_data(spec.data_model, str(stream), data)


def check_statement(statement: Statement, disclosures: Disclosures) -> list[Violation]:
    """``check_disclosures`` for a v2 statement: its type's model, its stream as the subject."""
    spec = EVENT_TYPES.get(statement.type)
    if spec is None:
        return []
    return check_disclosures(spec.data_model, str(statement.stream), statement.data, disclosures)


def reveal_data(data: Mapping[str, Any], disclosures: Disclosures) -> dict[str, Any]:
    """``data`` with each disclosed path's commitment replaced by its value (checked first
    with ``check_disclosures``): what the domain's rules read."""
    return replace_values(data, {path: item.value for path, item in disclosures.items()})


__all__ = [
    "SALT_BYTES",
    "TAG",
    "Disclosure",
    "Disclosures",
    "check_disclosures",
    "check_statement",
    "commit_data",
    "commit_statement_data",
    "commitment",
    "commitment_form",
    "is_commitment",
    "read_disclosures",
    "replace_values",
    "reveal_data",
    "stray_commitments",
]
