"""Card stack overhead: the same card calls through pcscd and vpcd, and in process.

Run with ``python bench/card.py`` (root, with the card stack installed: ``make services``). It
starts its own pcscd in the foreground with vpcd (stopped by its PID at the end; it refuses to
run beside another pcscd), plugs the virtual cards into vpcd on background threads, and measures,
median of ``--rounds`` (100) after a warm-up:

* a full Thai ID card read without the photo (connect, SELECT, READs, laser code, disconnect);
* the same with the 5,118-byte photo;
* one token signature on the OpenPGP-style card (VERIFY PW1 + PSO: COMPUTE DIGITAL SIGNATURE);
* one signature on SoftHSM2 through PKCS#11 (CKM_EDDSA), and one in software, for scale.

Each card call is also made in process (the same reader code against the same virtual card,
without pcscd), so the difference is the PC/SC stack's cost: pyscard, the pcscd socket, vpcd's
TCP link. Real readers and cards are far slower (a T=0 card at 9,600+ baud needs tens of ms per
READ), so this shows the software overhead, not what an operator will wait.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from card.errors import CardError
from card.openpgp import OpenPgpCard, OpenPgpCardSigner
from card.pcsc import Disposition, PcscContext, connect
from card.pkcs11_token import Pkcs11Token
from card.readers import read_id_card
from card.thai_id import ThaiIdReader
from card.virtual.inprocess import InProcessTransport
from card.virtual.signing import SigningCardState, VirtualSigningCard
from card.virtual.softhsm import SoftHsm
from card.virtual.stack import STACK_PORT, Pcscd, stack_lock
from card.virtual.thai_id import VirtualThaiIdCard
from card.virtual.vpcd import VpcdCard
from ledger.signing import SoftwareSigner

SAMPLE = Path(__file__).resolve().parent.parent / "card" / "virtual" / "samples" / "somying.json"
PORT = STACK_PORT
ID_READER, TOKEN_READER = "Virtual PCD 00 00", "Virtual PCD 00 01"
PIN, ADMIN_PIN = "123456", "12345678"
DIGEST = hashlib.sha256(b"a statement").digest()
SOFTHSM_LABEL = "bench"


def median_ms(call: Callable[[], object], rounds: int, warmup: int = 10) -> float:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def in_process_read(card: VirtualThaiIdCard, *, photo: bool) -> Callable[[], object]:
    def read() -> object:
        return ThaiIdReader(InProcessTransport(card)).read(photo=photo)

    return read


def through_pcscd_read(*, photo: bool) -> Callable[[], object]:
    def read() -> object:
        return read_id_card(ID_READER, photo=photo, timeout=5)

    return read


def connect_and_disconnect() -> None:
    with connect(ID_READER, timeout=5):
        pass


def run(rounds: int, workdir: Path) -> list[tuple[str, float, float | None, int]]:
    """Rows of (operation, in-process ms, through-pcscd ms, APDUs per call)."""
    rows: list[tuple[str, float, float | None, int]] = []
    id_card = VirtualThaiIdCard.from_file(SAMPLE)
    signing = VirtualSigningCard(SigningCardState())
    local_signing = VirtualSigningCard(SigningCardState())
    with Pcscd(workdir / "pcscd", port=PORT):
        plugged = [VpcdCard(id_card, port=PORT), VpcdCard(signing, port=PORT + 1)]
        for card in plugged:
            card.insert()
        with PcscContext() as context:
            context.wait_for_card(ID_READER, 5)
            context.wait_for_card(TOKEN_READER, 5)
        try:
            connected = median_ms(connect_and_disconnect, rounds)
            rows.append(("connect + disconnect (PC/SC only)", 0.0, connected, 0))
            for photo in (False, True):
                label = "ID card read, " + ("with photo" if photo else "without photo")
                before = id_card.apdu_count
                read_id_card(ID_READER, photo=photo, timeout=5)
                apdus = id_card.apdu_count - before
                local = median_ms(in_process_read(id_card, photo=photo), rounds)
                remote = median_ms(through_pcscd_read(photo=photo), rounds)
                rows.append((label, local, remote, apdus))

            local_card = OpenPgpCard(InProcessTransport(local_signing))
            local_card.generate_key(ADMIN_PIN)
            local_signer = OpenPgpCardSigner(local_card, PIN)
            with connect(TOKEN_READER, timeout=5, disposition=Disposition.RESET) as connection:
                card = OpenPgpCard(connection)
                card.generate_key(ADMIN_PIN)
                signer = OpenPgpCardSigner(card, PIN)
                local = median_ms(lambda: local_signer.sign(DIGEST), rounds)
                remote = median_ms(lambda: signer.sign(DIGEST), rounds)
            rows.append(("OpenPGP card signature (VERIFY + PSO:CDS)", local, remote, 2))
        finally:
            for card in plugged:
                card.remove()

    store = SoftHsm(workdir / "softhsm")
    store.create_token(SOFTHSM_LABEL, pin=PIN, so_pin=ADMIN_PIN)
    os.environ.update(store.environment)  # SoftHSM2 reads it when the module loads
    with Pkcs11Token(store.module, token_label=SOFTHSM_LABEL, pin=PIN) as token:
        token.generate_key("bench")
        pkcs11_signer = token.signer("bench")
        pkcs11_ms = median_ms(lambda: pkcs11_signer.sign(DIGEST), rounds)
    rows.append(("SoftHSM2 signature (CKM_EDDSA)", pkcs11_ms, None, 0))
    software = SoftwareSigner.generate()
    software_ms = median_ms(lambda: software.sign(DIGEST), rounds)
    rows.append(("software signature (PyNaCl)", software_ms, None, 0))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    arguments = parser.parse_args()
    try:
        with stack_lock(timeout=120), tempfile.TemporaryDirectory(prefix="bench-card-") as work:
            rows = run(arguments.rounds, Path(work))
    except CardError as error:
        print(f"bench/card.py: {error}", file=sys.stderr)
        return 1
    print(f"Card stack overhead, median of {arguments.rounds} calls (ms)")
    print(f"{'operation':<44} {'APDUs':>5} {'in process':>11} {'via pcscd':>10} {'overhead':>9}")
    for label, local, remote, apdus in rows:
        if remote is None:
            print(f"{label:<44} {'':>5} {local:>11.3f} {'':>10} {'':>9}")
        elif local == 0:
            print(f"{label:<44} {'':>5} {'':>11} {remote:>10.3f} {'':>9}")
        else:
            overhead = f"{remote / local:.0f}x"
            print(f"{label:<44} {apdus:>5} {local:>11.3f} {remote:>10.3f} {overhead:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
