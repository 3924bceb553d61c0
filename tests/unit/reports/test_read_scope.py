"""ReadScope.within: a caller's enrolment scope narrowed by what it asks for, never widened."""

from __future__ import annotations

import pytest

from ledger.domain.permissions import NATIONAL, Scope, province_scope
from ledger.errors import ForbiddenError
from projections.reports.scope import EVERYWHERE, ReadScope

LAO_CALLER = Scope(level="lao", province="ตาก", lao="6630101")


def test_a_national_caller_asking_nothing_reads_everywhere() -> None:
    """A national scope, not narrowed, covers every LAO of every province."""
    assert EVERYWHERE == ReadScope.within(NATIONAL)


def test_a_provincial_caller_may_narrow_to_an_lao() -> None:
    """A provincial caller narrowing by LAO keeps its own province."""
    assert ReadScope(lao="6630102", province="ตาก") == ReadScope.within(
        province_scope("ตาก"), lao="6630102"
    )


def test_a_provincial_caller_asking_another_province_is_refused() -> None:
    """Another province is outside a provincial scope: ForbiddenError, not an empty answer."""
    with pytest.raises(ForbiddenError):
        ReadScope.within(province_scope("ตาก"), province="นครพนม")


def test_an_lao_caller_reads_its_own_lao() -> None:
    """An LAO's caller asking nothing is confined to its LAO and province."""
    assert ReadScope(lao="6630101", province="ตาก") == ReadScope.within(LAO_CALLER)


def test_an_lao_caller_asking_another_lao_is_refused() -> None:
    """Another LAO is outside an LAO's scope."""
    with pytest.raises(ForbiddenError):
        ReadScope.within(LAO_CALLER, lao="6630102")
