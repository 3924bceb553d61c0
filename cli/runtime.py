"""What every ``ledger`` command shares: consoles, settings, opening the ledger, failing cleanly.

Errors the commands expect (``LedgerError`` from the ledger, ``CardError`` from cards and tokens)
print their message and exit 1; their messages never carry a citizen ID, a name or a photo.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any, NoReturn
from urllib.parse import urlsplit

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from card.errors import CardError
from ledger.application import Ledger
from ledger.discovery import ledgers_in
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
    """One line (or a few) on standard error, exit 1. The message is text, not markup: a rule
    id in brackets (``[reference.lao_province]``) is printed as written."""
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(1)


def warn(message: str) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(message)}", highlight=False, soft_wrap=True)


def build_settings(
    database_url: str | None, name: str | None = None, *, existing: bool = True
) -> LedgerSettings:
    """The settings of one call: the environment's, with the options given on top.

    Commands that read or add to a ledger (``existing``, the default) refuse a database that
    does not exist or holds no such ledger, rather than create an empty one; when no name was
    given and the database holds exactly one ledger, that is the one. ``ledger init``, the demo
    and the long-running services create what is missing.
    """
    overrides: dict[str, Any] = {}
    if database_url is not None:
        overrides["database_url"] = database_url
    if name is not None:
        overrides["name"] = name
    try:
        settings = LedgerSettings(**overrides)
    except ValidationError as error:
        fail(f"configuration: {error.errors()[0]['loc'][0]}: {error.errors()[0]['msg']}")
    return existing_ledger(settings) if existing else settings


def existing_ledger(settings: LedgerSettings) -> LedgerSettings:
    """The settings of a ledger that exists: its name found if it was not given, else exit 1."""
    where = redacted(settings.database_url)
    try:
        found = ledgers_in(settings)
    except Exception as error:  # the drivers raise their own errors on connection problems
        fail(f"cannot read the database {where}: {type(error).__name__}: {first_line(error)}")
    if found is None:
        fail(f"there is no database {where} (check --database-url, or run `ledger init` first)")
    if settings.name in found:
        return settings
    if "name" not in settings.model_fields_set and len(found) == 1:
        return settings.model_copy(update={"name": found[0]})
    if not found:
        fail(f"the database {where} holds no ledger: run `ledger init` (or `make demo`) first")
    fail(
        f"the database {where} holds no ledger named {settings.name!r}; it holds "
        f"{', '.join(repr(n) for n in found)} (use --name)"
    )


def redacted(url: str) -> str:
    """A database URL without its password, to print."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


@contextmanager
def open_ledger(settings: LedgerSettings) -> Iterator[Ledger]:
    try:
        ledger = Ledger(settings)
    except LedgerError as error:  # settings, an old file's shared table: each by its rule
        fail(str(error))
    except Exception as error:  # the library raises driver errors on connection problems
        fail(f"cannot open the ledger database: {type(error).__name__}: {first_line(error)}")
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
