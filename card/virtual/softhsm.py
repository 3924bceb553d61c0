"""SoftHSM2 as a throw-away PKCS#11 token for tests, the benchmark and the demo.

``SoftHsm`` writes a SoftHSM2 configuration whose token directory is its own, initialises one
token there with ``softhsm2-util``, and tells the caller which environment variable points the
module at it (SoftHSM2 reads ``SOFTHSM2_CONF`` when the module is initialised, once per process).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from card.errors import CardError

MODULE_PATHS = (
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
)


class SoftHsmError(CardError):
    """SoftHSM2 is missing or could not set up its token."""


def softhsm_module() -> Path:
    """The SoftHSM2 PKCS#11 module (Debian package softhsm2)."""
    for path in MODULE_PATHS:
        if path.exists():
            return path
    raise SoftHsmError("SoftHSM2 is not installed (Debian package softhsm2); run `make services`")


class SoftHsm:
    """A SoftHSM2 token store in ``directory`` with one initialised token."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.config = directory / "softhsm2.conf"
        self.module = softhsm_module()

    def create_token(self, label: str, *, pin: str, so_pin: str) -> None:
        """Write the configuration (first time) and initialise a token called ``label``."""
        tool = shutil.which("softhsm2-util")
        if tool is None:
            raise SoftHsmError("softhsm2-util is not installed (Debian package softhsm2)")
        tokens = self.directory / "tokens"
        tokens.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n",
            encoding="ascii",
        )
        result = subprocess.run(  # noqa: S603 - a fixed tool and our own arguments
            [tool, "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", so_pin],
            env={"SOFTHSM2_CONF": str(self.config), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SoftHsmError(f"softhsm2-util could not create token {label!r}: {result.stderr}")

    @property
    def environment(self) -> dict[str, str]:
        """What the process using the module needs in its environment."""
        return {"SOFTHSM2_CONF": str(self.config)}
