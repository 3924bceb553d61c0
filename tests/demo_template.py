"""The demo ledger loaded once per test session, and copies of it for the tests that use it.

Loading the demo takes seconds (many more on a busy machine) and several test modules need it
(the web pages' unit tests, the browser tests, each with a demo of its own because each adds its
own history); copying a folder takes milliseconds. So the session runs ``ledger demo --no-serve``
once into a template folder, exactly as a person would, and every test that needs the demo
copies that folder and works on the copy; nothing writes to the template.

The folder holds what ``ledger demo`` leaves behind: the SQLite file (``demo.sqlite``), the
vault's per-person key files beside it (``demo.sqlite.vault-keys/demo/``: the demo's people are
signed as v2, their values kept in the vault, docs/personal-data.md) and the keys folder
(``keys/``: the operators' key files, their virtual cards, the web application's request key
``web-request.key`` and the trust anchor ``trust-anchor.txt``). A copy is served with
``ledger serve`` given that request key (``tests.browser_kit.serve_web``), which is what
``ledger demo`` does after loading. ``ledger demo`` itself is still run for real
by this fixture, by the README's test (``make demo`` in a fresh clone) and the command line's.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

NAME = "demo"
"""The demo ledger's name in its database."""


@dataclass(frozen=True)
class DemoFolder:
    """A folder holding the demo: its SQLite file and its keys folder."""

    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "demo.sqlite"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def keys(self) -> Path:
        return self.folder / "keys"

    @property
    def request_key(self) -> Path:
        """The web application's request key file, which ``ledger demo`` wrote."""
        return self.keys / "web-request.key"


def build_template(folder: Path) -> DemoFolder:
    """``ledger demo --no-serve`` into ``folder`` (in this process, with no ``LEDGER_``
    setting of the environment in the way); fails with its output unless it exits 0."""
    from cli.main import app as ledger_cli  # the whole command line: imported when needed

    template = DemoFolder(folder)
    unset: dict[str, str | None] = {name: None for name in os.environ if name.startswith("LEDGER_")}
    result = CliRunner(env=unset).invoke(
        ledger_cli,
        ["demo", "--no-serve", "--database-url", template.database_url,
         "--keys-dir", str(template.keys)],
    )  # fmt: skip
    assert 0 == result.exit_code, result.output
    assert template.request_key.exists(), result.output
    return template


def copy_sqlite(source: Path, target: Path) -> Path:
    """Copy the SQLite file ``source`` to ``target`` with everything beside it named after it:
    SQLite's side files (``-wal``, ``-shm``) and the vault's key folder ``<file>.vault-keys/``
    (``ledger.vault.default_vault_key_dir``), each renamed after ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    for item in source.parent.glob(source.name + "*"):
        copied = target.parent / (target.name + item.name[len(source.name) :])
        if item.is_dir():
            shutil.copytree(item, copied, dirs_exist_ok=True)
        else:
            shutil.copy2(item, copied)
    return target


def copy_template(template: DemoFolder, folder: Path) -> DemoFolder:
    """A copy of the template's files in ``folder``: its database with SQLite's side files and
    the vault's key files (``copy_sqlite``), and its keys folder."""
    copy_sqlite(template.database, folder / template.database.name)
    shutil.copytree(template.keys, folder / "keys", dirs_exist_ok=True)
    return DemoFolder(folder)
