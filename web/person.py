"""Whose record a form, a review or the employment page is about: the person's prefix, Thai
name, position and LAO (by its registered name), so an officer about to sign sees the person,
not only a record id.

It is the registry's line of the record, the same read the ก.พ.๗ page's header shows
(``Reports.record``: a v2 record's name revealed through the vault), taken only when the read
matrix lets the caller read the record (``api.routes.registry.require_record``: personal and
salary data, in scope; logged as the ก.พ.๗ page logs it). The destination of a transfer under
way, which may open the status page and the arrival's form before it holds the record, gets
nothing. Never the citizen ID: the officer needs the name to know whom they sign for, and the
page has no reason to repeat an identifier that the log would then hold in screenshots.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from api.access import Reader
from api.routes.registry import RECORD_KINDS, require_record
from ledger.application import Ledger
from ledger.errors import ForbiddenError, StreamNotFoundError
from projections.reports.facade import Reports
from projections.reports.names import full_name


@dataclass(frozen=True, slots=True)
class RecordPerson:
    """Who the record is of, as the page header shows it."""

    stream: str
    name: str
    position: str
    lao: str
    province: str
    lao_name: str | None = None  # the LAO's Thai name from the organizations registry


def record_person(
    reports: Reports, reader: Reader, ledger: Ledger, stream: UUID
) -> RecordPerson | None:
    """The person of ``stream`` if the caller reads the record (logged), else None."""
    try:
        require_record(reader, ledger, stream)
        entry = reports.record(stream).entry
    except (StreamNotFoundError, ForbiddenError):
        return None
    reader.logged([stream], RECORD_KINDS)
    name = full_name(entry.prefix, entry.first_name, entry.last_name) or ""
    title = " ".join(part for part in (entry.position_title, entry.level) if part)
    position = f"{title} ({entry.position_no})" if title and entry.position_no else title
    lao_name = reports.lao_names([entry.lao]).get(entry.lao)
    return RecordPerson(str(stream), name, position, entry.lao, entry.province, lao_name)


__all__ = ["RecordPerson", "record_person"]
