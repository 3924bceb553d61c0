"""Query parameters a route does not take are refused, not ignored.

``/registry?cid=...`` used to answer the whole registry: the unknown ``cid`` was dropped and the
caller took the answer for a search. A router that adds ``KNOWN_QUERY`` to its dependencies
answers 400 with the rule ``query.unknown_parameter`` instead, naming the parameter and the ones
the route takes (read from the route's own dependencies, so the list never goes stale).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant

from ledger.domain.search import QueryError
from ledger.violations import Violation, rule

UNKNOWN_PARAMETER = rule(
    "query.unknown_parameter",
    "ไม่รู้จักพารามิเตอร์ {name} (ที่ใช้ได้: {known})",
    "{name} is not a parameter of this endpoint (it takes: {known})",
)


def _query_names(dependant: Dependant) -> Iterator[str]:
    """The query parameters of a route and of every dependency it has."""
    for field in dependant.query_params:
        yield field.alias
    for dependency in dependant.dependencies:
        yield from _query_names(dependency)


def reject_unknown_query(request: Request) -> None:
    """``QueryError`` (400, ``query.unknown_parameter``) for the first query parameter
    the matched route does not take."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    known = set(_query_names(dependant))
    for name in request.query_params:
        if name not in known:
            details = {"name": name, "known": ", ".join(sorted(known)) or "-"}
            raise QueryError(Violation(UNKNOWN_PARAMETER, f"query.{name}", details))


KNOWN_QUERY = Depends(reject_unknown_query)
"""Add to a router's ``dependencies``: its routes refuse query parameters they do not take."""

__all__ = ["KNOWN_QUERY", "UNKNOWN_PARAMETER", "reject_unknown_query"]
