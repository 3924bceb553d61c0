"""The ledger's errors: one base, specific subclasses carrying the fields that explain them.

Every rejection of a statement raises one of these before anything is appended. The HTTP edge
maps them to status codes in one table (``api/errors.py``); the CLI prints their messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledger.violations import RULES, Violation, rule

INVALID_DATA = rule(
    "data.invalid",
    "ข้อมูลไม่ถูกต้องตามแบบของรายการ: {problem}",
    "the data does not fit the event type's model: {problem}",
)
MALFORMED = rule(
    "statement.malformed",
    "อ่านข้อความที่ลงนามไม่ได้: {problem}",
    "the signed statement cannot be read: {problem}",
)
UNKNOWN_EVENT_TYPE = rule(
    "schema.unknown_type",
    "ไม่มีรายการประเภท {type} (GET /schemas แสดงทุกประเภท)",
    "there is no event type {type} (GET /schemas lists them all)",
)
VAULT_NEEDED = rule(
    "personal.vault_needed",
    "สตรีม {stream} มีข้อความรุ่น 2 ซึ่งลงนามค่าผูกมัด (commitment) แทนข้อมูลส่วนบุคคล อ่านได้ผ่าน"
    "ห้องเก็บข้อมูลส่วนบุคคล (vault) ของบัญชีเท่านั้น: ตั้ง LEDGER_VAULT_KEY_DIR หรือโทเค็น "
    "(LEDGER_VAULT_PKCS11_MODULE) ของบัญชีนี้ แล้วสั่งอีกครั้ง",
    "stream {stream} holds v2 statements, whose personal values are signed as commitments and "
    "read only through the ledger's vault: configure this ledger's vault (LEDGER_VAULT_KEY_DIR, "
    "or a token with LEDGER_VAULT_PKCS11_MODULE) and run it again",
)


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


class MalformedStatementError(LedgerError):
    """The statement bytes or the signature cannot even be read (not canonical JSON, bad shape).

    ``rule_id`` names which limit or form it breaks (``statement.too_deep``...)."""

    def __init__(self, problem: str, rule_id: str = MALFORMED.id) -> None:
        super().__init__(f"malformed statement: {problem}")
        self.problem = problem
        self.rule_id = rule_id

    @property
    def violations(self) -> list[Violation]:
        declared = RULES.get(self.rule_id, MALFORMED)
        return [Violation(declared, "statement", {"problem": self.problem})]


class StaleVersionError(LedgerError):
    """The statement expects a stream version that is no longer (or not yet) the current one."""

    def __init__(self, stream: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stale version on stream {stream}: statement expects version {expected}, "
            f"the stream is at version {actual}"
        )
        self.stream = stream
        self.expected = expected
        self.actual = actual


class BrokenChainError(LedgerError):
    """The statement's prev_hash is not the hash of the stream's event at expected_version."""

    def __init__(self, stream: str, version: int, claimed: str, actual: str) -> None:
        super().__init__(
            f"broken chain on stream {stream} at version {version}: statement's prev_hash "
            f"{claimed[:16]}... does not match the stream's head hash {actual[:16]}..."
        )
        self.stream = stream
        self.version = version
        self.claimed = claimed
        self.actual = actual


class UnknownKeyError(LedgerError):
    """The signing key is not enrolled in this ledger, or not for the citizen ID that claims it."""

    def __init__(self, key_id: str, detail: str = "is not enrolled in this ledger") -> None:
        super().__init__(f"key {key_id} {detail}")
        self.key_id = key_id


class RevokedKeyError(LedgerError):
    """The signing key was revoked; it may no longer sign anything new."""

    def __init__(self, key_id: str, revoked_at: str) -> None:
        super().__init__(
            f"key {key_id} was revoked at {revoked_at} and may not sign new statements"
        )
        self.key_id = key_id
        self.revoked_at = revoked_at


class BadSignatureError(LedgerError):
    """The signature does not verify under the enrolled public key of the named key."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"signature does not verify for key {key_id}")
        self.key_id = key_id


class ForbiddenError(LedgerError):
    """The signer's roles or scope do not allow this event type on this stream."""

    def __init__(self, event_type: str, reason: str) -> None:
        super().__init__(f"{event_type} is forbidden: {reason}")
        self.event_type = event_type
        self.reason = reason


class InvalidDataError(LedgerError):
    """The statement's data fails the event type's model or a domain rule.

    ``problems`` are one-line English descriptions (``data.cid: checksum fails``);
    ``violations`` the rules broken, each with its field and Thai and English messages. A
    problem given as text alone counts as the rule ``data.invalid`` on the field it names.
    """

    def __init__(
        self,
        event_type: str,
        problems: Sequence[str] = (),
        violations: Sequence[Violation] = (),
    ) -> None:
        texts = list(problems) or [violation.describe() for violation in violations]
        super().__init__(f"invalid {event_type}: {'; '.join(texts)}")
        self.event_type = event_type
        self.problems = texts
        self._violations = list(violations)

    @property
    def violations(self) -> list[Violation]:
        if self._violations:
            return self._violations
        return [
            Violation(INVALID_DATA, _field_of(problem), {"problem": problem})
            for problem in self.problems
        ]


def model_violations(errors: Sequence[Mapping[str, Any]], prefix: str = "data") -> list[Violation]:
    """One ``data.invalid`` violation per problem pydantic found (its ``errors()``), each on
    its field's dotted path under ``prefix``; the message never repeats the input."""
    found = []
    for problem in errors:
        path = ".".join(str(part) for part in (prefix, *problem.get("loc", ())))
        declared = RULES.get(str(problem.get("type")))
        if declared is not None:  # a rule of the catalogue, raised as a PydanticCustomError
            context = problem.get("ctx") or {}
            details = {key: str(value) for key, value in context.items()}
            found.append(Violation(declared, path, details))
        else:
            message = str(problem.get("msg", "invalid"))
            found.append(Violation(INVALID_DATA, path, {"problem": message}))
    return found


def _field_of(problem: str) -> str:
    """The field a ``field.path: message`` problem names (else the statement's data)."""
    head, separator, _ = problem.partition(": ")
    if separator and head and " " not in head:
        return head
    return "data"


class ContentionError(LedgerError):
    """Other writers kept taking the positions a batch names: decided again and again, it never
    settled. Nothing was appended; submitting again later is safe."""

    def __init__(self, statements: int, attempts: int) -> None:
        super().__init__(
            f"{statements} statement(s) lost the race to other writers {attempts} times; "
            "nothing was appended, submit again"
        )
        self.statements = statements
        self.attempts = attempts


class UnknownRuleError(LedgerError):
    """No rule of the catalogue (``ledger.violations.RULES``) has this id."""

    def __init__(self, rule_id: str) -> None:
        super().__init__(f"no rule {rule_id} in the catalogue")
        self.rule_id = rule_id


class UnknownCertificateError(LedgerError):
    """No certificate has this verification code (the hash of no ``CertificateIssued``)."""

    def __init__(self) -> None:
        super().__init__("no certificate has this verification code")


class StreamNotFoundError(LedgerError):
    """No stream with this id exists in the ledger."""

    def __init__(self, stream: str) -> None:
        super().__init__(f"stream {stream} does not exist")
        self.stream = stream


class UnseenStreamError(StreamNotFoundError):
    """A statement names a stream its signer does not see: one not opened (for a type that
    continues a stream), or one outside the signer's share (scope; for a record owner, another's
    record). Both are answered in the same words, whatever the statement's expected_version and
    prev_hash, so a signer learns nothing of the streams outside its share (not even that they
    exist); ``violation`` is the rule ``stream.not_found`` (``ledger.admission_rules``)."""

    def __init__(self, stream: str, violation: Violation) -> None:
        LedgerError.__init__(self, f"{violation.th}\n{violation.en} [{violation.id}]")
        self.stream = stream
        self.violations = [violation]


class VaultNeededError(LedgerError):
    """A stream holding v2 statements was read by a ledger with no vault: its data holds
    commitments its event types' models do not read, so it cannot be replayed (a server
    misconfigured, or a command run without the vault's settings)."""

    def __init__(self, stream: str) -> None:
        violation = Violation(VAULT_NEEDED, "stream", {"stream": stream})
        super().__init__(f"{violation.th}\n{violation.en} [{VAULT_NEEDED.id}]")
        self.stream = stream
        self.violations = [violation]


VAULT_KEY_DB_ALONE = rule(
    "settings.vault_key_db_alone",
    "ตั้ง LEDGER_VAULT_KEY_DB (ฐานข้อมูลกุญแจของโทเค็นห้องเก็บข้อมูลส่วนบุคคล) ไว้ แต่ไม่ได้ตั้งโทเค็น: "
    "ตั้ง LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL และ LEDGER_VAULT_TOKEN_PIN ด้วย "
    "หรือเอา LEDGER_VAULT_KEY_DB ออก",
    "LEDGER_VAULT_KEY_DB (the key database of a vault token) is set but no token is: set "
    "LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL and LEDGER_VAULT_TOKEN_PIN too, or "
    "unset LEDGER_VAULT_KEY_DB",
)
VAULT_TOKEN_INCOMPLETE = rule(
    "settings.vault_token_incomplete",
    "โทเค็นของห้องเก็บข้อมูลส่วนบุคคล (LEDGER_VAULT_PKCS11_MODULE) ต้องตั้ง LEDGER_VAULT_TOKEN_LABEL "
    "และ LEDGER_VAULT_TOKEN_PIN ด้วย",
    "a vault token (LEDGER_VAULT_PKCS11_MODULE) needs LEDGER_VAULT_TOKEN_LABEL and "
    "LEDGER_VAULT_TOKEN_PIN too",
)
# ``ledger vault move-to-shards`` (``ledger.vault_moves``); declared here, with the vault's
# other settings rules, so the catalogue (``GET /rules``) holds them.
MOVE_NEEDS_SHARDS = rule(
    "vault.move_needs_shards",
    "การย้ายกุญแจเข้าชาร์ดต้องเปิดคลังข้อมูลส่วนบุคคลด้วยโทเค็นแบบชาร์ด: ตั้ง "
    "LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL, LEDGER_VAULT_TOKEN_PIN และ "
    "LEDGER_VAULT_KEY_DB (โทเค็นเดียวกับที่ถือกุญแจรายบุคคลอยู่)",
    "moving keys into the shards needs the vault opened with the sharded token store: set "
    "LEDGER_VAULT_PKCS11_MODULE, LEDGER_VAULT_TOKEN_LABEL, LEDGER_VAULT_TOKEN_PIN and "
    "LEDGER_VAULT_KEY_DB (the token that holds the per-person keys)",
)
MOVE_RUNNING = rule(
    "vault.move_running",
    "มีการย้ายกุญแจเข้าชาร์ดของฐานข้อมูลกุญแจนี้ทำงานอยู่แล้ว: รอให้เสร็จ (หรือให้โปรเซสนั้นจบ) แล้วสั่งอีกครั้ง",
    "another move into the shards is running on this key database: wait for it to finish (or "
    "its process to end) and run it again",
)


class VaultSettingsError(LedgerError, ValueError):
    """The vault's settings do not make a vault: a configuration error, told as one (Thai and
    English, the setting to change), never as a Python exception."""

    def __init__(self, broken: Violation) -> None:
        super().__init__(f"{broken.th}\n{broken.en} [{broken.id}]")
        self.violations = [broken]


class UnknownEventTypeError(LedgerError):
    """No event type of the catalogue (``ledger.domain.catalog.EVENT_TYPES``) has this name."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"there is no event type {event_type}")
        self.event_type = event_type
        self.violations = [Violation(UNKNOWN_EVENT_TYPE, "type", {"type": event_type})]


class SnapshotNotFoundError(LedgerError):
    """No such snapshot to show: an LAO the ledger does not know (or that the caller may not
    read), a root no submission of the LAO named, or a record the snapshot does not cover."""

    def __init__(self, what: str) -> None:
        super().__init__(f"no snapshot: {what}")
        self.what = what


class NotInitialisedError(LedgerError):
    """The ledger has no genesis event yet; run ``ledger init`` first."""

    def __init__(self) -> None:
        super().__init__("the ledger is not initialised: run `ledger init` first")


class AlreadyInitialisedError(LedgerError):
    """``ledger init`` ran against a ledger that already has its genesis."""

    def __init__(self) -> None:
        super().__init__("the ledger is already initialised")
