"""Which fields of an event's data are personal: signed as salted commitments in statement v2.

Declared once per event data model, with the kind of data each field is in the read matrix
(``ledger.domain.reading.DataKind``: ``personal`` for what identifies a person or their family,
``health`` for leave and penalties that reveal health or discipline), so the statement format
and the read matrix classify data the same way. A v2 statement carries, in ``data``, a
commitment object (``{"commitment": "<hex>"}``) in place of each such value present; the value
and its salt travel beside the statement as a disclosure and are kept in the vault
(docs/personal-data.md).

Every model declared here belongs to the personnel record (one stream per person): the
commitment's subject is the statement's stream, the person's record. Other streams hold no
personal field: an officer's citizen ID is the signer's, named in clear in every statement it
signs (``signer.cid``) so its key can be checked (a record owner, enrolled by her record, signs
with none), and certificates, positions and plans name a record by its stream id, never a
person.

An ``EntryCorrected`` replaces an entry's whole data under ``replacement``: its personal paths
are ``replacement.<field>`` for every field personal in any entry model (the most sensitive
kind where two models differ), so a correction commits the same fields whatever it corrects.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel

from ledger.domain.reading import DataKind
from ledger.domain.record_entries import (
    AddressChangedData,
    ChangeRequestedByOwnerData,
    DocumentScannedData,
    EntryCorrectedData,
    FamilyMemberRecordedData,
    LeaveTakenData,
    LeaveYearSummarisedData,
    NameChangedData,
    PenaltyImposedData,
    PersonalDataRecordedData,
    PhotoAttachedData,
    RecordOpenedData,
)

P = DataKind.PERSONAL
H = DataKind.HEALTH

PERSONAL_FIELDS: Mapping[type[BaseModel], Mapping[str, DataKind]] = MappingProxyType(
    {
        RecordOpenedData: {"cid": P, "birth_date": P},
        PersonalDataRecordedData: {
            "prefix": P,
            "first_name": P,
            "last_name": P,
            "sex": P,
            "religion": P,  # sensitive data under PDPA section 26
            "blood_group": H,
        },
        NameChangedData: {"prefix": P, "first_name": P, "last_name": P, "reason": P},
        AddressChangedData: {"address": P, "phone": P},
        PhotoAttachedData: {"sha256": P},  # a photo's hash finds the photo of the person
        FamilyMemberRecordedData: {
            "prefix": P,
            "first_name": P,
            "last_name": P,
            "occupation": P,
            "is_alive": P,
            "cid": P,
        },
        DocumentScannedData: {"sha256": P, "title": P},
        LeaveTakenData: {"leave_type": H},  # sick, maternity, rehabilitation: health
        LeaveYearSummarisedData: {"sick_times": H, "sick_days": H},
        PenaltyImposedData: {"penalty": H, "detail": H},
        ChangeRequestedByOwnerData: {"proposal": P},  # a new name or address, in words
    }
)
"""Data model -> its personal fields (top-level keys of ``data``) and their kinds."""

_RANK = {DataKind.HEALTH: 0, DataKind.PERSONAL: 1}


def _entry_fields() -> dict[str, DataKind]:
    found: dict[str, DataKind] = {}
    for fields in PERSONAL_FIELDS.values():
        for name, kind in fields.items():
            if name not in found or _RANK[kind] < _RANK[found[name]]:
                found[name] = kind
    return found


CORRECTION_FIELDS: Mapping[str, DataKind] = MappingProxyType(
    {f"replacement.{name}": kind for name, kind in sorted(_entry_fields().items())}
)
"""An ``EntryCorrected``'s personal paths: every entry model's personal field under
``replacement``."""


def personal_paths(data_model: type[BaseModel]) -> Mapping[str, DataKind]:
    """The personal paths of a data model (dotted, relative to ``data``), each with its kind;
    empty for a model that holds no personal field."""
    if data_model is EntryCorrectedData:
        return CORRECTION_FIELDS
    return PERSONAL_FIELDS.get(data_model, MappingProxyType({}))


SEARCH_PATH = "cid"
"""The one personal field a search finds a record by: the record owner's citizen ID, as
``RecordOpened`` states it (or a correction of the record's header restates it). A family
member's ``cid`` is not searchable: the search finds a person's own record, and a family
member's citizen ID typed into it would tell the searcher whose relative that person is."""


def search_paths(event_type: str, data: Mapping[str, object]) -> tuple[str, ...]:
    """The paths of a statement's (revealed) data whose value is the record owner's citizen
    ID, indexed for the search by citizen ID (``ledger.vault_search``): ``cid`` of a
    ``RecordOpened``, ``replacement.cid`` of a correction of the record's header (its
    replacement is a whole ``RecordOpened`` data: it names the LAO, which no other entry
    does)."""
    if event_type == "RecordOpened" and data.get(SEARCH_PATH) is not None:
        return (SEARCH_PATH,)
    replacement = data.get("replacement") if event_type == "EntryCorrected" else None
    if (
        isinstance(replacement, Mapping)
        and replacement.get(SEARCH_PATH) is not None
        and set(RecordOpenedData.model_fields) == set(replacement)
    ):
        return (f"replacement.{SEARCH_PATH}",)
    return ()


__all__ = ["CORRECTION_FIELDS", "PERSONAL_FIELDS", "SEARCH_PATH", "personal_paths", "search_paths"]
