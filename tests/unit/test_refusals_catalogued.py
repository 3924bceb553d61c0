"""Every refusal of the domain names a rule of the catalogue and a field (docs/rules.md).

A rule broken in ``ledger.domain`` is raised with ``broken(event, RULE, "data.field", ...)``:
the HR officer reads its Thai message and a client acts on its id. The older way, an
``InvalidDataError`` built from English text alone, reached users as the generic
``data.invalid`` with English inside the Thai message; nothing in the domain builds one so.
"""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "ledger" / "domain"


def _text_refusals(path: Path) -> list[str]:
    """Where ``path`` calls ``invalid(...)`` or builds an ``InvalidDataError`` from text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        from_text = name == "InvalidDataError" and (
            len(node.args) > 1 or any(keyword.arg == "problems" for keyword in node.keywords)
        )
        if name == "invalid" or from_text:
            found.append(f"{path.name}:{node.lineno}: {name}(...)")
    return found


def test_no_domain_refusal_is_plain_english_text() -> None:
    """No module of ``ledger.domain`` refuses with uncatalogued English text."""
    found = [hit for path in sorted(DOMAIN.glob("*.py")) for hit in _text_refusals(path)]

    assert [] == found


def test_the_text_only_helper_is_gone() -> None:
    """``ledger.domain.base`` offers ``broken`` (a rule and a field), not ``invalid`` (text)."""
    from ledger.domain import base

    assert hasattr(base, "broken")
    assert not hasattr(base, "invalid")
