"""Dependencies of the routes, as ``Annotated`` aliases that tests may override.

The ledger and the session authority live on ``app.state`` (put there by ``api.app``); nothing
here builds an adapter or reads settings.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.sessions import MissingTokenError, Session, SessionAuthority
from ledger.application import Ledger

_bearer = HTTPBearer(auto_error=False, description="A token from POST /sessions")


def get_ledger(request: Request) -> Ledger:
    """The app's ledger (opened at startup)."""
    ledger: Ledger | None = getattr(request.app.state, "ledger", None)
    if ledger is None:
        raise RuntimeError("the ledger is not open: the app's lifespan has not started")
    return ledger


def get_sessions(request: Request) -> SessionAuthority:
    """The app's session authority (its secret and token lifetime)."""
    sessions: SessionAuthority = request.app.state.sessions
    return sessions


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
SessionsDep = Annotated[SessionAuthority, Depends(get_sessions)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def get_session(ledger: LedgerDep, sessions: SessionsDep, credentials: BearerDep) -> Session:
    """The caller's session: a genuine, live token of a key that is enrolled and not revoked.

    The enrolment is read on every request, so revoking a key ends its sessions at once.
    """
    if credentials is None:
        raise MissingTokenError
    key_id, expires_at = sessions.read_token(credentials.credentials)
    enrolment = ledger.active_enrolment(key_id)
    return Session(key_id=key_id, enrolment=enrolment, expires_at=expires_at)


SessionDep = Annotated[Session, Depends(get_session)]
