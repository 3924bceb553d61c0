"""The ledger's HTTP API as the command line uses it: sessions opened with a signing key,
stream heads, statements sent, problems turned into one-line errors.

A session is opened by signing the server's challenge with an enrolled key (on its token), as
DESIGN.md's login does; the bearer token it returns is good for the session's lifetime.
"""

from __future__ import annotations

import base64
import json
from types import TracebackType
from typing import Any, Self
from uuid import UUID

import httpx

from ledger.errors import LedgerError
from ledger.signing import Signer, sign_challenge
from ledger.statement import GENESIS_PREV_HASH, SignedStatement, key_id_of


class ServerError(LedgerError):
    """The API answered with a problem (``status``: its HTTP status, None before a call)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LedgerClient:
    """One connection to a ledger's API (``with LedgerClient(url) as client: ...``)."""

    def __init__(self, server: str, timeout: float = 30.0) -> None:
        self.server = server
        self._http = httpx.Client(base_url=server, timeout=timeout)
        self._token: str | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._http.close()

    def open_session(self, signer: Signer) -> dict[str, Any]:
        """Answer a session challenge with the signer's key; the token's JSON (access_token,
        expires_at...), kept for the calls that follow."""
        key_id = key_id_of(signer.public_key)
        challenge = _json_or_raise(self._http.post("/sessions/challenge", json={"key_id": key_id}))
        raw = base64.b64decode(challenge["challenge"])
        token: dict[str, Any] = _json_or_raise(
            self._http.post(
                "/sessions",
                json={
                    "key_id": key_id,
                    "challenge": challenge["challenge"],
                    "signature": b64(sign_challenge(signer, raw)),
                },
            )
        )
        self._token = str(token["access_token"])
        return token

    def use_token(self, token: str) -> None:
        """Use a bearer token opened before (``ledger token``) for the calls that follow."""
        self._token = token

    def head(self, stream: UUID, *, opening: bool = False) -> tuple[int, str]:
        """The stream's version and head hash; needs a session. The API answers 404 alike for
        a stream not opened and for one outside the caller's share: for a statement that opens
        a stream (``opening``) that is a new stream, at version 0; for any other, the 404's
        problem is raised (``ServerError``), never a version 0 to sign against."""
        answer = self._http.get(f"/streams/{stream}/head", headers=self._auth())
        if answer.status_code == 404 and opening:
            return 0, GENESIS_PREV_HASH
        head = _json_or_raise(answer)
        return int(head["version"]), str(head["hash"])

    def events(self, stream: UUID) -> list[tuple[int, str, dict[str, Any]]]:
        """The stream's events as (version, type, data), read from their signed statements."""
        answer = _json_or_raise(self._http.get(f"/streams/{stream}/events", headers=self._auth()))
        return [
            (int(event["version"]), str(event["type"]), _data_of(event["statement"]))
            for event in answer
        ]

    def submit(
        self, signed: SignedStatement, disclosures: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Send one signed statement (v2: with its disclosures); its receipt."""
        body: dict[str, Any] = {
            "statement": b64(signed.canonical),
            "signature": b64(signed.signature),
        }
        if disclosures is not None:
            body["disclosures"] = disclosures
        receipt: dict[str, Any] = _json_or_raise(self._http.post("/statements", json=body))
        return receipt

    def disclosure(self, stream: UUID, event: int, path: str) -> dict[str, Any]:
        """The disclosure file of one personal field of the record's event ``event``; needs a
        session whose roles read the field."""
        answer: dict[str, Any] = _json_or_raise(
            self._http.get(
                f"/records/{stream}/disclosure",
                params={"event": event, "path": path},
                headers=self._auth(),
            )
        )
        return answer

    def _auth(self) -> dict[str, str]:
        if self._token is None:
            raise ServerError("open a session first")
        return {"Authorization": f"Bearer {self._token}"}


def _json_or_raise(answer: httpx.Response) -> Any:
    if answer.status_code >= 400:
        try:
            detail = problem_text(answer.json())
        except ValueError:
            detail = answer.text[:200]
        raise ServerError(f"server answered {answer.status_code} {detail}", answer.status_code)
    return answer.json()


def problem_text(problem: dict[str, Any]) -> str:
    """A problem's words for a person at a terminal: the Thai title beside the English one,
    the detail, then each rule broken with its field and what to put right, Thai first."""
    titles = " / ".join(filter(None, [problem.get("title_th"), problem.get("title")]))
    lines = [f"{titles}: {problem.get('detail', '')}".rstrip(": ")]
    for error in problem.get("errors") or []:
        where = f"{error.get('field')}: " if error.get("field") else ""
        lines.append(f"  [{error.get('rule')}] {where}{error.get('th', '')}")
        if error.get("en"):
            lines.append(f"      {error['en']}")
    return "\n".join(lines)


def _data_of(statement: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(statement))["data"]
    return data


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


__all__ = ["LedgerClient", "ServerError", "b64", "problem_text"]
