"""Append throughput of statements that carry personal data: v1 in clear versus v2 (issue 17).

Part of ``python -m bench.append`` (after its v1 table; ``--no-v2`` leaves it out, ``--v2-only``
runs only this), or alone: ``python -m bench.append_v2 [--events N] [--rounds N]``. In one run,
on the same PostgreSQL server, events per second for:

* plain: ``eventsourcing`` with payloads of the v1 statements' size (the baseline of
  ``bench.append``);
* v1: the ledger appending the same personal statements with their values in clear, no vault;
* v2, key files: the same statements in format 2, each personal value replaced by its salted
  commitment, submitted with its disclosures, which the ledger checks against the commitments
  and keeps in the vault (encrypted per person under a data key wrapped by the person's key
  file: ``LEDGER_VAULT_KEY_DIR``);
* v2, SoftHSM2: the same with the persons' keys in a SoftHSM2 token (PKCS#11), when SoftHSM2
  is installed (Debian package softhsm2).

Records are opened (``RecordOpened``: citizen ID and birth date personal) before timing; the
timed statements are ``AddressChanged`` (address and phone personal: two disclosures each), so
this is the cost on statements that all carry personal data (education and salary entries,
most of a ก.พ.๗, have no personal field and are the same bytes in both formats). Rounds
interleave the sides; the table shows median events/s and medians of the per-round ratios
v2/v1 and v2/plain, for 1 and 100 events per transaction.

Runtime: about ``rounds x 2 x sides x events / rate``; ``BENCH_EVENTS`` and ``BENCH_ROUNDS`` (or
the flags) set it, e.g. ``BENCH_EVENTS=300 BENCH_ROUNDS=1`` for a check that it works.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal
from uuid import uuid4

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.append import (
    BATCH,
    GENESIS_PREV_HASH,
    LAO,
    PROVINCE,
    Databases,
    Item,
    Layout,
    LedgerSide,
    Names,
    Operator,
    PlainSide,
    make_cid,
    measure,
    sign_item,
    stream_order,
)
from card.errors import CardError
from card.virtual.softhsm import SoftHsm
from ledger.signing import SoftwareSigner

TOKEN_LABEL, TOKEN_PIN = "bench-vault", "123456"


def address_data(n: int) -> dict[str, Any]:
    """An address change of realistic size (made up)."""
    return {
        "address": f"{n % 300 + 1}/{n % 17 + 1} หมู่ {n % 12 + 1} ตำบลสุเทพ อำเภอเมืองเชียงใหม่ "
        "จังหวัดเชียงใหม่ 50200",
        "phone": f"053-{n % 1000:03d}-{n % 10000:04d}",
    }


def personal_layout(
    hr: Operator, events: int, streams: int, per_txn: int, v: Literal[1, 2]
) -> Layout:
    """``streams`` records opened, then ``events`` address changes (``bench.append``'s order)."""
    ids = [uuid4() for _ in range(streams)]
    heads, versions, openings = [GENESIS_PREV_HASH] * streams, [1] * streams, []
    for index, stream in enumerate(ids):
        opened = {"cid": make_cid(f"1{index:011d}"), "category": "official", "lao": LAO,
                  "province": PROVINCE, "birth_date": "1985-07-14"}  # fmt: skip
        item = sign_item(hr, index, stream, 0, GENESIS_PREV_HASH, "RecordOpened", opened, v)
        openings.append(item)
        heads[index] = item.hash
    sequence: list[Item] = []
    for n, index in enumerate(stream_order(events, streams, per_txn)):
        item = sign_item(
            hr, index, ids[index], versions[index], heads[index], "AddressChanged",
            address_data(n), v,
        )  # fmt: skip
        sequence.append(item)
        versions[index] += 1
        heads[index] = item.hash
    return Layout(ids, openings, sequence, per_txn)


def _key_files() -> dict[str, Any]:
    return {"vault_key_dir": Path(tempfile.mkdtemp(prefix="bench-vault-"))}


def _softhsm(directory: Path) -> Callable[[], dict[str, Any]] | None:
    """Settings for a vault in a fresh SoftHSM2 token, or None without SoftHSM2."""
    try:
        store = SoftHsm(directory)
        store.create_token(TOKEN_LABEL, pin=TOKEN_PIN, so_pin="12345678")
    except CardError as error:
        print(f"  (no SoftHSM2 side: {error})")
        return None
    os.environ.update(store.environment)  # read once, when the module is first loaded
    settings = {"vault_pkcs11_module": store.module, "vault_token_label": TOKEN_LABEL,
                "vault_token_pin": TOKEN_PIN}  # fmt: skip
    return lambda: settings


Side = PlainSide | LedgerSide


def _sides(databases: Databases, keys: dict[str, Operator], scratch: Path) -> list[Side]:
    system, admin, hr = keys["system"], keys["admin"], keys["hr"]
    sides: list[Side] = [
        PlainSide(databases.create("plain")),
        LedgerSide(databases.create("v1"), system, admin, hr, label="v1"),
        LedgerSide(databases.create("v2"), system, admin, hr, label="v2 key files",
                   settings=_key_files),
    ]  # fmt: skip
    token = _softhsm(scratch)
    if token is not None:
        sides.append(LedgerSide(databases.create("v2hsm"), system, admin, hr,
                                label="v2 SoftHSM2", settings=token))  # fmt: skip
    return sides


def compare(
    keys: dict[str, Operator], server: str, *, events: int, rounds: int, streams: int
) -> dict[tuple[str, int], list[float]]:
    """Interleaved rounds of every side at 1 and 100 events per transaction; rates by side."""
    hr = keys["hr"]
    layouts = {
        (v, n): personal_layout(hr, events, streams, n, v) for v in (1, 2) for n in (1, BATCH)
    }
    databases = Databases(server)
    results: dict[tuple[str, int], list[float]] = {}
    names = Names()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-softhsm-") as scratch:
            sides = _sides(databases, keys, Path(scratch))
            for side in sides:  # warm-up
                for n in (1, BATCH):
                    measure(side, names("warm_"), layouts[_format(side), n], min(events, 200))
            for r in range(rounds):
                order = sides if r % 2 == 0 else sides[::-1]
                for n in (1, BATCH):
                    for side in order:
                        rate = measure(side, names("p_"), layouts[_format(side), n], events)
                        results.setdefault((side.label, n), []).append(rate)
                print(f"  personal round {r + 1}: " + ", ".join(
                    f"{label} {n}/txn {rates[-1]:,.0f}" for (label, n), rates in results.items()
                ), flush=True)  # fmt: skip
    finally:
        databases.drop_all()
    return results


def _format(side: Side) -> Literal[1, 2]:
    return 2 if side.label.startswith("v2") else 1


def report(results: dict[tuple[str, int], list[float]], events: int, rounds: int) -> None:
    """The table: events/s per side, and v2 against v1 and against plain (per-round ratios)."""
    print(f"\npersonal statements (AddressChanged, 2 personal fields), {events} events x {rounds}")
    print(f"{'configuration':<28}{'ev/s':>9}{'/ v1':>8}{'/ plain':>9}")
    for n in (1, BATCH):
        plain, v1 = results[("plain", n)], results[("v1", n)]
        for (label, size), rates in results.items():
            if size != n:
                continue
            to_v1 = statistics.median(b / a for a, b in zip(v1, rates, strict=True))
            to_plain = statistics.median(b / a for a, b in zip(plain, rates, strict=True))
            name = f"{label}, {n}/txn"
            print(f"{name:<28}{statistics.median(rates):9,.0f}{to_v1:8.2f}{to_plain:9.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", 2000)))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 5)))
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args(argv)
    keys = {
        "system": Operator(SoftwareSigner.generate(), "system"),
        "admin": Operator(SoftwareSigner.generate(), make_cid("310060273568")),
        "hr": Operator(SoftwareSigner.generate(), make_cid("150990001234")),
    }
    events, rounds = max(args.events, BATCH), max(args.rounds, 1)
    results = compare(keys, args.server, events=events, rounds=rounds, streams=args.streams)
    report(results, events, rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
