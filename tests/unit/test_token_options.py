"""The operator's token options are declared once (``cli.token_options``): every command that
takes them shows the same flags in the same place, and calls its body with one ``Signing``."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import app
from cli.token_options import Signing, with_token_options
from cli.tokens import TokenKind

FLAGS = ["--key", "--token", "--token-reader", "--pkcs11-module", "--token-label",
         "--key-label", "--pin"]  # fmt: skip


def _flags(*path: str) -> list[str]:
    command = get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]  # a click group
    return [param.opts[0] for param in command.params]


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        (("submit",), "--cid", ["--id-reader", "--card-timeout", "--server"]),
        (("token",), "--server", ["--card-timeout", "--json"]),
        (("person", "erase"), "--cid", ["--id-reader", "--card-timeout", "--server"]),
        (("person", "disclose"), "--output", ["--card-timeout"]),
    ],
)
def test_each_command_shows_the_options_in_their_place(
    path: tuple[str, ...], before: str, after: list[str]
) -> None:
    """The options stand where the command's ``signing`` parameter is, in their order."""
    flags = _flags(*path)

    start = flags.index(before) + 1
    assert [*FLAGS, *after] == flags[start : start + len(FLAGS) + len(after)]


def test_the_command_gets_one_signing(tmp_path: Path) -> None:
    """The options are read into a ``Signing``: the token spec and the ID card's reader."""
    got: list[Signing] = []
    probe = typer.Typer()

    @probe.command()
    @with_token_options("signer", id_reader=True)
    def sign(cid: str, signing: Signing, server: str | None = None) -> None:
        got.append(signing)

    result = CliRunner().invoke(
        probe, ["1", "--key", str(tmp_path / "k"), "--pin", "1234", "--id-reader", "virtual:x"]
    )

    assert 0 == result.exit_code, result.output
    [signing] = got
    assert (TokenKind.SOFTWARE, tmp_path / "k", "1234", "signer", "virtual:x") == (
        signing.spec.kind,
        signing.spec.key_file,
        signing.spec.pin,
        signing.spec.whose,
        signing.id_reader,
    )


def test_a_command_without_the_place_is_refused() -> None:
    """A command with no ``signing`` parameter cannot take the options (a mistake caught at
    import, not a silently missing flag)."""
    with pytest.raises(TypeError, match="signing"):
        with_token_options("signer")(lambda cid: None)
