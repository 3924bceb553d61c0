"""The transcribed Tak e-Plan table agrees with the seed letter's own totals and quirks."""

from __future__ import annotations

from collections import Counter

from cli.demo.data import tak_eplan_rows

ROWS = tak_eplan_rows()


def _total(values: list[int | None]) -> int:
    return sum(value for value in values if value is not None)


def test_totals_match_the_footer() -> None:
    """Recomputed totals equal the footer: 61, 430, 9,905 / 8,401 / 8,933, 33, 638, 0, 0, 0."""
    totals = (
        sum(row.vision_done for row in ROWS),
        _total([row.strategies for row in ROWS]),
        _total([row.plan_projects[2560] for row in ROWS]),
        _total([row.plan_projects[2561] for row in ROWS]),
        _total([row.plan_projects[2562] for row in ROWS]),
        sum(row.plan_approved for row in ROWS),
        _total([row.budget_approved for row in ROWS]),
        _total([row.contracts_signed for row in ROWS]),
        _total([row.disbursed for row in ROWS]),
        _total([row.completed for row in ROWS]),
    )

    assert (61, 430, 9905, 8401, 8933, 33, 638, 0, 0, 0) == totals


def test_lao_types_match_the_province() -> None:
    """Tak has 1 PAO, 1 city, 1 town, 17 subdistrict municipalities and 49 SAOs."""
    kinds = Counter(row.lao_type for row in ROWS)

    assert {"pao": 1, "city": 1, "town": 1, "subdistrict": 17, "sao": 49} == dict(kinds)
    assert list(range(1, 70)) == [row.no for row in ROWS]


def test_blank_is_not_zero() -> None:
    """Seven LAOs reported no plan counts at all (blank), while nine reported budget stages."""
    no_counts = [row.no for row in ROWS if all(v is None for v in row.plan_projects.values())]
    reported_budget = [row.no for row in ROWS if row.budget_approved is not None]

    assert [28, 35, 38, 41, 44, 50, 64] == no_counts
    assert 9 == len(reported_budget)
    assert all(ROWS[n - 1].contracts_signed == 0 for n in reported_budget)


def test_plan_approvals_and_dates() -> None:
    """32 approvals are dated between 14/03/2559 and 30/09/2559; one says done with no date."""
    dated = [row.plan_approved_on for row in ROWS if row.plan_approved_on is not None]
    undated = [row.no for row in ROWS if row.plan_approved and row.plan_approved_on is None]

    assert 32 == len(dated)
    assert "2016-03-14" == min(dated).isoformat()
    assert "2016-09-30" == max(dated).isoformat()
    assert [56] == undated


def test_ocr_errors_are_corrected() -> None:
    """No row keeps the OCR misreadings ดาก or อัมผาง/อัมพาง; the wrapped row 27 is whole."""
    labels = [row.label for row in ROWS]

    assert not [label for label in labels if "ดาก" in label or "อัม" in label]
    assert "อบต.ตากออก (อ.บ้านตาก)" == labels[26]
    assert "เทศบาลตำบลอุ้มผาง (อ.อุ้มผาง)" == labels[11]


def test_tambon_names_are_spelled_as_tak_spells_them() -> None:
    """The OCR misread three tambon names; a Tak officer reads ขะเนจื้อ, ตลุกกลางทุ่ง, วาเล่ย์."""
    labels = {row.no: row.label for row in ROWS}

    assert "อบต.ขะเนจื้อ (อ.แม่ระมาด)" == labels[21]
    assert "อบต.ตลุกกลางทุ่ง (อ.เมืองตาก)" == labels[25]
    assert "อบต.วาเล่ย์ (อ.พบพระ)" == labels[48]


def test_budget_never_exceeds_first_plan_year() -> None:
    """In every filled row, budget-approved projects do not exceed the 2560 plan projects."""
    for row in ROWS:
        if row.budget_approved is not None:
            assert row.budget_approved <= (row.plan_projects[2560] or 0)
