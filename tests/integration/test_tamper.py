"""Tamper evidence on the real PostgreSQL: whatever is changed in SQL, the audit finds and locates.

One ledger (records in two LAOs, a key revoked after it signed, a transparency log with signed
checkpoints) is built once and backed up. Each of 100 cases restores it, tampers with it directly
in SQL (25 of each kind: change, delete, reorder, insert, at random places, seeded), verifies,
and expects a failure at every notification id it touched. A last test rewrites the log
*and* its checkpoints, as someone holding a compromised operator key and the server would, and
expects the checkpoint an auditor kept earlier to expose it.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from ledger.signing import sign_statement
from ledger.statement import Statement, event_hash
from projections.transparency.store import TransparencyStore, table_names
from replay.verify import Report, verify_database
from tests.audit_kit import Populated, populate, position_data, run_log
from tests.ledger_kit import LedgerKit, Operator, build_kit, education_data
from tests.people import made_up_cid

pytestmark = pytest.mark.postgres

KINDS = ("change", "delete", "reorder", "insert")
CASES = 100


@dataclass
class Tamperable:
    """A verified ledger, its events table, and a backup to restore between cases."""

    url: str
    name: str
    table: str
    kit: LedgerKit
    populated: Populated
    stranger: Operator


@pytest.fixture(scope="module")
def tamperable(postgres_url: str) -> Iterator[Tamperable]:
    """A populated PostgreSQL ledger with its transparency log, backed up."""
    name = f"tamper{uuid.uuid4().hex[:8]}"
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=name))
    kit = build_kit(ledger)
    populated = populate(kit, records=4, entries=4)
    run_log(kit, every_events=8)
    table = f'"{name}_events"'
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f'CREATE TABLE "{name}_backup" AS SELECT * FROM {table}')
    yield Tamperable(postgres_url, name, table, kit, populated, Operator(cid=made_up_cid(99)))
    ledger.close()


def restore(target: Tamperable, connection: psycopg.Connection[Any]) -> None:
    connection.execute(f"DELETE FROM {target.table}")
    connection.execute(f'INSERT INTO {target.table} SELECT * FROM "{target.name}_backup"')


def rows(target: Tamperable, connection: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return connection.execute(
        "SELECT notification_id, originator_id, originator_version, topic, state "
        f"FROM {target.table} ORDER BY notification_id"
    ).fetchall()


# The four kinds of tampering. Each returns the notification ids it touched.


def change(target: Tamperable, db: psycopg.Connection[Any], rng: random.Random) -> list[int]:
    """Change one field of one stored event: a signed byte, the signature, the hash, the time,
    the event class, or where in which stream it is stored."""
    nid, _, _, topic, state = rng.choice(rows(target, db))
    value = json.loads(bytes(state))
    field = rng.choice(["statement", "signature", "hash", "time", "topic", "version", "stream"])
    if field in ("statement", "signature", "hash"):
        text: str = value[field]
        position = rng.randrange(len(text))
        options = "0123456789abcdef" if field != "statement" else "0123456789xyz"
        replacement = rng.choice([c for c in options if c != text[position]])
        value[field] = text[:position] + replacement + text[position + 1 :]
    elif field == "time":
        stamp: str = value["timestamp"]["_data_"]
        value["timestamp"]["_data_"] = stamp[:20] + str((int(stamp[20]) + 1) % 10) + stamp[21:]
    if field in ("statement", "signature", "hash", "time"):
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        db.execute(f"UPDATE {target.table} SET state = %s WHERE notification_id = %s", [raw, nid])
    elif field == "topic":
        other = next(t for t in sorted({r[3] for r in rows(target, db)}) if t != topic)
        db.execute(f"UPDATE {target.table} SET topic = %s WHERE notification_id = %s", [other, nid])
    elif field == "version":
        db.execute(
            f"UPDATE {target.table} SET originator_version = originator_version + 100 "
            "WHERE notification_id = %s",
            [nid],
        )
    else:
        db.execute(
            f"UPDATE {target.table} SET originator_id = %s WHERE notification_id = %s",
            [uuid.uuid4(), nid],
        )
    return [nid]


def delete(target: Tamperable, db: psycopg.Connection[Any], rng: random.Random) -> list[int]:
    """Delete one stored event."""
    nid = rng.choice(rows(target, db))[0]
    db.execute(f"DELETE FROM {target.table} WHERE notification_id = %s", [nid])
    return [nid]


def reorder(target: Tamperable, db: psycopg.Connection[Any], rng: random.Random) -> list[int]:
    """Swap the log positions of two stored events."""
    first, second = sorted(rng.sample([row[0] for row in rows(target, db)], 2))
    sql = f"UPDATE {target.table} SET notification_id = %s WHERE notification_id = %s"
    db.execute(sql, [-1, first])
    db.execute(sql, [first, second])
    db.execute(sql, [second, -1])
    return [first, second]


def insert(target: Tamperable, db: psycopg.Connection[Any], rng: random.Random) -> list[int]:
    """Insert an event inside the logged history: a copy of another event, one signed by an
    unenrolled key, or one properly signed by an enrolled officer (only the log can tell)."""
    existing = rows(target, db)
    position = rng.randrange(1, len(existing) + 1)
    kit = target.kit
    how = rng.choice(["copy", "stranger", "officer"])
    if how == "copy":
        _, _, _, topic, state = rng.choice(existing)
        stream, version = uuid.uuid4(), 1
    else:
        signer = target.stranger if how == "stranger" else kit.hr
        stream, version = target.populated.nakhon_phanom[1], 50
        statement = Statement.model_validate_json(kit.sign(
            signer, stream=stream, type="EducationAdded", data=education_data(7),
            expected_version=version - 1, prev_hash="0" * 64,
        ).canonical)  # fmt: skip
        signed = sign_statement(statement, signer.signer)
        topic = "ledger.domain.personnel:PersonnelRecord.EducationAdded"
        state = json.dumps(
            {
                "timestamp": {"_type_": "datetime_iso", "_data_": "2026-01-05T09:00:00+00:00"},
                "statement": signed.canonical.decode("utf-8"),
                "signature": signed.signature.hex(),
                "hash": event_hash(signed.canonical, signed.signature),
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
    shift = 1_000_000
    db.execute(
        f"UPDATE {target.table} SET notification_id = notification_id + %s "
        "WHERE notification_id >= %s",
        [shift, position],
    )
    db.execute(
        f"UPDATE {target.table} SET notification_id = notification_id - %s "
        "WHERE notification_id >= %s",
        [shift - 1, shift],
    )
    db.execute(
        f"INSERT INTO {target.table} "
        "(originator_id, originator_version, topic, state, notification_id) "
        "VALUES (%s, %s, %s, %s, %s)",
        [stream, version, topic, state, position],
    )
    return [position]


TAMPERINGS = {"change": change, "delete": delete, "reorder": reorder, "insert": insert}


def failing(report: Report) -> set[int]:
    return set(report.failing_ids())


def test_the_untouched_ledger_verifies(tamperable: Tamperable) -> None:
    """Before any tampering the ledger verifies: chains, keys (one revoked), log, checkpoints."""
    with psycopg.connect(tamperable.url, autocommit=True) as db:
        restore(tamperable, db)

    report = verify_database(tamperable.url, tamperable.name, workers=1)

    assert [] == report.failures
    assert report.checkpoints >= 4


@pytest.mark.parametrize("case", range(CASES))
def test_tampering_is_detected_and_located(tamperable: Tamperable, case: int) -> None:
    """Random tampering in SQL (one of four kinds) fails verification at every id it touched."""
    kind = KINDS[case % len(KINDS)]
    with psycopg.connect(tamperable.url, autocommit=True) as db:
        restore(tamperable, db)
        touched = TAMPERINGS[kind](tamperable, db, random.Random(case))

    report = verify_database(tamperable.url, tamperable.name, workers=1)

    assert not report.ok, kind
    assert set(touched) <= failing(report), (kind, touched, report.failures[:5])


def test_a_checkpoint_kept_earlier_exposes_a_rewritten_log(postgres_url: str) -> None:
    """A log rewritten with a stolen key and re-checkpointed fails a checkpoint kept earlier."""
    # The forger re-signs an event with a compromised officer key and rebuilds the log with the
    # server's own key: everything checks out internally; only the auditor's old checkpoint fails.
    name = f"rewrite{uuid.uuid4().hex[:8]}"
    ledger = Ledger(LedgerSettings(database_url=postgres_url, name=name))
    try:
        kit = build_kit(ledger)
        populated = populate(kit, records=2, entries=2)
        kept = run_log(kit, every_events=4).store.latest_checkpoint().note
        stream = populated.nakhon_phanom[1]
        last = ledger.stream_events(stream)[-1]
        data = education_data(9) if last.type == "EducationAdded" else position_data(9)
        forged = kit.sign(
            kit.hr, stream=stream, type=last.type, data=data,
            expected_version=last.version - 1, prev_hash=last.prev_hash,
        )  # fmt: skip
        with psycopg.connect(postgres_url, autocommit=True) as db:
            state = json.loads(
                db.execute(
                    f'SELECT state FROM "{name}_events" WHERE notification_id = %s',
                    [last.notification_id],
                ).fetchone()[0]  # type: ignore[index]
            )
            state.update(
                statement=forged.canonical.decode("utf-8"),
                signature=forged.signature.hex(),
                hash=forged.hash,
            )
            db.execute(
                f'UPDATE "{name}_events" SET state = %s WHERE notification_id = %s',
                [json.dumps(state, ensure_ascii=False).encode("utf-8"), last.notification_id],
            )
            for table in table_names(name).values():
                db.execute(f'DROP TABLE "{table}"')
        TransparencyStore(ledger)
        run_log(kit, every_events=4)

        unaided = verify_database(postgres_url, name, workers=1)
        report = verify_database(postgres_url, name, workers=1, kept=[kept])
    finally:
        ledger.close()

    assert [] == unaided.failures
    assert ["kept-checkpoint"] == [failure.kind for failure in report.failures]
