"""The operator's token options, declared once for every command that signs or opens a session
with the operator's key (``ledger submit``, ``ledger token``, ``ledger person erase`` and
``disclose``).

Typer reads a command's options from its signature, one parameter each, and has no way to take
a group of them as one object. ``with_token_options`` gives it that: the command declares one
parameter ``signing: Signing`` where the options belong; the decorator puts the options
(``--key``, ``--token``, ``--token-reader``, ``--pkcs11-module``, ``--token-label``,
``--key-label``, ``--pin``, ``--id-reader`` if asked, ``--card-timeout``) in its place in the
signature typer reads, so the flags, their help and their order are what they were, and calls
the command with them read into one ``Signing``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from card.readers import DEFAULT_TIMEOUT
from cli.tokens import (
    IdReaderOpt,
    KeyFileOpt,
    KeyLabelOpt,
    PinOpt,
    Pkcs11ModuleOpt,
    TimeoutOpt,
    TokenKind,
    TokenLabelOpt,
    TokenOpt,
    TokenReaderOpt,
    TokenSpec,
    token_spec,
)

PLACE = "signing"
"""The name of the parameter whose place the options take."""


@dataclass(frozen=True)
class Signing:
    """The token the options name, and the reader holding the signer's ID card (with
    ``id_reader=True``: the card-presence check), as the command receives them."""

    spec: TokenSpec
    id_reader: str | None = None


def _options(id_reader: bool) -> list[inspect.Parameter]:
    """The options as typer reads them: name, default, and the ``Annotated`` option."""
    declared: list[tuple[str, Any, Any]] = [
        ("key", None, KeyFileOpt),
        ("token", TokenKind.SOFTWARE, TokenOpt),
        ("token_reader", None, TokenReaderOpt),
        ("pkcs11_module", None, Pkcs11ModuleOpt),
        ("token_label", None, TokenLabelOpt),
        ("key_label", "ledger-signing", KeyLabelOpt),
        ("pin", None, PinOpt),
        *([("id_reader", None, IdReaderOpt)] if id_reader else []),
        ("card_timeout", DEFAULT_TIMEOUT, TimeoutOpt),
    ]
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter(n, keyword, default=d, annotation=a) for n, d, a in declared]


def with_token_options(
    whose: str, *, id_reader: bool = False
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give the command the token options in place of its ``signing`` parameter (``whose``:
    "signer", "reader" or "operator", for prompts and messages)."""
    options = _options(id_reader)

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(command, eval_str=True)  # typer needs the Annotated objects
        parameters = []
        for parameter in own.parameters.values():
            if parameter.name == PLACE:
                parameters.extend(options)
            else:
                parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
        if len(parameters) != len(own.parameters) + len(options) - 1:
            raise TypeError(f"{command.__name__} has no parameter {PLACE!r} for the options")

        @functools.wraps(command)
        def run(**given: Any) -> None:
            read = {option.name: given.pop(option.name) for option in options}
            reader = read.pop("id_reader", None)
            given[PLACE] = Signing(token_spec(whose, **read), reader)
            command(**given)

        signature = own.replace(parameters=parameters)
        run.__signature__ = signature  # type: ignore[attr-defined]  # what typer reads
        run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
        return run

    return decorate


__all__ = ["Signing", "with_token_options"]
