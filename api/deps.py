"""Dependencies of the routes, as ``Annotated`` aliases that tests may override.

The adapters live on ``app.state``, built once by the app's lifespan (``api.app``): the ledger,
the session authority, the reports over the views and the transparency log. Nothing here builds
an adapter or reads settings.

* ``ReportsDep``: the reports (``projections.reports.facade.Reports``); each request first
  applies what the log holds beyond the views' positions (cheap when nothing is new), so a
  client reads its own writes.
* ``ScopeDep``: the part of the country a read is confined to (``ReadScope``): the caller's
  enrolment scope, narrowed by the ``province`` and ``lao`` query; asking outside the scope is
  ``ForbiddenError`` (403), never an empty answer.
* ``require_stream_scope``: the caller's scope must cover the stream a route reads.
* ``ReaderDep``: the caller as a reader (``api.access.Reader``): the read matrix's kinds of
  data, their scope, a record owner's own record, and the access log of personal reads.
* ``LaoDep``: the LAO a route names in its path (``/laos/{code}``), which the caller's scope
  must cover; an LAO the ledger does not know and one outside the scope are both 404, so a
  caller learns nothing of LAOs it may not read.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.access import Reader
from api.sessions import MissingTokenError, Session, SessionAuthority
from ledger.application import Ledger
from ledger.domain.permissions import lao_scope
from ledger.errors import SnapshotNotFoundError
from projections.access_log import AccessLog
from projections.reports.facade import Reports
from projections.reports.scope import ReadScope
from projections.transparency.store import TransparencyStore

_bearer = HTTPBearer(auto_error=False, description="A token from POST /sessions")


def _built(request: Request, name: str) -> Any:
    """An adapter the lifespan put on ``app.state``. The getters below that only look one up
    are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a hand-over
    that cost each request more than the lookup (bench/rush.py)."""
    adapter = getattr(request.app.state, name, None)
    if adapter is None:
        raise RuntimeError(f"no {name}: the app's lifespan has not started")
    return adapter


async def get_ledger(request: Request) -> Ledger:
    """The app's ledger (opened at startup)."""
    ledger: Ledger = _built(request, "ledger")
    return ledger


async def get_sessions(request: Request) -> SessionAuthority:
    """The app's session authority (its secret and token lifetime)."""
    sessions: SessionAuthority = request.app.state.sessions
    return sessions


def get_reports(request: Request) -> Reports:
    """The app's reports, their views current with the log."""
    reports: Reports = _built(request, "reports")
    reports.refresh()
    return reports


async def get_transparency(request: Request) -> TransparencyStore:
    """The app's transparency log (its tables made at startup)."""
    store: TransparencyStore = _built(request, "transparency")
    return store


async def get_access_log(request: Request) -> AccessLog:
    """The app's access log (its table made at startup)."""
    log: AccessLog = _built(request, "access_log")
    return log


LedgerDep = Annotated[Ledger, Depends(get_ledger)]
AccessLogDep = Annotated[AccessLog, Depends(get_access_log)]
SessionsDep = Annotated[SessionAuthority, Depends(get_sessions)]
ReportsDep = Annotated[Reports, Depends(get_reports)]
TransparencyDep = Annotated[TransparencyStore, Depends(get_transparency)]
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


def get_reader(request: Request, session: SessionDep, log: AccessLogDep) -> Reader:
    """The caller as a reader of this request's endpoint (method and route template), which
    ``api.access.Reader`` checks against the read matrix and logs personal reads for."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return Reader(session=session, endpoint=f"{request.method} {path}", log=log)


ReaderDep = Annotated[Reader, Depends(get_reader)]


def read_scope(
    session: SessionDep,
    province: Annotated[str | None, Query(description="Only this province")] = None,
    lao: Annotated[
        str | None, Query(pattern=r"^\d{7}$", description="Only this LAO (DLA code)")
    ] = None,
) -> ReadScope:
    """The caller's scope, narrowed by the query; a query outside the scope is refused."""
    return ReadScope.within(session.enrolment.scope, lao=lao, province=province)


ScopeDep = Annotated[ReadScope, Depends(read_scope)]


def require_stream_scope(session: Session, ledger: Ledger, stream: UUID) -> None:
    """The caller's scope must cover the stream's (``ForbiddenError`` otherwise; an unknown
    stream is ``StreamNotFoundError``). Called in the route's body, after the query is read."""
    session.require_scope(ledger.aggregate(stream).read_scope(), f"reading {stream}")


def lao_in_scope(
    code: Annotated[str, Path(pattern=r"^\d{7}$", description="The LAO's DLA code")],
    session: SessionDep,
    reports: ReportsDep,
) -> str:
    """The LAO of the path, if the ledger knows it and the caller's scope covers it."""
    province = reports.lao_province(code)
    if province is None or not session.enrolment.scope.covers(lao_scope(province, code)):
        raise SnapshotNotFoundError(f"no LAO {code} within the caller's scope")
    return code


LaoDep = Annotated[str, Depends(lao_in_scope)]
