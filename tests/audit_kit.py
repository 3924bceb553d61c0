"""A populated ledger for the audit tests: records, a revoked key, and its transparency log."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row

from ledger.application import Ledger
from ledger.domain.permissions import Role
from ledger.genesis import compose
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from projections.transparency.store import TransparencyStore
from tests.ledger_kit import NAKHON_PHANOM_LAO, TAK_LAO, LedgerKit, Operator, education_data, enrol
from tests.people import made_up_cid

FIXED_START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    """A clock that moves one second each time it is read (deterministic checkpoints)."""

    now: datetime = FIXED_START
    step: timedelta = field(default=timedelta(seconds=1))

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


@dataclass
class Populated:
    """What ``populate`` wrote: the record streams, by LAO, and the revoked operator."""

    nakhon_phanom: list[uuid.UUID]
    tak: list[uuid.UUID]
    revoked: Operator

    @property
    def records(self) -> list[uuid.UUID]:
        return self.nakhon_phanom + self.tak


def position_data(n: int) -> dict[str, object]:
    return {
        "movement_type": "เลื่อนขั้นเงินเดือน",
        "position_no": f"00-0302-{n:03d}",
        "position_title": "นักทรัพยากรบุคคล",
        "level": "ปฏิบัติการ",
        "salary": f"{21000 + 500 * n}.00",
        "order": {"number": f"{n}/2562", "date": "2019-03-25", "issuer": "นายกเทศมนตรี"},
    }


def populate(kit: LedgerKit, *, records: int = 3, entries: int = 3) -> Populated:
    """Records in two LAOs with education and salary entries; one officer's key is revoked.

    The revoked officer signs entries before the revocation, which must stay valid after it.
    """
    revoked = Operator(cid=made_up_cid(21))
    enrol(kit, revoked, [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)
    nakhon_phanom, tak = [], []
    for n in range(records):
        for officer, scope, streams in (
            (revoked if n == 0 else kit.hr, NAKHON_PHANOM_LAO, nakhon_phanom),
            (kit.other_hr, TAK_LAO, tak),
        ):
            stream = kit.open_record(officer, scope)
            streams.append(stream)
            for entry in range(entries):
                data = education_data(entry) if entry % 2 == 0 else position_data(entry)
                event_type = "EducationAdded" if entry % 2 == 0 else "PositionSalaryEntryAdded"
                kit.submit(kit.sign(officer, stream=stream, type=event_type, data=data))
    kit.submit(
        compose(
            kit.ledger,
            stream=kit.ledger.registry_id,
            type="OperatorKeyRevoked",
            data={"key_id": revoked.signer.key_id, "reason": "left the LAO"},
            signer=kit.admin.signer,
            cid=kit.admin.cid,
        )
    )
    return Populated(nakhon_phanom, tak, revoked)


def run_log(
    kit: LedgerKit,
    *,
    every_events: int = 8,
    clock: Callable[[], datetime] | None = None,
    batch_size: int = 1000,
) -> TransparencyProjection:
    """Bring the ledger's transparency log up to date (checkpoints every ``every_events``)."""
    projection = TransparencyProjection(
        kit.ledger,
        kit.system.signer,
        policy=CheckpointPolicy(every_events=every_events, every_seconds=3600),
        clock=clock or Clock(),
        batch_size=batch_size,
    )
    while projection.catch_up():
        pass
    return projection


def log_rows(ledger: Ledger) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the ledger's transparency log tables, in key order (to compare rebuilds)."""
    store = TransparencyStore(ledger)
    orders = {
        store.leaves: "leaf_index",
        store.nodes: "level, node_index",
        store.checkpoints_table: "tree_size",
        store.tracking: "application_name",
    }
    found: dict[str, list[tuple[object, ...]]] = {}
    with sql_cursor(ledger) as cursor:
        for table, order in orders.items():
            cursor.execute(f"SELECT * FROM {table} ORDER BY {order}")
            found[table] = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
    return found


def drop_log(ledger: Ledger) -> None:
    """Drop the ledger's transparency log tables (to rebuild the log from zero)."""
    store = TransparencyStore(ledger)
    with sql_cursor(ledger, commit=True) as cursor:
        for table in (store.leaves, store.nodes, store.checkpoints_table, store.tracking):
            cursor.execute(f"DROP TABLE {table}")


@contextmanager
def sql_cursor(ledger: Ledger, *, commit: bool = False) -> Iterator[Any]:
    """A raw cursor on the ledger's own database (PostgreSQL commits on success)."""
    recorder = ledger.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        with recorder.datastore.get_connection() as connection, connection.transaction():
            yield connection.cursor(row_factory=tuple_row)
    else:
        assert isinstance(recorder, SQLiteApplicationRecorder)
        with recorder.datastore.transaction(commit=commit) as cursor:
            yield cursor.sqlite_cursor


def replace_in_state(ledger: Ledger, notification_id: int, old: bytes, new: bytes) -> None:
    """Edit one stored event's state bytes directly in the database (a tampering)."""
    recorder = ledger.recorder
    if isinstance(recorder, PostgresApplicationRecorder):
        sql = (
            f'UPDATE "{recorder.events_table_name}" SET state = '
            "overlay(state placing %s from position(%s in state) for %s) "
            "WHERE notification_id = %s"
        )
        params: list[object] = [new, old, len(old), notification_id]
    else:
        table = recorder.events_table_name  # type: ignore[attr-defined]
        sql = f"UPDATE {table} SET state = ? WHERE rowid = ?"
        with sql_cursor(ledger) as cursor:
            cursor.execute(f"SELECT state FROM {table} WHERE rowid = ?", [notification_id])
            state = bytes(cursor.fetchone()[0])
        params = [state.replace(old, new, 1), notification_id]
    with sql_cursor(ledger, commit=True) as cursor:
        cursor.execute(sql, params)
