"""Sessions: a challenge for an enrolled key, then a bearer token for its signed answer.

See ``api.sessions`` for the challenge and token formats and what the client signs.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import LedgerDep, SessionsDep
from api.errors import problem_responses
from api.schemas import ChallengeIn, ChallengeOut, SessionIn, TokenOut

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("/challenge", responses=problem_responses(400))
def request_challenge(body: ChallengeIn, sessions: SessionsDep) -> ChallengeOut:
    """A fresh challenge bound to the key id; issued without a lookup (stateless)."""
    return ChallengeOut.of(sessions.issue_challenge(body.key_id))


@router.post("", responses=problem_responses(400, 401))
def open_session(body: SessionIn, ledger: LedgerDep, sessions: SessionsDep) -> TokenOut:
    """Exchange a signed challenge of an enrolled, unrevoked key for a bearer token."""
    enrolment = ledger.active_enrolment(body.key_id)
    return TokenOut.of(sessions.open_session(enrolment, body.challenge, body.signature))
