"""Search by citizen ID: the vault's keyed index (``ledger.vault_search``) against v1's exact match.

Run with ``python -m bench.search``. In one run, on one SQLite file (or ``--database-url``):

* baseline (v1): ``SELECT stream FROM records WHERE cid = ?`` on an indexed column of
  ``--subjects`` rows, as the registry answers a v1 record's search;
* the index, with development key files (``--subjects`` people, default 50,000): a lookup
  computes the bucket (HMAC under the search key), reads the bucket's rows and unwraps each
  person's data key to compare tags; for each bucket size in ``--bits`` (the index written
  again by ``Vault.reindex``), the median time of a lookup that finds its person and of one
  that finds no one, and their ratio to the baseline;
* the same with a SoftHSM2 token (``--token-subjects`` people, default 1,000, when SoftHSM2 is
  installed): SoftHSM2 makes and finds a token object in time proportional to the objects the
  token holds, so it cannot hold 50,000 per-person keys in a benchmark's time; the token's
  cost of one unwrap at that size is printed, and a lookup at scale is about the bucket's
  people times the unwrap;
* the same with the sharded token store (``--sharded-subjects`` people, default 50,000: 1,024
  shard KEKs on a token of its own, the wrapped keys in an SQLite key database), whose lookup
  reads the bucket's wrapped keys in one query.

It always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from card.errors import CardError
from card.virtual.softhsm import SoftHsm
from ledger.commitments import Disclosure, commitment
from ledger.disclosed import Sealing
from ledger.vault import Vault
from ledger.vault_keys import KeyFileStore, KeyStore, TokenKeyStore
from ledger.vault_shards import ShardedTokenKeyStore
from tests.people import made_up_cid

LOOKUPS = 60


def median_ms(action: Callable[[], object], times: int = LOOKUPS) -> float:
    spent = []
    for _ in range(times):
        start = time.perf_counter()
        action()
        spent.append(time.perf_counter() - start)
    return statistics.median(spent) * 1000


def _people(count: int) -> list[tuple[str, str]]:
    return [(str(uuid.uuid4()), made_up_cid(100_000 + n)) for n in range(count)]


def _fill(vault: Vault, people: list[tuple[str, str]]) -> None:
    """Keep each person's RecordOpened citizen ID (indexed), 500 to a transaction."""
    for start in range(0, len(people), 500):
        sealings = []
        for subject, cid in people[start : start + 500]:
            salt = secrets.token_bytes(32)
            fields = {"cid": (commitment(subject, "cid", salt, cid), Disclosure(cid, salt))}
            sealings.append(Sealing(subject, fields, ("cid",)))
        vault.store(sealings)


def _baseline(path: Path, people: list[tuple[str, str]]) -> Callable[[str], object]:
    """v1: an exact match on an indexed column of as many rows."""
    lite = sqlite3.connect(path)
    lite.execute("CREATE TABLE IF NOT EXISTS records (stream TEXT PRIMARY KEY, cid TEXT)")
    lite.execute("CREATE INDEX IF NOT EXISTS records_cid ON records (cid)")
    lite.executemany("INSERT INTO records VALUES (?, ?)", people)
    lite.commit()
    return lambda cid: lite.execute("SELECT stream FROM records WHERE cid = ?", [cid]).fetchall()


def _measure(label: str, vault: Vault, people: list[tuple[str, str]], base: float) -> None:
    picks = [people[n % len(people)] for n in range(0, LOOKUPS * 7919, 7919)]
    found = iter(picks)
    missing = iter(made_up_cid(9_000_000 + n) for n in range(LOOKUPS))

    def hit() -> None:
        subject, cid = next(found)
        assert vault.subjects_of(cid) == {subject}

    hit_ms = median_ms(hit)
    miss_ms = median_ms(lambda: vault.subjects_of(next(missing)))
    print(
        f"  {label:<34} found {hit_ms:8.2f} ms ({hit_ms / base:7.0f}x)   "
        f"none {miss_ms:8.2f} ms ({miss_ms / base:7.0f}x)",
        flush=True,
    )


def _committed(vault: Vault) -> Iterator[tuple[str, str]]:
    with vault._database.transaction(write=False) as cursor:
        cursor.execute(f"SELECT subject, commitment FROM {vault.fields_table}")
        rows = [(str(subject), str(hexed)) for subject, hexed in cursor.fetchall()]
    yield from rows


def _side(name: str, keys: KeyStore, count: int, bits: list[int], scratch: Path) -> None:
    people = _people(count)
    database = scratch / f"{name}.sqlite"
    print(f"{name}: {count:,} people", flush=True)
    started = time.perf_counter()
    vault = Vault(f"sqlite:///{database}", "bench", keys)
    _fill(vault, people)
    print(f"  kept and indexed in {time.perf_counter() - started:,.1f} s", flush=True)
    query = _baseline(database, people)
    cids = iter(cid for _, cid in people * 2)
    base = median_ms(lambda: query(next(cids)))
    print(f"  {'baseline: v1 exact match':<34} {base:8.3f} ms", flush=True)
    subject = people[count // 2][0]
    with vault._database.transaction(write=False) as cursor:
        cursor.execute(f"SELECT wrapped FROM {vault.keys_table} WHERE subject = ?", [subject])
        wrapped = bytes(cursor.fetchone()[0])
    unwrap = median_ms(lambda: keys.unwrap(subject, wrapped))
    print(f"  one data key unwrapped              {unwrap:8.3f} ms", flush=True)
    for width in bits:
        vault.reindex(lambda: _committed(vault), bits=width)
        per = count / 2**width
        _measure(f"index, {width} bits (~{per:,.0f} a bucket)", vault, people, base)
    vault.close()


@contextmanager
def _token(scratch: Path) -> Iterator[tuple[TokenKeyStore, ShardedTokenKeyStore] | None]:
    """A per-person and a sharded store, each on a SoftHSM2 token of its own."""
    try:
        store = SoftHsm(scratch / "softhsm")
        store.create_token("bench-search", pin="123456", so_pin="12345678")
        store.create_token("bench-shards", pin="123456", so_pin="12345678")
    except CardError as error:
        print(f"(no SoftHSM2 side: {error})")
        yield None
        return
    os.environ.update(store.environment)
    keys = TokenKeyStore(store.module, "bench-search", "123456")
    shards = ShardedTokenKeyStore(store.module, "bench-shards", "123456", scratch / "keys.db")
    yield keys, shards
    keys.close()
    shards.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=50_000)
    parser.add_argument("--token-subjects", type=int, default=1_000)
    parser.add_argument("--sharded-subjects", type=int, default=50_000)
    parser.add_argument("--bits", type=int, nargs="+", default=[8, 10, 12])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-search-") as scratch:
        where = Path(scratch)
        _side("key files", KeyFileStore(where / "keks"), args.subjects, args.bits, where)
        with _token(where) as tokens:
            if tokens is not None and args.token_subjects:
                _side("SoftHSM2 token", tokens[0], args.token_subjects, args.bits, where)
            if tokens is not None and args.sharded_subjects:
                _side("SoftHSM2 sharded", tokens[1], args.sharded_subjects, args.bits, where)


if __name__ == "__main__":
    main()
