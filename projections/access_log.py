"""The access log: who read a person's data, when, through which endpoint (PDPA).

Every read of a person's record, or of a report that names people, appends one row per record
read: the reader's citizen ID, key and roles, the moment, the endpoint and the kinds of data
(``ledger.domain.reading.DataKind``). The log is not part of the signed ledger (reads change
nothing), but it lives in the same database, append-only, and a record's owner can read the
rows about their own record (``GET /me/access-log``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from projections.store import ViewDatabase


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One record read by one reader."""

    at: datetime
    record: UUID
    reader_cid: str
    reader_key: str
    roles: tuple[str, ...]
    endpoint: str
    kinds: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "record": str(self.record),
            "reader_cid": self.reader_cid,
            "reader_key": self.reader_key,
            "roles": list(self.roles),
            "endpoint": self.endpoint,
            "kinds": list(self.kinds),
        }


class AccessLog:
    """The access log of one ledger (table ``<ledger>_access_log``), made when opened."""

    def __init__(self, database_url: str, ledger_name: str) -> None:
        self._database = ViewDatabase(database_url)
        self.table = f"{ledger_name}_access_log"
        with self._database.schema_change() as cursor:
            key = "BIGSERIAL" if cursor.dialect == "postgresql" else "INTEGER"
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                f"id {key} PRIMARY KEY, at TEXT NOT NULL, record TEXT NOT NULL, "
                "reader_cid TEXT NOT NULL, reader_key TEXT NOT NULL, roles TEXT NOT NULL, "
                "endpoint TEXT NOT NULL, kinds TEXT NOT NULL)"
            )
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {self.table}_record ON {self.table} (record, id)"
            )

    def close(self) -> None:
        self._database.close()

    def append(
        self,
        *,
        records: Iterable[UUID],
        reader_cid: str,
        reader_key: str,
        roles: Collection[str],
        endpoint: str,
        kinds: Collection[str],
    ) -> int:
        """Log that the reader read these records; the number of rows appended."""
        at = datetime.now(UTC).isoformat()
        role_text, kind_text = ",".join(sorted(roles)), ",".join(sorted(kinds))
        rows = [
            (at, str(record), reader_cid, reader_key, role_text, endpoint, kind_text)
            for record in dict.fromkeys(records)
        ]
        if rows:
            with self._database.transaction() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.table} "
                    "(at, record, reader_cid, reader_key, roles, endpoint, kinds) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        return len(rows)

    def of_records(self, records: Collection[UUID], limit: int = 1000) -> list[AccessEntry]:
        """The newest reads of these records first, at most ``limit``."""
        if not records:
            return []
        marks = ", ".join("?" for _ in records)
        with self._database.transaction() as cursor:
            cursor.execute(
                "SELECT at, record, reader_cid, reader_key, roles, endpoint, kinds "
                f"FROM {self.table} WHERE record IN ({marks}) ORDER BY id DESC LIMIT ?",
                [*(str(record) for record in records), limit],
            )
            rows = cursor.fetchall()
        return [
            AccessEntry(
                at=datetime.fromisoformat(at),
                record=UUID(record),
                reader_cid=cid,
                reader_key=key,
                roles=tuple(roles.split(",")) if roles else (),
                endpoint=endpoint,
                kinds=tuple(kinds.split(",")) if kinds else (),
            )
            for at, record, cid, key, roles, endpoint, kinds in rows
        ]


__all__ = ["AccessEntry", "AccessLog"]
