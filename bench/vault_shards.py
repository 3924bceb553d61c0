"""The vault's token key stores: one KEK per person against shard KEKs with a key database.

Run with ``python -m bench.vault_shards``. In one run, each side on a SoftHSM2 token of its own
(a token's find by label scans that token's objects only), with ``--people`` people (default
3,000) wrapped first:

* baseline, per person (``TokenKeyStore``): a KEK per person on the token;
* sharded (``ShardedTokenKeyStore``, ``--shards`` KEKs, default 1,024): the data keys wrapped
  under their shard's KEK in an SQLite key database;
* sharded again at ``--large`` people (default 50,000; 0 leaves it out).

Timed, as medians: the store's open in a new process (the sharded one scans the token once,
keeping every shard KEK's handle) and its first unwrap there (cold); a person's first unwrap in
a running store (the per-person store finds that person's KEK by label; the sharded one reads
the key database and uses its shard's kept handle); an unwrap repeated; 100 people unwrapped
together in a store just opened (``unwrap_each``: one key-database query); an erasure (per
person: the KEK destroyed; sharded: the shard rotated, about people / shards data keys
rewrapped). Ratios are against the per-person baseline of the same run. It always exits 0: it
is a report.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import median_ms
from card.virtual.softhsm import SoftHsm
from ledger.vault_keys import TokenKeyStore
from ledger.vault_shards import ShardedTokenKeyStore

PIN = "123456"
ROOT = Path(__file__).resolve().parent.parent
TIMES = 30
BATCH = 100
_COLD = """
import json, sys, time
from pathlib import Path
from ledger.vault_keys import TokenKeyStore
from ledger.vault_shards import ShardedTokenKeyStore
module, label, key_db, shards, subject, wrapped = sys.argv[1:7]
start = time.perf_counter()
if key_db:
    store = ShardedTokenKeyStore(Path(module), label, "123456", key_db, shards=int(shards))
else:
    store = TokenKeyStore(Path(module), label, "123456")
opened = time.perf_counter()
store.unwrap(subject, bytes.fromhex(wrapped))
done = time.perf_counter()
print(json.dumps({"open": opened - start, "unwrap": done - opened}))
"""


class Side:
    """One key store filled with ``people`` people, and what is timed on it."""

    def __init__(self, name: str, soft: SoftHsm, people: int, key_db: Path | None, shards: int):
        self.name, self.key_db, self.shards = name, key_db, shards
        self.label = f"{'per-person' if key_db is None else 'sharded'}-{people}"
        self.module = soft.module
        self.store = self._open()
        self.keys = {str(uuid.uuid4()): secrets.token_bytes(32) for _ in range(people)}
        start = time.perf_counter()
        self.wrapped: dict[str, bytes] = {}
        subjects = list(self.keys)
        for at in range(0, people, 500):
            chunk = {s: self.keys[s] for s in subjects[at : at + 500]}
            self.wrapped.update(self.store.wrap_each(chunk))
        self.fill_s = time.perf_counter() - start
        self.store.close()

    def _open(self) -> TokenKeyStore:
        if self.key_db is None:
            return TokenKeyStore(self.module, self.label, PIN)
        return ShardedTokenKeyStore(self.module, self.label, PIN, self.key_db, shards=self.shards)

    def cold(self, subject: str) -> tuple[float, float]:
        """Open and first unwrap in a new process (ms)."""
        args = [str(self.module), self.label, str(self.key_db or ""), str(self.shards)]
        run = subprocess.run(
            [sys.executable, "-c", _COLD, *args, subject, self.wrapped[subject].hex()],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        times = json.loads(run.stdout)
        return times["open"] * 1000, times["unwrap"] * 1000

    def measure(self, colds: int = 5) -> dict[str, float]:
        subjects = list(self.wrapped)
        cold = [self.cold(subject) for subject in subjects[:colds]]
        found: dict[str, float] = {
            "open, new process": statistics.median(c[0] for c in cold),
            "first unwrap, new process": statistics.median(c[1] for c in cold),
        }
        self.store = self._open()
        fresh = iter(subjects[colds:])

        def first() -> None:
            subject = next(fresh)
            self.store.unwrap(subject, self.wrapped[subject])

        found["a person's first unwrap"] = median_ms(first)
        again = subjects[0]
        self.store.unwrap(again, self.wrapped[again])
        found["unwrap again"] = median_ms(lambda: self.store.unwrap(again, self.wrapped[again]))
        self.store.close()
        self.store = self._open()  # no handle kept yet
        batch = {s: self.wrapped[s] for s in subjects[-BATCH:]}
        found[f"{BATCH} unwrapped together"] = median_ms(lambda: self.store.unwrap_each(batch), 1)
        gone = iter(subjects[colds + TIMES : colds + 2 * TIMES])
        found["erase"] = median_ms(lambda: self.store.destroy(next(gone)), times=10)
        self.store.close()
        return found


def _table(sides: list[tuple[Side, dict[str, float]]]) -> None:
    base = sides[0][1]
    for side, found in sides:
        print(
            f"\n{side.name}: {len(side.keys):,} people wrapped in {side.fill_s:.1f} s", flush=True
        )
        for what, ms in found.items():
            ratio = "" if side is sides[0][0] else f"  ({ms / base[what]:.3g}x the per-person)"
            print(f"  {what:28} {ms:10.3f} ms{ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3_000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--shards", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as scratch:
        where = Path(scratch)
        soft = SoftHsm(where / "softhsm")
        os.environ.update(soft.environment)
        for people in {args.people, args.large} - {0}:  # every token before the module is loaded
            for kind in ("per-person", "sharded"):
                soft.create_token(f"{kind}-{people}", pin=PIN, so_pin="12345678")
        sides = []
        per_person = Side("per-person (baseline)", soft, args.people, None, args.shards)
        sides.append((per_person, per_person.measure()))
        sharded = Side(
            f"sharded, {args.shards} KEKs", soft, args.people, where / "k.db", args.shards
        )
        sides.append((sharded, sharded.measure()))
        if args.large:
            large = Side(
                f"sharded, {args.shards} KEKs", soft, args.large, where / "l.db", args.shards
            )
            sides.append((large, large.measure()))
        _table(sides)


if __name__ == "__main__":
    main()
