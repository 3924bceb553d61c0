"""The pages, one module per part of the application (each router checks the origin of POSTs)."""

from __future__ import annotations

from fastapi import APIRouter

from web.routes import (
    audit,
    certificates,
    certification,
    certify,
    dashboards,
    documents,
    entry_forms,
    eplan_forms,
    eplan_pages,
    home,
    login,
    printing,
    records,
    statements,
    warning_letters,
)

ROUTERS: tuple[APIRouter, ...] = (
    login.router,
    home.router,
    records.router,
    entry_forms.router,
    statements.router,
    certification.router,
    documents.router,
    printing.router,
    certificates.router,
    audit.router,
    dashboards.router,
    certify.router,
    warning_letters.router,
    eplan_pages.router,
    eplan_forms.router,
)
