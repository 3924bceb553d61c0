"""Reading every row of every view, to compare two builds of the views."""

from __future__ import annotations

from typing import Any

from projections.views.catalogue import Projections


def snapshot(projections: Projections) -> dict[str, list[tuple[Any, ...]]]:
    """Every view table's rows, sorted: equal snapshots mean equal views."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with projections.read() as cursor:
        for view in projections.runner.views:
            for short, table in projections.tables(view.name).items():
                cursor.execute(f"SELECT * FROM {table}")
                found[f"{view.name}.{short}"] = sorted(
                    (tuple(row) for row in cursor.fetchall()), key=repr
                )
    return found
