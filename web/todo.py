"""What waits for an LAO's HR officer (the home page's "งานที่ต้องทำ"), from the reads that exist.

Nothing here queries anything of its own: the certification steps waiting for the officer are
``Reports.worklist`` (what ``GET /worklist`` answers); the current cycle's state is
``Reports.certification``; records incomplete for the KPI and retirements coming are
``Reports.records_to_do`` (the KPI's own ``missing_sections``, the retirements report's own
rule); a returned submission's reason and sections, and the owners' open change requests, are
on the aggregates (``Ledger.aggregate``: the certification cycle's ``returns``, a record's
``change_requests``), which no view keeps. Reading a record's aggregate costs one stream read
per record (the ledger's stream cache keeps the recent ones): an LAO holds hundreds of records,
not thousands.

Access is ``api.access.Reader``'s: the officer must read personal and personnel data (403
otherwise), the scope is their enrolment's, and every record whose person the page names is
appended to its access log, like any read of people's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID

from api.access import Reader
from ledger.application import Ledger
from ledger.domain.certification import CertificationCycle, certification_stream_id
from ledger.domain.dates import thai_today
from ledger.domain.event_labels import EVENT_LABELS, Label
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.reading import DataKind
from ledger.domain.rules import fiscal_year
from ledger.errors import StreamNotFoundError
from ledger.vault_keys import ErasedError
from projections.reports.facade import Reports
from projections.reports.names import full_name
from projections.reports.scope import ReadScope
from projections.reports.todo import RecordNote
from projections.reports.worklist import STATE_TH, WorkItem
from projections.views.certification import CycleRow

HOME_KINDS = (DataKind.PERSONAL, DataKind.PERSONNEL)
"""What the home page shows: people by name (personal) and their certification (personnel)."""


@dataclass(frozen=True, slots=True)
class Returned:
    """A submission sent back to the LAO: by whom, which sections, and why."""

    cycle: str
    returned_by: Label  # the return's event name (the LAO's reviewers', or the province's)
    sections: tuple[str, ...]  # section codes (a page names them: ``section_name``)
    reason: str
    records: tuple[tuple[str, str | None], ...] = ()  # flagged records: (stream, name)


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """An owner's open request to change a section of their record."""

    stream: str
    name: str | None
    request: int  # the version of the request (what ChangeRequestResolved names)
    section: str  # the section's code
    proposal: str


@dataclass(frozen=True, slots=True)
class Person:
    """A record the page names, with what is to be done about it."""

    note: RecordNote
    name: str | None


@dataclass(frozen=True, slots=True)
class HomeToDo:
    """Everything the home page lists for the officer's LAO, on ``today``."""

    today: date
    lao: str | None
    lao_name: str | None
    steps: tuple[WorkItem, ...]
    current: CycleRow | None
    returned: tuple[Returned, ...]
    change_requests: tuple[ChangeRequest, ...]
    incomplete: tuple[Person, ...]
    retiring: tuple[Person, ...]
    years: tuple[int, int]

    @property
    def current_state_th(self) -> str | None:
        return None if self.current is None else STATE_TH.get(self.current.state)

    @property
    def empty(self) -> bool:
        return not (self.steps or self.returned or self.change_requests or self.incomplete)


def hr_todo(
    reports: Reports,
    ledger: Ledger,
    reader: Reader,
    scope: ReadScope,
    today: date | None = None,
) -> HomeToDo:
    """What the officer's LAO (``scope``) has waiting on ``today`` (None: Thailand's today);
    retirements of this fiscal year and the next."""
    reader.require(*HOME_KINDS)
    day = today or thai_today()
    this_year = fiscal_year(day)
    steps = reports.worklist(scope, reader.roles, day).items
    report = reports.certification(scope)
    current = max(report.cycles, key=lambda row: (row.lao, row.cycle), default=None)
    todo, names = reports.records_to_do(scope, this_year, this_year + 1)
    people = names.people
    requests = _change_requests(ledger, reports, scope)
    returned = [found for row in report.cycles if (found := _returned(ledger, row)) is not None]
    if any(item.records for item in returned):
        returned = _flagged_named(reports, scope, returned)
    shown = {UUID(stream) for stream in todo.streams} | {UUID(r.stream) for r in requests}
    shown |= {UUID(stream) for item in returned for stream, _ in item.records}
    reader.logged(sorted(shown), (DataKind.PERSONAL,))
    return HomeToDo(
        today=day,
        lao=scope.lao,
        lao_name=report.names.laos.get(scope.lao or "") or None,
        steps=steps,
        current=current,
        returned=tuple(returned),
        change_requests=tuple(requests),
        incomplete=tuple(Person(note, people.get(note.stream)) for note in todo.incomplete),
        retiring=tuple(Person(note, people.get(note.stream)) for note in todo.retiring),
        years=todo.years,
    )


def _returned(ledger: Ledger, row: CycleRow) -> Returned | None:
    """The return that put a cycle back in draft, if that is where it stands."""
    if row.state != "draft":
        return None
    try:
        cycle = ledger.aggregate(certification_stream_id(row.lao, row.cycle))
    except StreamNotFoundError:
        return None
    if not isinstance(cycle, CertificationCycle) or not cycle.returns:
        return None
    version, sections, reason = cycle.returns[-1]
    event = next(e for e in ledger.stream_events(cycle.id) if e.version == version)
    records = json.loads(event.statement).get("data", {}).get("records") or []
    return Returned(
        cycle=row.cycle,
        returned_by=EVENT_LABELS.get(event.type, Label(event.type, event.type)),
        sections=tuple(str(section) for section in sections),
        reason=reason,
        records=tuple((str(stream), None) for stream in records),
    )


def _flagged_named(reports: Reports, scope: ReadScope, returned: list[Returned]) -> list[Returned]:
    """The returns with their flagged records named (the officer fixes people, not ids)."""
    people = {
        entry.stream: full_name(entry.prefix, entry.first_name, entry.last_name)
        for entry in reports.registry(scope).rows
    }
    return [
        replace(item, records=tuple((stream, people.get(stream)) for stream, _ in item.records))
        for item in returned
    ]


def _change_requests(ledger: Ledger, reports: Reports, scope: ReadScope) -> list[ChangeRequest]:
    """The owners' change requests not yet resolved, in the scope's records."""
    registry = reports.registry(scope)
    found = []
    for entry in registry.rows:
        try:
            record = ledger.aggregate(UUID(entry.stream))
        except ErasedError:  # an erased person's requests went with their data
            continue
        if not isinstance(record, PersonnelRecord):
            continue
        for version, request in sorted(record.change_requests.items()):
            if request.outcome is None:
                found.append(
                    ChangeRequest(
                        stream=entry.stream,
                        name=full_name(entry.prefix, entry.first_name, entry.last_name),
                        request=version,
                        section=str(request.section),
                        proposal=request.proposal,
                    )
                )
    return found
