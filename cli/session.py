"""``ledger token``: a bearer token for the API, from an enrolled key on its token.

Reads over HTTP need a session. This opens one the way any client does (the server's challenge
signed with the operator's key) and prints the token, so ``curl -H "Authorization: Bearer ..."``
works without writing Python.
"""

from __future__ import annotations

import json
from typing import Annotated

import httpx
import typer

from cli.api_client import LedgerClient, ServerError
from cli.runtime import fail, out
from cli.token_options import Signing, with_token_options
from cli.tokens import open_token


@with_token_options("operator")
def token(
    server: Annotated[str, typer.Option(help="The ledger's API, e.g. http://127.0.0.1:8000")],
    signing: Signing,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole answer (token and expiry) as JSON")
    ] = False,
) -> None:
    """Open an API session with an enrolled key and print its bearer token."""
    with open_token(signing.spec) as opened, LedgerClient(server) as client:
        try:
            answer = client.open_session(opened.signer())
        except ServerError as error:
            fail(str(error))
        except httpx.HTTPError as error:
            fail(f"cannot reach the ledger's API at {server}: {type(error).__name__}: {error}")
    if as_json:
        out.print_json(json.dumps(answer))
    else:
        out.print(answer["access_token"], highlight=False, soft_wrap=True)
