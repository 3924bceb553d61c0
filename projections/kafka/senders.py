"""The publisher's sender processes: each runs one Kafka producer and reports acknowledgements.

kafka-python's producer spends its interpreter's whole time in Python code (bench/kafka.py), so
the publisher (``projections.kafka.publisher``) reads the log and builds the records in its own
process and hands them to ``producer_processes`` sender processes. Sender *i* owns the
partitions ``p % n == i`` and runs one idempotent producer with ``acks=all``, so every
partition still has exactly one producer sending in log order.

The publisher talks to each sender over two pipes: records and checkpoints go in; reports of
how far the sender's own records are acknowledged come out (``("acked", events through,
checkpoints through)``), or ``("failed", notification id, cause)`` when the broker refused one.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from projections.kafka.errors import PublishError, SenderError
from projections.kafka.settings import KafkaSettings

RecordTuple = tuple[int, int, bytes, bytes, list[tuple[str, bytes]]]
"""(notification id, partition, key, value, headers): one record as a sender receives it."""

Acked = Callable[[int, int, int], None]
"""Told (sender, events acknowledged through, checkpoints acknowledged through)."""

_ACK_EVERY_SECONDS = 0.01  # how often a sender reports progress, at most
_READY_SECONDS = 60.0  # how long a sender may take to start and reach the brokers
_PIPE_BYTES = 1 << 20  # Linux's default pipe-max-size


def producer_config(settings: KafkaSettings) -> dict[str, Any]:
    """kafka-python producer settings: every record acknowledged by all in-sync replicas."""
    return {
        "bootstrap_servers": settings.bootstrap_list,
        "client_id": settings.client_id,
        "acks": "all",
        "enable_idempotence": True,
        "max_in_flight_requests_per_connection": 5,  # idempotence keeps order up to 5
        "linger_ms": settings.linger_ms,
        "batch_size": settings.batch_size,
        "compression_type": settings.compression_type,
    }


class SenderProcesses:
    """The sender processes, a pipe of records to each, a pipe of acknowledgements from each."""

    def __init__(self, kafka: KafkaSettings, count: int) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self._inboxes: list[Connection] = []
        self._outboxes: list[Connection] = []
        self._processes: list[Any] = []
        for index in range(count):
            inbox_reader, inbox = context.Pipe(duplex=False)
            _widen(inbox)
            outbox, outbox_writer = context.Pipe(duplex=False)
            process = context.Process(
                target=send_records,
                args=(kafka.model_dump(), inbox_reader, outbox_writer),
                name=f"ledger-publish-sender-{index}",
                daemon=True,
            )
            process.start()
            inbox_reader.close()
            outbox_writer.close()
            self._inboxes.append(inbox)
            self._outboxes.append(outbox)
            self._processes.append(process)
        for index, outbox in enumerate(self._outboxes):  # each has its producer connected
            if not outbox.poll(_READY_SECONDS):
                raise SenderError(f"sender {index} did not start within {_READY_SECONDS:.0f} s")
            try:
                message = outbox.recv()
            except EOFError:
                raise self._stopped(index) from None
            if message[0] != "ready":
                raise SenderError(f"sender {index} failed to start: {message[2]}")

    def send(self, index: int, message: tuple[Any, ...]) -> None:
        try:
            self._inboxes[index].send(message)
        except (BrokenPipeError, ConnectionResetError):
            raise self._stopped(index) from None

    def collect(self, acked: Acked, timeout: float) -> None:
        """Pass on every acknowledgement report waiting (up to ``timeout`` for the first)."""
        for ready in wait(self._outboxes, timeout):
            assert isinstance(ready, Connection)  # noqa: S101 - wait returns what it was given
            index = self._outboxes.index(ready)
            while ready.poll():
                try:
                    message = ready.recv()
                except EOFError:
                    raise self._stopped(index) from None
                if message[0] == "failed":
                    raise PublishError(message[1], message[2])
                acked(index, message[1], message[2])

    def _stopped(self, index: int) -> SenderError:
        process = self._processes[index]
        process.join(1)
        return SenderError(f"sender {index} stopped (exit code {process.exitcode})")

    def stop(self) -> None:
        for inbox in self._inboxes:
            inbox.close()  # a sender sees the end of its pipe and exits
        for process in self._processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(5)
        for outbox in self._outboxes:
            outbox.close()


def _widen(pipe: Connection) -> None:
    """Give a pipe a 1 MiB buffer (Linux), so a whole batch is handed over without waiting for
    the sender to be scheduled; elsewhere the default buffer just means more hand-offs."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


class _AckTracker:
    """Sent records in send order; ``advance`` moves the position over the acknowledged prefix."""

    def __init__(self, position: int) -> None:
        self.position = position
        self._pending: deque[tuple[int, FutureRecordMetadata]] = deque()

    def add(self, position: int, future: FutureRecordMetadata) -> None:
        self._pending.append((position, future))

    def advance(self) -> int:
        pending = self._pending
        while pending:
            position, future = pending[0]
            if not future.is_done:
                break
            if future.exception is not None:
                raise PublishError(position, f"{type(future.exception).__name__}")
            pending.popleft()
            self.position = position
        return self.position


def send_records(settings: dict[str, Any], inbox: Connection, outbox: Connection) -> None:
    """A sender process: send the records and checkpoints it is handed, report acknowledgements.

    It reports ``("acked", events through, checkpoints through)``: the last notification id
    (tree size) such that all its records (checkpoints) up to it are acknowledged. It stops at
    the end of its pipe, and as soon as the publisher is gone (SIGKILL included).
    """
    parent = os.getppid()
    kafka = KafkaSettings(**settings)
    try:
        producer = KafkaProducer(**producer_config(kafka))
        producer.partitions_for(kafka.topic)  # connected, with the topic's metadata
    except Exception as error:
        with contextlib.suppress(OSError):
            outbox.send(("failed", 0, f"{type(error).__name__}: {error}"))
        raise
    outbox.send(("ready",))
    send = producer.send
    events, checkpoints = _AckTracker(0), _AckTracker(0)
    reported = (0, 0)
    last_report = 0.0
    try:
        while os.getppid() == parent:
            if inbox.poll(0.005):
                message = inbox.recv()
                if message[0] == "records":
                    topic = kafka.topic
                    for notification_id, partition, key, value, headers in message[1]:
                        future = send(
                            topic, key=key, value=value, headers=headers, partition=partition
                        )
                        events.add(notification_id, future)
                else:
                    _, tree_size, key, value, headers = message
                    future = send(kafka.checkpoints_topic, key=key, value=value, headers=headers)
                    checkpoints.add(tree_size, future)
            now = time.monotonic()
            if now - last_report >= _ACK_EVERY_SECONDS:
                current = (events.advance(), checkpoints.advance())
                if current != reported:
                    outbox.send(("acked", *current))
                    reported = current
                last_report = now
    except PublishError as error:
        with contextlib.suppress(OSError):
            outbox.send(("failed", error.notification_id, error.cause))
    except (EOFError, OSError):
        pass  # the publisher finished (it closed the pipe) or is gone
    finally:
        producer.close(timeout=1)
