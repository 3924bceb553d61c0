"""The house rules a newcomer relies on (docs/architecture.md): small modules, small functions.

Every module of the packages stays under 500 lines and every function body under 60 (the body
is counted from the first statement after the docstring, so Typer option declarations in a
signature do not count). The few exceptions are listed with their reason; the list only shrinks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "projections", "replay", "api", "card", "cli", "web", "agent")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60

EXCEPTIONS: dict[str, str] = {
    "cli/demo/loader.py:_staff": "the demo's data table: one literal row per made-up person",
}


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    body = node.body
    first = body[0]
    is_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    start = body[1].lineno if is_docstring and len(body) > 1 else first.lineno
    end = node.end_lineno or node.lineno
    return end - start + 1


def test_modules_stay_under_500_lines() -> None:
    """No module of the packages has more than 500 lines."""
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := path.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES
        and str(path.relative_to(ROOT)) not in EXCEPTIONS
    }

    assert {} == too_long


@pytest.mark.parametrize("package", PACKAGES)
def test_function_bodies_stay_under_60_lines(package: str) -> None:
    """No function body of the package has more than 60 lines, but for the listed exceptions."""
    too_long = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                key = f"{path.relative_to(ROOT)}:{node.name}"
                lines = _body_lines(node)
                if lines > MAX_FUNCTION_LINES and key not in EXCEPTIONS:
                    too_long[key] = lines

    assert {} == too_long


SMALL_ROOMS = {"virtual", "routes", "data"}
"""Folders that belong to the room around them (card's virtual cards, the API's routes, the
demo's data): the README names the room, not each of these."""


def _where_things_are() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Where things are")
    return readme[start : readme.index("\n## ", start + 1)]


def test_the_readme_table_names_every_room() -> None:
    """README's "Where things are" names every package and every room inside them."""
    table = _where_things_are()
    packages = [ROOT / package for package in PACKAGES if (ROOT / package).is_dir()]
    rooms = [
        f"{path.relative_to(ROOT)}/"
        for package in packages
        for path in [package, *package.iterdir()]
        if (path / "__init__.py").exists() and path.name not in SMALL_ROOMS
    ]

    assert [] == [room for room in rooms if f"`{room}`" not in table]


def test_the_readme_table_links_what_exists() -> None:
    """Every link in the table points at a file or folder of the repository, docs/ included."""
    links = re.findall(r"\]\(([^)#]+)\)", _where_things_are())

    assert "docs/architecture.md" in links
    assert [] == [link for link in links if not (ROOT / link).exists()]
