"""A ledger world built once per test module and copied for each test.

Building the projection world (two provinces of records, positions, e-Plan, budgets) signs
hundreds of statements and takes a second or two on a quiet machine, several on a busy one; a
module of page tests that each start from the same world builds it once into an SQLite file
(``build_world_file``), and each test's ``settings`` copies that file to where the test's ledger
opens (``copy_into``) and gets the world pointed at its own ledger (``world_on``): each test still
writes only to its own copy.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from tests.demo_template import copy_sqlite
from tests.ledger_kit import build_kit
from tests.projection_world import ProjectionWorld, build_projection_world
from tests.unit.web.web_kit import ORIGIN, SESSION_SECRET


@dataclass(frozen=True)
class WorldFile:
    """A world as built: its SQLite file, what the world knows, and the kit's next seed."""

    database: Path
    world: ProjectionWorld
    next_seed: int


def build_world_file(
    folder: Path, build: Callable[[ProjectionWorld], object] | None = None
) -> WorldFile:
    """The projection world built into ``folder``/web.sqlite (then ``build`` on it, if given),
    with the settings of the page tests' ``settings`` fixture."""
    database = folder / "web.sqlite"
    ledger = Ledger(
        LedgerSettings(
            database_url=f"sqlite:///{database}", session_secret=SESSION_SECRET, web_origin=ORIGIN
        )
    )
    try:
        world = build_projection_world(build_kit(ledger))
        if build is not None:
            build(world)
        next_seed = next(world.kit.seeds)
    finally:
        ledger.close()
    return WorldFile(database, world, next_seed)


def copy_into(built: WorldFile, settings: LedgerSettings) -> LedgerSettings:
    """Copy the built world's SQLite file (its side files, its vault's key files) to
    ``settings``' SQLite database."""
    copy_sqlite(built.database, Path(settings.database_url.removeprefix("sqlite:///")))
    return settings


def world_on(built: WorldFile, ledger: Ledger) -> ProjectionWorld:
    """The built world as seen through ``ledger`` (a copy of its file): the same operators,
    records and versions, new statements signed onto that copy only."""
    world = built.world
    kit = replace(world.kit, ledger=ledger, seeds=itertools.count(built.next_seed))
    return replace(
        world,
        kit=kit,
        records=dict(world.records),
        versions=dict(world.versions),
        operators=dict(world.operators),
        plans=dict(world.plans),
        projects=dict(world.projects),
    )
