"""Every refusal the API can give has a Thai title beside its English one (README's promise)."""

from __future__ import annotations

from api import errors


def test_every_problem_kind_has_a_thai_title() -> None:
    kinds = [*errors.PROBLEMS.values()] + [
        value for value in vars(errors).values() if isinstance(value, errors.ProblemKind)
    ]

    untitled = sorted({kind.slug for kind in kinds if not kind.title_th})

    assert len(kinds) > 20
    assert [] == untitled
