"""Typed configuration, read from ``LEDGER_*`` environment variables when the composition root asks.

Nothing reads the environment at import time: ``api`` and ``cli`` build one ``LedgerSettings``
and pass it down.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class LedgerSettings(BaseSettings):
    """Everything a ledger process needs to know about where it stores and how it behaves."""

    model_config = SettingsConfigDict(env_prefix="LEDGER_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/ledger.sqlite",
        description="postgresql://user@host:port/db[?schema=NAME] or sqlite:///path/to/file",
    )
    name: str = Field(
        default="ledger",
        pattern=r"^[a-z][a-z0-9_]{0,40}$",
        description="The ledger's name: it names its tables and its operator registry stream.",
    )
    pool_size: int = Field(default=10, ge=1, le=200)
    pool_max_overflow: int = Field(default=10, ge=0, le=200)
    stream_cache_size: int = Field(
        default=1_000,
        ge=0,
        description="Streams whose current state the ledger keeps between writes (0: read each "
        "stream for every write; a record of 10 events takes about 30 KiB). A copy made stale "
        "by another writer is caught at insert.",
    )
    max_clock_skew_seconds: int = Field(default=300, ge=0)
    session_ttl_seconds: int = Field(default=900, ge=30, le=86_400)
    session_secret: str | None = Field(
        default=None,
        description="HMAC secret for API session tokens; random per process when unset.",
    )
    system_key_file: Path | None = Field(
        default=None,
        description="The system key file (the key enrolled at genesis): the transparency log "
        "signs its checkpoints with it. Only the process running the log needs it.",
    )
    checkpoint_every_events: int = Field(
        default=1000,
        ge=1,
        description="The transparency log signs a checkpoint whenever this many events are new.",
    )
    checkpoint_every_seconds: float = Field(
        default=60.0,
        gt=0,
        description="... and whenever this long has passed since the last one, if any is new.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="The largest HTTP request body accepted, but for a batch (413 beyond).",
    )
    max_batch_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="The largest body of POST /statements/batch (413 beyond).",
    )
    group_commit: bool = Field(
        default=True,
        description="Gather concurrent single-statement submissions of this process into one "
        "transaction, each judged on its own (ledger.group_commit).",
    )
    group_commit_max: int = Field(
        default=256, ge=1, le=5000, description="The most statements one group commit holds."
    )
    group_commit_wait_ms: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="How long a group waits for more statements once one is there (0: a group "
        "is whatever gathered while the last one was being saved).",
    )
    documents_dir: Path | None = Field(
        default=None,
        description="Where photos and scanned documents are kept by their SHA-256 (ledger."
        "documents); default: documents/<name> beside the SQLite file, var/documents/<name> "
        "for PostgreSQL.",
    )
    max_document_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        le=100 * 1024 * 1024,
        description="The largest photo or scan the document store keeps (413 beyond).",
    )
    vault_key_dir: Path | None = Field(
        default=None,
        description="Development: the folder of the personal-data vault's per-person key files "
        "(ledger.vault_keys.KeyFileStore). Unset, with no vault token either: a ledger in an "
        "SQLite file keeps its key files beside it, <file>.vault-keys/<name>/ (unless "
        "vault_beside_sqlite is off); one on PostgreSQL or in memory has no vault, refuses v2 "
        "statements, and on PostgreSQL logs a warning (docs/personal-data.md).",
    )
    vault_beside_sqlite: bool = Field(
        default=True,
        description="Give a ledger in an SQLite file that configures no vault a development "
        "key-file vault beside the file (<file>.vault-keys/<name>/); off: no vault.",
    )
    vault_pkcs11_module: Path | None = Field(
        default=None,
        description="The PKCS#11 module whose token holds the vault's per-person keys (e.g. "
        "/usr/lib/softhsm/libsofthsm2.so); with vault_token_label and vault_token_pin.",
    )
    vault_key_db: str | None = Field(
        default=None,
        description="With a vault token: the key database of the sharded key store "
        "(ledger.vault_shards): an SQLite file path or the postgresql:// URL of a database "
        "apart from the ledger's. The token then holds vault_key_shards KEKs, whatever the "
        "number of people; unset, it holds one KEK per person (small deployments only).",
    )
    vault_key_shards: int = Field(
        default=1024,
        ge=1,
        le=65_536,
        description="Shard KEKs of the sharded key store; fixed when its key database is made "
        "(an erasure rewraps about people / shards data keys).",
    )
    vault_token_label: str | None = Field(default=None, description="The vault token's label.")
    vault_token_pin: str | None = Field(default=None, description="The vault token's user PIN.")
    vault_token_pin_file: Path | None = Field(
        default=None,
        description="A file holding the vault token's user PIN (a container secret), read when "
        "vault_token_pin is unset.",
    )
    accept_v1_personal: bool = Field(
        default=False,
        description="A transition period for old clients: a ledger with a vault still takes v1 "
        "statements that sign personal values in clear (refused by personal.v1_in_clear when "
        "off). Every value so taken is in the log for good, and its record can never be erased "
        "(erasure.v1_values): turn it off once the clients write v2 (docs/personal-data.md).",
    )
    require_card_presence: bool = Field(
        default=False,
        description="Clients sign only while the signer's enrolled Thai ID card is in a reader "
        "(a presence signal, never the proof; DESIGN.md section 4).",
    )

    web_origin: str = Field(
        default="http://127.0.0.1:8000",
        pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$",
        description="The web application's public origin (scheme://host[:port]): its sign "
        "requests name it, and every form POST must come from it (the Origin header).",
    )
    web_request_key_file: Path | None = Field(
        default=None,
        description="The web application's request key (hex Ed25519 seed), which signs what it "
        "asks the signing agent to sign; random per app when unset (agents must then be told "
        "the new public key at every start).",
    )
    agent_url: str = Field(
        default="http://127.0.0.1:8765",
        pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$",
        description="Where the operator's signing agent (ledger agent) listens, as the browser "
        "reaches it.",
    )

    @model_validator(mode="after")
    def _pin_from_file(self) -> LedgerSettings:
        if self.vault_token_pin is None and self.vault_token_pin_file is not None:
            pin = self.vault_token_pin_file.read_text(encoding="utf-8").strip()
            self.vault_token_pin = pin or None
        return self

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("postgresql://", "postgres://", "sqlite://")):
            raise ValueError("database_url must start with postgresql:// or sqlite://")
        return url
