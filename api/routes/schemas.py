"""The event types and the JSON Schema of each one's data (``ledger.domain.event_schemas``), so
a statement is written from its schema, with Thai titles, rather than from the Python models.
Public, like the rules: what the ledger accepts is no secret."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.errors import problem_responses
from api.schemas import EventTypeOut
from ledger.domain.catalog import EVENT_TYPES
from ledger.domain.event_schemas import event_schema, names_of, roles_of, stream_of

router = APIRouter(tags=["schemas"])

SCHEMA_MEDIA_TYPE = "application/schema+json"


@router.get("/schemas")
def read_event_types() -> list[EventTypeOut]:
    """Every event type: its Thai and English names, the kind of stream it applies to (and
    whether it opens one), and the roles that may sign it."""
    return [
        EventTypeOut(
            type=name,
            th=names_of(spec).th,
            en=names_of(spec).en,
            stream=stream_of(spec),
            opens_stream=spec.opens_stream,
            roles=roles_of(spec),
        )
        for name, spec in EVENT_TYPES.items()
    ]


@router.get(
    "/schemas/{event_type}",
    response_class=JSONResponse,
    responses={
        200: {"content": {SCHEMA_MEDIA_TYPE: {}}, "description": "a JSON Schema (2020-12)"},
        **problem_responses(404),
    },
)
def read_event_schema(event_type: str) -> JSONResponse:
    """The JSON Schema (draft 2020-12) of the event type's ``data``: Thai ``title`` and English
    ``description`` per field, labels of coded values, and ``x-stream``, ``x-roles`` and
    ``x-rules`` (the ids of the rules that may refuse it, as ``GET /rules`` lists them)."""
    schema: dict[str, Any] = event_schema(event_type)
    return JSONResponse(schema, media_type=SCHEMA_MEDIA_TYPE)
