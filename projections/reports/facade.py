"""``Reports``: every report of a ledger's views, each one call returning typed rows.

The edges (the HTTP API, the command line, later the web pages) ask for a report and draw it
(``projections.reports.render``); they never open a cursor or name a table. Each call reads in
one transaction, so a report sees one state of the views. ``ReadScope`` narrows each report to
an LAO or a province; the record and audit-trail reads name one stream, whose scope the caller
checks against the ledger's aggregate.

Built once from a ``Projections`` (the composition root owns both, and closes the views);
``refresh`` applies what the log holds beyond the views, so a caller reads its own writes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from uuid import UUID

from ledger.domain.dates import thai_today
from ledger.domain.rules import fiscal_year as fiscal_year_of
from ledger.domain.search import check_range
from ledger.errors import StreamNotFoundError
from projections.personal import commitments_in, without_health
from projections.reports import layouts
from projections.reports.certificates import CertificateCheck, certificate_check
from projections.reports.eplan_facade import EplanReports
from projections.reports.eplan_status import EplanStatusReport, eplan_status, last_steps
from projections.reports.kp7 import Kp7, kp7_of
from projections.reports.kpi import LaoKpi, Overdue, lao_kpis, overdue, province_kpis
from projections.reports.names import read_names
from projections.reports.organization import (
    OrganizationDetail,
    PositionDetail,
    organization_detail,
    position_detail,
)
from projections.reports.results import (
    CertificationReport,
    KpiReport,
    RecordAsOf,
    Section35Report,
    Table,
)
from projections.reports.retirements import RetirementGroup, upcoming_retirements
from projections.reports.scope import EVERYWHERE, ReadScope
from projections.reports.search import Owner, SearchPage, committed_cids, find_people
from projections.reports.sheets import Names
from projections.reports.snapshots import SubmittedSnapshot, submitted_snapshot
from projections.reports.todo import RecordsToDo, records_to_do
from projections.reports.worklist import Worklist, worklist
from projections.store import Cursor
from projections.views.audit_trail import AuditEntry, audit_trail
from projections.views.catalogue import VIEW_NAMES, Projections
from projections.views.certification import RecordCertification, cycles, record_certifications
from projections.views.certification import steps_of as certification_steps
from projections.views.eplan_status import eplan_facts
from projections.views.leave import LeaveSummary, leave_summary
from projections.views.organizations import (
    OrganizationRow,
    organization_names,
    organizations,
)
from projections.views.positions import Occupancy, PositionRow, occupancy, positions
from projections.views.registry_queries import (
    citizen_rows,
    record_rows,
    registry_entries,
    require_searchable,
)
from projections.views.registry_rows import RegistryEntry
from projections.views.section35 import section35_ratios

RETIREMENT_YEARS = 5
"""The default span of the retirements report: this fiscal year and the four after it."""


class Reports(EplanReports):
    """The reports of one ledger's views (the e-Plan book's: ``EplanReports``)."""

    def __init__(self, projections: Projections, today: Callable[[], date] = thai_today) -> None:
        self.projections = projections
        self._tables = {name: projections.tables(name) for name in VIEW_NAMES}
        self._revealer = projections.revealer
        self._names = functools.partial(read_names, revealer=self._revealer)
        self._today = today

    def refresh(self) -> int:
        """Apply what the log recorded since the views' positions (cheap when nothing is new)."""
        return self.projections.refresh()

    @contextmanager
    def _read(self) -> Iterator[tuple[Cursor, Mapping[str, Mapping[str, str]]]]:
        with self.projections.read() as cursor:
            yield cursor, self._tables

    # The registry.

    def registry(
        self,
        scope: ReadScope,
        *,
        valid_on: date | None = None,
        recorded_at: datetime | None = None,
        category: str | None = None,
        statuses: Collection[str] | None = None,
    ) -> Table[RegistryEntry]:
        """Personnel records now, or as of a valid date and/or a transaction time."""
        with self._read() as (cursor, tables):
            found = registry_entries(
                cursor,
                tables["registry"],
                revealer=self._revealer,
                valid=valid_on,
                recorded=recorded_at,
                lao=scope.lao,
                province=scope.province,
                category=category,
            )
            names = self._names(cursor, tables, province=scope.province)
        rows = tuple(
            entry
            for entry in found
            if (category is None or entry.category == category)
            and (statuses is None or entry.status in statuses)
        )
        return Table("registry", rows, layouts.REGISTRY, names)

    def record(
        self, stream: UUID, *, valid_on: date | None = None, recorded_at: datetime | None = None
    ) -> RecordAsOf:
        """One record now, or as of a valid date and/or a transaction time;
        ``StreamNotFoundError`` when the registry held no such record then."""
        found = self._entries(valid_on, recorded_at, streams=[str(stream)])
        if not found:
            raise StreamNotFoundError(f"{stream} (no record in the registry as of that date)")
        return RecordAsOf(found[0], valid_on, recorded_at)

    def _entries(
        self,
        valid_on: date | None,
        recorded_at: datetime | None,
        *,
        scope: ReadScope = EVERYWHERE,
        category: str | None = None,
        streams: Collection[str] | None = None,
    ) -> list[RegistryEntry]:
        """The registry now or as of the dates, in a read of its own."""
        with self._read() as (cursor, tables):
            return registry_entries(
                cursor,
                tables["registry"],
                revealer=self._revealer,
                valid=valid_on,
                recorded=recorded_at,
                lao=scope.lao,
                province=scope.province,
                category=category,
                streams=streams,
            )

    def kp7(
        self,
        stream: UUID,
        *,
        valid_on: date | None = None,
        recorded_at: datetime | None = None,
        health: bool = True,
    ) -> Kp7:
        """A person's full ก.พ.๗ by section (``projections.reports.kp7``), now or as of the
        dates; without the health sections unless ``health``."""
        with self._read() as (cursor, tables):
            return kp7_of(
                cursor,
                tables,
                self.projections.ledger,
                stream,
                (valid_on, recorded_at),
                health,
                self._revealer,
            )

    def audit_trail(self, stream: UUID, *, health: bool = True) -> Table[AuditEntry]:
        """Every event of the stream with its signer and legal reference, each signature
        checked against the stored bytes; each event's data as signed, a v2 event's values
        revealed, the health values withheld unless ``health``."""
        with self._read() as (cursor, tables):
            trail = audit_trail(cursor, tables["audit"], self.projections.ledger, stream)
            names = self._names(cursor, tables, cids={entry.actor for entry in trail})
        shown = [(e, e.data if health else without_health(e.type, e.data)) for e in trail]
        revealer = self._revealer
        with revealer.preloaded((e.stream, h) for e, data in shown for h in commitments_in(data)):
            rows = tuple(replace(e, data=revealer.data(e.stream, data)) for e, data in shown)
        return Table(f"audit-{stream}", rows, layouts.AUDIT, names)

    def certificate(self, code: str) -> CertificateCheck | None:
        """The certificate whose verification code (event hash) is ``code``, checked against
        the ledger and the record now (``projections.reports.certificates``); None if none."""
        with self._read() as (cursor, tables):
            return certificate_check(cursor, tables, self.projections.ledger, code, self._revealer)

    def positions(self, scope: ReadScope) -> Table[PositionRow]:
        """Positions of the frame with their status and holder."""
        with self._read() as (cursor, tables):
            found = positions(cursor, tables["positions"], lao=scope.lao, province=scope.province)
            holders = [row.holder for row in found if row.holder is not None]
            names = self._names(cursor, tables, province=scope.province, streams=holders)
        return Table("positions", tuple(found), layouts.POSITIONS, names)

    def occupancy(self, scope: ReadScope) -> Table[Occupancy]:
        """Per LAO: the frame, occupied and vacant positions, frozen and abolished ones."""
        with self._read() as (cursor, tables):
            found = occupancy(cursor, tables["positions"], lao=scope.lao, province=scope.province)
            names = self._names(cursor, tables, province=scope.province)
        return Table("occupancy", tuple(found), layouts.OCCUPANCY, names)

    def organizations(self, scope: ReadScope) -> Table[OrganizationRow]:
        """LAOs with their type, district and open units, in report order."""
        with self._read() as (cursor, tables):
            found = organizations(
                cursor, tables["organizations"], province=scope.province, code=scope.lao
            )
            names = self._names(cursor, tables, province=scope.province)
        return Table("organizations", tuple(found), layouts.ORGANIZATIONS, names)

    def organization(self, code: str) -> OrganizationDetail:
        """An LAO by its DLA code, with its units."""
        with self._read() as (cursor, tables):
            return organization_detail(cursor, tables, code)

    def lao_names(self, codes: Collection[str]) -> dict[str, str]:
        """The Thai names of the LAOs ``codes`` (a code the registry lacks is left out)."""
        with self._read() as (cursor, tables):
            return organization_names(cursor, tables["organizations"], codes)

    def position(self, code: str, number: str, *, occupant: bool = True) -> PositionDetail:
        """A position of an LAO's frame by its number, and its occupant now (if asked)."""
        with self._read() as (cursor, tables):
            return position_detail(cursor, tables, code, number, occupant, self._revealer)

    # Certification and completeness.

    def kpi(self, scope: ReadScope, cycle: str | None = None) -> KpiReport:
        """Completeness KPI per LAO and per province (target 90%), and the LPA 2.9 score, in a
        certification cycle (None: each LAO's latest)."""
        with self._read() as (cursor, tables):
            laos: list[LaoKpi] = lao_kpis(
                cursor,
                tables["registry"],
                tables["certification"],
                tables["organizations"],
                cycle=cycle,
                lao=scope.lao,
                province=scope.province,
            )
            names = self._names(cursor, tables, province=scope.province)
        return KpiReport(tuple(laos), tuple(province_kpis(laos)), names=names)

    def overdue(
        self, scope: ReadScope, as_of: date | None = None, cycle: str | None = None
    ) -> Table[Overdue]:
        """Stages whose deadline passed by ``as_of`` (None: today) with the work undone."""
        day = as_of or self._today()
        with self._read() as (cursor, tables):
            found = overdue(
                cursor,
                tables["certification"],
                day,
                cycle=cycle,
                lao=scope.lao,
                province=scope.province,
            )
            names = self._names(cursor, tables, province=scope.province)
        return Table("overdue", tuple(found), layouts.OVERDUE, names)

    def certification(self, scope: ReadScope, cycle: str | None = None) -> CertificationReport:
        """Each LAO's certification cycles (state, deadlines, roots, who certified when), with
        the signed steps of each."""
        with self._read() as (cursor, tables):
            found = cycles(
                cursor, tables["certification"], cycle=cycle, lao=scope.lao, province=scope.province
            )
            steps = certification_steps(
                cursor, tables["certification"], [row.stream for row in found]
            )
            signers = {
                cid
                for row in found
                for cid in (row.lao_certified_by, row.province_certified_by)
                if cid is not None
            }
            names = self._names(cursor, tables, province=scope.province, cids=signers)
        return CertificationReport(
            tuple(found), {stream: tuple(items) for stream, items in steps.items()}, names=names
        )

    def record_certification(
        self, scope: ReadScope, cycle: str | None = None
    ) -> Table[RecordCertification]:
        """Each record's certification state (certified, stale, submitted, draft)."""
        with self._read() as (cursor, tables):
            found = record_certifications(
                cursor,
                tables["registry"],
                tables["certification"],
                lao=scope.lao,
                province=scope.province,
                cycle=cycle,
            )
            streams = [row.stream for row in found]
            names = self._names(cursor, tables, province=scope.province, streams=streams)
        return Table("record-certification", tuple(found), layouts.RECORD_CERTIFICATION, names)

    def records_of_citizen(self, cid: str) -> list[UUID]:
        """The records (streams) whose person has this citizen ID, in any LAO."""
        with self._read() as (cursor, tables):
            rows = citizen_rows(cursor, tables["registry"], self._revealer, cid)
        return [UUID(row.stream) for row in rows]

    def committed_cids(self) -> list[tuple[str, str]]:
        """(record, commitment) of each v2 record's citizen ID (``ledger vault reindex``)."""
        with self._read() as (cursor, tables):
            return committed_cids(cursor, tables["registry"])

    def find(
        self,
        scope: ReadScope,
        *,
        cid: str | None = None,
        name: tuple[str, ...] | None = None,
        owner: Owner | None = None,
        page: int = 1,
        size: int = 20,
    ) -> SearchPage:
        """People of the scope by citizen ID and/or name words (``ledger.domain.search``), only
        the owner's own record when ``owner`` is given; one page, in the Thai order. Without a
        vault, v2 records in the scope make it ``SearchVaultNeededError``, never "nobody"."""
        with self._read() as (cursor, tables):
            require_searchable(
                cursor, tables["registry"], self._revealer, lao=scope.lao, province=scope.province
            )
            if cid is not None:
                rows = citizen_rows(
                    cursor,
                    tables["registry"],
                    self._revealer,
                    cid,
                    lao=scope.lao,
                    province=scope.province,
                )
            else:
                rows = record_rows(
                    cursor,
                    tables["registry"],
                    lao=scope.lao,
                    province=scope.province,
                    revealer=self._revealer,
                )
        return SearchPage.of(find_people(rows, name, owner), page, size)

    def lao_province(self, lao: str) -> str | None:
        """The province of an LAO the ledger knows (registered, with a certification cycle, or
        holding records), None for an LAO it does not know."""
        with self._read() as (cursor, tables):
            for organization in organizations(cursor, tables["organizations"], code=lao):
                return organization.province
            for cycle in cycles(cursor, tables["certification"], lao=lao):
                return cycle.province
            for row in record_rows(cursor, tables["registry"], lao=lao):
                return row.province
        return None

    def submitted_snapshot(self, lao: str, root: str) -> SubmittedSnapshot:
        """The snapshot of ``lao`` a submission named by ``root``, recomputed at its position
        (``SnapshotNotFoundError`` when no submission of the LAO named it)."""
        with self._read() as (cursor, tables):
            found = cycles(cursor, tables["certification"], lao=lao)
        return submitted_snapshot(self.projections.ledger, lao, found, root)

    def worklist(
        self, scope: ReadScope, roles: Collection[str], as_of: date | None = None
    ) -> Worklist:
        """The certification steps waiting for ``roles`` in the scope, overdue on ``as_of``
        (None: today) or not (``projections.reports.worklist``)."""
        with self._read() as (cursor, tables):
            found = cycles(cursor, tables["certification"], lao=scope.lao, province=scope.province)
            names = {
                row.code: row.name
                for row in organizations(
                    cursor, tables["organizations"], province=scope.province, code=scope.lao
                )
            }
        return worklist(found, roles, as_of or self._today(), names)

    # Staff and budget.

    def retirements(
        self, scope: ReadScope, first_year: int | None = None, last_year: int | None = None
    ) -> Table[RetirementGroup]:
        """Upcoming retirements by fiscal year, LAO and line (default: this FY and 4 more);
        ``QueryError`` (``query.range_reversed``) for a last year before the first."""
        first = first_year or fiscal_year_of(self._today())
        check_range("first_year", first, "last_year", last_year)
        with self._read() as (cursor, tables):
            found = upcoming_retirements(
                cursor,
                tables["registry"],
                first_year=first,
                last_year=last_year or first + RETIREMENT_YEARS - 1,
                lao=scope.lao,
                province=scope.province,
                revealer=self._revealer,
            )
            names = self._names(cursor, tables, province=scope.province)
        return Table("retirements", tuple(found), layouts.RETIREMENTS, names)

    def records_to_do(
        self, scope: ReadScope, first_year: int, last_year: int
    ) -> tuple[RecordsToDo, Names]:
        """Records incomplete for the KPI or retiring in the years (``reports.todo``), named."""
        with self._read() as (cursor, tables):
            found = records_to_do(
                cursor,
                tables["registry"],
                first_year=first_year,
                last_year=last_year,
                lao=scope.lao,
                province=scope.province,
                revealer=self._revealer,
            )
            names = self._names(cursor, tables, province=scope.province, streams=found.streams)
        return found, names

    def section35(self, scope: ReadScope, fiscal_year: int) -> Section35Report:
        """Personnel cost over the annual expenditure budget per LAO, flagged above 40%."""
        with self._read() as (cursor, tables):
            found = section35_ratios(
                cursor,
                tables["registry"],
                tables["section35"],
                fiscal_year,
                lao=scope.lao,
                province=scope.province,
            )
            names = self._names(cursor, tables, province=scope.province)
        return Section35Report(fiscal_year, tuple(found), names)

    def leave(
        self, scope: ReadScope, year: int | None = None, *, health: bool = True
    ) -> Table[LeaveSummary]:
        """Per record and fiscal year (None: every year): leave taken by type and the reported
        ก.พ.๗ line; the leave types and sick leave withheld unless ``health``."""
        with self._read() as (cursor, tables):
            found = leave_summary(
                cursor,
                tables["leave"],
                tables["registry"],
                year=year,
                lao=scope.lao,
                province=scope.province,
                revealer=self._revealer,
                health=health,
            )
            streams = [row.stream for row in found]
            names = self._names(cursor, tables, province=scope.province, streams=streams)
        return Table("leave", tuple(found), layouts.leave_layout(found), names)

    # Development plans.

    def eplan_status(
        self,
        province: str,
        fiscal_year: int,
        as_of: date | None = None,
        scope: ReadScope = EVERYWHERE,
    ) -> EplanStatusReport:
        """The e-Plan status table of a province and fiscal year as of a valid date (None:
        today), in the Tak letter's layout; only the scope's LAO when it names one."""
        with self._read() as (cursor, tables):
            facts = eplan_facts(cursor, tables["eplan"], province, fiscal_year, lao=scope.lao)
        return eplan_status(facts, province, fiscal_year, as_of or self._today())

    def eplan_last_steps(
        self,
        province: str,
        fiscal_year: int,
        as_of: date | None = None,
        scope: ReadScope = EVERYWHERE,
    ) -> dict[str, date | None]:
        """Per LAO of the status table, the date of its latest e-Plan step (``last_steps``)."""
        with self._read() as (cursor, tables):
            facts = eplan_facts(cursor, tables["eplan"], province, fiscal_year, lao=scope.lao)
        return last_steps(facts, as_of or self._today())
