"""Audit throughput: full verification of a large ledger against the raw signature-check limit.

Run with ``python bench/audit.py [--events N]`` (default 1,000,000). In one run, on this
machine's PostgreSQL, it:

1. creates a database of its own (``bench_audit_<random>``, dropped at the end unless
   ``--keep``) with a ledger initialised the normal way (genesis, an admin, HR officers in 20
   LAOs), then N signed events: personnel records of 20 events each (opening, education and
   position-and-salary entries), their streams interleaved in log order. The statements are
   built and signed in a process pool (one per core) and bulk-inserted with COPY exactly as the
   library stores them;
2. builds the transparency log with the real projection (checkpoints every 1,000 events);
3. measures the raw libsodium verification rate (PyNaCl's binding ``crypto_sign_open`` of
   32-byte digests in a tight loop on one core, the very call the verifier makes), times the
   number of cores: the limit;
4. runs ``verify_database`` (everything ``ledger audit verify`` checks, one process per core)
   and reports events per second and its ratio to the limit (target: at least 0.8);
5. runs the chain-only sweep (hashes and chains, no signatures): events per second against
   the 500,000 events/s target;
6. measures the read ceiling: how fast PostgreSQL hands the stored events to one process per
   core that does nothing with them (binary COPY of the state column). Any verifier that reads
   the database is bounded by it.

The baseline is measured before and after the verifications and the mean is used, so a busy
machine moves both sides. It always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import resource
import secrets
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nacl.signing
import psycopg
from nacl.bindings import crypto_sign_open
from psycopg import sql

from ledger.application import Ledger
from ledger.canonical import canonicalize
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import cid_check_digit
from ledger.genesis import compose, enrolment_data, initialise, register_organization
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.statement import GENESIS_PREV_HASH
from projections.transparency.projection import CheckpointPolicy, TransparencyProjection
from replay.verify import verify_database

LEDGER = "bench"
EVENTS_PER_RECORD = 20
OFFICERS = 20
INTERLEAVE = 2000
"""Records whose events are interleaved in log order (a stream's events lie ~2,000 apart)."""

TARGET_RATIO = 0.8
TARGET_CHAIN_RATE = 500_000
TOPICS = {
    "RecordOpened": "ledger.domain.personnel:PersonnelRecord.RecordOpened",
    "EducationAdded": "ledger.domain.personnel:PersonnelRecord.EducationAdded",
    "PositionSalaryEntryAdded": "ledger.domain.personnel:PersonnelRecord.PositionSalaryEntryAdded",
}
PROVINCES = ["เชียงใหม่", "นครพนม", "ตาก", "ขอนแก่น", "สงขลา"]


def make_cid(n: int) -> str:
    first = f"1{n:011d}"
    return first + str(cid_check_digit(first))


@dataclass(frozen=True, slots=True)
class Officer:
    seed: bytes
    cid: str
    lao: str
    province: str

    @property
    def key_id(self) -> str:
        return hashlib.sha256(bytes(nacl.signing.SigningKey(self.seed).verify_key)).hexdigest()[:16]


# Signing N events in a process pool.


def entry(version: int, n: int) -> tuple[str, dict[str, Any]]:
    if version % 2 == 0:
        return "EducationAdded", {
            "institution": "มหาวิทยาลัยเชียงใหม่",
            "qualification": "รัฐประศาสนศาสตรบัณฑิต",
            "major": "การบริหารงานบุคคล",
            "started": "2008-06-01",
            "finished": "2012-03-31",
        }
    return "PositionSalaryEntryAdded", {
        "movement_type": "เลื่อนขั้นเงินเดือน",
        "position_no": f"14-3-00-2201-{n % 1000:03d}",
        "position_title": "นักทรัพยากรบุคคล",
        "level": "ชำนาญการ",
        "salary": f"{21000 + 10 * (n % 997)}.00",
        "order": {"number": f"{n % 999 + 1}/2562", "date": "2019-03-25", "issuer": "นายกเทศมนตรี"},
    }


def sign_block(args: tuple[int, int, list[Officer], str]) -> list[tuple[bytes, int, str, bytes]]:
    """Sign the events of records ``first .. first+count-1``, interleaved: all version 1s,
    then all version 2s..., each chained to its record's previous event."""
    first, count, officers, started = args
    keys = {officer.cid: nacl.signing.SigningKey(officer.seed) for officer in officers}
    moment = datetime.fromisoformat(started)
    streams = [uuid.UUID(int=(first + i) * 7919 + 1) for i in range(count)]
    heads = [GENESIS_PREV_HASH] * count
    rows: list[tuple[bytes, int, str, bytes]] = []
    for version in range(1, EVENTS_PER_RECORD + 1):
        for i, stream in enumerate(streams):
            n = first + i
            officer = officers[n % len(officers)]
            if version == 1:
                kind, data = (
                    "RecordOpened",
                    {
                        "cid": make_cid(10_000_000 + n),
                        "category": "official",
                        "lao": officer.lao,
                        "province": officer.province,
                        "birth_date": "1980-05-17",
                    },
                )
            else:
                kind, data = entry(version, n)
            at = (moment + timedelta(microseconds=len(rows))).isoformat()
            statement = canonicalize(
                {
                    "v": 1,
                    "stream": str(stream),
                    "expected_version": version - 1,
                    "prev_hash": heads[i],
                    "type": kind,
                    "data": data,
                    "effective": "2019-04-01",
                    "signer": {"cid": officer.cid, "key": officer.key_id},
                    "signed_at": at.replace("+00:00", "Z"),
                    "nonce": secrets.token_hex(16),
                }
            )
            signature = keys[officer.cid].sign(hashlib.sha256(statement).digest()).signature
            event_hash = hashlib.sha256(statement + signature).hexdigest()
            heads[i] = event_hash
            state: dict[str, Any] = {"timestamp": {"_type_": "datetime_iso", "_data_": at}}
            if version == 1:
                state["originator_topic"] = "ledger.domain.personnel:PersonnelRecord"
            state.update(
                statement=statement.decode("utf-8"), signature=signature.hex(), hash=event_hash
            )
            encoded = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
            rows.append((stream.bytes, version, TOPICS[kind], encoded.encode("utf-8")))
    return rows


# The benchmark database.


class Bench:
    def __init__(self, server: str, events: int, keep: bool, reuse: str | None = None) -> None:
        self.server = server
        self.events = events
        self.keep = keep or reuse is not None
        self.reused = reuse is not None
        self.database = reuse or f"bench_audit_{uuid.uuid4().hex[:8]}"
        self.url = f"{server}/{self.database}"

    def __enter__(self) -> Bench:
        if not self.reused:
            with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        return self

    def __exit__(self, *exc: object) -> None:
        if self.keep:
            print(f"kept database {self.database}")
            return
        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(self.database)
                )
            )

    def populate(self, cores: int) -> tuple[SoftwareSigner, float, float]:
        """The ledger's operators the normal way, then the events by COPY; seconds taken."""
        system, admin = SoftwareSigner.generate(), SoftwareSigner.generate()
        officers = [
            Officer(
                secrets.token_bytes(32),
                make_cid(1000 + n),
                f"{6000000 + n * 101:07d}",
                PROVINCES[n % len(PROVINCES)],
            )
            for n in range(OFFICERS)
        ]
        ledger = Ledger(LedgerSettings(database_url=self.url, name=LEDGER))
        try:
            initialise(
                ledger,
                system_signer=system,
                system_storage=KeyStorage(kind="software"),
                admin_cid=make_cid(1),
                admin_public_key=admin.public_key,
                admin_storage=KeyStorage(kind="software"),
            )
            for officer in officers:
                register_organization(
                    ledger,
                    code=officer.lao,
                    province=officer.province,
                    name=f"องค์การบริหารส่วนตำบลทดสอบ {officer.lao}",
                    district="เมือง",
                    signer=admin,
                    cid=make_cid(1),
                )
                signed = compose(
                    ledger,
                    stream=ledger.registry_id,
                    type="OperatorEnrolled",
                    data=enrolment_data(
                        cid=officer.cid,
                        public_key=SoftwareSigner(officer.seed).public_key,
                        roles=[Role.LAO_HR_OFFICER],
                        scope=Scope(level="lao", province=officer.province, lao=officer.lao),
                        storage=KeyStorage(kind="software"),
                    ),
                    signer=admin,
                    cid=make_cid(1),
                )
                ledger.submit(signed.canonical, signed.signature)
        finally:
            ledger.close()
        records = -(-self.events // EVENTS_PER_RECORD)
        started = datetime.now(UTC).isoformat()
        blocks = [
            (first, min(INTERLEAVE, records - first), officers, started)
            for first in range(0, records, INTERLEAVE)
        ]
        t0 = time.perf_counter()
        written = 0
        with (
            multiprocessing.get_context("spawn").Pool(cores) as pool,
            psycopg.connect(self.url) as conn,
            conn.cursor() as cursor,
        ):
            # The ledger numbers its log rows itself (ledger.storage), so the bulk load does too.
            found = cursor.execute(f'SELECT max(notification_id) FROM "{LEDGER}_events"')
            last = found.fetchone()
            first_id = (last[0] if last and last[0] else 0) + 1
            with cursor.copy(
                f'COPY "{LEDGER}_events" '
                "(notification_id, originator_id, originator_version, topic, state) "
                "FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "uuid", "int8", "text", "bytea"])
                for rows in pool.imap(sign_block, blocks):
                    for stream, version, topic, state in rows:
                        if written == self.events:
                            break
                        copy.write_row(
                            (first_id + written, uuid.UUID(bytes=stream), version, topic, state)
                        )
                        written += 1
        signing = time.perf_counter() - t0
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'VACUUM ANALYZE "{LEDGER}_events"')
        return system, signing, time.perf_counter() - t0 - signing


def build_log(url: str, system: SoftwareSigner) -> tuple[int, float]:
    ledger = Ledger(LedgerSettings(database_url=url, name=LEDGER))
    try:
        projection = TransparencyProjection(
            ledger,
            system,
            policy=CheckpointPolicy(every_events=1000, every_seconds=3600),
            batch_size=20_000,
        )
        t0 = time.perf_counter()
        taken = 0
        while count := projection.catch_up():
            taken += count
        return taken, time.perf_counter() - t0
    finally:
        ledger.close()


def baseline(seconds: float = 3.0) -> float:
    """Raw libsodium verifications per second on one core: the very call the verifier makes
    (``crypto_sign_open`` of signature || 32-byte digest), everything prepared in advance."""
    key = nacl.signing.SigningKey.generate()
    public_key = bytes(key.verify_key)
    samples = []
    for n in range(256):
        digest = hashlib.sha256(n.to_bytes(4, "big")).digest()
        samples.append(key.sign(digest).signature + digest)
    count = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for signed in samples:
            crypto_sign_open(signed, public_key)
        count += len(samples)
    return count / (time.perf_counter() - t0)


def _baseline_worker(args: tuple[float, float]) -> float:
    start_at, seconds = args
    while time.time() < start_at:  # every worker starts together, once all are up
        time.sleep(0.001)
    return baseline(seconds)


def parallel_baseline(cores: int, seconds: float = 3.0) -> float:
    """Raw verifications per second with every core running the tight loop at once: the
    limit as this machine gives it right now (other processes share the cores too). The
    workers start their loops together, after the pool has started and imported everything,
    and each measures its own rate."""
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        _warm(pool, cores)
        start_at = time.time() + 0.5
        rates = pool.map(_baseline_worker, [(start_at, seconds)] * cores, chunksize=1)
    return sum(rates)


def _ready(_: int) -> None:
    time.sleep(0.3)  # long enough that each worker takes one


def _warm(pool: Any, cores: int) -> None:
    """Start every worker process (interpreter, imports) before anything is timed."""
    pool.map(_ready, range(cores), chunksize=1)


def _read_range(args: tuple[str, int, int]) -> int:
    url, first, stop = args
    size = 0
    with (
        psycopg.connect(url) as conn,
        conn.cursor().copy(
            f'COPY (SELECT state FROM "{LEDGER}_events" WHERE notification_id >= {first} '
            f"AND notification_id < {stop}) TO STDOUT (FORMAT BINARY)"
        ) as copy,
    ):
        for block in copy:
            size += len(block)
    return size


def read_ceiling(url: str, cores: int, chunk: int = 8192) -> tuple[float, float]:
    """Events per second (and bytes per event) at which PostgreSQL hands the stored events to
    one process per core when nothing is done with them: binary COPY of the state column, in
    the verifier's chunks. No verification that reads the database can go faster."""
    with psycopg.connect(url) as conn:
        found = conn.execute(f'SELECT max(notification_id) FROM "{LEDGER}_events"').fetchone()
    last = found[0] if found and found[0] else 0
    ranges = [(url, first, first + chunk) for first in range(1, last + 1, chunk)]
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        _warm(pool, cores)
        t0 = time.perf_counter()
        size = sum(pool.imap(_read_range, ranges))
        elapsed = time.perf_counter() - t0
    return last / elapsed, size / max(last, 1)


@dataclass
class Measured:
    """A verification run: its report, and the CPU its processes used per event."""

    events: int
    seconds: float
    failures: int
    checkpoints: int
    worker_cpu: float
    main_cpu: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def measure(url: str, workers: int, *, chain_only: bool) -> Measured:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    main_cpu = time.process_time()
    report = verify_database(url, LEDGER, workers=workers, chain_only=chain_only)
    main_cpu = time.process_time() - main_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    return Measured(
        report.events,
        report.seconds,
        len(report.failures),
        report.checkpoints,
        worker_cpu / report.events,
        main_cpu / report.events,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", help="measure a database kept by an earlier --keep run")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"audit benchmark: {args.events:,} events, {cores} cores, {args.workers} workers")
    with Bench(args.server, args.events, args.keep, args.reuse) as bench:
        if not bench.reused:
            system, signing, vacuum = bench.populate(cores)
            print(
                f"  generated and signed {args.events:,} events in {signing:.1f} s "
                f"({args.events / signing:,.0f}/s, COPY included), vacuum {vacuum:.1f} s"
            )
            leaves, seconds = build_log(bench.url, system)
            print(
                f"  transparency log: {leaves:,} leaves in {seconds:.1f} s "
                f"({leaves / seconds:,.0f} leaves/s, checkpoints every 1,000)"
            )
        before, parallel_before = baseline(), parallel_baseline(cores)
        full = measure(bench.url, args.workers, chain_only=False)
        chain = measure(bench.url, args.workers, chain_only=True)
        ceiling, row_bytes = read_ceiling(bench.url, cores)
        after, parallel_after = baseline(), parallel_baseline(cores)
    single = statistics.mean([before, after])
    limit = single * cores
    parallel = statistics.mean([parallel_before, parallel_after])
    verify_cost = 1 / single
    print()
    print(f"  raw libsodium verify, one core: {before:,.0f}/s before, {after:,.0f}/s after")
    print(f"  limit = {single:,.0f}/s x {cores} cores = {limit:,.0f} verifications/s")
    print(
        f"  raw verify on all {cores} cores at once (same load as the runs): "
        f"{parallel_before:,.0f}/s before, {parallel_after:,.0f}/s after"
    )
    verdict = "PASS" if full.rate / limit >= TARGET_RATIO else "BELOW"
    print(
        f"  full verification:  {full.events:,} events in {full.seconds:.1f} s = "
        f"{full.rate:,.0f} events/s = {full.rate / limit:.2f} of the limit (target "
        f"{TARGET_RATIO}) {verdict}; {full.rate / parallel:.2f} of the all-cores raw rate; "
        f"{full.failures} failures, {full.checkpoints} checkpoints"
    )
    cpu = full.worker_cpu + full.main_cpu
    print(
        f"    CPU per event: {full.worker_cpu * 1e6:.1f} us in workers + "
        f"{full.main_cpu * 1e6:.1f} us in the main process, of which the signature check is "
        f"{verify_cost * 1e6:.1f} us: CPU efficiency {verify_cost / cpu:.2f} (PostgreSQL's own "
        "CPU not counted)"
    )
    verdict = "PASS" if chain.rate >= TARGET_CHAIN_RATE else "BELOW"
    print(
        f"  chain-only:         {chain.events:,} events in {chain.seconds:.1f} s = "
        f"{chain.rate:,.0f} events/s (target {TARGET_CHAIN_RATE:,}) {verdict}; "
        f"{chain.failures} failures; CPU per event {chain.worker_cpu * 1e6:.1f} us in workers "
        f"+ {chain.main_cpu * 1e6:.1f} us main"
    )
    print(
        f"  read ceiling:       PostgreSQL hands out the stored events ({row_bytes:,.0f} bytes "
        f"each) at {ceiling:,.0f} events/s to {cores} processes doing nothing with them "
        f"(binary COPY): chain-only reached {chain.rate / ceiling:.2f} of it; the 500,000 "
        f"target is {TARGET_CHAIN_RATE / ceiling:.2f}x what this machine can read"
    )


if __name__ == "__main__":
    main()
