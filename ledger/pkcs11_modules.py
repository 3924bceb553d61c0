"""What the users of one PKCS#11 module in a process share: its lock and its tokens' logins.

python-pkcs11 loads a module once per process and initialises it with ``C_Initialize(NULL)``,
without CKF_OS_LOCKING_OK, so SoftHSM2 turns its own mutexes off: two threads in the module at
once crash it or fail in ``C_FindObjectsInit``. And a login is the process's, not a session's:
closing the session that logged in (python-pkcs11 calls ``C_Logout``) logs every session of
the process out. The vault's token key stores (``ledger.vault_keys``) and the operator's signing
token (``card.pkcs11_token``), in one process on one module, both go through here: every call
into the module under ``module_lock``, and a token logged in by ``log_in`` until the last of
its users calls ``log_out``. A login takes the process's turn on a SoftHSM2 token's files
(``ledger.pkcs11_files``): SoftHSM2 rewrites the token's file at each login.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from ledger.pkcs11_files import token_files

_module_locks: dict[str, threading.RLock] = {}
_module_locks_guard = threading.Lock()


def module_lock(module: Path) -> threading.RLock:
    """The one lock of this process for the PKCS#11 module at ``module`` (by its real path: one
    file is one library in the process, however named). Whoever calls into the module holds it
    around each call (a call is ~0.1 ms), a search's iteration included."""
    path = os.path.realpath(module)
    with _module_locks_guard:
        return _module_locks.setdefault(path, threading.RLock())


_PEPPER = secrets.token_bytes(32)
"""Keys the PIN digest a login keeps (the process's own; the PIN itself is not kept)."""

_logins: dict[tuple[str, str], tuple[Any, int, bytes | None]] = {}
"""Per token (module path, serial): the session that logged the process in (None: logged in by
something else of the process), its users, and the digest of the PIN that logged in."""


def _digest(pin: str) -> bytes:
    return hmac.new(_PEPPER, pin.encode(), hashlib.sha256).digest()


def log_in(module: Path, token: Any, pin: str) -> tuple[str, str]:
    """Count one more user of ``token`` (a ``pkcs11.Token``), logging the process in first;
    return the key to give ``log_out``. Hold ``module_lock(module)``. A token logged in
    already does not check a PIN again (SoftHSM2 answers CKR_USER_ALREADY_LOGGED_IN to any):
    a PIN other than the one that logged in raises ``pkcs11.PinIncorrect``. python-pkcs11's
    errors of the login itself (``PinIncorrect``, ``PinLocked``) pass through."""
    import pkcs11  # loaded only when a token is used

    serial = token.serial
    text = serial.decode("ascii", "replace") if isinstance(serial, bytes) else str(serial)
    login = (os.path.realpath(module), text.strip())
    kept, users, digest = _logins.get(login, (None, 0, None))
    if users == 0:
        try:  # SoftHSM2 rewrites the token's file at a login: our processes take turns
            with token_files(module):
                kept, digest = token.open(user_pin=pin, rw=True), _digest(pin)
        except pkcs11.UserAlreadyLoggedIn:
            kept, digest = None, None
    elif digest is not None and not hmac.compare_digest(digest, _digest(pin)):
        raise pkcs11.PinIncorrect()
    _logins[login] = (kept, users + 1, digest)
    return login


def log_out(login: tuple[str, str]) -> None:
    """Count one user of the token less; the last one closes the login session (logging the
    process out). Hold the module's lock."""
    import pkcs11

    kept, users, digest = _logins.pop(login, (None, 1, None))
    if users > 1:
        _logins[login] = (kept, users - 1, digest)
    elif kept is not None:
        with contextlib.suppress(pkcs11.PKCS11Error):
            kept.close()


def open_session(module: Path, token: Any, pin: str) -> tuple[Any, tuple[str, str]]:
    """A read-write session of ``token`` with the process logged in (``log_in``), and the key
    to give ``close_session``; the login is counted back if the session does not open. Hold
    ``module_lock(module)``."""
    login = log_in(module, token, pin)
    try:
        return token.open(rw=True), login
    except BaseException:
        log_out(login)
        raise


def close_session(session: Any, login: tuple[str, str]) -> None:
    """Close a session of ``open_session`` (one gone with its token already counts as closed);
    the token's last user in the process logs it out. Hold the module's lock."""
    import pkcs11

    with contextlib.suppress(pkcs11.PKCS11Error):
        session.close()
    log_out(login)


__all__ = ["close_session", "log_in", "log_out", "module_lock", "open_session"]
