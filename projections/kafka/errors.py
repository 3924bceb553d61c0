"""Errors of the Kafka publisher and consumers: one base, subclasses carrying what explains them.

Messages never carry personal data (citizen IDs, names): only notification ids, stream ids, key
ids and reasons, so they can go to logs as they are.
"""

from __future__ import annotations

from enum import StrEnum


class KafkaProjectionError(Exception):
    """Base of every error the Kafka publisher and consumers raise on purpose."""


class TopicConfigError(KafkaProjectionError):
    """A topic exists with another partition count than configured, or cannot be created."""

    def __init__(self, topic: str, detail: str) -> None:
        super().__init__(f"topic {topic}: {detail}")
        self.topic = topic
        self.detail = detail


class PublishError(KafkaProjectionError):
    """The broker did not acknowledge a record; the publisher stops without moving its position."""

    def __init__(self, notification_id: int, cause: str) -> None:
        super().__init__(f"notification {notification_id} was not acknowledged: {cause}")
        self.notification_id = notification_id
        self.cause = cause


class SenderError(KafkaProjectionError):
    """A sender process of the publisher stopped or failed."""


class RejectReason(StrEnum):
    """Why a consumer refused an envelope (recorded in its rejects table)."""

    MALFORMED = "malformed"  # not an envelope, or its statement is not a canonical statement
    MISMATCH = "mismatch"  # the envelope's fields disagree with the statement it carries
    BAD_HASH = "bad_hash"  # hash != sha256(statement || signature)
    BROKEN_CHAIN = "broken_chain"  # not the next version of its stream, or a wrong prev_hash
    UNKNOWN_KEY = "unknown_key"  # the signer's key is not enrolled (or not for that signer)
    REVOKED_KEY = "revoked_key"  # signed after the key's revocation
    BAD_SIGNATURE = "bad_signature"  # the Ed25519 signature does not verify
    UNTRUSTED_GENESIS = "untrusted_genesis"  # a genesis not signed by the pinned trust anchor
    CONFLICTING_DUPLICATE = "conflicting_duplicate"  # a known notification id with another hash


class EnvelopeRejectedError(KafkaProjectionError):
    """An envelope failed verification; it is reported and never reaches a view."""

    def __init__(self, reason: RejectReason, detail: str) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


class PartitionMovedError(KafkaProjectionError):
    """Another consumer wrote this partition's position meanwhile: this batch is not ours."""

    def __init__(self, topic: str, partition: int) -> None:
        super().__init__(f"{topic}[{partition}] moved on under another consumer")
        self.topic = topic
        self.partition = partition
