"""ledger.pkcs11_modules.open_session: a session that does not open gives its login back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger import pkcs11_modules
from ledger.pkcs11_modules import close_session, open_session


class _Session:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class _Token:
    """A token whose login session opens and whose plain sessions fail (or not)."""

    serial = b"fake-0001"

    def __init__(self, *, sessions_fail: bool) -> None:
        self.sessions_fail = sessions_fail
        self.login = _Session()

    def open(self, *, rw: bool, user_pin: str | None = None) -> Any:
        if user_pin is not None:
            return self.login
        if self.sessions_fail:
            raise RuntimeError("no session")
        return _Session()


def test_a_session_that_does_not_open_logs_the_process_out_again(tmp_path: Path) -> None:
    token = _Token(sessions_fail=True)

    with pytest.raises(RuntimeError):
        open_session(tmp_path / "module.so", token, "1234")

    assert token.login.closed
    assert not [key for key in pkcs11_modules._logins if key[1] == "fake-0001"]


def test_the_last_session_closed_logs_out(tmp_path: Path) -> None:
    token = _Token(sessions_fail=False)
    module = tmp_path / "module.so"

    first, login = open_session(module, token, "1234")
    second, again = open_session(module, token, "1234")
    close_session(first, login)

    assert first.closed
    assert not token.login.closed
    close_session(second, again)
    assert second.closed
    assert token.login.closed
