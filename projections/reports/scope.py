"""The part of the country a report reads: an LAO, a province, or everything.

``ReadScope`` narrows every report of ``projections.reports.facade.Reports``. The edges build it
from who asks: ``ReadScope.within(scope, lao=..., province=...)`` confines a caller whose
enrolment scope is an LAO or a province to it, and refuses a narrowing outside it
(``ForbiddenError``, never an empty answer); the command line, run by the ledger's operator,
reads ``EVERYWHERE``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.domain.permissions import Scope
from ledger.errors import ForbiddenError


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The LAO and province a read is confined to (None: not narrowed on that level)."""

    lao: str | None = None
    province: str | None = None

    @classmethod
    def within(
        cls, scope: Scope, *, lao: str | None = None, province: str | None = None
    ) -> ReadScope:
        """A caller's scope, narrowed by what it asks for. A national caller sees everything
        (and may narrow by province or LAO); a provincial caller its province's LAOs; an LAO's
        caller its own LAO. Asking outside the scope raises ``ForbiddenError``."""
        if scope.level == "lao":
            if (lao is not None and lao != scope.lao) or (
                province is not None and province != scope.province
            ):
                raise _outside(scope, lao, province)
            return cls(lao=scope.lao, province=scope.province)
        if scope.level == "province":
            if province is not None and province != scope.province:
                raise _outside(scope, lao, province)
            return cls(lao=lao, province=scope.province)
        return cls(lao=lao, province=province)


EVERYWHERE = ReadScope()
"""Not narrowed: every LAO of every province."""


def _outside(scope: Scope, lao: str | None, province: str | None) -> ForbiddenError:
    asked = " ".join(part for part in (province, lao) if part) or "everything"
    return ForbiddenError("read", f"the caller's scope ({scope.describe()}) does not cover {asked}")
