"""``ledger record find``: people by citizen ID or name, on both backends."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from tests.ledger_kit import LedgerKit
from tests.projection_world import ProjectionWorld, build_projection_world

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


def _find(world: ProjectionWorld, *query: str, ledger: str = "--name") -> tuple[int, str]:
    settings = world.kit.ledger.settings
    result = runner.invoke(
        app,
        ["record", "find", *query, "--database-url", settings.database_url,
         ledger, settings.name],
    )  # fmt: skip
    return result.exit_code, result.output


def test_find_by_name_prefix_in_thai_order(kit: LedgerKit) -> None:
    """A name's beginning finds the people of the registry, tone marks aside, in Thai order."""
    world = build_projection_world(kit)

    code, output = _find(world, "--person", "ส", "--json")

    assert 0 == code, output
    found = json.loads(output)
    assert ["สอง", "สาม", "สี่"] == [row["first_name"] for row in found["results"]]
    assert found["total"] == 3


def test_find_by_citizen_id_written_in_thai_digits_with_dashes(kit: LedgerKit) -> None:
    world = build_projection_world(kit)
    record = kit.ledger.aggregate(world.records["r1"])
    cid = str(getattr(record, "cid"))  # noqa: B009 - a personnel record's citizen ID
    thai = cid.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    written = f"{thai[0]}-{thai[1:5]}-{thai[5:10]}-{thai[10:12]}-{thai[12]}"

    code, output = _find(world, "--cid", written)

    assert 0 == code, output
    assert "นายหนึ่ง ทดสอบ" in output
    assert str(world.records["r1"]) in output
    assert "พบ 1 คน" in output


def test_a_wrong_check_digit_or_no_criterion_is_one_line(kit: LedgerKit) -> None:
    world = build_projection_world(kit)
    record = kit.ledger.aggregate(world.records["r1"])
    cid = str(getattr(record, "cid"))  # noqa: B009
    wrong = cid[:-1] + str((int(cid[-1]) + 1) % 10)

    bad_code, bad = _find(world, "--cid", wrong)
    none_code, none = _find(world)

    assert (1, 1) == (bad_code, none_code)
    assert "Traceback" not in bad + none
    assert "give --cid or --person" in none
    assert wrong not in bad  # a refused citizen ID is not repeated back


def test_the_ledger_is_named_by_name_as_in_every_command(kit: LedgerKit) -> None:
    """``--name`` names the ledger; the old ``--ledger`` still works, unlisted in the help, and
    with it ``--name`` is the person as before; an old ``--name สม`` alone is told to use
    ``--person``, in Thai and English."""
    world = build_projection_world(kit)

    by_name = _find(world, "--person", "สอง")
    by_old_option = _find(world, "--person", "สอง", ledger="--ledger")
    old_script = _find(world, "--name", "สอง", ledger="--ledger")  # --name was the person
    old_habit = runner.invoke(app, ["record", "find", "--name", "สอง"])
    helped = runner.invoke(app, ["record", "find", "--help"])

    assert (0, 0) == (by_name[0], by_old_option[0]), by_name[1] + by_old_option[1]
    assert "พบ 1 คน" in by_name[1]
    assert by_name[1] == by_old_option[1] == old_script[1]
    assert 1 == old_habit.exit_code
    assert "--name คือชื่อบัญชี" in old_habit.output
    assert "--name names the ledger" in old_habit.output
    assert "--person" in helped.output
    assert "--ledger" not in helped.output
