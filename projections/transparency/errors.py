"""The projections' errors: one base, specific subclasses carrying the fields that explain them.

The HTTP edge maps them in ``api/errors.py``; the CLI prints their messages.
"""

from __future__ import annotations


class ProjectionError(Exception):
    """Base of every error the projections raise on purpose."""


class CheckpointError(ProjectionError):
    """A signed checkpoint (or signed note) that cannot be read or does not verify."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"checkpoint rejected: {problem}")
        self.problem = problem


class CorruptEventError(ProjectionError):
    """A stored event the transparency log refuses to certify (it stops rather than log it)."""

    def __init__(self, notification_id: int, problem: str) -> None:
        super().__init__(f"notification {notification_id} cannot enter the log: {problem}")
        self.notification_id = notification_id
        self.problem = problem


class NoCheckpointError(ProjectionError):
    """The transparency log has signed no checkpoint yet."""

    def __init__(self) -> None:
        super().__init__("the transparency log has no checkpoint yet")


class ProofRangeError(ProjectionError):
    """A proof was asked for a leaf or tree size the log does not have."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"no such proof: {problem}")
        self.problem = problem


class LeafNotFoundError(ProofRangeError):
    """The notification id has no leaf in the log (yet)."""

    def __init__(self, notification_id: int) -> None:
        super().__init__(f"notification {notification_id} is not in the transparency log yet")
        self.notification_id = notification_id


class AwaitingCheckpointError(ProofRangeError):
    """The notification is in the log, but after the latest signed checkpoint: not a failure,
    the next checkpoint will cover it (clients tell this apart by its own problem type)."""

    def __init__(self, notification_id: int, leaf_index: int, tree_size: int) -> None:
        super().__init__(
            f"notification {notification_id} is leaf {leaf_index}, after checkpoint "
            f"{tree_size}: wait for the next checkpoint"
        )
        self.notification_id = notification_id
        self.leaf_index = leaf_index
        self.tree_size = tree_size


class SystemKeyError(ProjectionError):
    """The key given to sign checkpoints is not the ledger's system key (or is missing)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"cannot sign checkpoints: {problem}")
        self.problem = problem
