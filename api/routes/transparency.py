"""The transparency log out: the latest checkpoint, its verifier key, inclusion and consistency
proofs. Public (no session): the log holds hashes and signed tree heads, no personal data.

``GET /transparency/checkpoint`` answers the latest checkpoint as a C2SP signed note in plain
text, as standard transparency-log tools fetch it; ``GET /transparency/key`` the verifier key to
check it with. Proofs are RFC 9162 proofs against a checkpoint (the latest unless a signed tree
size is named), hashes in lowercase hex.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from api.deps import LedgerDep, TransparencyDep
from api.errors import problem_responses
from api.paging import MAX_POSITION
from api.schemas import CheckpointOut, ConsistencyProofOut, InclusionProofOut
from ledger.domain.search import check_range
from ledger.errors import NotInitialisedError
from projections.transparency.checkpoints import log_origin, verifier_key

router = APIRouter(
    prefix="/transparency", tags=["transparency"], responses=problem_responses(400, 404, 503)
)

NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"


@router.get(
    "/checkpoint",
    response_class=PlainTextResponse,
    responses={200: {"content": {NOTE_MEDIA_TYPE: {}}}},
)
def read_checkpoint(log: TransparencyDep) -> PlainTextResponse:
    """The latest checkpoint, as a C2SP signed note (tlog-checkpoint)."""
    return PlainTextResponse(log.latest_checkpoint().note, media_type=NOTE_MEDIA_TYPE)


@router.get("/checkpoints")
def read_checkpoints(
    log: TransparencyDep,
    after_size: Annotated[
        int, Query(ge=-1, le=MAX_POSITION, description="Only checkpoints larger than this")
    ] = -1,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[CheckpointOut]:
    """Checkpoints in order of tree size (page with ``after_size``)."""
    return [CheckpointOut.of(item) for item in log.checkpoints(after_size=after_size, limit=limit)]


@router.get(
    "/key",
    response_class=PlainTextResponse,
    responses={200: {"content": {NOTE_MEDIA_TYPE: {}}}},
)
def read_key(ledger: LedgerDep) -> PlainTextResponse:
    """The log's verifier key: ``<origin>+<key id>+<base64(0x01 || system public key)>``."""
    registry = ledger.registry()
    enrolment = registry.enrolment(registry.system_key_id) if registry is not None else None
    if registry is None or enrolment is None:
        raise NotInitialisedError
    origin = log_origin(ledger.name, registry.system_key_id)
    return PlainTextResponse(
        verifier_key(origin, enrolment.public_key) + "\n", media_type=NOTE_MEDIA_TYPE
    )


@router.get("/proofs/inclusion")
def read_inclusion_proof(
    log: TransparencyDep,
    notification_id: Annotated[int, Query(ge=1, le=MAX_POSITION)],
    tree_size: Annotated[
        int | None, Query(ge=1, le=MAX_POSITION, description="A checkpoint's size")
    ] = None,
) -> InclusionProofOut:
    """The proof that a notification's event is in a checkpoint (the latest by default)."""
    return InclusionProofOut.of(log.inclusion_proof(notification_id, tree_size))


@router.get("/proofs/consistency")
def read_consistency_proof(
    log: TransparencyDep,
    old_size: Annotated[
        int, Query(ge=1, le=MAX_POSITION, description="An older checkpoint's size")
    ],
    new_size: Annotated[
        int | None, Query(ge=1, le=MAX_POSITION, description="A newer checkpoint's size")
    ] = None,
) -> ConsistencyProofOut:
    """The proof that an older checkpoint is a prefix of a newer one (the latest by default);
    400 ``query.range_reversed`` when ``new_size`` comes before ``old_size``."""
    check_range("old_size", old_size, "new_size", new_size)
    return ConsistencyProofOut.of(log.consistency_proof(old_size, new_size))
