"""Paging the signed log: ``?after=N&limit=M``, with a refusal that names its rule.

A page is a window of log positions (``projections.signed_log``). Its size is capped so one
request costs a bounded read; a size or position out of range is refused 400 with the rule
``page.out_of_range`` (Thai and English), never silently clamped: a client that asked for
5,000 events and got 1,000 would think it had reached the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from ledger.errors import LedgerError
from ledger.violations import Violation, rule

MAX_PAGE = 1000
"""The most log positions one request examines."""

DEFAULT_PAGE = 100

MAX_POSITION = 2**63 - 1
"""The largest integer the databases store (SQLite's INTEGER, PostgreSQL's bigint): a log
position, tree size or page beyond it is refused 400, not sent to the database to overflow."""

OUT_OF_RANGE = rule(
    "page.out_of_range",
    "{name} ต้องอยู่ระหว่าง {low} ถึง {high}",
    "{name} must be between {low} and {high}",
)


class PageRangeError(LedgerError):
    """``after`` or ``limit`` outside what a page may be."""

    def __init__(self, name: str, low: int, high: int) -> None:
        super().__init__(f"{name} must be between {low} and {high}")
        self.violations = [
            Violation(
                OUT_OF_RANGE, f"query.{name}", {"name": name, "low": str(low), "high": str(high)}
            )
        ]


@dataclass(frozen=True, slots=True)
class Page:
    """The log positions after ``after``, at most ``limit`` of them."""

    after: int
    limit: int


def log_page(
    after: Annotated[int, Query(description="Answer the positions after this one")] = 0,
    limit: Annotated[
        int, Query(description=f"Examine at most this many positions (1 to {MAX_PAGE})")
    ] = DEFAULT_PAGE,
) -> Page:
    """The page a request asks for, or ``PageRangeError``."""
    if not 0 <= after <= MAX_POSITION:
        raise PageRangeError("after", 0, MAX_POSITION)
    if not 1 <= limit <= MAX_PAGE:
        raise PageRangeError("limit", 1, MAX_PAGE)
    return Page(after=after, limit=limit)


PageDep = Annotated[Page, Depends(log_page)]

__all__ = [
    "MAX_PAGE",
    "MAX_POSITION",
    "OUT_OF_RANGE",
    "Page",
    "PageDep",
    "PageRangeError",
    "log_page",
]
