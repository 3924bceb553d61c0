"""The gate's rules about where a statement goes and when it was signed, before its data meets
the domain's rules (``ledger.admission``): which event types open a stream, a stream the signer
does not see, which streams an event type applies to, the registry's stream, the signing time,
and the genesis. Each is a refusal of the catalogue (``ledger.violations``) on the statement's
field it concerns.
"""

from __future__ import annotations

from uuid import UUID

from ledger.errors import InvalidDataError, UnseenStreamError
from ledger.violations import Rule, Violation, rule

NOT_FOUND = rule(
    "stream.not_found",
    "ไม่พบสตรีม {stream} ในขอบเขตของผู้ลงนาม: รายการ {event} ใช้กับสตรีมที่มีอยู่แล้ว (สตรีมใหม่เริ่มด้วย {openers})",
    "no stream {stream} within the signer's scope: {event} applies to an existing stream"
    " (a new stream starts with {openers})",
)
ALREADY_OPEN = rule(
    "stream.already_open",
    "สตรีมนี้มีอยู่แล้ว: รายการ {event} ใช้เปิดสตรีมใหม่เท่านั้น",
    "{event} only starts a new stream, and this stream exists",
)
WRONG_KIND = rule(
    "stream.wrong_kind",
    "รายการ {event} ใช้กับ{kind_th} ไม่ใช่{actual_th}",
    "{event} applies to a {kind}, not to a {actual}",
)
REGISTRY_ONLY = rule(
    "stream.registry_only",
    "รายการเกี่ยวกับผู้ปฏิบัติงานและกุญแจบันทึกในสตรีมทะเบียนผู้ปฏิบัติงาน {registry} เท่านั้น",
    "operator events belong on the registry stream {registry}",
)
SIGNED_IN_FUTURE = rule(
    "statement.signed_in_future",
    "เวลาที่ลงนาม ({signed_at}) อยู่ในอนาคต (ตรวจสอบนาฬิกาของเครื่องที่ลงนาม)",
    "signed_at ({signed_at}) lies in the future (check the signing machine's clock)",
)
GENESIS_SIGNER = rule(
    "genesis.signer",
    "รายการเริ่มต้นบัญชี (LedgerInitialised) ต้องลงนามด้วยกุญแจของระบบที่รายการนั้นลงทะเบียน",
    "the genesis is signed by the system key it enrols",
)
GENESIS_LEDGER = rule(
    "genesis.ledger_name",
    "ชื่อบัญชีในรายการเริ่มต้นต้องเป็นชื่อของบัญชีนี้ ({name})",
    "the genesis names this ledger ({name})",
)
GENESIS_PUBLIC_KEY = rule(
    "genesis.public_key",
    "กุญแจสาธารณะต้องเป็นเลขฐานสิบหก 64 หลัก",
    "the public key is 64 hex characters",
)


def unseen_stream(event_type: str, stream: UUID, openers: str) -> UnseenStreamError:
    """The refusal of a statement of ``event_type`` on a stream its signer does not see: one not
    opened, or one outside the signer's share, in the same words (``openers``: what opens a
    stream of the type's kind, the same whichever the stream is)."""
    details = {"stream": str(stream), "event": event_type, "openers": openers}
    return UnseenStreamError(str(stream), Violation(NOT_FOUND, "stream", details))


def refused(event_type: str, broken_rule: Rule, field: str, **details: str) -> InvalidDataError:
    """The refusal of a statement of ``event_type`` breaking ``broken_rule`` at ``field``."""
    return InvalidDataError(event_type, violations=[Violation(broken_rule, field, details)])


NOT_A_LEDGER_STREAM = rule(
    "stream.not_a_ledger_stream",
    "สตรีม {stream} ไม่ใช่สตรีมของรายการที่ลงนามในบัญชีนี้",
    "stream {stream} is not one of this ledger's signed streams",
)


def not_a_ledger_stream(stream: UUID) -> InvalidDataError:
    """The refusal of a statement sent to a stream the ledger's store holds for another use."""
    return refused("statement", NOT_A_LEDGER_STREAM, "stream", stream=str(stream))
