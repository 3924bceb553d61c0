"""Moving the people a SoftHSM2 token holds per-person KEKs for into the sharded store
(``ledger.vault_moves``, ``ledger vault move-to-shards``): everyone live moves once, with one
row in the key database and no KEK of their own left on the token; an erased person stays
erased (before the move, half-way through an erasure, or erased while being moved); a move
killed at any step (a real process, SIGKILL) leaves everyone readable, nobody twice, and the
next run finishes it; a copy of the vault's database taken before the move still reads."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import ledger.vault_moves as moves
from ledger.application import Ledger
from ledger.disclosed import Sealing
from ledger.settings import LedgerSettings
from ledger.vault import Vault, open_vault
from ledger.vault_keys import ErasedError, TokenKeyStore, key_name
from ledger.vault_moves import MOVE_RUNNING, VaultMoveError, move_to_shards
from ledger.vault_shards import REFERENCE, ShardedTokenKeyStore, moved_ref
from tests.integration.test_vault import _sealing, _value
from tests.ledger_kit import LedgerKit, build_kit, record_data
from tests.people import made_up_cid
from tests.vault_kit import kept_value, key_database, token_vault

if TYPE_CHECKING:
    from tests.card_stack import SoftHsmToken

ROOT = Path(__file__).resolve().parents[2]
LEDGER = [sys.executable, "-c", "from cli.main import main; main()"]
LIVE = 8
SHARDS = 4


@dataclass
class World:
    """A ledger whose vault was kept per person on the token, then set to the sharded store."""

    per_person: LedgerSettings
    sharded: LedgerSettings
    live: list[Sealing]
    erased: Sealing  # erased before the move
    half: Sealing  # an erasure that stopped after destroying the KEK, before the vault's row


@pytest.fixture(params=["sqlite", "postgres"])
def world(request: pytest.FixtureRequest, softhsm: SoftHsmToken, tmp_path: Path) -> Iterator[World]:
    """The ledger and the key database both in SQLite files, or both on PostgreSQL (each a
    database of its own)."""
    postgres = request.param == "postgres"
    with key_database(postgres, tmp_path) as key_db:
        if not postgres:
            yield _world(softhsm, f"sqlite:///{tmp_path / 'ledger.sqlite'}", key_db)
            return
        url: str = request.getfixturevalue("postgres_url")
        yield _world(softhsm, url, key_db)


def _world(token: SoftHsmToken, database_url: str, key_db: str) -> World:
    per_person = LedgerSettings(
        database_url=database_url, name=f"m{uuid.uuid4().hex[:8]}", **token_vault(token)
    )
    people = [_sealing(str(uuid.uuid4()), "cid", made_up_cid(700 + n)) for n in range(LIVE + 2)]
    ledger = Ledger(per_person)
    try:
        build_kit(ledger)
        vault = ledger.vault
        assert isinstance(vault, Vault)
        vault.store(people)
        assert vault.erase(people[-2].subject)
        assert TokenKeyStore.destroy(vault.parts()[0], people[-1].subject)  # type: ignore[arg-type]
    finally:
        ledger.close()
    sharded = per_person.model_copy(update=token_vault(token, key_db, shards=SHARDS))
    return World(per_person, sharded, people[:LIVE], people[-2], people[-1])


def _vault(world: World) -> Vault:
    vault = open_vault(world.sharded)
    assert vault is not None
    return vault


def _state(world: World) -> dict[str, Any]:
    """What the vault's and the key database's rows and the token say of each person."""
    vault = _vault(world)
    try:
        keys = vault.parts()[0]
        assert isinstance(keys, ShardedTokenKeyStore)
        with vault.parts()[1].transaction(write=False) as cursor:
            cursor.execute(f"SELECT subject, wrapped FROM {vault.keys_table}")
            rows = {str(row[0]): bytes(row[1]) for row in cursor.fetchall()}
        with keys._db.transaction(write=False) as cursor:
            cursor.execute("SELECT subject FROM vault_key_wraps")
            wraps = [str(row[0]) for row in cursor.fetchall()]
        keks = keys.per_person_keks()
        readable = {}
        for person in [*world.live, world.erased, world.half]:
            try:
                readable[person.subject] = _value(vault, person)
            except ErasedError:
                readable[person.subject] = None
    finally:
        vault.close()
    everyone = [*world.live, world.erased, world.half]
    return {
        "rows": {p.subject: rows.get(p.subject) for p in everyone},
        "wraps": {p.subject: wraps.count(key_name(p.subject)) for p in everyone},
        "keks": {p.subject: len(keks.get(key_name(p.subject), [])) for p in everyone},
        "readable": readable,
    }


def _readable_and_once(world: World, state: dict[str, Any]) -> None:
    """Every live person reads their value, the erased ones nothing; nobody has two rows in
    the key database, and only a person the vault still reads per person keeps their KEK."""
    values = {p.subject: p.fields["cid"][1].value for p in world.live}
    assert values | {world.erased.subject: None, world.half.subject: None} == state["readable"]
    assert all(count <= 1 for count in state["wraps"].values())
    assert (0, 0) == (state["wraps"][world.erased.subject], state["wraps"][world.half.subject])
    assert 0 == state["keks"][world.erased.subject] + state["keks"][world.half.subject]


def _moved(world: World, state: dict[str, Any]) -> None:
    """The move finished: every live person's vault row is their moved reference, with one row
    in the key database and no KEK of their own on the token; the erased ones are untouched."""
    _readable_and_once(world, state)
    for person in world.live:
        name = key_name(person.subject)
        assert REFERENCE + moved_ref(name).encode() == state["rows"][person.subject]
        assert (1, 0) == (state["wraps"][person.subject], state["keks"][person.subject])
    assert state["rows"][world.erased.subject] is None
    assert not state["rows"][world.half.subject].startswith(REFERENCE)


def test_everyone_live_moves_once_and_the_erased_stay_erased(world: World) -> None:
    """Before: everyone live reads through their KEK; the move moves them all, leaves the erased
    and the half-erased (whose KEK no longer opens their key) as they are; run again, it moves
    nobody and finds them all in the shards."""
    before = _state(world)
    _readable_and_once(world, before)
    assert all(count == 1 for s, count in before["keks"].items() if before["readable"][s])

    vault = _vault(world)
    try:
        first = move_to_shards(vault, batch=3)
        again = move_to_shards(vault, batch=3)
    finally:
        vault.close()

    assert (LIVE, 0, 1, 0, 0) == (
        first.moved, first.already, first.unreadable, first.erased, first.leftover
    )  # fmt: skip
    assert (0, LIVE, 1, 0, 0) == (
        again.moved, again.already, again.unreadable, again.erased, again.leftover
    )  # fmt: skip
    _moved(world, _state(world))


KILL_SCRIPT = """
import os, signal, sys
import ledger.vault_moves as moves
from ledger.settings import LedgerSettings
from ledger.vault import open_vault
from ledger.vault_shards import ShardedTokenKeyStore

owner, attribute, after = sys.argv[1], sys.argv[2], int(sys.argv[3])
target = ShardedTokenKeyStore if owner == "store" else moves
original, calls = getattr(target, attribute), []

def cut(*args, **kwargs):
    result = original(*args, **kwargs)
    calls.append(1)
    if len(calls) == after:
        os.kill(os.getpid(), signal.SIGKILL)
    return result

setattr(target, attribute, cut)
moves.move_to_shards(open_vault(LedgerSettings()), batch=3)
"""

KILLS = {
    "after the key database kept batch 2": ("moves", "_keep", 2),
    "after the vault took batch 2": ("moves", "_take", 2),
    "in the middle of batch 2's KEKs": ("store", "destroy_per_person", 4),
    "between batches 2 and 3": ("moves", "_move", 2),
}


def _environment(settings: LedgerSettings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEDGER_")}
    env |= {"PYTHONPATH": str(ROOT), "LEDGER_DATABASE_URL": settings.database_url}
    env |= {"LEDGER_NAME": settings.name, "LEDGER_VAULT_KEY_DB": str(settings.vault_key_db)}
    env |= {"LEDGER_VAULT_KEY_SHARDS": str(settings.vault_key_shards)}
    env |= {"LEDGER_VAULT_PKCS11_MODULE": str(settings.vault_pkcs11_module)}
    env |= {"LEDGER_VAULT_TOKEN_LABEL": str(settings.vault_token_label)}
    return env | {"LEDGER_VAULT_TOKEN_PIN": str(settings.vault_token_pin)}


def _cli(settings: LedgerSettings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*LEDGER, "vault", "move-to-shards", *args],
        env=_environment(settings),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("kill", list(KILLS))
def test_a_move_killed_midway_leaves_everyone_readable_and_the_next_run_finishes(
    world: World, kill: str
) -> None:
    """A move killed (SIGKILL, a process of its own) at each step of a batch: everyone live
    still reads, nobody has two rows, the erased read nothing; ``ledger vault move-to-shards``
    then finishes the move, printing counts only (no record, no person, no value)."""
    owner, attribute, after = KILLS[kill]
    killed = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, owner, attribute, str(after)],
        env=_environment(world.sharded),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert -signal.SIGKILL == killed.returncode, killed.stderr

    cut = _state(world)
    _readable_and_once(world, cut)
    in_shards = [p for p in world.live if cut["rows"][p.subject].startswith(REFERENCE)]
    assert 0 < len(in_shards) < LIVE
    finished = _cli(world.sharded)

    assert 0 == finished.returncode, finished.stderr
    _moved(world, _state(world))
    printed = finished.stdout + finished.stderr
    assert f"already there: {len(in_shards)}" in printed
    assert f"moved into the shards: {LIVE - len(in_shards)}" in printed
    assert "ย้ายกุญแจเข้าชาร์ดแล้ว" in printed
    people = [*world.live, world.erased, world.half]
    shown = [p.subject for p in people if p.subject in printed]
    shown += [str(p.fields["cid"][1].value) for p in people if p.fields["cid"][1].value in printed]
    assert [] == shown


def test_a_person_erased_while_being_moved_stays_erased(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two erasures racing the move: one destroys the person's KEK and looks at the shards
    before the move keeps the person there, and deletes the vault's row only after the move
    took it; the other runs whole between the key database's write and the vault's. Neither
    leaves the person a row in the key database, nor a KEK; the others move."""
    early, late = world.live[0], world.live[1]
    vault = _vault(world)
    keep = moves._keep

    def racing(keys: ShardedTokenKeyStore, data_keys: dict[str, bytes]) -> dict[str, bytes]:
        if early.subject in data_keys:
            keys.destroy(early.subject)  # the erasure's KEK and its look at the shards
        kept = keep(keys, data_keys)
        if late.subject in data_keys:
            vault.erase(late.subject)
        return kept

    monkeypatch.setattr(moves, "_keep", racing)
    try:
        done = move_to_shards(vault, batch=3)
        vault.erase(early.subject)  # the first erasure deletes the vault's row at last
    finally:
        vault.close()

    state = _state(world)
    assert (LIVE - 2, 2) == (done.moved, done.erased)
    for person in (early, late):
        assert (None, None, 0, 0) == (
            state["readable"][person.subject], state["rows"][person.subject],
            state["wraps"][person.subject], state["keks"][person.subject],
        )  # fmt: skip
    for person in world.live[2:]:
        assert person.fields["cid"][1].value == state["readable"][person.subject]
        assert (1, 0) == (state["wraps"][person.subject], state["keks"][person.subject])


def test_a_ledger_serving_through_the_move_writes_and_reads_on(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """A ledger process on the sharded store, running while the move runs, has kept a person's
    data key with its per-person wrapped form from a write; after the move its next write for
    the person finds the vault's row changed, is decided again with the moved key, and every
    value reads, the first (kept per person) and the last (after the move)."""
    per_person = LedgerSettings(
        database_url=f"sqlite:///{tmp_path / 'ledger.sqlite'}", name="serving",
        **token_vault(softhsm),
    )  # fmt: skip
    ledger = Ledger(per_person)
    kit = build_kit(ledger)
    stream = uuid.uuid4()
    kit.emit_v2(kit.hr, stream, "RecordOpened", record_data(cid=made_up_cid(801)))
    ledger.close()
    sharded = per_person.model_copy(update=token_vault(softhsm, tmp_path / "k.sqlite"))
    serving = Ledger(sharded)
    try:
        kit = LedgerKit(serving, kit.system, kit.admin, kit.hr, kit.other_hr, v2=True)
        kit.emit_v2(kit.hr, stream, "AddressChanged", {"address": "ก่อนย้าย"})
        vault = serving.vault
        assert isinstance(vault, Vault)
        kept = vault._kept.of([str(stream)])  # the write kept the per-person wrapped key
        assert not kept[str(stream)][0].startswith(REFERENCE)
        mover = open_vault(sharded)  # the move: a process of its own in production
        assert mover is not None
        try:
            done = move_to_shards(mover)
        finally:
            mover.close()
        kit.emit_v2(kit.hr, stream, "AddressChanged", {"address": "หลังย้าย"})

        assert 1 == done.moved
        assert made_up_cid(801) == kept_value(vault, serving, stream, "RecordOpened", "cid")
        assert "หลังย้าย" == kept_value(vault, serving, stream, "AddressChanged", "address")
        assert vault._kept.of([str(stream)])[str(stream)][0].startswith(REFERENCE)
    finally:
        serving.close()


def test_one_move_at_a_time(world: World) -> None:
    """A second move while one holds the key database's lock is refused by
    ``vault.move_running``, moving nobody."""
    vault = _vault(world)
    keys = vault.parts()[0]
    assert isinstance(keys, ShardedTokenKeyStore)
    try:
        with moves._alone(keys.key_db), pytest.raises(VaultMoveError) as refused:
            move_to_shards(vault)
    finally:
        vault.close()

    assert [MOVE_RUNNING] == [violation.rule for violation in refused.value.violations]
    state = _state(world)
    _readable_and_once(world, state)
    assert not any(row.startswith(REFERENCE) for row in state["rows"].values() if row)


def test_a_copy_of_the_vault_taken_before_the_move_still_reads(
    softhsm: SoftHsmToken, tmp_path: Path
) -> None:
    """A copy of the ledger's database taken before the move holds per-person wrapped keys
    whose KEKs the move destroyed: it reads the moved people from the rows they were moved to,
    and not a person erased after the move, nor one erased before it."""
    world = _world(softhsm, f"sqlite:///{tmp_path / 'ledger.sqlite'}", str(tmp_path / "k.sqlite"))
    shutil.copy(tmp_path / "ledger.sqlite", tmp_path / "backup.sqlite")
    vault = _vault(world)
    try:
        move_to_shards(vault)
        assert vault.erase(world.live[0].subject)
    finally:
        vault.close()
    with sqlite3.connect(tmp_path / "backup.sqlite") as backup:
        wrapped = [bytes(r[0]) for r in backup.execute(f"SELECT wrapped FROM {world.sharded.name}"
                                                        "_vault_keys")]  # fmt: skip
    assert not any(row.startswith(REFERENCE) for row in wrapped)

    restored = world.sharded.model_copy(
        update={"database_url": f"sqlite:///{tmp_path / 'backup.sqlite'}"}
    )
    vault = open_vault(restored)
    assert vault is not None
    try:
        for person in [world.live[0], world.erased, world.half]:
            with pytest.raises(ErasedError):
                _value(vault, person)
        for person in world.live[1:]:
            assert person.fields["cid"][1].value == _value(vault, person)
    finally:
        vault.close()


def test_the_command_refuses_a_vault_without_the_sharded_store(world: World) -> None:
    """Run with the per-person token alone (no LEDGER_VAULT_KEY_DB), the command exits 1 by
    ``vault.move_needs_shards``, in Thai and English, moving nobody."""
    env = _environment(world.sharded)
    env.pop("LEDGER_VAULT_KEY_DB")
    refused = subprocess.run(
        [*LEDGER, "vault", "move-to-shards"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert 1 == refused.returncode
    assert "vault.move_needs_shards" in refused.stderr
    assert "โทเค็นแบบชาร์ด" in refused.stderr
    assert "sharded token store" in refused.stderr
    _readable_and_once(world, _state(world))
