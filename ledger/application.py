"""The ledger application: loads a batch's streams, admits its statements, saves, gives receipts.

``Ledger.submit`` enforces DESIGN.md section 3 in order: readable canonical statement; known,
unrevoked key of the named citizen; valid signature; a role that may emit the type; data valid
for the type; the expected version and prev_hash of the stream; the signer's scope; the
aggregate's own rules. Any rejection raises a ``LedgerError`` and appends nothing. Resubmitting
a statement that is already recorded returns its first receipt. The checks live in
``ledger.admission`` (on streams this module loads), the signature checks on ``ledger.signing``'s
verifier threads, a v2 statement's disclosures in ``ledger.disclosed`` (kept in the vault,
``ledger.vault``); this module reads and writes storage around them, and answers the reads.

Domain aggregates (``LedgerAggregate``) also see the statement's context: its stream, valid
time and signer, and the other streams their rules read (``related_streams``: a position's
holder record, the organization a position belongs to...), loaded together in one more query
per batch. A certification's check also sees the LAO snapshots (``ledger.snapshots``), a port.

The streams a batch writes come from ``ledger.stream_cache`` when this ledger wrote them last
(no read before a write); a copy that another writer made stale is caught by the insert, and
the batch is checked again on what is stored. Signatures are checked on verifier threads while
the streams load and, for a big batch, while the insert is in flight: the recorder asks for the
verdicts before it commits.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError, Recording

from ledger import dry_run
from ledger.admission import Accepted, Admission, Receipt, RecordedEvent, Streams, signing_key
from ledger.admission_rules import not_a_ledger_stream
from ledger.disclosed import (
    Door,
    VaultPort,
    VaultRows,
    abandoned_on_failure,
    keep_disclosures,
    read_revealed,
    reveal_all,
)
from ledger.domain.operators import Enrolment, OperatorRegistry, registry_stream_id
from ledger.domain.signed import SignedAggregate
from ledger.domain.snapshot import LaoSnapshot
from ledger.erasure import keep_and_erase
from ledger.errors import (
    ContentionError,
    InvalidDataError,
    LedgerError,
    NotInitialisedError,
    RevokedKeyError,
    StreamNotFoundError,
    UnknownKeyError,
)
from ledger.group_commit import GoAlone, GroupCommitter, signed_by_a_known_key
from ledger.parsed_statements import ParsedStatements
from ledger.persons import PersonIndex
from ledger.settings import LedgerSettings
from ledger.signing import BatchVerification, VerifierPool
from ledger.snapshots import Snapshots
from ledger.statement import GENESIS_PREV_HASH, SignedStatement, Statement, read_statement
from ledger.storage import RegistryGuard, eventsourcing_env, notification_index
from ledger.stream_cache import StreamCache
from ledger.vault import open_vault

DECIDE_ATTEMPTS = 8
"""How many times a batch is decided before contention refuses it (the first on cached state)."""


class _DecideAgain(Exception):  # noqa: N818 (a signal between two methods, not an error)
    """A batch was rejected on cached stream state: check it again on what is stored."""


class Ledger(Application[UUID]):
    """One ledger: its events table, its notification log and its operator registry."""

    def __init__(self, settings: LedgerSettings, vault: VaultPort | None = None) -> None:
        """``vault`` keeps v2 statements' disclosures; None: the settings' vault, if any."""
        self.settings = settings
        self._own_vault = open_vault(settings) if vault is None else None
        self.vault = vault or self._own_vault
        self.door = Door.of(self.vault is not None, settings.accept_v1_personal)
        # A vault in this ledger's database keeps its rows in the events' own transaction.
        self._vault_beside = self.vault is not None and self.vault.writes_in(settings.database_url)
        self.name = settings.name  # names the tables, so several ledgers share one database
        super().__init__(env=eventsourcing_env(settings))
        self.registry_id = registry_stream_id(settings.name)
        self._index = notification_index(self.recorder)
        self._registry: OperatorRegistry | None = None
        self._registry_lock = threading.Lock()
        self._streams = StreamCache(settings.stream_cache_size)
        self._parsed = ParsedStatements(reveal=self.vault.revealed_data if self.vault else None)
        self._verifiers = VerifierPool()
        self.lao_snapshots = Snapshots(self.recorder, self._index)
        self.persons = PersonIndex(self.recorder, self.vault, self._load_streams, settings)
        self.committer: GroupCommitter | None = None
        if settings.group_commit:
            self.committer = GroupCommitter(
                self.decide_each,
                max_size=settings.group_commit_max,
                max_wait=settings.group_commit_wait_ms / 1000,
            )

    def close(self) -> None:
        if self.committer is not None:
            self.committer.close()
        self._verifiers.close()
        self.persons.close()
        if self._own_vault is not None:
            self._own_vault.close()
        super().close()

    # Writing.

    def submit(
        self, statement: bytes, signature: bytes, disclosures: Mapping[str, Any] | None = None
    ) -> Receipt:
        """Check one signed statement (v2: with its ``disclosures``) and append it; return its
        receipt. With group commit on, a statement that arrives while others are in flight,
        and whose signature this thread finds good, joins the committer's next group
        (``ledger.group_commit``; a v2 one with its disclosures, checked here first); anything
        else is submitted on its own."""
        if self.committer is None:
            return self.submit_batch([(statement, signature)], [disclosures])[0]
        with self.committer.arrival() as crowded:
            if crowded:
                try:
                    signed = read_revealed([(statement, signature)], [disclosures], self.door)[0]
                except InvalidDataError:  # the door refuses it, unless it is a resend: alone
                    return self.submit_batch([(statement, signature)], [disclosures])[0]
                if signed_by_a_known_key(signed, self.registry()):
                    try:
                        return self.committer.submit(signed)
                    except GoAlone:
                        pass
            return self.submit_batch([(statement, signature)], [disclosures])[0]

    def check_draft(
        self,
        statement: Statement,
        disclosures: Mapping[str, Any] | None = None,
        hidden: Collection[UUID] = (),
    ) -> None:
        """Judge an unsigned statement against what is stored now, as ``submit`` would, and
        append nothing (``ledger.dry_run``: raise the ``LedgerError`` admission would raise,
        or return None); ``hidden`` streams are read as not opened."""
        dry_run.check_draft(
            statement,
            disclosures,
            settings=self.settings,
            door=self.door,
            registry_id=self.registry_id,
            registry=self.registry(refresh=True),
            load_streams=self._load_streams,
            snapshot_at=self.lao_snapshots.at,
            find_person=self.persons.finder(),
            hidden=hidden,
        )

    def decide_each(self, signed: Sequence[SignedStatement]) -> list[Receipt | LedgerError]:
        """Decide each statement on its own, in order, and save the accepted ones in one
        transaction: one refused statement does not refuse its neighbours. The signatures
        must have been checked already (the group committer's callers do). A group decided
        on cached state that refused anything, or that lost a race at insert, is decided
        again on stored state, as a batch is. One that may give a person a record waits its
        turn (``ledger.persons.PersonLock``), as a batch does."""
        with self.persons.lock.serialised(signed):
            for attempt in range(DECIDE_ATTEMPTS):
                try:
                    return self._append_each(list(signed), fresh=attempt > 0)
                except (IntegrityError, _DecideAgain):
                    continue
        return [ContentionError(1, DECIDE_ATTEMPTS) for _ in signed]

    def _append_each(
        self, signed: list[SignedStatement], *, fresh: bool
    ) -> list[Receipt | LedgerError]:
        targets = {item.statement.stream for item in signed}
        lent = self._lend(targets, fresh=fresh)
        registry = self.registry(refresh=fresh)
        guard = RegistryGuard(self.registry_id, registry.version if registry else 0)
        working = self._working(targets, lent)
        admission = self._admission(registry, working)
        outcomes: list[Accepted | LedgerError] = []
        for item, data in zip(signed, admission.preload_related(signed), strict=True):
            try:
                outcomes.append(admission.accept(item, data))
            except LedgerError as error:
                if lent:
                    raise _DecideAgain from error
                outcomes.append(error)
        new = [o.signed for o in outcomes if isinstance(o, Accepted) and o.existing is None]
        kept = keep_disclosures(self.vault, new, lambda: None, beside=self._vault_beside)
        recordings = self._save(working, guard, self._verifiers.verified(), kept)
        receipts = iter(
            self._receipts([o for o in outcomes if isinstance(o, Accepted)], recordings)
        )
        keep_and_erase(self.vault, self._streams, self._parsed, working.values(), outcomes)
        return [next(receipts) if isinstance(o, Accepted) else o for o in outcomes]

    def submit_batch(
        self,
        items: Sequence[tuple[bytes, bytes]],
        disclosures: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> list[Receipt]:
        """Check signed statements (each v2 one with its disclosures, ``ledger.disclosed``) and
        append them all in one transaction, or none of them. Statements the ledger already
        holds get their first receipts, even where a rule since refuses them (``_resent``)."""
        read = [read_statement(statement, signature, strict=True) for statement, signature in items]
        try:
            signed = reveal_all(read, disclosures, self.door)
        except InvalidDataError as error:  # the door's refusal (a v1 personal value...)
            return self._resent(read, error)
        if not signed:
            return []
        try:
            with self.persons.lock.serialised(signed):  # one active record a person: in turns
                return self._decide(signed)
        except (UnknownKeyError, RevokedKeyError) as error:
            return self._resent(signed, error)

    def _resent(self, signed: Sequence[SignedStatement], error: LedgerError) -> list[Receipt]:
        """The first receipts of a batch the ledger holds whole (a retry is not refused by what
        came after: its key revoked, the door closed to v1 personal values); else ``error``."""
        existing = [self._existing_receipt(item) for item in signed]
        if all(receipt is not None for receipt in existing):
            return [receipt for receipt in existing if receipt is not None]
        raise error

    def _decide(self, signed: list[SignedStatement]) -> list[Receipt]:
        """Check and save a batch, deciding again on stored state until it is decided.

        The first attempt uses the cached streams and registry. Another writer may have taken
        one of these positions, moved the registry on (a key enrolled or revoked elsewhere), or
        made a cached copy stale: each is decided again on what is stored now, where a racing
        copy of the very same statement yields its receipt and anything else the error it
        deserves (a stale version is a 409). Under heavy contention a fresh attempt can lose
        the race again; after ``DECIDE_ATTEMPTS`` the batch is refused as a conflict (409).
        """
        try:
            return self._append(signed, fresh=False)
        except (IntegrityError, UnknownKeyError, _DecideAgain):
            pass
        for _ in range(DECIDE_ATTEMPTS - 1):
            try:
                return self._append(signed, fresh=True)
            except IntegrityError:
                continue
        raise ContentionError(len(signed), DECIDE_ATTEMPTS)

    def _append(self, signed: list[SignedStatement], *, fresh: bool) -> list[Receipt]:
        """Check and save a batch; ``fresh`` reads every stream and the registry from storage."""
        targets = {item.statement.stream for item in signed}
        lent = self._lend(targets, fresh=fresh)
        try:
            receipts, working = self._check_and_save(signed, targets, lent, fresh_registry=fresh)
        except LedgerError as error:
            if lent:
                raise _DecideAgain from error
            raise
        keep_and_erase(self.vault, self._streams, self._parsed, working.values(), signed)
        return receipts

    def _check_and_save(
        self,
        signed: list[SignedStatement],
        targets: set[UUID],
        lent: dict[UUID, SignedAggregate],
        *,
        fresh_registry: bool,
    ) -> tuple[list[Receipt], Streams]:
        registry = self.registry(refresh=fresh_registry)
        if registry is None and signed[0].statement.type != "LedgerInitialised":
            raise NotInitialisedError
        guard = RegistryGuard(self.registry_id, registry.version if registry else 0)
        # Signatures are checked on the verifier threads while this one reads the streams.
        verification = self._verifiers.start(
            signed, [signing_key(item, registry) for item in signed]
        )
        working = self._working(targets, lent)
        admission = self._admission(registry, working)
        parsed = admission.preload_related(signed)
        try:
            accepted = admission.admit(signed, parsed)
        except LedgerError:
            verification.check()  # an unsigned statement learns nothing more
            raise
        fresh = [outcome.signed for outcome in accepted if outcome.existing is None]
        kept = keep_disclosures(self.vault, fresh, verification.check, beside=self._vault_beside)
        recordings = self._save(working, guard, verification, kept)
        return self._receipts(accepted, recordings), working

    def _lend(self, targets: set[UUID], *, fresh: bool) -> dict[UUID, SignedAggregate]:
        """The cached copies of a batch's streams (none when ``fresh``: the cache forgets them,
        so the batch reads what is stored)."""
        if fresh:
            self._streams.forget(targets)
            return {}
        return self._streams.take(targets)

    def _working(self, targets: set[UUID], lent: dict[UUID, SignedAggregate]) -> Streams:
        """A batch's working streams: the lent copies, and the others read in one query."""
        working: Streams = dict(lent)
        unread = {stream for stream in targets if stream not in lent}
        if unread:
            working.update(self._load_streams(unread))
        return working

    def _admission(self, registry: OperatorRegistry | None, working: Streams) -> Admission:
        return Admission(
            self.settings,
            self.registry_id,
            registry,
            working,
            load_streams=self._load_streams,
            find_receipt=self._existing_receipt,
            remember_parse=self._parsed.put,
            snapshot_at=self.lao_snapshots.at,
            find_person=self.persons.finder(),
        )

    def _save(
        self,
        working: Streams,
        guard: RegistryGuard,
        verification: BatchVerification,
        vault_rows: VaultRows | None = None,
    ) -> list[Recording[UUID]]:
        """Save the batch's new events once every signature is known good, and in their
        transaction the vault's rows of their disclosures (a failed insert keeps neither)."""
        to_save = [aggregate for aggregate in working.values() if aggregate is not None]
        pending = any(aggregate.pending_events for aggregate in to_save)
        # The verifier threads go on while the insert travels to the database and back: the
        # recorder asks for the verdicts before it commits, and a bad one rolls the insert
        # back. A few inline checks run here instead, before the table lock is taken.
        in_flight = pending and verification.in_background
        with abandoned_on_failure(vault_rows):
            if not in_flight:
                verification.check()
            if not pending:
                return []
            return self.save(
                *to_save,
                registry_guard=guard,
                before_commit=verification.check if in_flight else None,
                beside=vault_rows.write if vault_rows is not None else None,
            )

    @staticmethod
    def _receipts(accepted: list[Accepted], recordings: list[Recording[UUID]]) -> list[Receipt]:
        """A receipt per statement: its new event's log position, or its first receipt."""
        ids = {
            (r.domain_event.originator_id, r.domain_event.originator_version): r.notification.id
            for r in recordings
        }
        receipts = []
        for outcome in accepted:
            if outcome.existing is not None:
                receipts.append(outcome.existing)
                continue
            statement = outcome.signed.statement
            version = statement.expected_version + 1
            receipts.append(
                Receipt(
                    notification_id=ids[(statement.stream, version)],
                    stream=statement.stream,
                    version=version,
                    hash=outcome.signed.hash,
                )
            )
        return receipts

    def _load_streams(self, streams: set[UUID]) -> Streams:
        """The current state of every stream a batch touches, read in one query."""
        working: Streams = {}
        for stream, stored_events in self._index.select_streams(sorted(streams)).items():
            aggregate: Any = None
            for stored in stored_events:
                event = self.mapper.to_domain_event(stored)
                if not isinstance(event, SignedAggregate.Event):
                    raise not_a_ledger_stream(stream)
                aggregate = event.mutate_parsed(aggregate, self._parsed.of(event))
            if aggregate is not None and not isinstance(aggregate, SignedAggregate):
                raise not_a_ledger_stream(stream)
            working[stream] = aggregate
        return working

    def load(self, streams: Iterable[UUID]) -> Streams:
        """The current state of many streams (None for a stream not opened), read in one query
        per 500 streams. For processes that enumerate streams from the notification log."""
        wanted = list(dict.fromkeys(streams))
        found: Streams = {}
        for start in range(0, len(wanted), 500):
            found.update(self._load_streams(set(wanted[start : start + 500])))
        return found

    def _existing_receipt(self, item: SignedStatement) -> Receipt | None:
        """The receipt of this very statement if it is already recorded (a safe retry)."""
        statement = item.statement
        version = statement.expected_version + 1
        events = list(self.events.get(statement.stream, gt=statement.expected_version, lte=version))
        if not events or getattr(events[0], "hash", None) != item.hash:
            return None
        ids = self._index.notification_ids(statement.stream, [version])
        return Receipt(ids[version], statement.stream, version, item.hash)

    # Reading.

    def registry(self, *, refresh: bool = False) -> OperatorRegistry | None:
        """The operator registry (cached; ``refresh`` applies events recorded since)."""
        with self._registry_lock:
            if self._registry is None:
                try:
                    found: object = self.repository.get(self.registry_id)
                except AggregateNotFoundError:
                    return None
                if not isinstance(found, OperatorRegistry):
                    raise TypeError(f"stream {self.registry_id} is not an operator registry")
                self._registry = found
            elif refresh:
                for event in self.events.get(self.registry_id, gt=self._registry.version):
                    if not isinstance(event, SignedAggregate.Event):
                        raise TypeError(f"unexpected event {type(event).__name__} in registry")
                    event.mutate(self._registry)
            return self._registry

    def aggregate(self, stream: UUID) -> SignedAggregate:
        """The current state of one stream."""
        try:  # through the parse memo, so a v2 stream replays with its vault's values
            found = self._load_streams({stream}).get(stream)
        except InvalidDataError:  # not one of the ledger's signed streams
            found = None
        if found is None:
            raise StreamNotFoundError(str(stream))
        return found

    def stream_events(self, stream: UUID) -> list[RecordedEvent]:
        """Every event of a stream with its statement bytes, signature, hashes and log position."""
        events = list(self.events.get(stream))
        if not events:
            raise StreamNotFoundError(str(stream))
        ids = self._index.notification_ids(stream)
        prev = GENESIS_PREV_HASH
        recorded = []
        for event in events:
            if not isinstance(event, SignedAggregate.Event):
                raise StreamNotFoundError(str(stream))  # not one of the ledger's signed streams
            recorded.append(
                RecordedEvent(
                    notification_id=ids[event.originator_version],
                    stream=stream,
                    version=event.originator_version,
                    type=type(event).__name__,
                    statement=event.statement.encode("utf-8"),
                    signature=bytes.fromhex(event.signature),
                    hash=event.hash,
                    prev_hash=prev,
                    recorded_at=event.timestamp,
                )
            )
            prev = event.hash
        return recorded

    def snapshot(self, lao: str, position: int | None = None) -> LaoSnapshot | None:
        """The snapshot of ``lao``'s records at ``position`` (None: the log's end now), as a
        ``LaoDataSubmitted`` must name it; None when the log has not reached the position."""
        return self.lao_snapshots.at(
            lao, self.lao_snapshots.log_end() if position is None else position
        )

    def head(self, stream: UUID) -> tuple[int, str]:
        """The stream's version and head hash, or (0, zeros) for a stream not yet opened."""
        for event in self.events.get(stream, desc=True, limit=1):  # the last event only
            if not isinstance(event, SignedAggregate.Event):
                raise StreamNotFoundError(str(stream))
            return event.originator_version, event.hash
        return 0, GENESIS_PREV_HASH

    def enrolment_for(self, key_id: str) -> Enrolment | None:
        """The enrolment of a key id (current registry)."""
        registry = self.registry(refresh=True)
        return registry.enrolment(key_id) if registry is not None else None

    def active_enrolment(self, key_id: str) -> Enrolment:
        """The enrolment of a key that may act now, or the error saying why it may not."""
        enrolment = self.enrolment_for(key_id)
        if enrolment is None:
            raise UnknownKeyError(key_id)
        if enrolment.revoked_at is not None:
            raise RevokedKeyError(key_id, enrolment.revoked_at.isoformat())
        return enrolment


__all__ = ["Ledger", "Receipt", "RecordedEvent"]
