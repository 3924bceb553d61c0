"""The signed statement (DESIGN.md section 3): what an operator signs, and how it is hashed.

A statement is a JSON object serialized with RFC 8785. The signature is Ed25519 over
``sha256(canonical bytes)``; the event hash is ``sha256(canonical bytes || signature)`` and the
next statement on the stream must name it as ``prev_hash``, so each stream is a signed hash chain.
The ledger stores the canonical bytes exactly as signed and parses fields from them, never from a
re-serialization.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.canonical import CanonicalizationError, canonicalize, parse_canonical
from ledger.errors import InvalidDataError, MalformedStatementError
from ledger.violations import Violation, rule

GENESIS_PREV_HASH = "0" * 64
"""The prev_hash of a stream's first event."""

SYSTEM_CID = "system"
"""The signer ``cid`` of the ledger's own system key, which belongs to no person."""

OWNER_SIGNER = "record_owner"
"""How the views name a record owner who signed with no citizen ID (``signer.cid`` null, her key
enrolled by her record) where they name a signer's citizen ID: never written in a statement."""

HEX64 = r"^[0-9a-f]{64}$"
KEY_ID = r"^[0-9a-f]{16}$"

# The canonical layout, read without parsing. RFC 8785 sorts the keys, so a canonical statement
# is ``{"data":{...},"effective":...,"v":1}`` with its fields in the order below. Any copy of a
# key inside ``data`` comes before the real one, which is why the data is skipped greedily: the
# fields are the last run of the text that fits them, up to the end. (No group around the data:
# a group right after ``.*`` keeps the regex engine from jumping to the next ``,`` as it backs
# off, which triples the cost.)
_CANONICAL_FIELDS = (
    r'\{"data":\{.*,"effective":"([0-9]{4}-[0-9]{2}-[0-9]{2})",'
    r'"expected_version":(0|[1-9][0-9]{0,15}),"nonce":"[^"\\]{8,128}",'
    r'"prev_hash":"([0-9a-f]{64})","signed_at":"[^"\\]{10,40}",'
    r'"signer":\{"cid":"([0-9]{13}|system)","key":"([0-9a-f]{16})"\},'
    r'"stream":"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",'
    r'"type":"([A-Z][A-Za-z0-9]{1,63})","v":1\}'
)
CANONICAL_FIELDS = re.compile(_CANONICAL_FIELDS.encode("ascii"), re.DOTALL)
"""Matches (``fullmatch``) a canonical statement whose fields have their usual form; the groups
are 1 effective, 2 expected_version, 3 prev_hash, 4 signer cid, 5 signer key, 6 stream, 7 type.
The readers of millions of statements (the auditor, the projections) take fields from it
instead of parsing JSON, and parse in full (``read_statement``) a statement it does not match.
It checks the form of the fields it reads, not the model's every rule (the nonce's and signing
time's are left to ``read_statement``). It matches v1 statements only, which always name their
signer's citizen ID: a signer with a null ``cid`` (a record owner enrolled by her record) signs
v2, whose statements are parsed in full, so group 4 is never None (a v1 statement naming
``"cid":null``, refused by the model, is left to ``read_statement`` to refuse)."""
CANONICAL_FIELDS_TEXT = re.compile(_CANONICAL_FIELDS, re.DOTALL)
"""``CANONICAL_FIELDS`` for a statement held as text (same groups)."""
DATA_START = len('{"data":')
"""Where the data's text begins in a canonical statement."""
DATA_END = len(',"effective":"')
"""How far before group 1 (the effective date) of ``CANONICAL_FIELDS`` the data's text ends."""
PREV_HASH_KEY = b',"prev_hash":"'
"""What precedes the prev_hash in a canonical statement; its last occurrence is the real key
(the later fields cannot hold it), for a reader that needs nothing else (a chain-only sweep)."""


class SignerRef(BaseModel):
    """Who signed: the operator's citizen ID and the id of the enrolled key.

    ``cid`` is null for a record owner enrolled by her record (``EnrolmentData.record``): she
    signs as a citizen, not an officer in office, and her citizen ID is kept out of the log.
    It has no default: the key is always written (``"cid":null``), so the canonical bytes say
    it. Only a v2 statement names a null ``cid`` (``Statement``): v1's form stays as it was.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    cid: Annotated[str, Field(pattern=r"^(\d{13}|system)$")] | None
    key: str = Field(pattern=KEY_ID)


class Statement(BaseModel):
    """A command as the operator signed it (DESIGN.md section 3)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1, 2]  # 2: personal fields signed as commitments (ledger.commitments)
    stream: UUID
    expected_version: int = Field(ge=0)
    prev_hash: str = Field(pattern=HEX64)
    type: str = Field(pattern=r"^[A-Z][A-Za-z0-9]{1,63}$")
    data: dict[str, Any]
    effective: date
    signer: SignerRef
    signed_at: AwareDatetime
    nonce: str = Field(min_length=8, max_length=128)

    @model_validator(mode="after")
    def _v1_names_its_signer(self) -> Statement:
        if self.v == 1 and self.signer.cid is None:
            raise ValueError("a v1 statement names its signer's citizen ID (signer.cid)")
        return self

    def to_json(self) -> dict[str, Any]:
        """The JSON object to canonicalize and sign (dates and ids as strings)."""
        return self.model_dump(mode="json")

    def canonical_bytes(self) -> bytes:
        """RFC 8785 bytes of this statement: what is signed and stored."""
        return canonicalize(self.to_json())


def digest(canonical: bytes) -> bytes:
    """What a signer signs: the 32-byte sha256 of the canonical statement bytes."""
    return hashlib.sha256(canonical).digest()


def event_hash(canonical: bytes, signature: bytes) -> str:
    """The event hash that the stream's next statement must name as ``prev_hash``."""
    return hashlib.sha256(canonical + signature).hexdigest()


def key_id_of(public_key: bytes) -> str:
    """A key id: the first 16 hex characters of sha256 of the raw 32-byte Ed25519 key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def new_nonce() -> str:
    """A random nonce so two otherwise equal statements never share bytes."""
    return secrets.token_hex(16)


@dataclass(frozen=True, slots=True)
class SignedStatement:
    """A statement's canonical bytes, its signature, and the statement parsed from those bytes."""

    canonical: bytes
    signature: bytes
    statement: Statement

    @property
    def hash(self) -> str:
        return event_hash(self.canonical, self.signature)


NOT_ISO_DATE = rule(
    "date.not_iso",
    'วันที่ในข้อความที่ลงนามต้องเป็นข้อความรูปแบบ "ปปปป-ดด-วว" ปี ค.ศ. สี่หลัก เช่น "2019-04-01" (ได้รับ {got_th})',
    'a date in a signed statement is a JSON string "YYYY-MM-DD" with a four-digit common-era '
    'year, such as "2019-04-01" (got {got})',
)
NOT_ISO_MOMENT = rule(
    "time.not_iso",
    'เวลาที่ลงนามต้องเป็นข้อความแบบ ISO 8601 มีวินาทีและเขตเวลา เช่น "2019-04-01T09:30:00+07:00" '
    "(ได้รับ {got_th})",
    "a moment in a signed statement is a JSON string in ISO 8601 with seconds and an offset, "
    'such as "2019-04-01T09:30:00+07:00" (got {got})',
)
NONCE_FORM = rule(
    "statement.nonce_form",
    "nonce ต้องเป็นอักขระ ASCII ที่พิมพ์ได้ 8 ถึง 128 ตัว ไม่มีเครื่องหมายคำพูดหรือแบ็กสแลช เช่น เลขฐานสิบหก 32 หลัก",
    "the nonce is 8 to 128 printable ASCII characters with no quote or backslash, such as 32 "
    "hex digits",
)
NONCE = re.compile(r"[!#-\[\]-~]{8,128}")
"""How a nonce is written (``new_nonce`` writes hex): nothing invisible is signed forever."""
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""How a signed statement writes a date: four digits of the common-era year, month, day."""
ISO_MOMENT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
"""How a signed statement writes a moment (``signed_at``): what pydantic and ``isoformat``
write, never a number of seconds (which pydantic would read as a timestamp)."""


_KINDS = {
    str: ("a string of another form", "ข้อความรูปแบบอื่น"),
    bool: ("true or false", "ค่าจริงหรือเท็จ"),
    int: ("a number", "ตัวเลข"),
    float: ("a number", "ตัวเลข"),
    dict: ("a JSON object", "ออบเจกต์ JSON"),
    list: ("a JSON array", "อาร์เรย์ JSON"),
}


def given(value: object) -> dict[str, str]:
    """What a refusal says it got instead of the form asked for (``got``, ``got_th``): the JSON
    type, or "another form" for a string; never the value, which may be personal data."""
    en, th = _KINDS.get(type(value), ("null", "ค่าว่าง (null)"))
    return {"got": en, "got_th": th}


def read_statement(canonical: bytes, signature: bytes, *, strict: bool = False) -> SignedStatement:
    """Parse submitted bytes into a statement, insisting on canonical form and a sane signature.

    Raises ``MalformedStatementError`` naming what is wrong. The signature is not verified here:
    that needs the key registry (see ``ledger.application``). ``strict`` (the ledger's submit
    path) also insists that ``effective`` and ``signed_at`` are JSON strings of their ISO form,
    where the model alone reads the number 0 as 1970-01-01, and that the nonce is printable
    ASCII; verifiers leave it off, so whatever the log holds stays readable.
    """
    if len(signature) != 64:
        raise MalformedStatementError(
            f"an Ed25519 signature has 64 bytes, this one has {len(signature)}"
        )
    try:
        value = parse_canonical(canonical)
    except CanonicalizationError as error:
        raise MalformedStatementError(str(error), error.rule_id) from None
    if not isinstance(value, dict):
        raise MalformedStatementError("a statement is a JSON object")
    try:
        statement = Statement.model_validate(value)
    except ValidationError as error:
        raise MalformedStatementError(describe_validation_error(error)) from None
    if strict:
        _check_signed_form(statement.type, value)
    return SignedStatement(canonical=canonical, signature=signature, statement=statement)


def _check_signed_form(event_type: str, value: dict[str, Any]) -> None:
    """``effective`` and ``signed_at`` as JSON strings of their ISO form and a nonce of
    printable ASCII, else the refusal naming each."""
    violations = [
        Violation(broken, field, given(raw))
        for field, form, broken in _SIGNED_FORMS
        if type(raw := value[field]) is not str or form.fullmatch(raw) is None
    ]
    if violations:
        raise InvalidDataError(event_type, violations=violations)


_SIGNED_FORMS = (
    ("effective", ISO_DATE, NOT_ISO_DATE),
    ("signed_at", ISO_MOMENT, NOT_ISO_MOMENT),
    ("nonce", NONCE, NONCE_FORM),
)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem, each naming the field path, e.g. ``data.cid: checksum fails``."""
    parts = []
    for problem in error.errors():
        location = ".".join(str(item) for item in problem["loc"]) or "(root)"
        parts.append(f"{location}: {problem['msg']}")
    return "; ".join(parts)


def build_statement(
    *,
    stream: UUID,
    expected_version: int,
    prev_hash: str,
    type: str,
    data: dict[str, Any],
    effective: date,
    signer: SignerRef,
    signed_at: datetime,
    nonce: str | None = None,
    v: Literal[1, 2] = 1,
) -> Statement:
    """Convenience constructor used by clients (CLI, demo, tests) to prepare a statement
    (``v=2`` with data from ``ledger.commitments.commit_data``)."""
    return Statement(
        v=v,
        stream=stream,
        expected_version=expected_version,
        prev_hash=prev_hash,
        type=type,
        data=data,
        effective=effective,
        signer=signer,
        signed_at=signed_at,
        nonce=nonce or new_nonce(),
    )
