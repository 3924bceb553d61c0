"""Every refusal of the ledger names a rule of the catalogue and a field (docs/rules.md).

A rule broken in ``ledger.domain`` is raised with ``broken(event, RULE, "data.field", ...)``,
one of the gate's own (``ledger.admission``) with ``refused(type, RULE, "stream", ...)``: the
HR officer reads its Thai message and a client acts on its id. The older way, an
``InvalidDataError`` built from English text alone, reached users as the generic
``data.invalid`` with English inside the Thai message; nothing in ``ledger`` builds one so (a
model's errors go with their violations, ``model_violations``).
"""

from __future__ import annotations

import ast
from pathlib import Path

LEDGER = Path(__file__).resolve().parents[2] / "ledger"


def _text_refusals(path: Path) -> list[str]:
    """Where ``path`` calls ``invalid(...)`` or builds an ``InvalidDataError`` from text."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        keywords = {keyword.arg for keyword in node.keywords}
        has_text = len(node.args) > 1 or "problems" in keywords
        has_rules = len(node.args) > 2 or "violations" in keywords
        from_text = name == "InvalidDataError" and has_text and not has_rules
        if name == "invalid" or from_text:
            found.append(f"{path.relative_to(LEDGER)}:{node.lineno}: {name}(...)")
    return found


def test_no_refusal_is_plain_english_text() -> None:
    """No module of ``ledger`` refuses with uncatalogued English text."""
    found = [hit for path in sorted(LEDGER.rglob("*.py")) for hit in _text_refusals(path)]

    assert [] == found


def test_the_text_only_helper_is_gone() -> None:
    """``ledger.domain.base`` offers ``broken`` (a rule and a field), not ``invalid`` (text)."""
    from ledger.domain import base

    assert hasattr(base, "broken")
    assert not hasattr(base, "invalid")
