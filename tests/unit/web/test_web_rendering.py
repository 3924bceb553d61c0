"""The pages' filters (Buddhist-era dates short and long, Thailand's day of a moment, money) and
the same-origin rule on every POST of the pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.ledger_kit import LedgerKit
from tests.unit.web.web_kit import ORIGIN
from web.app import create_web_app
from web.rendering import format_be_date, format_be_moment, format_money
from web.routes import ROUTERS


def test_be_date_short_and_long() -> None:
    """1 Oct 2026 is 1 ต.ค. 2569, long 1 ตุลาคม 2569; English keeps the Buddhist era, labelled
    (docs/language.md)."""
    day = date(2026, 10, 1)
    assert "1 ต.ค. 2569" == format_be_date(day)
    assert "1 ตุลาคม 2569" == format_be_date(day, long=True)
    assert "1 Oct B.E. 2569" == format_be_date(day, "en")
    assert "1 October B.E. 2569" == format_be_date(day, "en", long=True)
    assert "1 ต.ค. 2569" == format_be_date("2026-10-01")


def test_a_moment_is_shown_on_thailands_day() -> None:
    """20:00 UTC on 30 Sep is already 1 Oct in Bangkok."""
    moment = datetime(2026, 9, 30, 20, 0, tzinfo=UTC)
    assert "1 ต.ค. 2569" == format_be_date(moment)
    assert "1 ต.ค. 2569 03:00" == format_be_moment(moment.isoformat())


def test_odd_values_show_as_themselves() -> None:
    """A page never fails on a date or an amount it cannot read."""
    assert "" == format_be_date(None)
    assert "soon" == format_be_date("soon")
    assert "n/a" == format_money("n/a")


def test_money_has_thousands_separators() -> None:
    """Amounts as on a pay slip: separators and two decimals."""
    assert "1,234,567.50" == format_money("1234567.5")
    assert "20,000.00" == format_money(20000)


def test_every_page_post_checks_the_origin(kit: LedgerKit) -> None:
    """Every POST route of the pages, whoever adds it, refuses a request without the app's
    Origin (CSRF) before anything else."""
    posts = [
        re.sub(r"\{[^}]+\}", _path_value, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    with TestClient(create_web_app(kit.ledger.settings, kit.ledger), base_url=ORIGIN) as bare:
        answers = {path: bare.post(path, data={}).status_code for path in posts}
    assert {"/app/login", "/app/logout"} <= set(answers)
    assert dict.fromkeys(posts, 403) == answers


def _path_value(parameter: re.Match[str]) -> str:
    return "1" if "version" in parameter.group(0) else "00000000-0000-4000-8000-000000000000"
