"""Submitting an LAO's data for certification from the browser: what the page shows and signs.

The snapshot is the ledger's own (``Ledger.snapshot``, what ``ledger certification snapshot``
prints and ``LaoDataSubmitted`` is checked against): the LAO's records at a log position, each
record's latest event there, and their Merkle root. The page takes the position at the log's
end when it is shown; the officer reviews that snapshot (the records it covers, by name, with
what each lacks for the KPI) and signs a statement naming exactly that position, root and count.
A snapshot at a given position never changes, so what was shown is what is signed, whatever is
recorded meanwhile.

A cycle may be submitted in ``draft`` or ``stale`` (``LaoDataSubmitted.allowed_from``); the
cycle chosen is the LAO's latest such cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.certification import certification_stream_id
from ledger.domain.dates import thai_today
from ledger.domain.event_labels import Label
from ledger.domain.operators import Enrolment
from ledger.domain.rules import fiscal_year
from ledger.domain.snapshot import LaoSnapshot
from ledger.errors import SnapshotNotFoundError
from ledger.statement import SignerRef, Statement, build_statement
from projections.reports.facade import Reports
from projections.reports.labels import CODES
from projections.reports.names import full_name
from projections.reports.scope import ReadScope
from projections.views.certification import CycleRow
from projections.views.registry_rows import NOT_SEPARATED, RegistryEntry

SUBMITTABLE = frozenset({"draft", "stale"})
"""The cycle states a submission may be signed from."""


NOT_COUNTED_ERASED = Label("ลบข้อมูลส่วนบุคคลแล้ว", "personal data erased")


@dataclass(frozen=True, slots=True)
class CoveredRecord:
    """One record a snapshot covers: its leaf (stream, version, event hash) and its person;
    ``missing`` the required sections it lacks, ``not_counted`` why the KPI leaves it out
    (``projections.reports.kpi.assessable``: separated from service, or erased), else None."""

    stream: UUID
    version: int
    hash: str
    name: str | None
    missing: tuple[str, ...]
    not_counted: Label | None = None


def not_counted(entry: RegistryEntry | None) -> Label | None:
    """Why the KPI does not count the record now: its person erased, or her employment status
    (separated: died, retired...); None when it counts (or the registry has no line for it)."""
    if entry is None:
        return None
    if entry.erased:
        return NOT_COUNTED_ERASED
    if entry.status in NOT_SEPARATED:
        return None
    th, en = CODES["employment"].get(entry.status, (entry.status, entry.status))
    return Label(th, en)


@dataclass(frozen=True, slots=True)
class Submission:
    """What the officer is about to submit: the cycle and the snapshot with its records."""

    cycle: CycleRow
    snapshot: LaoSnapshot
    records: tuple[CoveredRecord, ...]

    @property
    def stream(self) -> UUID:
        return certification_stream_id(self.cycle.lao, self.cycle.cycle)

    def data(self) -> dict[str, object]:
        """The ``LaoDataSubmitted`` data naming this snapshot."""
        return {
            "snapshot_root": self.snapshot.root,
            "record_count": self.snapshot.record_count,
            "position": self.snapshot.position,
        }


def cycles_of(reports: Reports, scope: ReadScope) -> list[CycleRow]:
    """The LAO's certification cycles, the latest first."""
    found = reports.certification(scope).cycles
    return sorted(found, key=lambda row: row.cycle, reverse=True)


def open_cycle(cycles: list[CycleRow]) -> CycleRow | None:
    """The latest cycle that may be submitted now, if any."""
    return next((row for row in cycles if row.state in SUBMITTABLE), None)


def submission(
    ledger: Ledger, reports: Reports, scope: ReadScope, cycle: CycleRow, position: int | None
) -> Submission:
    """The snapshot of the cycle's LAO at ``position`` (None: the log's end now), with the
    name of each record's person and the sections it lacks for the KPI."""
    snapshot = ledger.snapshot(cycle.lao, position)
    if snapshot is None:
        raise SnapshotNotFoundError(f"position {position} is beyond the end of the log")
    entries = {entry.stream: entry for entry in reports.registry(scope).rows}
    people = {
        stream: full_name(entry.prefix, entry.first_name, entry.last_name)
        for stream, entry in entries.items()
    }
    year = fiscal_year(thai_today())  # only the completeness part is read here
    todo, _ = reports.records_to_do(scope, year, year)
    missing = {note.stream: note.missing for note in todo.incomplete}
    records = tuple(
        CoveredRecord(
            stream=leaf.stream,
            version=leaf.version,
            hash=leaf.hash,
            name=people.get(str(leaf.stream)),
            missing=missing.get(str(leaf.stream), ()),
            not_counted=not_counted(entries.get(str(leaf.stream))),
        )
        for leaf in snapshot.leaves
    )
    return Submission(cycle, snapshot, records)


def draft_submission(
    ledger: Ledger, chosen: Submission, enrolment: Enrolment, effective: date
) -> Statement:
    """The ``LaoDataSubmitted`` statement at the cycle's head, signed by the enrolment's key."""
    version, head = ledger.head(chosen.stream)
    return build_statement(
        stream=chosen.stream,
        expected_version=version,
        prev_hash=head,
        type="LaoDataSubmitted",
        data=chosen.data(),
        effective=effective,
        signer=SignerRef(cid=enrolment.cid, key=enrolment.key_id),
        signed_at=datetime.now(UTC),
    )
