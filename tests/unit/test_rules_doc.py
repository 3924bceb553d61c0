"""docs/rules.md is the rules catalogue as ``ledger rules --markdown`` prints it."""

from __future__ import annotations

from pathlib import Path

from cli.rules import rules_markdown
from ledger.violations import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_the_catalogue() -> None:
    """A rule added or changed without regenerating docs/rules.md fails here (regenerate with
    `ledger rules --markdown > docs/rules.md`)."""
    assert rules_markdown() == (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_every_rule_is_listed() -> None:
    """Each rule id of the catalogue has its row."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")

    assert [] == [rule_id for rule_id in RULES if f"`{rule_id}`" not in text]
