"""Processes of one host taking turns on a SoftHSM2 token's files (``token_files``).

SoftHSM2 keeps a token as files in its token directory: ``token.object`` (label, flags, PINs),
one file per object, a ``generation`` file counting changes. Each is read and written under
an ``fcntl`` lock of the file, but SoftHSM2 2.6.1 (Debian 12's and the compose image's) writes
through stdio and releases the lock before the buffered bytes reach the file: they are
written when the file is closed, after the unlock (upstream fixed it in 2.7.0, PR #578 "Flush
files before unlocking"). Every login rewrites ``token.object`` (SoftHSM2 stores the token's
flags again), and every new key writes its object file. A process that reads such a file in
that window reads it truncated: an object read so is skipped until it changes again (a
search does not find a key another process just made), and a token read so is invalid in
that process for the rest of its life: ``C_Initialize`` leaves it out (python-pkcs11's
``NoSuchToken``), ``C_GetTokenInfo`` and ``C_Login`` answer CKR_GENERAL_ERROR. A retry
cannot bring it back short of finalising the module, which would close every other session
of the process (the operator's signing token shares it).

So our processes take turns on a SoftHSM2 token's files with ``flock`` on a file of the token
directory (``.ledger-token-files.lock``; SoftHSM2 takes only its subdirectories for tokens):
loading the module, finding the token, logging in, and searching, making and destroying
objects. Encrypting, decrypting and signing with a key's handle read no file that is
rewritten (``token.object`` is not read there) and take no turn: the vault's and the
signer's hot path stays as concurrent as before. A module that is not SoftHSM2 (a real HSM
locks its own store) takes no turn either. Hold ``module_lock`` (``ledger.pkcs11_modules``)
of the module around a turn: the module's lock first, then the file's, in every process.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".ledger-token-files.lock"
"""The file in SoftHSM2's token directory that our processes ``flock`` for their turn."""
DEFAULT_TOKENDIR = Path("/var/lib/softhsm/tokens")
"""SoftHSM2's token directory when its configuration names none."""
_SYSTEM_CONFIGS = (Path("/etc/softhsm/softhsm2.conf"), Path("/etc/softhsm2.conf"))

_log = logging.getLogger(__name__)


def softhsm_config() -> Path | None:
    """The configuration SoftHSM2 reads in this process: ``SOFTHSM2_CONF``, else the user's
    ``~/.config/softhsm2/softhsm2.conf``, else the system's; None when there is none."""
    named = os.environ.get("SOFTHSM2_CONF")
    if named:
        return Path(named)
    user = Path(os.path.expanduser("~/.config/softhsm2/softhsm2.conf"))
    return next((path for path in (user, *_SYSTEM_CONFIGS) if path.is_file()), None)


def token_directory(module: Path) -> Path | None:
    """SoftHSM2's token directory for ``module``; None when the module is not SoftHSM2 (by
    its file's real name) or its configuration cannot be read (SoftHSM2 then loads no
    token either)."""
    if "softhsm" not in Path(os.path.realpath(module)).name.lower():
        return None
    config = softhsm_config()
    if config is None:
        return None
    try:
        text = config.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, equals, value = line.partition("=")
        if equals and name.strip() == "directories.tokendir" and value.strip():
            return Path(value.strip())
    return DEFAULT_TOKENDIR


class _Turns:
    """The process's turn on one lock file: one descriptor, ``flock``-ed by the first of
    nested holders (a thread of the process holding it may take it again)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._guard = threading.RLock()
        self._descriptor: int | None = None
        self._pid = 0
        self._depth = 0
        self._warned = False

    def _opened(self) -> int | None:
        """The process's descriptor of the lock file (a child forked from a process holding
        one opens its own: a ``flock`` belongs to the open file, which a fork shares)."""
        if self._descriptor is not None and self._pid == os.getpid():
            return self._descriptor
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        try:
            self._descriptor = os.open(self.path, flags, 0o660)
        except OSError:
            try:  # a read-only token directory: flock works on a read-only descriptor
                self._descriptor = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as error:
                if not self._warned:
                    self._warned = True
                    _log.warning(
                        "no turns on the SoftHSM2 token files: cannot open %s (%s)",
                        self.path,
                        error.strerror,
                    )
                self._descriptor = None
        self._pid = os.getpid()
        return self._descriptor

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        with self._guard:
            descriptor = self._opened() if self._depth == 0 else self._descriptor
            if self._depth == 0 and descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and descriptor is not None:
                    fcntl.flock(descriptor, fcntl.LOCK_UN)


_turns: dict[str, _Turns] = {}
_turns_guard = threading.Lock()


@contextlib.contextmanager
def token_files(module: Path) -> Iterator[None]:
    """The process's turn on the token files of ``module`` when it is SoftHSM2 (module
    docstring), else nothing: around loading the module, finding a token, logging in, and
    searching, making or destroying objects, never around a key's use. Hold
    ``module_lock(module)``."""
    directory = token_directory(module)
    if directory is None:
        yield
        return
    path = os.path.realpath(directory / LOCK_NAME)
    with _turns_guard:
        turns = _turns.setdefault(path, _Turns(Path(path)))
    with turns.held():
        yield


__all__ = ["DEFAULT_TOKENDIR", "LOCK_NAME", "softhsm_config", "token_directory", "token_files"]
