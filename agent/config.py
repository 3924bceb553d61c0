"""What the agent trusts (request keys, origins) and how it reaches its card.

``create_agent_app(AgentConfig(...))`` is all a test or the command line needs: the card is a
function opening a transport, so a virtual card in process (no pcscd) and a PC/SC reader are
the same to the agent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from card.apdu import Transport
from ledger.statement import key_id_of

DEFAULT_PORT = 8765
HOST = "127.0.0.1"
"""The agent listens on the loopback interface only: nothing off the PC can reach it."""

CardOpener = Callable[[], AbstractContextManager[Transport]]
"""Opens a transport to the OpenPGP-style signing card (and closes it afterwards)."""


@dataclass(frozen=True)
class Presence:
    """Card presence: sign only while the enrolled citizen's ID card is in ``reader``."""

    read_cid: Callable[[], str]
    enrolled_cid: str
    reader: str


@dataclass(frozen=True)
class AgentConfig:
    """The agent's whole configuration; ``origins`` are exact ``scheme://host[:port]``."""

    trusted_keys: tuple[bytes, ...]
    origins: tuple[str, ...]
    open_card: CardOpener
    card_name: str = "signing card"
    port: int = DEFAULT_PORT
    presence: Presence | None = None
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if not self.trusted_keys:
            raise ValueError("the agent needs at least one trusted request key")
        if any(len(key) != 32 for key in self.trusted_keys):
            raise ValueError("a request key is a raw 32-byte Ed25519 public key")
        if not self.origins:
            raise ValueError("the agent needs at least one allowed origin")
        object.__setattr__(self, "origins", tuple(normalise_origin(o) for o in self.origins))

    @property
    def hosts(self) -> frozenset[str]:
        """The Host headers the agent answers (anything else is DNS rebinding or a mistake)."""
        return frozenset({f"{HOST}:{self.port}", f"localhost:{self.port}"})

    @property
    def own_origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def key_fingerprints(self) -> list[str]:
        """The trusted request keys as key ids (sha256 prefix), as the startup lines show them."""
        return [key_id_of(key) for key in self.trusted_keys]


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case without a trailing slash; else ``ValueError``."""
    text = origin.strip().rstrip("/").lower()
    scheme, _, rest = text.partition("://")
    if scheme not in ("http", "https") or not rest or "/" in rest or "@" in rest:
        raise ValueError(
            f"{origin!r} is not an origin (scheme://host[:port], e.g. http://127.0.0.1:8000)"
        )
    return text
