"""A small accessibility check of a page's HTML: Thai language, one main landmark, and a label
for every input (axe-core runs in the browser tests; this catches the basics in unit tests)."""

from __future__ import annotations

from html.parser import HTMLParser

LABELLED = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.mains = 0
        self.fields: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "main":
            self.mains += 1
        elif tag == "label" and found.get("for"):
            self.label_for.add(str(found["for"]))
        elif tag in LABELLED and found.get("type") not in UNLABELLED_TYPES:
            self.fields.append(found)


def page_problems(html: str, lang: str = "th") -> list[str]:
    """What the page lacks: its language, its main landmark, labels of its fields."""
    page = _Page()
    page.feed(html)
    problems = []
    if page.lang != lang:
        problems.append(f"html lang is {page.lang!r}")
    if page.mains != 1:
        problems.append(f"{page.mains} main elements")
    for field in page.fields:
        if field.get("id") not in page.label_for and not field.get("aria-label"):
            problems.append(f"no label for {field.get('name') or field}")
    return problems
