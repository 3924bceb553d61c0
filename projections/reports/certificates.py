"""A certificate checked against the ledger, by its verification code (its event hash).

``certificate_check`` finds the event by hash in the audit view, and answers ``None`` unless
it is a ``CertificateIssued`` (an unknown code and the hash of another event look the same, so
the answer tells nothing of what else the ledger holds). Otherwise it says:

* ``valid``: the stored statement's signature verifies under the key enrolled when it was
  signed, its hash is the code, and the key was not revoked before it signed
  (``projections.views.audit_trail``, the same check the audit trail shows);
* ``current`` (and ``changed``): whether what it certified still stands in the record now: the
  same position and level, the same salary on a salary certificate, still in service, still
  with the issuing LAO. A later salary line, a promotion, a separation or a transfer makes it
  stale and names what changed; so does the person's erasure (``erased``, with ``erasure``:
  its day and legal basis), after which the record no longer holds what it certified about
  her (her name is gone: the printed name can no longer be checked, nor the paper reprinted);
* the certified facts as signed, the person's name as the record had it on the certificate's
  day, as the ledger knew it when the certificate was issued (what the printed certificate
  shows), and the issuing LAO's Thai name.

The check is the printer's source too, so the paper and the verification never disagree. What
an anonymous verifier is shown of it is decided at the edge (``api.routes.verify``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ledger.application import Ledger
from ledger.domain.employment import IN_SERVICE
from projections.personal import WITHHOLDING, Revealer
from projections.reports.names import full_name
from projections.rows import from_utc_text
from projections.store import Cursor
from projections.views.audit_trail import EVENT_COLUMNS, audit_trail
from projections.views.organizations import organizations
from projections.views.registry_queries import erasure_of, registry_entries
from projections.views.registry_rows import Erasure, RegistryEntry

CERTIFICATE_TYPE = "CertificateIssued"
IN_SERVICE_CODES = frozenset(status.value for status in IN_SERVICE)


@dataclass(frozen=True, slots=True)
class CertificateCheck:
    """One certificate as the ledger holds it, checked (see the module docstring)."""

    code: str
    stream: str
    record: str
    kind: str
    as_of: date
    issued_on: date
    issued_at: datetime
    lao: str
    province: str
    lao_name: str
    position_title: str
    level: str
    salary: Decimal | None
    purpose: str
    signer_roles: tuple[str, ...]
    signature: str
    person: RegistryEntry | None
    changed: tuple[str, ...]
    erasure: Erasure | None = None

    @property
    def valid(self) -> bool:
        return self.signature == "verified"

    @property
    def current(self) -> bool:
        return self.valid and not self.changed and self.erasure is None

    @property
    def name(self) -> str:
        """The person's name as printed (prefix, first and last name)."""
        person = self.person
        if person is None:
            return ""
        return full_name(person.prefix, person.first_name, person.last_name) or ""


def find_event(cursor: Cursor, tables: Mapping[str, str], code: str) -> dict[str, Any] | None:
    """The audit view's row of the event whose hash is ``code``, if any."""
    rows = cursor.select_in(tables["events"], EVENT_COLUMNS, "hash", [code])
    return dict(zip(EVENT_COLUMNS, rows[0], strict=True)) if rows else None


def certificate_check(
    cursor: Cursor,
    tables: Mapping[str, Mapping[str, str]],
    ledger: Ledger,
    code: str,
    revealer: Revealer = WITHHOLDING,
) -> CertificateCheck | None:
    """The certificate whose event hash is ``code``, checked; ``None`` if there is none (a
    v2 record's person revealed by ``revealer``: the name printed and matched)."""
    row = find_event(cursor, tables["audit"], code)
    if row is None or row["type"] != CERTIFICATE_TYPE:
        return None
    trail = audit_trail(cursor, tables["audit"], ledger, UUID(row["stream"]))
    event = next((entry for entry in trail if entry.hash == code), None)
    if event is None:
        return None
    data = event.data
    issued_at = from_utc_text(event.recorded_at)
    as_of = date.fromisoformat(str(data["as_of"]))
    record = str(data["record"])
    then = registry_entries(
        cursor,
        tables["registry"],
        valid=as_of,
        recorded=issued_at,
        streams=[record],
        revealer=revealer,
    )
    now = registry_entries(cursor, tables["registry"], streams=[record])
    salary = None if data.get("salary") is None else Decimal(str(data["salary"]))
    erasure = erasure_of(cursor, tables["registry"], record)
    changed = _changed(data, salary, now[0] if now else None)
    signature = event.signature if event.key_status in ("enrolled", "genesis") else "revoked key"
    return CertificateCheck(
        code=code,
        stream=event.stream,
        record=record,
        kind=str(data["kind"]),
        as_of=as_of,
        issued_on=date.fromisoformat(event.effective),
        issued_at=issued_at,
        lao=str(data["lao"]),
        province=str(data["province"]),
        lao_name=_lao_name(cursor, tables, str(data["lao"])),
        position_title=str(data["position_title"]),
        level=str(data["level"]),
        salary=salary,
        purpose=str(data["purpose"]),
        signer_roles=event.roles,
        signature=signature,
        person=then[0] if then else None,
        changed=changed if erasure is None else ("erased", *changed),
        erasure=erasure,
    )


def _changed(
    data: Mapping[str, Any], salary: Decimal | None, now: RegistryEntry | None
) -> tuple[str, ...]:
    """What the certificate certified that the record no longer says (in the fields' names)."""
    if now is None:
        return ("record",)
    changed = []
    if now.lao != data["lao"]:
        changed.append("lao")
    if now.status not in IN_SERVICE_CODES:
        changed.append("status")
    if now.position_title != data["position_title"]:
        changed.append("position_title")
    if now.level != data["level"]:
        changed.append("level")
    if salary is not None and now.salary != salary:
        changed.append("salary")
    return tuple(changed)


def _lao_name(cursor: Cursor, tables: Mapping[str, Mapping[str, str]], code: str) -> str:
    found = organizations(cursor, tables["organizations"], code=code)
    return found[0].name if found else code


__all__ = ["CERTIFICATE_TYPE", "CertificateCheck", "certificate_check", "find_event"]
