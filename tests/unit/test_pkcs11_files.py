"""ledger.pkcs11_files: our processes take turns on a SoftHSM2 token directory's lock file."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from ledger.pkcs11_files import DEFAULT_TOKENDIR, LOCK_NAME, token_directory, token_files

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


def _configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    config = tmp_path / "softhsm2.conf"
    config.write_text(text, encoding="ascii")
    monkeypatch.setenv("SOFTHSM2_CONF", str(config))
    return config


def _taken_elsewhere(path: Path) -> bool:
    """Whether another open of the file (as another process's would) cannot take it now."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_the_token_directory_is_the_one_softhsm2s_configuration_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(
        tmp_path, monkeypatch, f"# tokens\ndirectories.tokendir = {tmp_path}/t\nlog.level = ERROR\n"
    )
    assert tmp_path / "t" == token_directory(SOFTHSM)


def test_a_configuration_naming_no_directory_means_softhsm2s_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(tmp_path, monkeypatch, "objectstore.backend = file\n")
    assert DEFAULT_TOKENDIR == token_directory(SOFTHSM)


def test_a_module_that_is_not_softhsm2_takes_no_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(tmp_path, monkeypatch, f"directories.tokendir = {tmp_path}\n")
    module = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
    assert token_directory(module) is None
    with token_files(module):
        assert not (tmp_path / LOCK_NAME).exists()


def test_a_turn_holds_the_lock_file_against_other_processes_until_the_last_nested_one_ends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(tmp_path, monkeypatch, f"directories.tokendir = {tmp_path}\n")
    lock = tmp_path / LOCK_NAME
    taken: list[bool] = []
    with token_files(SOFTHSM):
        taken.append(_taken_elsewhere(lock))
        with token_files(SOFTHSM):
            taken.append(_taken_elsewhere(lock))
        taken.append(_taken_elsewhere(lock))
    taken.append(_taken_elsewhere(lock))
    assert [True, True, True, False] == taken


def test_a_token_directory_that_cannot_hold_the_lock_file_takes_no_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _configured(tmp_path, monkeypatch, f"directories.tokendir = {tmp_path}/missing\n")
    ran = False
    with token_files(SOFTHSM):
        ran = True
    assert ran
    assert not (tmp_path / "missing").exists()
