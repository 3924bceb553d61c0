"""Two ledgers in one database keep apart: each reads only its own events, on either backend
(PostgreSQL and SQLite alike give each ledger its own events table, ``<name>_events``)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app as ledger_cli
from ledger.application import Ledger
from ledger.discovery import ledgers_in
from ledger.domain.organizations import organization_stream_id
from ledger.domain.permissions import Role
from ledger.errors import InvalidDataError
from ledger.events_tables import SharedEventsTableError, has_table
from ledger.genesis import initialise
from ledger.settings import LedgerSettings
from ledger.statement import GENESIS_PREV_HASH
from projections.reports.facade import Reports
from projections.reports.scope import EVERYWHERE
from projections.views.catalogue import Projections
from replay.errors import SourceError
from replay.source import DatabaseSource
from replay.verify import verify_database
from tests.audit_kit import populate, run_log
from tests.conftest import NO_VAULT
from tests.ledger_kit import (
    NAKHON_PHANOM_LAO,
    SOFTWARE,
    LedgerKit,
    Operator,
    build_kit,
    education_data,
    enrol,
    first_rule,
)
from tests.people import ADMIN_CID, made_up_cid


def settings_for(url: str, name: str) -> LedgerSettings:
    return LedgerSettings.model_validate({"database_url": url, "name": name} | NO_VAULT)


def bare_kit(ledger: Ledger) -> LedgerKit:
    """A ledger with its genesis and an admin, and no LAO registered."""
    kit = LedgerKit(ledger, Operator("system"), Operator(ADMIN_CID), Operator("x"), Operator("y"))
    initialise(
        ledger,
        system_signer=kit.system.signer,
        system_storage=SOFTWARE,
        admin_cid=kit.admin.cid,
        admin_public_key=kit.admin.signer.public_key,
        admin_storage=SOFTWARE,
    )
    return kit


@pytest.fixture
def pair(backend_url: str) -> Iterator[tuple[LedgerKit, LedgerKit]]:
    """Ledger A (two LAOs registered, staff enrolled) and ledger B (its genesis and an admin
    only), in one database."""
    suffix = uuid.uuid4().hex[:8]
    first = Ledger(settings_for(backend_url, f"a{suffix}"))
    second = Ledger(settings_for(backend_url, f"b{suffix}"))
    try:
        yield build_kit(first), bare_kit(second)
    finally:
        first.close()
        second.close()


def test_an_lao_registered_in_one_ledger_is_unknown_to_the_other(
    pair: tuple[LedgerKit, LedgerKit],
) -> None:
    """B refuses to enrol an officer of an LAO only A registered."""
    _, second = pair

    with pytest.raises(InvalidDataError) as refused:
        enrol(second, Operator(made_up_cid(7)), [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)

    assert ("reference.lao_not_registered", "data.scope.lao") == first_rule(refused)


def test_each_ledger_reads_only_its_own_streams(pair: tuple[LedgerKit, LedgerKit]) -> None:
    """The LAO's stream has A's registration in A and nothing in B."""
    first, second = pair
    stream = organization_stream_id(str(NAKHON_PHANOM_LAO.lao))

    in_first, in_second = first.ledger.head(stream), second.ledger.head(stream)

    assert 1 == in_first[0]
    assert (0, GENESIS_PREV_HASH) == in_second


def test_each_ledger_logs_only_its_own_events(pair: tuple[LedgerKit, LedgerKit]) -> None:
    """Each notification log holds its own ledger's events, numbered from 1."""
    first, second = pair

    logs = [kit.ledger.recorder.select_notifications(start=1, limit=100) for kit in pair]

    assert [1, 2] == [n.id for n in logs[1]]
    assert {second.ledger.registry_id} == {n.originator_id for n in logs[1]}
    assert first.event_count() == len(logs[0])
    assert second.ledger.registry_id not in {n.originator_id for n in logs[0]}


def test_both_ledgers_are_found_in_the_database(pair: tuple[LedgerKit, LedgerKit]) -> None:
    """Discovery lists each ledger of the database under its name."""
    first, second = pair

    found = ledgers_in(first.ledger.settings)

    assert found is not None
    assert {first.ledger.name, second.ledger.name} <= set(found)


def test_each_ledger_reports_only_its_own_organizations(
    pair: tuple[LedgerKit, LedgerKit],
) -> None:
    """Each ledger's views, kept in the same database, list the LAOs it registered: A's two,
    none in B."""
    listed = []
    for kit in pair:
        with Projections.open(kit.ledger) as projections:
            projections.catch_up()
            listed.append(Reports(projections).organizations(EVERYWHERE).rows)

    assert 2 == len(listed[0])
    assert () == listed[1]


def move_to_shared_table(path: Path, table: str) -> None:
    """What a version before per-ledger tables wrote: the table's events in ``stored_events``
    (renamed when the file has none yet, else appended after its rows)."""
    with closing(sqlite3.connect(path)) as connection, connection:
        if has_table(connection.cursor(), "stored_events"):
            connection.execute(
                "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                f"SELECT originator_id, originator_version, topic, state FROM {table} "
                "ORDER BY rowid"
            )
            connection.execute(f"DROP TABLE {table}")
        else:
            connection.execute(f"ALTER TABLE {table} RENAME TO stored_events")


@dataclass
class OldFile:
    """An SQLite file as a version before per-ledger tables left it (its ledger closed)."""

    kit: LedgerKit
    path: Path
    events: int


@pytest.fixture
def old_file(tmp_path: Path) -> OldFile:
    """Ledger A's records and transparency log, its events in the shared table
    ``stored_events`` of the file."""
    path = tmp_path / "old.sqlite"
    kit = build_kit(Ledger(settings_for(f"sqlite:///{path}", f"a{uuid.uuid4().hex[:8]}")))
    populate(kit, records=1, entries=2)
    run_log(kit, every_events=4)
    events = kit.event_count()
    kit.ledger.close()
    move_to_shared_table(path, f"{kit.ledger.name}_events")
    return OldFile(kit, path, events)


@contextmanager
def reopened(kit: LedgerKit) -> Iterator[LedgerKit]:
    """The kit on its ledger opened again (by this version)."""
    ledger = Ledger(kit.ledger.settings)
    try:
        yield LedgerKit(ledger, kit.system, kit.admin, kit.hr, kit.other_hr)
    finally:
        ledger.close()


def test_an_old_file_keeps_its_ledger_in_the_shared_table(
    old_file: OldFile,
) -> None:
    """The ledger whose genesis opens ``stored_events`` reads and appends there, as before."""
    kit = old_file.kit

    with reopened(kit) as again:
        receipt = again.emit(again.hr, again.open_record(), "EducationAdded", education_data())
        table = again.ledger.recorder.events_table_name  # type: ignore[attr-defined]

    assert "stored_events" == table
    assert old_file.events + 2 == receipt.notification_id
    assert [kit.ledger.name] == ledgers_in(kit.ledger.settings)


def test_an_old_file_still_verifies(old_file: OldFile) -> None:
    """The auditor finds the old file's events and transparency log, and every check passes."""
    kit = old_file.kit

    report = verify_database(kit.ledger.settings.database_url, kit.ledger.name, workers=1)

    assert [] == report.failures
    assert old_file.events == report.events
    assert old_file.events == report.tree_size


def test_a_new_ledger_beside_an_old_one_has_a_table_of_its_own(
    old_file: OldFile,
) -> None:
    """A ledger started in an old file gets ``<name>_events`` and sees none of the old
    ledger's LAOs; the old ledger sees none of its events."""
    kit = old_file.kit
    settings = kit.ledger.settings.model_copy(update={"name": f"c{uuid.uuid4().hex[:8]}"})
    newer = Ledger(settings)
    try:
        other = bare_kit(newer)
        with pytest.raises(InvalidDataError) as refused:
            enrol(other, Operator(made_up_cid(8)), [Role.LAO_HR_OFFICER], NAKHON_PHANOM_LAO)
        table = newer.recorder.events_table_name  # type: ignore[attr-defined]
    finally:
        newer.close()

    with reopened(kit) as again:
        count = again.event_count()

    assert f"{settings.name}_events" == table
    assert "reference.lao_not_registered" == first_rule(refused)[0]
    assert old_file.events == count
    assert sorted([kit.ledger.name, settings.name]) == ledgers_in(settings)


@pytest.fixture
def mixed(old_file: OldFile) -> LedgerSettings:
    """Ledger B's settings, B's events put by an old version in ``stored_events`` after
    ledger A's (the old file's)."""
    settings = old_file.kit.ledger.settings.model_copy(update={"name": f"b{uuid.uuid4().hex[:8]}"})
    second = Ledger(settings)
    bare_kit(second)
    second.close()
    move_to_shared_table(old_file.path, f"{settings.name}_events")
    return settings


def test_a_second_ledger_in_an_old_shared_table_is_refused(
    old_file: OldFile, mixed: LedgerSettings
) -> None:
    """A ledger whose events an old version put in ``stored_events`` after another ledger's is
    refused by its rule, by the ledger and the auditor alike; the first ledger still opens."""
    kit = old_file.kit

    with pytest.raises(SharedEventsTableError) as refused:
        Ledger(mixed)
    with pytest.raises(SourceError, match=r"storage\.shared_events_table"):
        DatabaseSource(mixed.database_url, mixed.name)

    assert ("storage.shared_events_table", "name") == first_rule(refused)  # type: ignore[arg-type]
    assert sorted([kit.ledger.name, mixed.name]) == ledgers_in(mixed)
    with reopened(kit) as again:
        assert "stored_events" == again.ledger.recorder.events_table_name  # type: ignore[attr-defined]


def test_ledger_audit_verify_passes_on_an_old_file(old_file: OldFile) -> None:
    """``ledger audit verify`` finds the old file's one ledger by itself and verifies it."""
    url = old_file.kit.ledger.settings.database_url

    result = CliRunner().invoke(ledger_cli, ["audit", "verify", "--database-url", url])

    assert 0 == result.exit_code, result.output


def test_ledger_audit_verify_names_the_rule_on_a_mixed_file(mixed: LedgerSettings) -> None:
    """``ledger audit verify`` of the second ledger of a mixed old file exits 1 with the rule."""
    args = ["audit", "verify", "--database-url", mixed.database_url, "--name", mixed.name]

    result = CliRunner().invoke(ledger_cli, args)

    assert 1 == result.exit_code
    assert "storage.shared_events_table" in result.output
