"""Admitting v2 statements: their disclosures checked, their data revealed to the rules.

A v2 statement signs commitments in place of personal values (``ledger.commitments``); the
client sends each value and salt beside it. Before any other check, every commitment must have
its disclosure, every disclosure its commitment, and each must match (``personal.*`` rules,
naming the field): otherwise nothing is appended. The statement admission then checks is the
same signed bytes with the *revealed* data in its parse, so the domain's rules (the citizen-ID
checksum, the retirement date from the birth date, the leave rules) read the values; the
stored event keeps the signed bytes, which hold commitments only. After admission accepts the
batch and the signatures are good, the vault (``ledger.vault``) makes their rows ready and the
application inserts them in the events' own transaction (``ledger.vault_rows``): the values are
kept with their events or not at all.

A v1 statement passes unchanged; one sent with disclosures is refused (it commits nothing).
On a ledger with a vault, personal data lives only in the vault: a new v1 statement holding a
value at a path its event type declares personal is refused (``personal.v1_in_clear``, naming
each field), unless the deployment's transition setting still accepts them
(``LedgerSettings.accept_v1_personal``). v1 statements already stored are never judged again.
The same door refuses a new record owner's enrolment by citizen ID (roles only
``record_owner``, a ``cid``: ``operator.owner_by_record``): she is enrolled by her record, and
her citizen ID would be in clear in the enrolment and in every statement she signs. Without a
vault, an enrolment by record is refused (``operator.owner_needs_vault``): she signs v2 only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from ledger.commitments import (
    COMMITMENT_KEY,
    V1,
    Disclosure,
    check_statement,
    read_disclosures,
    reveal_data,
)
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.erasable import personal_values
from ledger.domain.personal_fields import search_paths
from ledger.errors import InvalidDataError
from ledger.statement import SignedStatement, read_statement
from ledger.violations import Violation, rule

NO_VAULT = rule(
    "personal.no_vault",
    "บัญชีนี้ยังไม่ได้ตั้งห้องเก็บข้อมูลส่วนบุคคล (vault) จึงรับข้อความรุ่น 2 ไม่ได้",
    "this ledger has no personal-data vault configured, so it takes no v2 statement",
)
V1_IN_CLEAR = rule(
    "personal.v1_in_clear",
    "บัญชีนี้เก็บข้อมูลส่วนบุคคลไว้ในห้องเก็บข้อมูล (vault) เท่านั้น ข้อความรุ่น 1 ลงนามค่าจริงของช่องนี้"
    "ไว้ในบันทึกจึงรับไม่ได้ ให้ลงนามเป็นข้อความรุ่น 2 (ค่าผูกมัดพร้อมค่าเปิดเผย)",
    "this ledger keeps personal data only in its vault: a v1 statement signs this personal "
    "field's value in clear into the log, so it is refused; sign it as v2 (a commitment with "
    "its disclosure)",
)

OWNER_BY_RECORD = rule(
    "operator.owner_by_record",
    "บัญชีนี้เก็บข้อมูลส่วนบุคคลไว้ในห้องเก็บข้อมูล (vault): เจ้าของประวัติลงทะเบียนตามทะเบียนประวัติของตน "
    "(record) ไม่ใช่เลขประจำตัวประชาชน",
    "this ledger keeps personal data in its vault: a record owner is enrolled by her record "
    "(record), not her citizen ID",
)
OWNER_NEEDS_VAULT = rule(
    "operator.owner_needs_vault",
    "บัญชีนี้ยังไม่ได้ตั้งห้องเก็บข้อมูลส่วนบุคคล (vault): เจ้าของประวัติที่ลงทะเบียนตามทะเบียนประวัติ "
    "ลงนามได้เฉพาะข้อความรุ่น 2 ซึ่งต้องมีห้องเก็บข้อมูล จึงให้ลงทะเบียนตามเลขประจำตัวประชาชน",
    "this ledger has no personal-data vault: a record owner enrolled by her record signs v2 "
    "statements only, which need one; enrol her by citizen ID",
)
OWNER_ENROLMENT = "OperatorEnrolled"


@dataclass(frozen=True, slots=True)
class Door:
    """What the ledger's door takes of personal data."""

    vault: bool
    """The ledger keeps personal values (in its vault): v2 statements are taken."""
    v1_personal: bool
    """A v1 statement may sign personal values in clear: always without a vault (legacy), with
    one only in a transition period (``LedgerSettings.accept_v1_personal``)."""

    @classmethod
    def of(cls, vault: bool, accept_v1_personal: bool) -> Door:
        return cls(vault, v1_personal=accept_v1_personal or not vault)


@dataclass(frozen=True, slots=True)
class Sealing:
    """What the vault keeps of one accepted v2 statement: per path, the signed commitment and
    its disclosure, under the person's subject id."""

    subject: str
    fields: Mapping[str, tuple[str, Disclosure]]
    search: tuple[str, ...] = ()
    """The paths among ``fields`` whose value is the record owner's citizen ID, which the
    vault indexes for the search by citizen ID (``personal_fields.search_paths``)."""


@dataclass(frozen=True, slots=True)
class RevealedStatement(SignedStatement):
    """A v2 statement as admission checks it: the signed bytes, the parse with the revealed
    data, and what the vault keeps once it is accepted."""

    sealing: Sealing | None = None


class VaultRows(Protocol):
    """A vault write made ready (``VaultPort.prepare``): only inserts are left."""

    def write(self, cursor: Any) -> Callable[[], None] | None:
        """Insert the rows through ``cursor`` (``?`` placeholders), in its transaction; a
        check to run once the statements' results are in, or None."""
        ...

    def abandon(self, error: BaseException) -> None:
        """The transaction did not commit (``error``): discard what was kept for it ahead
        (a new person's wrapped key the key store keeps, ``ledger.vault_rows``)."""
        ...


class VaultPort(Protocol):
    """What admission needs of the vault: keep an accepted statement's disclosures."""

    def store(self, sealings: Sequence[Sealing]) -> None:
        """Keep them now, in a transaction of the vault's own."""
        ...

    def prepare(self, sealings: Sequence[Sealing]) -> VaultRows:
        """Make them ready (keys unwrapped or made, values sealed) to be inserted in the
        events' own transaction."""
        ...

    def writes_in(self, database_url: str) -> bool:
        """Whether the vault's tables are in that database (then ``prepare`` serves)."""
        ...

    def revealed_data(
        self, data_model: type[BaseModel], subject: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A stored v2 statement's data with its kept values (a replay reads them so)."""
        ...

    def erase(self, subject: str) -> bool:
        """Destroy the person's key: their kept values are unreadable from now on."""
        ...

    def subjects_of(self, cid: str) -> set[str]:
        """The records (subjects) whose owner's citizen ID may be ``cid``, through the keyed
        index (``ledger.vault_search``); an erased person's are not among them."""
        ...


def reveal(
    item: SignedStatement, raw: Mapping[str, Any] | None, door: Door
) -> tuple[SignedStatement, Sealing | None]:
    """The statement admission checks (v2: its data revealed) and what the vault must keep;
    raises ``InvalidDataError`` naming each ``personal.*`` rule broken."""
    statement = item.statement
    if statement.type not in EVENT_TYPES:
        return item, None  # admission refuses the unknown type
    if statement.type == OWNER_ENROLMENT:
        _check_owner_enrolment(statement.data, door)
    if statement.v == 1:
        if raw:
            raise InvalidDataError(statement.type, violations=[Violation(V1, "disclosures")])
        if not door.v1_personal:
            _refuse_clear_values(statement.type, statement.data)
        return item, None
    disclosures, problems = read_disclosures(raw if raw is not None else {})
    subject = str(statement.stream)
    problems += check_statement(statement, disclosures)
    if problems:
        raise InvalidDataError(statement.type, violations=problems)
    if disclosures and not door.vault:
        raise InvalidDataError(statement.type, violations=[Violation(NO_VAULT, "disclosures")])
    revealed = statement.model_copy(update={"data": reveal_data(statement.data, disclosures)})
    fields = {
        path: (_commitment_at(statement.data, path), disclosure)
        for path, disclosure in disclosures.items()
    }
    search = tuple(path for path in search_paths(statement.type, revealed.data) if path in fields)
    sealing = Sealing(subject, fields, search) if fields else None
    return RevealedStatement(item.canonical, item.signature, revealed, sealing), sealing


def _refuse_clear_values(event_type: str, data: Mapping[str, Any]) -> None:
    """Refuse a v1 statement's data holding a personal value, naming each such field."""
    found = personal_values(EVENT_TYPES[event_type].data_model, data)
    if found:
        raise InvalidDataError(
            event_type, violations=[Violation(V1_IN_CLEAR, f"data.{path}") for path in found]
        )


def _check_owner_enrolment(data: Mapping[str, Any], door: Door) -> None:
    """With a vault (and no transition), refuse an enrolment of a record owner alone (roles
    only ``record_owner``) by citizen ID: an officer, even one who also owns a record, keeps
    hers. Without a vault, refuse one by record: she could sign no personal value."""
    violation = None
    if (
        not door.v1_personal
        and data.get("roles") == ["record_owner"]
        and data.get("cid") is not None
    ):
        violation = Violation(OWNER_BY_RECORD, "data.cid")
    elif not door.vault and data.get("record") is not None:
        violation = Violation(OWNER_NEEDS_VAULT, "data.record")
    if violation is not None:
        raise InvalidDataError(OWNER_ENROLMENT, violations=[violation])


def _commitment_at(data: Mapping[str, Any], path: str) -> str:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return str(node[COMMITMENT_KEY])


def reveal_all(
    signed: Sequence[SignedStatement],
    disclosures: Sequence[Mapping[str, Any] | None] | None,
    door: Door,
) -> list[SignedStatement]:
    """``reveal`` for a batch (``disclosures`` None: none sent with any statement)."""
    given = list(disclosures) if disclosures is not None else [None] * len(signed)
    if len(given) != len(signed):
        raise ValueError("one disclosures object (or None) per statement")
    return [reveal(item, raw, door)[0] for item, raw in zip(signed, given, strict=True)]


def read_revealed(
    items: Sequence[tuple[bytes, bytes]],
    disclosures: Sequence[Mapping[str, Any] | None] | None,
    door: Door,
) -> list[SignedStatement]:
    """Signed statements (bytes, signature) read strictly, then ``reveal_all``."""
    signed = [read_statement(statement, signature, strict=True) for statement, signature in items]
    return reveal_all(signed, disclosures, door)


def keep_disclosures(
    vault: VaultPort | None,
    accepted: Sequence[SignedStatement],
    verify: Callable[[], None],
    *,
    beside: bool,
) -> VaultRows | None:
    """What the vault keeps of these accepted statements, once ``verify`` (the batch's
    signature check) passed: only signed statements reach the vault. ``beside`` (the vault's
    tables are in the events' database): the rows made ready, for the caller to insert in the
    events' own transaction; else kept now, in the vault's own, before the events."""
    sealings = sealings_of(accepted)
    if not sealings or vault is None:
        return None
    verify()
    if beside:
        return vault.prepare(sealings)
    vault.store(sealings)
    return None


@contextmanager
def abandoned_on_failure(rows: VaultRows | None) -> Iterator[None]:
    """Around the events' transaction that writes ``rows``: if it raises, the rows are
    ``abandon``ed (what the vault kept for them ahead, discarded), and the error goes on."""
    try:
        yield
    except BaseException as error:
        if rows is not None:
            rows.abandon(error)
        raise


def sealings_of(signed: Sequence[SignedStatement]) -> list[Sealing]:
    """What the vault must keep of these accepted statements (none for v1)."""
    return [
        item.sealing
        for item in signed
        if isinstance(item, RevealedStatement) and item.sealing is not None
    ]


__all__ = [
    "NO_VAULT",
    "OWNER_BY_RECORD",
    "OWNER_NEEDS_VAULT",
    "V1_IN_CLEAR",
    "Door",
    "RevealedStatement",
    "Sealing",
    "VaultPort",
    "VaultRows",
    "abandoned_on_failure",
    "keep_disclosures",
    "read_revealed",
    "reveal",
    "reveal_all",
    "sealings_of",
]
