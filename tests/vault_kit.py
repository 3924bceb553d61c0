"""Reading back what the vault keeps for one field of one signed statement.

The vault keeps values by (person, commitment), never by a field's name alone: a person's
``first_name`` may be their own (``PersonalDataRecorded``) or a family member's
(``FamilyMemberRecorded``). A test names the event whose field it means; the commitment is read
from that event's signed statement, as a report reads it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_postgresql.janitor import DatabaseJanitor

from ledger.application import Ledger
from ledger.vault import Vault

if TYPE_CHECKING:
    from tests.card_stack import SoftHsmToken


def kept_value(vault: Vault, ledger: Ledger, stream: uuid.UUID, type: str, path: str) -> Any:
    """The value ``vault`` keeps for ``path`` of the stream's newest ``type`` event (read
    through ``ledger``); ``ErasedError`` once the person is erased."""
    for event in reversed(ledger.stream_events(stream)):
        if event.type == type:
            node: Any = json.loads(event.statement)["data"]
            for part in path.split("."):
                node = node[part]
            return vault.disclosure(str(stream), node["commitment"])[1].value
    raise KeyError(type)


@contextmanager
def key_database(postgres: bool, tmp_path: Path) -> Iterator[str]:
    """A sharded store's key database of its own (``LEDGER_VAULT_KEY_DB``): a fresh database
    on the test PostgreSQL (its URL), dropped after, or an SQLite file in ``tmp_path``."""
    if not postgres:
        yield str(tmp_path / "keys.sqlite")
        return
    from tests.conftest import PG_HOST, PG_PORT, PG_USER

    name = f"vault_keys_{uuid.uuid4().hex[:12]}"
    with DatabaseJanitor(user=PG_USER, host=PG_HOST, port=PG_PORT, dbname=name):
        yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def token_vault(
    token: SoftHsmToken, key_db: Path | str | None = None, *, shards: int = 8
) -> dict[str, Any]:
    """Settings of a vault on a SoftHSM2 token: its shard KEKs with ``key_db`` as the key
    database (``ledger.vault_shards``), or with none a KEK per person on the token."""
    settings: dict[str, Any] = {
        "vault_pkcs11_module": token.module,
        "vault_token_label": token.label,
        "vault_token_pin": token.pin,
    }
    if key_db is not None:
        settings |= {"vault_key_db": str(key_db), "vault_key_shards": shards}
    return settings


__all__ = ["kept_value", "key_database", "token_vault"]
