"""Finding people in the registry: by citizen ID or by name, within a scope, a page at a time,
in the Thai order of names (``ledger.domain.search``).

Reads the registry now (the ``records`` table): the name is the record's current name entry.
A citizen ID is an exact match on an indexed column for a v1 record; a v2 record's column
holds a commitment, so it is found through the vault's search index (``ledger.vault_search``,
a keyed hash held in the key store) and kept if its revealed citizen ID is the one asked; a
name is compared in Python after ``name_key``, over the records of the scope (an LAO's or a
province's records are thousands, not millions: a name index is for when a national search is
slow).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ledger.commitments import COMMITMENT_KEY
from ledger.domain.reading import is_own_record
from ledger.domain.search import name_matches, thai_sort_key
from projections.personal import committed
from projections.reports.kp7_labels import category_th, status_th
from projections.reports.results import Columns, JsonRows, field_names
from projections.store import Cursor
from projections.views.registry_rows import RecordRow


@dataclass(frozen=True, slots=True)
class Found:
    """One person found: who, where, and what they are now."""

    stream: str
    cid: str
    prefix: str | None
    first_name: str | None
    last_name: str | None
    category: str
    lao: str
    province: str
    status: str
    position_title: str | None
    erased: bool = False  # the person's data erased (beside the employment status)

    @classmethod
    def of(cls, row: RecordRow) -> Found:
        name, position = row.name, row.position
        return cls(
            stream=row.stream,
            cid=row.cid,
            prefix=name.get("prefix"),
            first_name=name.get("first_name"),
            last_name=name.get("last_name"),
            category=row.category,
            lao=row.lao,
            province=row.province,
            status=row.status,
            position_title=position.get("position_title"),
            erased=row.erased,
        )

    def sort_key(self) -> tuple[Any, ...]:
        """First name, then last name, the Thai way; then where, then the record."""
        return (
            thai_sort_key(self.first_name or ""),
            thai_sort_key(self.last_name or ""),
            self.province,
            self.lao,
            self.stream,
        )

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__} | {
            "category_th": category_th(self.category),
            "status_th": status_th(self.status),
        }


def committed_cids(cursor: Cursor, tables: Mapping[str, str]) -> list[tuple[str, str]]:
    """(record, commitment) of every v2 record's current citizen ID: what the vault's search
    index is rebuilt from (``Vault.reindex``); the values stay in the vault."""
    cursor.execute(f"SELECT stream, cid FROM {tables['records']} ORDER BY stream")
    found = [(str(stream), committed(cid)) for stream, cid in cursor.fetchall()]
    return [(stream, str(c[COMMITMENT_KEY])) for stream, c in found if c is not None]


@dataclass(frozen=True, slots=True)
class Owner:
    """A record owner as a searcher: her own record is the one her enrolment names
    (``record``, a stream id), or, enrolled by citizen ID, the one with her ``cid``."""

    cid: str | None = None
    record: str | None = None

    def owns(self, row: RecordRow) -> bool:
        return is_own_record(self.record, self.cid, row.stream, row.cid)


def find_people(
    rows: Iterable[RecordRow], name: tuple[str, ...] | None, owner: Owner | None
) -> list[Found]:
    """The records among ``rows`` whose current name matches ``name`` (None: any), only the
    record owner's own when ``owner`` is given, in the Thai order."""
    mine = (row for row in rows if owner is None or owner.owns(row))
    found = [
        person
        for person in map(Found.of, mine)
        if name is None or name_matches(name, person.first_name, person.last_name)
    ]
    return sorted(found, key=Found.sort_key)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of the people found: ``total`` of them in all, ``rows`` on page ``page``."""

    page: int
    size: int
    total: int
    rows: tuple[Found, ...]
    name: str = "records"

    @classmethod
    def of(cls, found: list[Found], page: int, size: int) -> SearchPage:
        start = (page - 1) * size
        return cls(page, size, len(found), tuple(found[start : start + size]))

    @property
    def streams(self) -> list[str]:
        return [row.stream for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "page": self.page,
            "size": self.size,
            "total": self.total,
            "pages": -(-self.total // self.size),
            "results": [row.as_json() for row in self.rows],
        }

    def tabulate(self) -> tuple[Columns, JsonRows]:
        return list(field_names(Found)), [row.as_json() for row in self.rows]
