"""Parsing of command-line values that name domain things: scopes, roles, key files, dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from ledger.domain.dates import DateInputError, parse_human_date
from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import is_valid_cid
from ledger.signing import SoftwareSigner


def parse_scope(text: str) -> Scope:
    """``national``, ``province:<name>`` or ``lao:<province>:<7-digit DLA code>``."""
    parts = text.split(":")
    try:
        if parts == ["national"]:
            return Scope(level="national")
        if parts[0] == "province" and len(parts) == 2:
            return Scope(level="province", province=parts[1])
        if parts[0] == "lao" and len(parts) == 3:
            return Scope(level="lao", province=parts[1], lao=parts[2])
    except ValueError as error:
        raise typer.BadParameter(f"scope {text!r}: {error}") from None
    raise typer.BadParameter(
        f"scope {text!r}: use national, province:<name> or lao:<province>:<DLA code>"
    )


def parse_roles(values: list[str]) -> list[Role]:
    roles = []
    for value in values:
        try:
            roles.append(Role(value))
        except ValueError:
            known = ", ".join(role.value for role in Role if role is not Role.SYSTEM)
            raise typer.BadParameter(f"unknown role {value!r}; known roles: {known}") from None
    return roles


def check_cid(cid: str) -> str:
    if not is_valid_cid(cid):
        raise typer.BadParameter("citizen ID must be 13 digits with a valid check digit")
    return cid


def load_key(path: Path) -> SoftwareSigner:
    try:
        return SoftwareSigner.from_file(path)
    except (OSError, ValueError) as error:
        raise typer.BadParameter(f"key file {path}: {error}") from None


def load_or_create_key(path: Path) -> SoftwareSigner:
    """Read a software key file, or create one (mode 0600) when it does not exist yet."""
    if path.exists():
        return load_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    signer = SoftwareSigner.generate()
    signer.to_file(path)
    return signer


def read_date(text: object) -> date | None:
    """A date as people type it (ISO, or BE with Thai digits and month names); a two-digit
    year or anything unreadable is a bad parameter naming the rule, in Thai and English."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise typer.BadParameter(
            f"วันที่ต้องเป็นข้อความ เช่น 01/04/2562 / a date is text such as 01/04/2562, not {text!r}"
        )
    try:
        return parse_human_date(text)
    except DateInputError as error:
        raise typer.BadParameter(f"{error.th} / {error.en} [{error.rule_id}]") from None
