"""The routes, one module per resource: health, statements, sessions, streams, the registry,
the personnel records (ก.พ.๗) and the photos and scans they bind, the reports, the LAOs'
certification snapshots and worklists, and e-Plan.

Routes are thin: read the request model, make one call of the ledger, the session authority, the
reports (``projections.reports.facade.Reports``) or the transparency log, and shape or draw the
answer (``api.downloads``). They open no cursor and name no table. They catch nothing;
``api.errors`` turns every rejection into problem details.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    audit,
    disclosures,
    documents,
    eplan,
    health,
    laos,
    me,
    operators,
    organizations,
    records,
    registry,
    reports,
    rules,
    schemas,
    sessions,
    statements,
    streams,
    verify,
    worklist,
)

ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    statements.router,
    sessions.router,
    streams.router,
    registry.router,
    records.router,
    disclosures.router,
    organizations.router,
    reports.router,
    rules.router,
    schemas.router,
    laos.router,
    me.router,
    audit.router,
    operators.router,
    eplan.router,
    worklist.router,
    documents.router,
    verify.router,
)
