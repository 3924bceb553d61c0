"""Who may read what over HTTP, and the log of who read a person's data (PDPA).

The read matrix (``ledger.domain.reading``) says which kinds of data each role reads; the
caller's enrolment scope says where. A route takes ``api.deps.ReaderDep`` and, before it answers:

* ``reader.require(DataKind.PERSONAL, ...)``: every kind it returns must be readable by one of
  the caller's roles, else 403 naming the kind (roles are no secret);
* for a single stream, ``reader.require_stream(aggregate)``: outside the caller's scope, or a
  record-owner reading another's record, is 404, exactly as a stream that does not exist, so
  a caller learns nothing of what lies outside their share;
* ``reader.logged(records, kinds)``: records whose personal data (``PERSON_KINDS``) it returns
  are appended to the access log, one row per record, naming the caller, the endpoint and the
  kinds. Reads of data that name no one are not logged.

Writes follow the same share: admission answers a statement on a stream outside its signer's
share as one on a stream that does not exist (``ledger.admission.refused_unseen``), and
``erasure_as_signer_sees`` does so for an erased record, which the ledger cannot even load.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID

from api.sessions import Session
from ledger.admission import refused_unseen, related_of
from ledger.application import Ledger
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.operators import Enrolment
from ledger.domain.reading import (
    PERSON_KINDS,
    DataKind,
    is_own_record,
    kinds_readable,
    only_own_record,
)
from ledger.domain.signed import SignedAggregate
from ledger.errors import BadSignatureError, ForbiddenError, LedgerError, StreamNotFoundError
from ledger.signing import verify_signature
from ledger.statement import read_statement
from ledger.vault_keys import ErasedError
from projections.access_log import AccessLog
from projections.personal import erased_record_scope
from projections.reports.results import Table
from projections.reports.search import Owner

T = TypeVar("T", bound=Table[Any])


@dataclass(slots=True)
class Reader:
    """The caller as a reader: their session, the endpoint, and the access log."""

    session: Session
    endpoint: str
    log: AccessLog

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.session.enrolment.roles)

    @property
    def cid(self) -> str | None:
        """The caller's citizen ID; None for a record owner enrolled by her record."""
        return self.session.enrolment.cid

    def may(self, *kinds: DataKind) -> bool:
        """Whether one of the caller's roles reads every one of ``kinds``."""
        return set(kinds) <= kinds_readable(self.session.enrolment.roles)

    def require(self, *kinds: DataKind) -> None:
        """403 unless the caller's roles read every one of ``kinds``."""
        missing = sorted(set(kinds) - kinds_readable(self.session.enrolment.roles))
        if missing:
            roles = ", ".join(sorted(self.roles))
            raise ForbiddenError("read", f"roles {roles} do not read {', '.join(missing)} data")

    @property
    def owner_only(self) -> bool:
        """Whether the caller reads people's data only as the owner of their own record."""
        return only_own_record(self.session.enrolment.roles)

    @property
    def owner(self) -> Owner | None:
        """A record owner's own record, as a search narrows to it (None: not owner-only)."""
        if not self.owner_only:
            return None
        record = self.session.enrolment.record
        return Owner(cid=self.cid, record=str(record) if record is not None else None)

    def require_stream(
        self, aggregate: SignedAggregate, owner_cid: str | None = None, *, owner: bool = False
    ) -> None:
        """404 unless the caller may see this stream: its scope covers the stream's, and a
        record owner reads only her own record (``owner``): the one her enrolment names, or,
        enrolled by citizen ID, the record whose citizen ID is hers (``owner_cid``)."""
        visible = self.session.enrolment.scope.covers(aggregate.read_scope())
        if self.owner_only:
            record = self.session.enrolment.record
            visible = owner and is_own_record(record, self.cid, aggregate.id, owner_cid)
        if not visible:
            raise StreamNotFoundError(str(aggregate.id))

    def require_visible(
        self, ledger: Ledger, stream: UUID, *, owner: bool = False
    ) -> SignedAggregate | None:
        """``require_stream`` for the stream (``owner``: a record owner reads their own record);
        the stream's state, or None for an erased person's record, which cannot be replayed:
        its scope is read from its custody events, and no record owner reads it any more."""
        try:
            aggregate = ledger.aggregate(stream)
        except ErasedError:
            scope = erased_record_scope(ledger, stream)
            if self.owner_only or not self.session.enrolment.scope.covers(scope):
                raise StreamNotFoundError(str(stream)) from None
            return None
        owner_cid = getattr(aggregate, "cid", None) if owner else None
        self.require_stream(aggregate, owner_cid, owner=owner)
        return aggregate

    def logged(self, records: Iterable[UUID], kinds: Iterable[DataKind]) -> int:
        """Append the records read to the access log when personal kinds were returned."""
        personal = sorted(set(kinds) & PERSON_KINDS)
        if not personal:
            return 0
        return self.log.append(
            records=records,
            reader_cid=self.cid or "",  # a record owner enrolled by her record: her key
            reader_key=self.session.key_id,
            roles=self.roles,
            endpoint=self.endpoint,
            kinds=personal,
        )

    def naming_people(self, table: T, *kinds: DataKind) -> T:
        """A report whose rows are about people, as this caller may see it.

        ``kinds`` is what the rows show of each person besides their name (salary, health...):
        the caller's roles must read it (403). A record owner reads their own record, not
        reports (403). Names are drawn only for a caller who reads personal data; for anyone
        else the rows show records by their ids. The records the rows name are logged."""
        self.require(*kinds)
        if self.owner_only:
            raise ForbiddenError("read", "a record owner reads their own record, not reports")
        if not self.may(DataKind.PERSONAL):
            return replace(table, names=replace(table.names, people={}))
        people = table.names.people
        named = {
            str(value)
            for row in table.rows
            for key, value in row.as_json().items()
            if key == "stream" or (isinstance(value, str) and value in people)
        }
        self.logged([UUID(stream) for stream in sorted(named)], (DataKind.PERSONAL, *kinds))
        return table


def erasure_as_signer_sees(
    ledger: Ledger,
    items: Sequence[tuple[bytes, bytes]],
    erased: ErasedError,
    disclosures: Sequence[Mapping[str, Any] | None] | None = None,
) -> LedgerError:
    """What the signers of statements refused because a record they name is erased are told.

    The ledger cannot replay an erased person's record, so it refuses the statements before
    admission (410 ``person.erased``) and before their signatures are checked. That answer is
    for a signer who may see the record. A statement on a record outside its signer's scope
    (or, for a record owner, any record: no owner reads an erased one), or on a stream not
    opened, is answered in order as admission answers a stream that does not exist (404
    ``stream.not_found``), a bad signature first; one whose rule reads such a record beside
    its own stream (a certificate's record, a position's holder, an owner's enrolment record)
    is answered as the rule answers a record that does not exist (the dry run with the record
    hidden, ``ledger.dry_run``): neither the record's existence nor its erasure is told to
    whoever the record lies hidden from."""
    for index, (canonical, signature) in enumerate(items):
        signed = read_statement(canonical, signature, strict=True)
        statement = signed.statement
        spec = EVENT_TYPES.get(statement.type)
        enrolment = ledger.enrolment_for(statement.signer.key)
        if spec is None or enrolment is None:
            continue  # refused before any stream is read: not this batch
        if not verify_signature(enrolment.public_key, signed.canonical, signed.signature):
            return BadSignatureError(statement.signer.key)
        if _is_record(ledger, statement.stream):
            if not _sees_record(ledger, enrolment, statement.stream):
                return refused_unseen(spec, statement.stream, opened=True)
            if _is_erased(ledger, statement.stream):
                continue  # its own erased record: the erasure is the signer's to know
        elif ledger.head(statement.stream)[0] == 0 and not spec.opens_stream:
            return refused_unseen(spec, statement.stream, opened=False)
        hidden = {
            stream
            for stream in related_of(
                statement, ledger.load({statement.stream}).get(statement.stream)
            )
            if _is_record(ledger, stream)
            and _is_erased(ledger, stream)
            and not _sees_record(ledger, enrolment, stream)
        }
        if hidden:
            told = disclosures[index] if disclosures is not None else None
            try:
                ledger.check_draft(statement, told, hidden)
            except ErasedError:
                continue  # another stream it reads is erased, which the signer may see
            except LedgerError as refusal:
                return refusal
    return erased


def _is_record(ledger: Ledger, stream: UUID) -> bool:
    """Whether ``stream`` is a personnel record (read from its signed events, as an erased
    one can be)."""
    try:
        events = ledger.stream_events(stream)
    except StreamNotFoundError:
        return False
    return events[0].type == "RecordOpened"


def _is_erased(ledger: Ledger, stream: UUID) -> bool:
    try:
        ledger.load({stream})
    except ErasedError:
        return True
    return False


def _sees_record(ledger: Ledger, enrolment: Enrolment, stream: UUID) -> bool:
    """Whether the signer may see the record ``stream``, erased or not: never a record owner
    (no owner reads an erased record; she writes only on her own, which admission decides),
    else when her scope covers the LAO holding it."""
    if only_own_record(enrolment.roles):
        return False
    return enrolment.scope.covers(erased_record_scope(ledger, stream))


__all__ = ["Reader", "erasure_as_signer_sees"]
