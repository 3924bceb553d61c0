"""Sweeping every read of the API for a person's values: each GET route of the app's own OpenAPI
document, its path parameters filled with the person's record and LAO, its required query
parameters with values that make it answer, asked as JSON and drawn as CSV and HTML.

``sweep`` answers where any of the watched values shows, in any of the forms a body may hold
it (UTF-8, JSON with non-ASCII escaped), and which routes answered 5xx.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

DRAWN = ("csv", "html")
"""The text formats a report is drawn in (xlsx and PDF are compressed: their cells are the
JSON's and the HTML's)."""


@dataclass
class Swept:
    """What one caller's sweep found."""

    answered: dict[str, int] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)
    """``url: value`` for each value found in an answer."""
    errors: list[str] = field(default_factory=list)
    """URLs answered with a 5xx."""

    def statuses(self, path_part: str) -> set[int]:
        return {status for url, status in self.answered.items() if path_part in url}


def forms(values: Iterable[str]) -> list[str]:
    """Each value as UTF-8 text and as JSON with non-ASCII escaped."""
    found: list[str] = []
    for value in values:
        found += [value, json.dumps(value).strip('"')]
    return sorted(set(found))


def reads(client: TestClient) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every GET route and its parameters, from the app's OpenAPI document."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    return [(path, ops["get"].get("parameters", [])) for path, ops in paths.items() if "get" in ops]


def urls(path: str, params: list[dict[str, Any]], fill: dict[str, str]) -> list[str]:
    """The route with its path and required query parameters filled, as JSON and drawn."""
    filled = re.sub(r"\{(\w+)\}", lambda found: fill.get(found.group(1), "x"), path)
    query = [
        f"{p['name']}={fill.get(p['name'], '1')}"
        for p in params
        if p["in"] == "query" and p.get("required")
    ]
    url = filled + ("?" + "&".join(query) if query else "")
    if not any(p["name"] == "format" for p in params):
        return [url]
    joiner = "&" if "?" in url else "?"
    return [url] + [f"{url}{joiner}format={drawn}" for drawn in DRAWN]


def sweep(
    client: TestClient,
    headers: dict[str, str],
    fill: dict[str, str],
    watched: Iterable[str],
    searches: dict[str, str] | None = None,
) -> Swept:
    """Ask every read as the caller; ``searches``: extra query text per path (a search by name)."""
    swept = Swept()
    marks = forms(watched)
    for path, params in reads(client):
        for url in urls(path, params, fill):
            extra = (searches or {}).get(path)
            asked = url if extra is None else url + ("&" if "?" in url else "?") + extra
            response = client.get(asked, headers=headers)
            swept.answered[asked] = response.status_code
            if response.status_code >= 500:
                swept.errors.append(asked)
            body = response.content.decode("utf-8", "replace")
            swept.shown += [f"{asked}: {mark}" for mark in marks if mark in body]
    return swept


__all__ = ["Swept", "forms", "reads", "sweep", "urls"]
