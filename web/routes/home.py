"""The home page, ``/app/``: what needs doing (the worklist fills ``home.html``'s blocks).

Stable ids: ``#worklist`` (the block of work), its heading ``#worklist-heading``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from web.deps import WebSessionDep, render, require_same_origin

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])


@router.get("/app/")
def home(request: Request, session: WebSessionDep) -> Response:
    return render(request, "home.html", {}, session=session)
