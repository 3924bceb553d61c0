"""The server's own access log, as a real ``ledger serve`` process writes it, holds no citizen
ID and no name however they were sent: a query string (plain or percent-encoded), a refused
request, the pages' addresses, or a body (``api.server_log``)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx

from ledger.settings import LedgerSettings
from tests.ledger_kit import LedgerKit
from tests.projection_world import build_projection_world
from tests.served_api import listening, wait_for_health

CODE = "0" * 64
NAME = "สอง ทดสอบ"
"""The projection world's record r2, the one person of that name."""


def _leaks(log: str, *values: str) -> list[str]:
    """The forms of ``values`` found in ``log``: as typed, percent-encoded (either case), and
    with ``+`` for spaces."""
    forms = set()
    for value in values:
        for encoded in (value, quote(value), quote_plus(value)):
            forms |= {encoded, encoded.lower(), encoded.upper()}
    return sorted(form for form in forms if form in log)


def test_the_access_log_names_no_citizen_id_and_no_name(
    settings: LedgerSettings, kit: LedgerKit, tmp_path: Path
) -> None:
    """Searches by citizen ID and name (GET and POST, with and without a session) and name
    checks of a certificate leave their lines in the log, cut before the query."""
    world = build_projection_world(kit)
    name = NAME
    cid = kit.ledger.aggregate(world.records["r2"]).cid  # type: ignore[attr-defined]
    env = {key: value for key, value in os.environ.items() if not key.startswith("LEDGER_")}
    command = [sys.executable, "-c", "from cli.main import main; main()", "serve", "--port", "0",
               "--database-url", settings.database_url, "--name", settings.name]  # fmt: skip
    log = tmp_path / "serve.log"

    with listening(command, env, log) as url:
        wait_for_health(url, time.monotonic() + 30)
        with httpx.Client(base_url=url, timeout=10) as http:
            token = _token(http, kit)
            found = http.get("/records", params={"cid": cid}, headers=token)
            posted = http.post("/records/search", json={"name": name}, headers=token)
            refused = http.get("/records", params={"cid": cid})
            page = http.get("/app/records", params={"q": cid})
            checked = http.get(f"/verify/{CODE}", params={"name": name})
            page_check = http.get(f"/app/verify/{CODE}", params={"name": name})
            posted_check = http.post(f"/verify/{CODE}", json={"name": name})
        time.sleep(0.5)  # the last lines reach the file
    written = log.read_text(encoding="utf-8", errors="replace")

    assert [1, 1] == [found.json()["total"], posted.json()["total"]]
    assert [401, 303, 404, 404, 404] == [
        answer.status_code for answer in (refused, page, checked, page_check, posted_check)
    ]
    assert '"GET /records?… HTTP/1.1" 200' in written
    assert '"GET /records?… HTTP/1.1" 401' in written
    assert f'"GET /verify/{CODE}?… HTTP/1.1" 404' in written
    assert '"POST /records/search HTTP/1.1" 200' in written
    assert [] == _leaks(written, cid, name, *name.split())


def _token(http: httpx.Client, kit: LedgerKit) -> dict[str, str]:
    from cli.api_client import LedgerClient

    client = LedgerClient(str(http.base_url))
    with client:
        token = client.open_session(kit.hr.signer)["access_token"]
    return {"Authorization": f"Bearer {token}"}
