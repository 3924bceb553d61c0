"""What every ``ledger`` command shares: consoles, settings, opening the ledger, failing cleanly.

Errors the commands expect (``LedgerError`` from the ledger, ``CardError`` from cards and tokens)
print their message and exit 1; their messages never carry a citizen ID, a name or a photo.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console

from card.errors import CardError
from ledger.application import Ledger
from ledger.errors import LedgerError
from ledger.settings import LedgerSettings

out = Console()
err = Console(stderr=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(help="postgresql://... or sqlite:///path (default: LEDGER_DATABASE_URL)"),
]
LedgerName = Annotated[str | None, typer.Option(help="The ledger's name (default: LEDGER_NAME)")]


def fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(1)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True)


def build_settings(database_url: str | None, name: str | None = None) -> LedgerSettings:
    overrides: dict[str, Any] = {}
    if database_url is not None:
        overrides["database_url"] = database_url
    if name is not None:
        overrides["name"] = name
    try:
        return LedgerSettings(**overrides)
    except ValidationError as error:
        fail(f"configuration: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}")


@contextmanager
def open_ledger(settings: LedgerSettings) -> Iterator[Ledger]:
    try:
        ledger = Ledger(settings)
    except Exception as error:  # the library raises driver errors on connection problems
        fail(f"cannot open the ledger database: {type(error).__name__}: {error}")
    try:
        yield ledger
    except (LedgerError, CardError) as error:
        fail(str(error))
    finally:
        ledger.close()


@contextmanager
def fail_on(*errors: type[Exception]) -> Iterator[None]:
    """Turn the errors a command expects into its message and exit 1 (no traceback)."""
    try:
        yield
    except errors as error:
        fail(str(error))


def card_errors() -> AbstractContextManager[None]:
    """Turn a ``CardError`` (no reader, wrong PIN, removed card...) into a one-line exit 1."""
    return fail_on(CardError)
