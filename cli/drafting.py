"""``ledger draft``, ``ledger correct``, ``ledger void``: statement drafts to edit, then sign
with ``ledger submit``, so nobody writes a statement's JSON by hand.

A draft names the stream's head as it stands when it is written (``expected_version`` and
``prev_hash``), read from the ledger's database, or from its API with ``--server`` and a bearer
token (``ledger token``): if anyone appends to the stream before the draft is submitted, the
ledger refuses it as stale rather than sign over a change the officer did not see.

A correction draft holds the entry's current values to edit. A v2 entry's are read from the
vault (the database), or over the API from each field's disclosure, as the caller's roles allow
(a field they may not read is left blank, with a note saying so); never a salt, which is made
afresh when ``ledger submit`` signs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Protocol
from uuid import UUID

import httpx
import typer

from cli.api_client import LedgerClient, ServerError
from cli.options import read_date
from cli.runtime import DatabaseUrl, LedgerName, build_settings, fail, out, warn
from ledger.application import Ledger
from ledger.commitments import is_commitment
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.event_schemas import event_type as catalogued
from ledger.domain.natural_streams import NATURAL_STREAMS
from ledger.domain.personal_fields import personal_paths
from ledger.drafting.corrections import (
    WITHHELD,
    StoredEntry,
    StoredEvent,
    correction_draft,
    entry_at,
    void_draft,
)
from ledger.drafting.templates import draft as template
from ledger.errors import LedgerError, StreamNotFoundError
from ledger.statement import GENESIS_PREV_HASH
from ledger.vault_keys import ErasedError

ERASED = "ข้อมูลส่วนบุคคลนี้ถูกลบตามคำขอแล้ว / the person's data is erased: nothing to correct"

OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Write the draft to this file (default: print it)")
]
ServerOpt = Annotated[
    str | None,
    typer.Option(help="Read the stream from this API (http://host:port) instead of a database"),
]
BearerOpt = Annotated[
    str | None,
    typer.Option(
        envvar="LEDGER_TOKEN", help="With --server: a bearer token (ledger token), or LEDGER_TOKEN"
    ),
]
StreamArg = Annotated[UUID, typer.Argument(help="The record's stream id")]
VersionArg = Annotated[
    int,
    typer.Argument(
        min=1, help="A version of the entry: its addition or any correction (GET /records/{id})"
    ),
]


class StreamSource(Protocol):
    """Where a draft reads a stream: the ledger's database, or its API."""

    def head(self, stream: UUID, *, opening: bool = False) -> tuple[int, str]:
        """The stream's version and head hash; a stream not opened is at version 0 only for
        a statement that opens one (``opening``): the API refuses any other (404)."""
        ...

    def events(self, stream: UUID) -> list[StoredEvent]: ...

    def reveal(self, stream: UUID, entry: StoredEntry) -> dict[str, str]:
        """Put the entry's v2 values in place of their commitments where the caller may read
        them; the fields left committed because the caller may not, with their kind."""
        ...


class _Database:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def head(self, stream: UUID, *, opening: bool = False) -> tuple[int, str]:
        return self.ledger.head(stream)

    def events(self, stream: UUID) -> list[StoredEvent]:
        """The stream's events, a v2 statement's data with its values from the vault (a
        correction draft prefills them); without a vault, as signed (commitments)."""
        found = []
        vault = self.ledger.vault
        for event in self.ledger.stream_events(stream):
            statement = json.loads(event.statement)
            data, spec = statement["data"], EVENT_TYPES.get(event.type)
            if statement.get("v") == 2 and vault is not None and spec is not None:
                try:
                    data = vault.revealed_data(spec.data_model, str(stream), data)
                except ErasedError:
                    fail(f"stream {stream}: {ERASED}")
            found.append((event.version, event.type, data))
        return found

    def reveal(self, stream: UUID, entry: StoredEntry) -> dict[str, str]:
        """Nothing more to reveal: ``events`` read the values from the vault already."""
        return {}


class _Served:
    """The API: the stream's signed statements (commitments for v2 values), each value read
    through ``GET /records/{id}/disclosure``, so the read matrix and the access log apply."""

    def __init__(self, client: LedgerClient) -> None:
        self.client = client

    def head(self, stream: UUID, *, opening: bool = False) -> tuple[int, str]:
        return self.client.head(stream, opening=opening)

    def events(self, stream: UUID) -> list[StoredEvent]:
        return self.client.events(stream)

    def reveal(self, stream: UUID, entry: StoredEntry) -> dict[str, str]:
        """Each committed field's value from its disclosure (only the value: a salt is made
        afresh when the correction is signed); a field the caller's roles do not read (403)
        stays committed, named with its kind."""
        corrected = entry.version != entry.id  # its values are the correction's replacement
        event_type = "EntryCorrected" if corrected else entry.type
        kinds = personal_paths(EVENT_TYPES[event_type].data_model)
        withheld = {}
        for key in [key for key, value in entry.data.items() if is_commitment(value)]:
            path = f"replacement.{key}" if corrected else key
            try:
                entry.data[key] = self.client.disclosure(stream, entry.version, path)["value"]
            except ServerError as error:
                if error.status == 410:
                    fail(f"stream {stream}: {ERASED}")
                if error.status != 403:
                    raise
                withheld[key] = str(kinds.get(path, "personal"))
        return withheld


@contextmanager
def stream_source(
    database_url: str | None, name: str | None, server: str | None, bearer: str | None
) -> Iterator[StreamSource]:
    """The database's ledger, or the API with the bearer token; errors as one line each."""
    try:
        if server is not None:
            if not bearer:
                fail("--server needs a bearer token: --bearer $(ledger token ...) or LEDGER_TOKEN")
            with LedgerClient(server) as client:
                client.use_token(bearer)
                yield _Served(client)
            return
        ledger = Ledger(build_settings(database_url, name))
        try:
            yield _Database(ledger)
        finally:
            ledger.close()
    except LedgerError as error:
        fail(str(error))
    except httpx.HTTPError as error:
        fail(f"cannot reach the ledger's API at {server}: {type(error).__name__}: {error}")


def draft(
    event_type: Annotated[str, typer.Argument(help="The event type, e.g. EducationAdded")],
    stream: Annotated[
        UUID | None,
        typer.Option(help="The stream; omit it to open one (named by the data where it is so)"),
    ] = None,
    effective: Annotated[
        str | None, typer.Option(help="The effective date (01/04/2562 or 2019-04-01)")
    ] = None,
    out_file: OutOpt = None,
    server: ServerOpt = None,
    bearer: BearerOpt = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Write a draft of EVENT_TYPE: every field of its data (required ones null and marked
    ต้องกรอก in ``fields``), at the stream's head. ``ledger submit`` signs it once filled in."""
    try:
        spec = catalogued(event_type)
    except LedgerError as error:
        fail(f"{error} (GET /schemas, or the README's table of event types)")
    if effective is not None:
        read_date(effective)  # refuse a date that cannot be read now, not at submit
    if stream is None:
        if not spec.opens_stream:
            fail(f"{event_type} is added to a stream: name it with --stream <id>")
        new = None if spec.name in NATURAL_STREAMS else uuid.uuid4()
        made = template(event_type, new, (0, GENESIS_PREV_HASH), effective)
    else:
        with stream_source(database_url, name, server, bearer) as source:
            head = source.head(stream, opening=spec.opens_stream)
            made = template(event_type, stream, head, effective)
    _write(made, out_file)


def correct(
    stream: StreamArg,
    version: VersionArg,
    out_file: OutOpt = None,
    server: ServerOpt = None,
    bearer: BearerOpt = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Write an EntryCorrected draft of the record's entry at VERSION: its current data to edit
    as ``replacement``, ``supersedes`` its latest version, the reason to give."""
    with stream_source(database_url, name, server, bearer) as source:
        entry = _entry(source, stream, version)
        withheld = source.reveal(stream, entry)
        made = correction_draft(stream, entry, source.head(stream), withheld)
    for key, kind in withheld.items():
        warn(f"data.replacement.{key}: {WITHHELD.format(kind=kind)}")
    _write(made, out_file)


def void(
    stream: StreamArg,
    version: VersionArg,
    reason: Annotated[str | None, typer.Option(help="Why the entry is voided")] = None,
    out_file: OutOpt = None,
    server: ServerOpt = None,
    bearer: BearerOpt = None,
    database_url: DatabaseUrl = None,
    name: LedgerName = None,
) -> None:
    """Write an EntryVoided draft of the record's entry at VERSION (the reason given, or to
    give); the entry stays in the record's history."""
    with stream_source(database_url, name, server, bearer) as source:
        entry = _entry(source, stream, version)
        try:
            made = void_draft(stream, entry, source.head(stream), reason)
        except LedgerError as error:
            fail(str(error))
    _write(made, out_file)


def _entry(source: StreamSource, stream: UUID, version: int) -> StoredEntry:
    try:
        events = source.events(stream)
    except StreamNotFoundError:
        fail(f"stream {stream} does not exist (or lies outside the caller's share)")
    try:
        return entry_at(events, version)
    except LedgerError as error:
        fail(f"stream {stream}: {error}")


def _write(made: dict[str, Any], out_file: Path | None) -> None:
    text = json.dumps(made, ensure_ascii=False, indent=2) + "\n"
    if out_file is None:
        typer.echo(text, nl=False)
        return
    out_file.write_text(text, encoding="utf-8")
    out.print(f"draft written to {out_file}: fill in, then ledger submit {out_file}", markup=False)


__all__ = ["correct", "draft", "void"]
