"""Personal values of v2 statements in the read models: kept out of the views, revealed when read.

A v2 statement signs a commitment in place of each personal value (``ledger.commitments``); the
value lives in the vault, encrypted per person, until the person is erased (the key destroyed).
The views are derived data in the ledger's own database, so they are in its backups: a clear
value copied into a view table would survive an erasure in every backup taken before it, which
is what the vault's per-person keys exist to prevent. So the views keep what the log holds: a
v2 event's rows hold its commitment objects (as JSON text), never a value, nor anything computed
from one (a v2 record's retirement date, computed from the birth date, is not kept either); a
read reveals the values of the rows it returns through a ``Revealer`` (docs/personal-data.md,
"Reads"). A rebuild of the views from the log is therefore the same with or without the vault,
before or after an erasure, and an erasure needs no change to any view.

``Revealer`` is the adapter the reads are given at construction (``Projections``): with the
ledger's vault it replaces each commitment object by its kept value, checked against the
commitment; a value it cannot read (the person erased, or a row not kept) becomes
``ERASED``; without a vault every commitment becomes ``WITHHELD``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol
from uuid import UUID

from ledger.application import Ledger
from ledger.commitments import COMMITMENT_KEY, Disclosure, commitment, is_commitment
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.permissions import Scope, lao_scope
from ledger.domain.personal_fields import personal_paths
from ledger.domain.reading import DataKind
from ledger.vault_keys import ErasedError

ERASED = "ข้อมูลถูกลบตามคำขอ / erased"
"""What a read shows for a personal value whose person was erased (the key destroyed)."""

WITHHELD = "ไม่เปิดเผย / withheld"
"""What a read shows for a personal value when the reader has no vault to open it with."""

MARKERS = frozenset({ERASED, WITHHELD})
CORRECTION = "replacement."


class DisclosureSource(Protocol):
    """What reads need of the vault (``ledger.vault.Vault``)."""

    def disclosure(self, subject: str, hexed: str) -> tuple[str, Disclosure]:
        """The path and disclosure kept for a commitment; ``ErasedError`` if unreadable."""
        ...

    def subjects_of(self, cid: str) -> set[str]:
        """The subjects whose owner's citizen ID is indexed as ``cid`` (the search index)."""
        ...

    def disclosures(
        self, wanted: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, Disclosure]]:
        """The readable ones of many (subject, commitment), read together."""
        ...


def stored(value: Any) -> Any:
    """A value as a view keeps it in a text column: a commitment object as its JSON text."""
    return json.dumps(value, sort_keys=True) if is_commitment(value) else value


def commitments_in(value: Any) -> Iterator[str]:
    """The commitments (hex) a stored value holds: a commitment object, one as a text column
    holds it (``stored``), or any nested in a data object or its JSON text."""
    if isinstance(value, str):
        if COMMITMENT_KEY not in value:
            return
        try:
            value = json.loads(value)
        except ValueError:
            return  # a text that merely holds the word
    if is_commitment(value):
        yield str(value[COMMITMENT_KEY])
    elif isinstance(value, dict):
        for item in value.values():
            yield from commitments_in(item)


def committed(text: str | None) -> dict[str, Any] | None:
    """The commitment object a text column holds (``stored``), or None for a plain value."""
    if text is None or not text.startswith('{"' + COMMITMENT_KEY):
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if is_commitment(found) else None


def is_marker(value: object) -> bool:
    """Whether ``value`` is what a read shows in place of a value it could not reveal."""
    return isinstance(value, str) and value in MARKERS


class _Preloaded(threading.local):
    """Per thread: the disclosures the read in progress preloaded (``Revealer.preloaded``)."""

    kept: dict[tuple[str, str], tuple[str, Disclosure]] | None = None


class Revealer:
    """Reveals the commitments of a record's data through the vault (None: withholds them)."""

    def __init__(self, vault: DisclosureSource | None) -> None:
        self._vault = vault
        self._local = _Preloaded()

    @contextmanager
    def preloaded(self, wanted: Iterable[tuple[str, str]]) -> Iterator[None]:
        """Within the block, reveal these (subject, commitment) from one batch read of the
        vault (a report's rows: a query per hundreds of people, each person's key unwrapped
        once) instead of a vault read each. Kept for the block only, in this thread: a value
        is never held beyond the read that shows it (an erasure reaches the next read)."""
        asked = set(wanted)
        if self._vault is None or not asked:
            yield
            return
        self._local.kept = self._vault.disclosures(asked)
        try:
            yield
        finally:
            self._local.kept = None

    def _disclosure(self, subject: str, hexed: str) -> tuple[str, Disclosure]:
        assert self._vault is not None  # noqa: S101 - value() checked it
        kept = self._local.kept
        if kept is not None and (subject, hexed) in kept:
            return kept[(subject, hexed)]
        return self._vault.disclosure(subject, hexed)

    def value(self, subject: str, path: str, found: Mapping[str, Any]) -> Any:
        """The value a commitment object at ``path`` of the subject's data stands for."""
        if self._vault is None:
            return WITHHELD
        hexed = str(found[COMMITMENT_KEY])
        try:
            kept_path, disclosure = self._disclosure(subject, hexed)
        except ErasedError:
            return ERASED
        # A correction's replacement was committed under ``replacement.<path>``; the
        # registry keeps the replacement as the entry's data, so either path is the field's.
        if kept_path not in (path, f"{CORRECTION}{path}"):
            return ERASED
        if commitment(subject, kept_path, disclosure.salt, disclosure.value) != hexed:
            return ERASED  # not the value signed: never shown as if it were
        return disclosure.value

    @property
    def reveals(self) -> bool:
        """Whether there is a vault: without one every commitment shows as ``WITHHELD``."""
        return self._vault is not None

    def subjects_of(self, cid: str) -> set[str]:
        """The v2 records the vault's search index finds for a citizen ID (a filter: the
        caller keeps those whose revealed citizen ID is ``cid``); none without a vault."""
        return set() if self._vault is None else self._vault.subjects_of(cid)

    def data(self, subject: str, data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
        """``data`` with every commitment object (nested ones too) replaced by its value."""
        revealed: dict[str, Any] = {}
        for name, found in data.items():
            path = f"{prefix}{name}"
            if is_commitment(found):
                revealed[name] = self.value(subject, path, found)
            elif isinstance(found, dict):
                revealed[name] = self.data(subject, found, f"{path}.")
            else:
                revealed[name] = found
        return revealed

    def text(self, subject: str, path: str, text: str) -> str:
        """A text column's value (``stored``): a commitment's value as text, else unchanged."""
        found = committed(text)
        return text if found is None else str(self.value(subject, path, found))

    def json_text(self, subject: str, text: str | None) -> str | None:
        """A column holding a data object as JSON text, with its commitments revealed."""
        if text is None or COMMITMENT_KEY not in text:
            return text
        return json.dumps(self.data(subject, json.loads(text)), ensure_ascii=False)


WITHHOLDING = Revealer(None)
"""The revealer of a read given no vault: every commitment shows as ``WITHHELD``."""


def health_paths(event_type: str) -> tuple[str, ...]:
    """The paths of an event type's data that are health data in the read matrix (leave
    types, sick leave, penalties; a correction's ``replacement.<path>`` of them)."""
    spec = EVENT_TYPES.get(event_type)
    if spec is None:
        return ()
    kinds = personal_paths(spec.data_model)
    return tuple(path for path, kind in kinds.items() if kind is DataKind.HEALTH)


def without_health(event_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with its health values (v1 values and v2 commitments alike) shown as
    ``WITHHELD``: what a reader who does not read health data is shown of an event."""
    shown = dict(data)
    for path in health_paths(event_type):
        parent, _, name = path.rpartition(".")  # a correction's ``replacement.<field>``
        holder = shown
        if parent:
            inner = shown.get(parent)
            if not isinstance(inner, dict):
                continue
            holder = shown[parent] = dict(inner)
        if holder.get(name) is not None:
            holder[name] = WITHHELD
    return shown


def erased_record_scope(ledger: Ledger, stream: UUID) -> Scope:
    """The LAO holding a record, from its signed custody events (none of them personal): where
    it was opened, then each transfer that completed."""
    lao = province = ""
    moving: tuple[str, str] | None = None
    for event in ledger.stream_events(stream):
        data = json.loads(event.statement)["data"]
        if event.type == "RecordOpened":
            lao, province = data["lao"], data["province"]
        elif event.type == "TransferredOut":
            moving = (data["to_lao"], data["to_province"])
        elif event.type == "TransferredIn" and moving is not None:
            (lao, province), moving = moving, None
        elif event.type == "SeparationRevoked":
            moving = None
    return lao_scope(province, lao)
