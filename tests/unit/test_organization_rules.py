"""The rules of an LAO's own stream (DOMAIN.md section 3), each refused naming its rule and
field, with a Thai message that names the LAO codes and types and no English text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from ledger.application import Ledger
from ledger.domain.organizations import organization_stream_id
from ledger.errors import InvalidDataError
from ledger.settings import LedgerSettings
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, first_rule

LAO = NAKHON_PHANOM_LAO
ORG = organization_stream_id(str(LAO.lao))
NEIGHBOUR = "6480102"


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    """A fresh ledger in memory (overrides the root fixture, so ``kit`` uses it)."""
    with Ledger(LedgerSettings(database_url="sqlite:///:memory:")) as fresh:
        yield fresh


def _thai_only(message: str) -> bool:
    """The message is Thai and carries no English words (codes and numbers are fine)."""
    return bool(re.search("[ก-๙]", message)) and not re.search("[A-Za-z]{4,}", message)


def _refused(kit: LedgerKit, event: str, data: dict[str, object]) -> tuple[str, str, str]:
    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.admin, ORG, event, data)
    return (*first_rule(refused), refused.value.violations[0].th)


def test_a_merged_lao_takes_nothing_more(kit: LedgerKit) -> None:
    """Once merged into another, an LAO is neither renamed nor merged again."""
    neighbour = organization_stream_id(NEIGHBOUR)
    kit.emit(kit.admin, neighbour, "OrganizationRegistered",
             d.organization(NEIGHBOUR, str(LAO.province)))  # fmt: skip
    kit.emit(kit.admin, neighbour, "OrganizationMerged", {"into": LAO.lao})

    with pytest.raises(InvalidDataError) as refused:
        kit.emit(kit.admin, neighbour, "OrganizationRenamed", {"name": "เทศบาลตำบลใหม่"})

    assert ("organization.merged", "stream") == first_rule(refused)
    thai = refused.value.violations[0].th
    assert {NEIGHBOUR, str(LAO.lao)} == set(re.findall(r"\d{7}", thai))
    assert _thai_only(thai)


def test_a_type_change_names_the_type_it_changes(kit: LedgerKit) -> None:
    """``from_type`` is the LAO's type; only municipalities and SAOs change type."""
    wrong_from = {"from_type": "town_municipality", "to_type": "city_municipality"}
    to_pao = {"from_type": "sao", "to_type": "pao"}

    rule, field, thai = _refused(kit, "OrganizationTypeChanged", wrong_from)
    assert ("organization.type_differs", "data.from_type") == (rule, field)
    assert ["sao", "town_municipality"] == re.findall("[a-z_]+", thai)
    assert ("organization.type_not_changeable", "data.to_type") == _refused(
        kit, "OrganizationTypeChanged", to_pao
    )[:2]


def test_an_lao_merges_into_another_under_a_new_name(kit: LedgerKit) -> None:
    """An LAO does not merge into itself, nor take the name it has."""
    same_name = {"name": kit.ledger.aggregate(ORG).name}

    rule, field, thai = _refused(kit, "OrganizationMerged", {"into": LAO.lao})
    assert ("organization.merge_into_itself", "data.into") == (rule, field)
    assert _thai_only(thai)
    assert ("organization.same_name", "data.name") == _refused(
        kit, "OrganizationRenamed", same_name
    )[:2]


def test_a_unit_closes_after_the_units_under_it(kit: LedgerKit) -> None:
    """A unit is created once, and closes only once the units under it are closed."""
    kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-1"))
    kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("sec-1", parent="div-1"))

    with pytest.raises(InvalidDataError) as again:
        kit.emit(kit.hr, ORG, "OrgUnitCreated", d.unit("div-1"))
    with pytest.raises(InvalidDataError) as early:
        kit.emit(kit.hr, ORG, "OrgUnitClosed", {"unit": "div-1", "reason": "ยุบรวม"})

    assert ("organization.unit_exists", "data.unit") == first_rule(again)
    assert ("organization.unit_has_open_units", "data.unit") == first_rule(early)
    assert "sec-1" in early.value.violations[0].th
