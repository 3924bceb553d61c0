"""Request bodies past their limit are refused with 413 before they are read (api.limits)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from starlette.types import Message

from api.errors import PROBLEM_TYPE_BASE
from api.limits import BodyLimit, BodySizeLimit


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/statements")
    async def one(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    @app.post("/statements/batch")
    async def batch(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    app.add_middleware(
        BodySizeLimit,
        limits=[BodyLimit("/statements/batch", 1000), BodyLimit("/statements", 100)],
        default=50,
    )
    return app


def test_a_body_within_its_limit_is_read() -> None:
    """A body under the path's limit reaches the route whole."""
    client = TestClient(_app())

    response = client.post("/statements/batch", content=b"x" * 900)

    assert (200, {"read": 900}) == (response.status_code, response.json())


def test_a_declared_length_over_the_limit_is_refused_with_413() -> None:
    """A Content-Length over the limit is answered 413 as a problem naming the rule."""
    client = TestClient(_app())

    response = client.post("/statements", content=b"x" * 101)

    assert 413 == response.status_code
    assert "http.body_too_large" == response.json()["rule"]
    assert PROBLEM_TYPE_BASE + "body-too-large" == response.json()["type"]
    assert response.json()["title_th"]


def test_each_path_has_its_own_limit() -> None:
    """The batch path takes more than one statement's path."""
    client = TestClient(_app())

    assert 200 == client.post("/statements/batch", content=b"x" * 500).status_code
    assert 413 == client.post("/statements", content=b"x" * 500).status_code


def test_a_chunked_body_is_cut_off_once_it_passes_the_limit() -> None:
    """A body sent without a length is counted as it streams and refused past the limit: the
    rest of it is never received."""
    received: list[int] = []
    sent: list[Message] = []

    async def receive() -> Message:
        received.append(1)
        return {"type": "http.request", "body": b"x" * 64, "more_body": len(received) < 100}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/statements",
        "raw_path": b"/statements",
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }

    asyncio.run(_app()(scope, receive, send))

    assert 413 == sent[0]["status"]
    assert 2 == len(received)


def test_the_app_refuses_an_oversized_statement_with_413(client: TestClient) -> None:
    """The ledger's app applies the configured limit: a 2 MiB statement body is refused."""
    response = client.post("/statements", content=b"{" + b" " * (2 * 1024 * 1024) + b"}")

    assert 413 == response.status_code
