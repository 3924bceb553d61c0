"""Finding people and reading a person's ก.พ.๗ (filled in by the next slice)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from web.deps import require_same_origin

router = APIRouter(include_in_schema=False, dependencies=[Depends(require_same_origin)])
