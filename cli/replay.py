"""``ledger replay``: any record, LAO or report as of a transaction time or a valid date.

``--as-of`` is transaction time (what the ledger had recorded by then): an ISO 8601 time, or a
date (ISO or Thai Buddhist era) meaning the end of that day in Thailand (UTC+7). ``--valid-on``
is valid time (what was in effect on that date, by the orders' effective dates). Both together
ask what the ledger knew at one time about another. ``diff`` lists what changed in a record
between two dates on one axis.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID

import typer

from cli.options import read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail_on, open_ledger, out
from ledger.domain.dates import THAILAND
from ledger.settings import LedgerSettings
from replay.asof import activity_report, lao_streams, stream_as_of, stream_diff
from replay.errors import ReplayError
from replay.source import DatabaseSource

replay_app = typer.Typer(
    help="Replay records, LAOs and reports as of a transaction time or a valid date.",
    no_args_is_help=True,
)


AsOf = Annotated[
    str | None,
    typer.Option(help="Transaction time: ISO time, or a date (end of that day, Thai time)"),
]
ValidOn = Annotated[
    str | None, typer.Option(help="Valid time: in effect on this date (ISO or Thai BE)")
]
JsonOutput = Annotated[bool, typer.Option("--json", help="Print JSON on standard output")]


def parse_moment(text: str | None) -> datetime | None:
    """An ISO 8601 time (Thai time when it names no zone), or a date: the end of that day."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        day = read_date(text)
        if day is None:  # pragma: no cover - read_date answers None only for None
            return None
        return datetime.combine(day, time.max, THAILAND)
    if len(text) <= 10:  # a bare ISO date
        return datetime.combine(moment.date(), time.max, THAILAND)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=THAILAND)


def _valid(text: str | None) -> date | None:
    return read_date(text)


@contextmanager
def _source(settings: LedgerSettings) -> Iterator[DatabaseSource]:
    """The ledger's database read directly (closed afterwards); a ``ReplayError`` exits 1."""
    source = DatabaseSource(settings.database_url, settings.name)
    try:
        with fail_on(ReplayError):
            yield source
    finally:
        source.close()


def _print(value: dict[str, Any] | list[Any]) -> None:
    out.print_json(json.dumps(value, ensure_ascii=False))


@replay_app.command("record")
def record(
    stream: Annotated[UUID, typer.Argument(help="The record's (any stream's) id")],
    as_of: AsOf = None,
    valid_on: ValidOn = None,
    json_output: JsonOutput = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """A record (any stream) as of a transaction time and/or a valid date."""
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger, fail_on(ReplayError):
        state = stream_as_of(ledger, stream, as_of=parse_moment(as_of), valid_on=_valid(valid_on))
    if json_output:
        _print(state.as_json())
        return
    out.print(
        f"{state.aggregate or 'stream'} {stream}: version {state.version}, "
        f"{len(state.events)} events" + _describe(state.as_of, state.valid_on),
        highlight=False,
    )
    for event in state.events:
        out.print(
            f"  {event.notification_id:>8}  v{event.version:<4} {event.type:<28} "
            f"effective {event.effective}  recorded {event.recorded_at:%Y-%m-%d %H:%M:%S}",
            highlight=False,
        )
    out.print_json(json.dumps(state.state, ensure_ascii=False))


def _describe(as_of: datetime | None, valid_on: date | None) -> str:
    parts = []
    if as_of is not None:
        parts.append(f"as recorded by {as_of.isoformat()}")
    if valid_on is not None:
        parts.append(f"in effect on {valid_on.isoformat()}")
    return f" ({', '.join(parts)})" if parts else ""


@replay_app.command("diff")
def diff(
    stream: Annotated[UUID, typer.Argument(help="The record's (any stream's) id")],
    from_: Annotated[str, typer.Option("--from", help="The earlier date (or time)")],
    to: Annotated[str, typer.Option(help="The later date (or time)")],
    axis: Annotated[
        str, typer.Option(help="valid: effective dates; recorded: transaction times")
    ] = "valid",
    json_output: JsonOutput = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """What changed in a record between two dates: entries added or gone, fields changed."""
    if axis not in ("valid", "recorded"):
        raise typer.BadParameter("--axis is valid or recorded")
    chosen: Literal["valid", "recorded"] = "valid" if axis == "valid" else "recorded"
    before: datetime | date | None
    after: datetime | date | None
    if chosen == "valid":
        before, after = _valid(from_), _valid(to)
    else:
        before, after = parse_moment(from_), parse_moment(to)
    if before is None or after is None:  # pragma: no cover - both options are required
        raise typer.BadParameter("--from and --to are required")
    settings = build_settings(database_url, name)
    with open_ledger(settings) as ledger, fail_on(ReplayError):
        change = stream_diff(ledger, stream, before=before, after=after, axis=chosen)
    if json_output:
        _print(change.as_json())
        return
    out.print(f"{stream}: {from_} -> {to} ({axis} time)", highlight=False)
    for event in change.added:
        out.print(f"  + v{event.version} {event.type} effective {event.effective}", highlight=False)
    for event in change.removed:
        out.print(f"  - v{event.version} {event.type} effective {event.effective}", highlight=False)
    for key, (old, new) in change.changed.items():
        out.print(
            f"  ~ {key}: {json.dumps(old, ensure_ascii=False)[:80]} -> "
            f"{json.dumps(new, ensure_ascii=False)[:80]}",
            highlight=False,
        )
    if not (change.added or change.removed or change.changed):
        out.print("  no difference")


@replay_app.command("organization")
def organization(
    lao: Annotated[str, typer.Argument(help="The LAO's 7-digit DLA code")],
    as_of: AsOf = None,
    valid_on: ValidOn = None,
    json_output: JsonOutput = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """An LAO's records as of a date: each stream whose latest event names this LAO."""
    settings = build_settings(database_url, name)
    moment, day = parse_moment(as_of), _valid(valid_on)
    with _source(settings) as source:
        streams = lao_streams(source, lao, as_of=moment, valid_on=day)
    with open_ledger(settings) as ledger:
        states = [stream_as_of(ledger, stream, as_of=moment, valid_on=day) for stream in streams]
    if json_output:
        _print({"lao": lao, "records": [state.as_json() for state in states]})
        return
    out.print(f"LAO {lao}: {len(states)} records" + _describe(moment, day), highlight=False)
    for state in states:
        out.print(f"  {state.stream}  {state.aggregate}  version {state.version}", highlight=False)


@replay_app.command("report")
def report(
    as_of: AsOf = None,
    valid_on: ValidOn = None,
    lao: Annotated[str | None, typer.Option(help="Only this LAO")] = None,
    json_output: JsonOutput = False,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Records and events per LAO, by event type, as of a date on either axis."""
    settings = build_settings(database_url, name)
    moment, day = parse_moment(as_of), _valid(valid_on)
    with _source(settings) as source:
        lines = activity_report(source, as_of=moment, valid_on=day, lao=lao)
    if json_output:
        _print({"as_of": as_of, "valid_on": valid_on, "laos": [line.as_json() for line in lines]})
        return
    out.print("activity per LAO" + _describe(moment, day), highlight=False)
    for line in lines:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(line.by_type.items()))
        out.print(
            f"  {line.lao}: {line.records} records, {line.events} events ({kinds})",
            highlight=False,
        )


__all__ = ["parse_moment", "replay_app"]
