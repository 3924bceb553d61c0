"""The auditor tools' errors: one base, specific subclasses carrying the fields that explain them.

A failed verification is not an error: it is a report with failures (``replay.verify``). These
are for what stops a tool from working at all: an unreadable bundle, a database that cannot be
read, a record that does not exist.
"""

from __future__ import annotations


class ReplayError(Exception):
    """Base of every error the auditor tools raise on purpose."""


class SourceError(ReplayError):
    """The ledger's database cannot be read (unreachable, or not a ledger)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"cannot read the ledger: {problem}")
        self.problem = problem


class BundleError(ReplayError):
    """An audit bundle that cannot even be read (not a bundle, or cut short)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"not a readable audit bundle: {problem}")
        self.problem = problem


class ScopeError(ReplayError):
    """An export or replay scope that names nothing (an unknown record, an empty LAO)."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
