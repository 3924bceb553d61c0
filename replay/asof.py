"""State as of a date, on either time axis, for any stream, LAO or report (DESIGN.md section 3).

Two times: ``recorded_at``, transaction time (when the ledger stored an event), and the signed
``effective`` date, valid time (when the legal order took effect, possibly in the past).

* As of a transaction time T: the stream's events recorded at or before T, that is what the
  ledger knew at T (a prefix of the stream).
* As of a valid date D: of those, the events effective on or before D; a stream whose first
  event takes effect after D did not exist on D (whatever its later entries say of earlier
  days): it has no events then, and no LAO, report or replay lists it.
* Both together give the bitemporal question "what did we know at T about D".

Everything here is generic over streams and event types: a stream is replayed through its own
aggregate class (the library resolves it from the stored topic) and shown as the aggregate's
public attributes, so new domain aggregates need no wiring here. An LAO's streams are those
whose events name it in their signed ``data.lao``; a stream belongs to the LAO the latest of its
events (as of T and D) names. ``activity_report`` counts records and events per LAO as of a date;
report projections that do not exist yet can be run as of a date over ``events_as_of``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel

from ledger.application import Ledger
from ledger.domain.signed import SignedAggregate
from ledger.parsed_statements import ParsedStatements
from ledger.statement import Statement
from ledger.vault_keys import ErasedError
from replay.bundles import statement_lao
from replay.errors import ScopeError
from replay.source import DatabaseSource, Decoded, readable

_BATCH = 10_000
ERASED = "ข้อมูลส่วนบุคคลนี้ถูกลบตามคำขอแล้ว / the person's personal data is erased: no replay"


@dataclass(frozen=True, slots=True)
class EventView:
    """One event as a replay shows it: where, what, when (both axes), who, and its data."""

    notification_id: int
    version: int
    type: str
    effective: date
    recorded_at: datetime
    signer_key: str
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "version": self.version,
            "type": self.type,
            "effective": self.effective.isoformat(),
            "recorded_at": self.recorded_at.isoformat(),
            "signer_key": self.signer_key,
            "data": self.data,
        }


@dataclass
class StreamState:
    """A stream replayed as of a transaction time and/or a valid date."""

    stream: UUID
    aggregate: str | None
    as_of: datetime | None
    valid_on: date | None
    events: list[EventView] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return bool(self.events)

    @property
    def version(self) -> int:
        return self.events[-1].version if self.events else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": str(self.stream),
            "aggregate": self.aggregate,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "valid_on": self.valid_on.isoformat() if self.valid_on else None,
            "exists": self.exists,
            "version": self.version,
            "state": self.state,
            "events": [event.as_json() for event in self.events],
        }


@dataclass
class StreamDiff:
    """How a stream differs between two dates: events only in one, fields that changed."""

    stream: UUID
    before: StreamState
    after: StreamState
    added: list[EventView]
    removed: list[EventView]
    changed: dict[str, tuple[Any, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": str(self.stream),
            "from": _when(self.before),
            "to": _when(self.after),
            "added": [event.as_json() for event in self.added],
            "removed": [event.as_json() for event in self.removed],
            "changed": {key: {"from": a, "to": b} for key, (a, b) in self.changed.items()},
        }


def _when(state: StreamState) -> dict[str, str | None]:
    return {
        "as_of": state.as_of.isoformat() if state.as_of else None,
        "valid_on": state.valid_on.isoformat() if state.valid_on else None,
    }


def stream_as_of(
    ledger: Ledger,
    stream: UUID,
    *,
    as_of: datetime | None = None,
    valid_on: date | None = None,
) -> StreamState:
    """Replay one stream (any aggregate) as of a transaction time and/or a valid date."""
    events = [
        event for event in ledger.events.get(stream) if isinstance(event, SignedAggregate.Event)
    ]
    if not events:
        raise ScopeError(f"no stream {stream} in this ledger")
    ids = ledger.stream_events(stream)
    known = []
    for event, recorded in zip(events, ids, strict=True):
        if as_of is not None and event.timestamp > as_of:
            break  # what the ledger knew at T is a prefix of the stream
        known.append((event, recorded.notification_id))
    if valid_on is not None and known and _effective(known[0][0]) > valid_on:
        known = []  # opened after the valid date: the stream did not exist then
    chosen = [
        (event, nid) for event, nid in known if valid_on is None or _effective(event) <= valid_on
    ]
    result = StreamState(stream, None, as_of, valid_on)
    if not chosen:
        return result
    parses = _parses(ledger)
    parsed = [(event, parses.of(event), nid) for event, nid in chosen]
    aggregate: Any = chosen[0][0].mutate_parsed(None, parsed[0][1])
    for event, (statement, data), _ in parsed[1:]:
        event.apply_parsed(aggregate, statement, data)  # without its version sequencing
    result.aggregate = type(aggregate).__name__
    result.state = _public_state(aggregate)
    result.events = [_view(event, statement, nid) for event, (statement, _), nid in parsed]
    return result


def _parses(ledger: Ledger) -> ParsedStatements:
    """Parses of the stream's statements, a v2 statement's personal values read from the
    ledger's vault (docs/personal-data.md); ``ScopeError`` where they cannot be read (the person
    erased, or a ledger with no vault)."""
    vault = ledger.vault

    def reveal(model: type[BaseModel], subject: str, data: dict[str, Any]) -> dict[str, Any]:
        if vault is None:
            raise ScopeError(
                f"stream {subject}: its v2 statements' values are in a vault, and "
                "this ledger has none configured (LEDGER_VAULT_KEY_DIR)"
            )
        try:
            return vault.revealed_data(model, subject, data)
        except ErasedError:
            raise ScopeError(f"stream {subject}: {ERASED}") from None

    return ParsedStatements(reveal=reveal)


def _effective(event: SignedAggregate.Event) -> date:
    return Statement.model_validate_json(event.statement).effective


def _view(event: SignedAggregate.Event, statement: Statement, nid: int) -> EventView:
    return EventView(
        notification_id=nid,
        version=event.originator_version,
        type=statement.type,
        effective=statement.effective,
        recorded_at=event.timestamp,
        signer_key=statement.signer.key,
        data=jsonable(statement.data),
    )


def _public_state(aggregate: Any) -> dict[str, Any]:
    state = {
        key: jsonable(value)
        for key, value in vars(aggregate).items()
        if not key.startswith("_") and key not in ("head_hash",)
    }
    return dict(sorted(state.items()))


def jsonable(value: Any, depth: int = 0) -> Any:
    """A JSON rendering of aggregate state: models, dataclasses, dates, decimals, enums, ids."""
    if depth > 12:
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value, depth + 1)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: jsonable(getattr(value, item.name), depth + 1) for item in fields(value)}
    if isinstance(value, dict):
        return {str(key): jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(item, depth + 1) for item in value), key=repr)
    if isinstance(value, list | tuple):
        return [jsonable(item, depth + 1) for item in value]
    if hasattr(value, "__dict__"):
        return {
            key: jsonable(item, depth + 1)
            for key, item in vars(value).items()
            if not key.startswith("_")
        }
    return str(value)


def stream_diff(
    ledger: Ledger,
    stream: UUID,
    *,
    before: datetime | date,
    after: datetime | date,
    axis: Literal["valid", "recorded"] = "valid",
) -> StreamDiff:
    """What changed in a stream between two dates on one axis: entries and fields."""
    if axis == "valid":
        if not (isinstance(before, date) and isinstance(after, date)):
            raise ScopeError("a valid-time diff compares two dates")
        old = stream_as_of(ledger, stream, valid_on=_day(before))
        new = stream_as_of(ledger, stream, valid_on=_day(after))
    else:
        if not (isinstance(before, datetime) and isinstance(after, datetime)):
            raise ScopeError("a transaction-time diff compares two times")
        old = stream_as_of(ledger, stream, as_of=before)
        new = stream_as_of(ledger, stream, as_of=after)
    old_versions = {event.version for event in old.events}
    new_versions = {event.version for event in new.events}
    changed = {
        key: (old.state.get(key), new.state.get(key))
        for key in sorted(old.state.keys() | new.state.keys())
        if old.state.get(key) != new.state.get(key)
    }
    return StreamDiff(
        stream,
        old,
        new,
        added=[event for event in new.events if event.version not in old_versions],
        removed=[event for event in old.events if event.version not in new_versions],
        changed=changed,
    )


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


# Across streams: an LAO, a report.


@dataclass(frozen=True, slots=True)
class SignedFacts:
    """What a replay across streams needs of one event, read from its signed bytes."""

    notification_id: int
    stream: UUID
    version: int
    type: str
    effective: date
    recorded_at: datetime
    lao: str | None


def events_as_of(
    source: DatabaseSource,
    *,
    as_of: datetime | None = None,
    valid_on: date | None = None,
    only: list[int] | None = None,
) -> Iterator[SignedFacts]:
    """Every event (or those with ids in ``only``) recorded by T and effective by D, of a
    stream opened by D, in log order.

    The hook for report projections as of a date: feed them this instead of the live log.
    """
    if only is not None:
        batches: Iterator[list[Any]] = (
            source.events_by_ids(only[first : first + _BATCH])
            for first in range(0, len(only), _BATCH)
        )
    else:
        last = source.max_notification_id()
        batches = (
            source.events(first, min(first + _BATCH, last + 1))
            for first in range(1, last + 1, _BATCH)
        )
    opened: dict[UUID, date] = {}  # each stream's first event's valid time
    for rows in batches:
        batch = [facts for facts in map(_facts, readable(rows)) if facts is not None]
        if valid_on is not None:
            _learn_openings(source, batch, opened)
        for facts in batch:
            if as_of is not None and facts.recorded_at > as_of:
                continue
            if valid_on is not None and (
                facts.effective > valid_on or opened.get(facts.stream, facts.effective) > valid_on
            ):
                continue
            yield facts


def _learn_openings(
    source: DatabaseSource, batch: list[SignedFacts], opened: dict[UUID, date]
) -> None:
    """Note when each stream of the batch was opened (valid time): from its first event, in
    the batch (the log holds it before the stream's later events) or read for the purpose."""
    for facts in batch:
        if facts.version == 1:
            opened[facts.stream] = facts.effective
    missing = sorted({facts.stream for facts in batch} - opened.keys())
    for decoded in readable(source.first_events(missing) if missing else ()):
        first = _facts(decoded)
        if first is not None:
            opened[first.stream] = first.effective


def _facts(decoded: Decoded) -> SignedFacts | None:
    try:
        statement = json.loads(decoded.statement)
        effective = date.fromisoformat(statement["effective"])
        recorded_at = datetime.fromisoformat(decoded.recorded_at)
        event_type = str(statement["type"])
    except (ValueError, KeyError, TypeError):
        return None
    return SignedFacts(
        decoded.notification_id,
        UUID(bytes=decoded.stream),
        decoded.version,
        event_type,
        effective,
        recorded_at,
        statement_lao(decoded.statement),
    )


def lao_streams(
    source: DatabaseSource,
    lao: str,
    *,
    as_of: datetime | None = None,
    valid_on: date | None = None,
) -> list[UUID]:
    """The streams in an LAO as of T and D: the latest event naming an LAO names this one."""
    candidates = source.notification_ids_mentioning(lao.encode("ascii"))
    streams = {
        facts.stream
        for facts in events_as_of(source, as_of=as_of, valid_on=valid_on, only=candidates)
        if facts.lao == lao
    }
    if not streams:
        return []
    belongs: dict[UUID, str] = {}
    for stream in streams:
        history = list(map(_facts, readable(source.stream_events(stream))))
        for facts in _in_effect(history, as_of, valid_on):
            if facts.lao is not None:
                belongs[stream] = facts.lao
    return sorted(stream for stream, code in belongs.items() if code == lao)


def _in_effect(
    history: list[SignedFacts | None], as_of: datetime | None, valid_on: date | None
) -> list[SignedFacts]:
    """A stream's events (in version order) recorded by T and effective by D; none when its
    first event takes effect after D (or cannot be read)."""
    if valid_on is not None and (
        not history or history[0] is None or history[0].effective > valid_on
    ):
        return []
    return [
        facts
        for facts in history
        if facts is not None
        and (as_of is None or facts.recorded_at <= as_of)
        and (valid_on is None or facts.effective <= valid_on)
    ]


@dataclass
class LaoActivity:
    """One LAO's line of the activity report."""

    lao: str
    records: int = 0
    events: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "lao": self.lao,
            "records": self.records,
            "events": self.events,
            "by_type": dict(sorted(self.by_type.items())),
        }


def activity_report(
    source: DatabaseSource,
    *,
    as_of: datetime | None = None,
    valid_on: date | None = None,
    lao: str | None = None,
) -> list[LaoActivity]:
    """Records (streams) and events per LAO, by event type, as of T and D."""
    stream_lao: dict[UUID, str] = {}
    counts: dict[UUID, dict[str, int]] = {}
    for facts in events_as_of(source, as_of=as_of, valid_on=valid_on):
        if facts.lao is not None:
            stream_lao[facts.stream] = facts.lao
        per_type = counts.setdefault(facts.stream, {})
        per_type[facts.type] = per_type.get(facts.type, 0) + 1
    lines: dict[str, LaoActivity] = {}
    for stream, code in stream_lao.items():
        if lao is not None and code != lao:
            continue
        line = lines.setdefault(code, LaoActivity(code))
        line.records += 1
        for event_type, count in counts.get(stream, {}).items():
            line.events += count
            line.by_type[event_type] = line.by_type.get(event_type, 0) + count
    return [lines[code] for code in sorted(lines)]


__all__ = [
    "EventView",
    "LaoActivity",
    "SignedFacts",
    "StreamDiff",
    "StreamState",
    "activity_report",
    "events_as_of",
    "jsonable",
    "lao_streams",
    "stream_as_of",
    "stream_diff",
]
