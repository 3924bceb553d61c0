"""The e-Plan reads of the ``Reports`` facade: plans, projects, subsidies, located projects
(``projections.reports.eplan_reads`` draws them), each in one read of the e-Plan book view."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from uuid import UUID

from projections.reports.eplan_reads import (
    EplanAnswer,
    read_features,
    read_plan,
    read_plans,
    read_project,
    read_projects,
    read_subsidies,
)
from projections.reports.scope import ReadScope
from projections.store import Cursor
from projections.views.eplan_book_queries import EplanBook

Tables = Mapping[str, Mapping[str, str]]


class EplanReports:
    """The e-Plan reads; ``Reports`` supplies the read (one transaction over the views)."""

    def _read(self) -> AbstractContextManager[tuple[Cursor, Tables]]:
        raise NotImplementedError

    @contextmanager
    def _book(self, scope: ReadScope) -> Iterator[EplanBook]:
        with self._read() as (cursor, tables):
            laos = tables["eplan"]["laos"]
            yield EplanBook(cursor, tables["eplan_book"], laos, scope.lao, scope.province)

    def plans(self, scope: ReadScope) -> EplanAnswer:
        """The development plans of the scope's LAOs."""
        with self._book(scope) as book:
            return read_plans(book)

    def plan(self, scope: ReadScope, stream: UUID) -> EplanAnswer:
        """One plan: vision, strategies, projects per year, approvals, amendments
        (``StreamNotFoundError`` outside the scope)."""
        with self._book(scope) as book:
            return read_plan(book, stream)

    def projects(
        self, scope: ReadScope, fiscal_year: int | None = None, page: int = 1, size: int = 50
    ) -> EplanAnswer:
        """A page of projects with their budget, contracts, payments and progress."""
        with self._book(scope) as book:
            return read_projects(book, fiscal_year, page, size)

    def project(self, scope: ReadScope, stream: UUID) -> EplanAnswer:
        """One project with every money line (``StreamNotFoundError`` outside the scope)."""
        with self._book(scope) as book:
            return read_project(book, stream)

    def subsidies(self, scope: ReadScope, fiscal_year: int | None = None) -> EplanAnswer:
        """Subsidy items: allocated, paid, outcome."""
        with self._book(scope) as book:
            return read_subsidies(book, fiscal_year)

    def project_features(self, scope: ReadScope, fiscal_year: int | None = None) -> EplanAnswer:
        """The located projects as a GeoJSON FeatureCollection."""
        with self._book(scope) as book:
            return read_features(book, fiscal_year)
