"""The operator's signing key on a PKCS#11 token (``card.pkcs11_token.Pkcs11Token``) and the
vault's token key stores in one process, on one SoftHSM2 module and token.

The CLI opens both at once (``ledger person erase --key pkcs11:...`` with a vault on the same
module). python-pkcs11 initialises the module without CKF_OS_LOCKING_OK (SoftHSM2 then has no
mutexes of its own), and a login is the process's: the signer must take the module's lock for
every call and must not log out while a vault store of the token is open, nor the vault while a
signer is. The threaded workload runs in a subprocess so that a crash fails the test.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import nacl.signing
import pytest

from card.errors import WrongPinError
from card.pkcs11_token import Pkcs11Token
from ledger.vault_keys import TokenKeyStore
from tests.card_stack import SoftHsmToken
from tests.integration.test_token_threads import _opener, _round, run_workload

SECONDS = 4.0


def _sign_round(token: Pkcs11Token, module: Path, label: str, pin: str, key: str) -> None:
    """Sign with the open token and with a fresh one (opened, used, closed), and verify both."""
    message = os.urandom(32)
    with Pkcs11Token(module, token_label=label, pin=pin) as fresh:
        for signer in (token.signer(key), fresh.signer(key)):
            signature = signer.sign(message)
            nacl.signing.VerifyKey(signer.public_key).verify(message, signature)


def workload(module: str, label: str, pin: str, folder: str, kind: str) -> None:
    """A vault store of ``kind`` wrapping, unwrapping and destroying on one thread while a
    ``Pkcs11Token`` signs on another (each round also opening and closing a fresh token and a
    fresh store), for ``SECONDS``; prints the rounds, exits 1 with the errors' types."""
    path, where = Path(module), Path(folder)
    key = f"ledger-{uuid.uuid4().hex[:8]}"
    token = Pkcs11Token(path, token_label=label, pin=pin)
    token.generate_key(key)
    store = _opener(path, label, pin, kind, where)
    errors: list[str] = []
    rounds = [0, 0]
    stop = time.monotonic() + SECONDS

    def vault() -> None:
        while time.monotonic() < stop:
            fresh = _opener(path, label, pin, kind, where)
            _round(store, fresh, 0, 1)
            fresh.close()
            rounds[0] += 1

    def signing() -> None:
        while time.monotonic() < stop:
            _sign_round(token, path, label, pin, key)
            rounds[1] += 1

    def run(work: Any) -> None:
        try:
            work()
        except Exception as error:  # reported by type: the test fails on it
            errors.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=run, args=(work,)) for work in (vault, signing)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    store.close()
    token.close()
    print(f"rounds {sum(rounds)} {rounds}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


@pytest.mark.parametrize("kind", ["token", "sharded:keys"], ids=["per-person", "shards"])
def test_a_token_signing_while_a_vault_store_of_its_module_works_from_another_thread(
    softhsm: SoftHsmToken, tmp_path: Path, kind: str
) -> None:
    """Signing (and opening and closing tokens) on one thread, the vault's store wrapping,
    unwrapping and destroying on another, on one token for seconds: no error, no crash."""
    run_workload(
        "tests.integration.test_token_signing_threads",
        [str(softhsm.module), softhsm.label, softhsm.pin, str(tmp_path), kind],
    )


@pytest.mark.parametrize("token_first", [True, False], ids=["token-first", "store-first"])
def test_closing_a_signing_token_leaves_the_vault_store_logged_in(
    softhsm: SoftHsmToken, token_first: bool
) -> None:
    """Whichever logged the process in, the token's close leaves the store able to open a key
    it wrapped (kept handle and a fresh store's find) and to make new ones."""
    key = softhsm.new_key_label()
    if token_first:
        token = Pkcs11Token(softhsm.module, token_label=softhsm.label, pin=softhsm.pin)
    store = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    if not token_first:
        token = Pkcs11Token(softhsm.module, token_label=softhsm.label, pin=softhsm.pin)
    subject = str(uuid.uuid4())
    wrapped = store.wrap(subject, b"\x07" * 32)
    token.generate_key(key)
    assert len(token.signer(key).sign(b"\x01" * 32)) == 64

    token.close()
    token.close()  # twice: still one user of the login less

    fresh = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    assert b"\x07" * 32 == store.unwrap(subject, wrapped) == fresh.unwrap(subject, wrapped)
    assert store.wrap(str(uuid.uuid4()), b"\x08" * 32)
    assert store.destroy(subject)
    fresh.close()
    store.close()


def test_closing_the_vault_store_leaves_the_signing_token_logged_in(
    softhsm: SoftHsmToken,
) -> None:
    """The store logged the process in; once it closes, the token still finds and signs."""
    key = softhsm.new_key_label()
    store = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    with Pkcs11Token(softhsm.module, token_label=softhsm.label, pin=softhsm.pin) as token:
        token.generate_key(key)
        store.close()

        signer = token.signer(key)
        signature = signer.sign(b"\x02" * 32)

    nacl.signing.VerifyKey(signer.public_key).verify(b"\x02" * 32, signature)


def test_a_wrong_pin_is_refused_while_the_vault_holds_the_login(softhsm: SoftHsmToken) -> None:
    """The process is logged in already (the vault's store): the token still checks the PIN
    it is given against the one that logged in, rather than signing with any."""
    store = TokenKeyStore(softhsm.module, softhsm.label, softhsm.pin)
    try:
        with pytest.raises(WrongPinError):
            Pkcs11Token(softhsm.module, token_label=softhsm.label, pin="000000")
    finally:
        store.close()
