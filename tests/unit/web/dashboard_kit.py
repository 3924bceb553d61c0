"""Reading a dashboard page in tests: its charts as XML and its data tables as rows of text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from projections.reports.facade import Reports

SVG = "{http://www.w3.org/2000/svg}"


def charts(html: str) -> dict[str, ET.Element]:
    """Every chart of the page by its id, parsed as XML (a chart that is not well-formed fails)."""
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", html, flags=re.S):
        svg = ET.fromstring(text)  # noqa: S314 (the app's own page, read in a test)
        found[svg.attrib["id"]] = svg
    return found


def title_of(svg: ET.Element) -> str:
    """The chart's accessible name: the text of the title its aria-labelledby names first."""
    first = svg.attrib["aria-labelledby"].split()[0]
    title = svg.find(f"{SVG}title")
    assert title is not None
    assert title.attrib["id"] == first
    return title.text or ""


def shapes(svg: ET.Element, css_class: str) -> list[ET.Element]:
    return [node for node in svg.iter() if node.attrib.get("class") == css_class]


def target_share(svg: ET.Element) -> float:
    """Where the target line stands on the axis, in the axis's own units (0..data-max)."""
    (axis,) = shapes(svg, "axis")
    (target,) = shapes(svg, "target-line")
    left, right = float(axis.attrib["x1"]), float(axis.attrib["x2"])
    share = (float(target.attrib["x1"]) - left) / (right - left)
    return round(share * float(axis.attrib["data-max"]), 6)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: list[list[str]] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.current = self.tables.setdefault(str(dict(attrs).get("id")), [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("td", "th") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.current is not None and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every table of the page by id: its rows (the heading row first) as cell texts."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def app_reports(client: TestClient) -> Reports:
    """The reports the app draws from (to compare a page with the facade's numbers)."""
    reports: Reports = client.app.state.reports  # type: ignore[attr-defined]
    reports.refresh()
    return reports


def values(svg: ET.Element, css_class: str) -> dict[str, float]:
    """Each bar, segment or column of the chart: its label and its value."""
    return {
        node.attrib["data-label"]: float(node.attrib["data-value"])
        for node in shapes(svg, css_class)
    }
