"""The limit on the public certificate check's name tries (``?name=``), and its 429.

``GET /verify/{code}?name=`` and ``/app/verify/{code}?name=`` answer whether a typed name is
the holder's; each answer is a guess a caller could repeat. ``admit_name_check`` counts the
try (``projections.name_checks``, in the database, so every worker process shares the count)
against two limits and raises ``NameChecksExceededError`` when either is used up:

* the certificate: ``PER_CODE`` tries in ``WINDOW`` seconds, whoever makes them (an address
  changed between guesses gains nothing);
* the client's address: ``PER_CLIENT`` tries in ``WINDOW``, over every certificate (a bank
  checking many papers in a morning stays well within it).

The refusal is a 429 naming the rule ``certificate.name_checks`` in Thai and English, with
``Retry-After`` (seconds until the oldest counted try leaves the window) and nothing of the
name. A verification without a name, or of a code that is no certificate, is not counted:
it tests no name. The client's address is the one the server sees (behind a proxy, uvicorn's
``--forwarded-allow-ips`` decides whether that is the caller's).
"""

from __future__ import annotations

import math

from fastapi import Request

from ledger.domain.certificates import NAME_CHECKS
from ledger.errors import LedgerError
from ledger.violations import Violation
from projections.name_checks import Limit, NameChecks, Refused

WINDOW = 600
PER_CODE = 5
PER_CLIENT = 30


class NameChecksExceededError(LedgerError):
    """Too many name tries of a certificate or from an address (``certificate.name_checks``)."""

    def __init__(self, refused: Refused) -> None:
        super().__init__("too many name checks: try again later")
        self.retry_after = str(refused.wait)
        details = {
            "tries": str(refused.limit.tries),
            "minutes": str(refused.limit.window // 60),
            "wait": str(max(1, math.ceil(refused.wait / 60))),
        }
        self.violations = (Violation(NAME_CHECKS, "name", details),)


def admit_name_check(request: Request, code: str) -> None:
    """Count one name try of certificate ``code`` from this client, or raise the 429."""
    checks: NameChecks | None = getattr(request.app.state, "name_checks", None)
    if checks is None:
        raise RuntimeError("the name checks are open only while the app is running")
    client = request.client.host if request.client is not None else "unknown"
    refused = checks.admit(
        (Limit(f"code:{code}", PER_CODE, WINDOW), Limit(f"client:{client}", PER_CLIENT, WINDOW))
    )
    if refused is not None:
        raise NameChecksExceededError(refused)


__all__ = ["PER_CLIENT", "PER_CODE", "WINDOW", "NameChecksExceededError", "admit_name_check"]
