"""Typed configuration of the Kafka publisher and the report consumers (``LEDGER_KAFKA_*``).

Built once by the composition root (``cli``), never at import time. Topic names and partition
counts are configuration: the commands create the topics explicitly with these values and
refuse to run against a topic whose partition count differs (the stream -> partition mapping,
and with it the per-record order, depends on it).
"""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TOPIC_NAME = r"^[A-Za-z0-9._-]{1,249}$"


class KafkaSettings(BaseSettings):
    """Where the broker is, what the topics are called, and how the clients behave."""

    model_config = SettingsConfigDict(
        env_prefix="LEDGER_KAFKA_", extra="ignore", env_ignore_empty=True
    )

    bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="host:port[,host:port...] of the Kafka brokers"
    )
    topic: str = Field(default="ledger.events", pattern=TOPIC_NAME)
    partitions: int = Field(default=12, ge=1, le=10_000)
    checkpoints_topic: str = Field(default="ledger.checkpoints", pattern=TOPIC_NAME)
    replication_factor: int = Field(default=1, ge=1, le=16)
    client_id: str = Field(default="thai-lgov-ledger", min_length=1, max_length=100)

    # The publisher.
    linger_ms: int = Field(default=5, ge=0, le=10_000)
    batch_size: int = Field(default=65_536, ge=1_024, le=16_777_216)
    compression_type: str | None = Field(default=None, pattern=r"^(gzip|snappy|lz4|zstd)$")
    producer_processes: int = Field(
        default=2,
        ge=1,
        le=64,
        description="sender processes, each with one producer for its share of the partitions",
    )
    read_batch: int = Field(
        default=1_000, ge=1, le=100_000, description="notifications read per database query"
    )
    poll_interval_seconds: float = Field(
        default=0.05, gt=0, le=60, description="pause between reads once the log is caught up"
    )
    position_interval_seconds: float = Field(
        default=0.2, gt=0, le=60, description="how often the acknowledged position is recorded"
    )

    # The report consumers.
    group_id: str = Field(default="ledger-reports", min_length=1, max_length=200)
    view_database_url: str = Field(
        default="sqlite:///var/reports.sqlite",
        description="postgresql://... or sqlite:///path: where the report view is written",
    )
    view_name: str = Field(
        default="report", pattern=r"^[a-z][a-z0-9_]{0,30}$", description="prefix of view tables"
    )
    anchor_public_key: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="the pinned system key (hex) that `ledger init` printed: the trust anchor",
    )
    session_timeout_ms: int = Field(default=10_000, ge=6_000, le=300_000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=500, le=60_000)
    max_poll_records: int = Field(default=500, ge=1, le=100_000)
    unknown_key_grace_seconds: float = Field(
        default=5.0,
        ge=0,
        le=300,
        description="how long to wait for an enrolment to arrive before rejecting its key",
    )

    health_file: str | None = Field(
        default=None,
        description="a file the publisher or consumer touches every few seconds (healthchecks)",
    )

    @field_validator("view_database_url")
    @classmethod
    def _known_scheme(cls, url: str) -> str:
        if not url.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError("view_database_url must start with postgresql:// or sqlite:///")
        return url

    @property
    def bootstrap_list(self) -> list[str]:
        return [server.strip() for server in self.bootstrap_servers.split(",") if server.strip()]
