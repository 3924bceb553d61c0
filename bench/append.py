"""Append throughput: the signed ledger versus plain ``eventsourcing`` on PostgreSQL.

Run with ``python -m bench.append`` (or ``python bench/append.py``). It measures, in one run and
on the same PostgreSQL server, events per second for:

* plain: an ``eventsourcing.application.Application`` with a plain ``Aggregate`` whose events
  carry unsigned payloads of exactly the same size as ours (the canonical statement text, a
  128-character hex "signature" and a 64-character "hash"), appended the library's normal way:
  ``repository.get`` the aggregate, trigger an event, ``save``;
* ours: ``Ledger.submit`` (1 event per transaction) and ``Ledger.submit_batch`` (100 events per
  transaction) of real signed ``PersonnelRecord`` statements (EducationAdded and
  PositionSalaryEntryAdded), signed by an enrolled ``lao_hr_officer`` software key, so the ledger
  verifies signatures, chains, permissions and data. The ledger keeps the streams it wrote
  (``LEDGER_STREAM_CACHE_SIZE``), so it does not read a stream before writing to it again;
* ours, no stream cache (for information): the same ledger with ``stream_cache_size=0``, which
  reads every stream it writes, as plain does. Its ratio is printed but is not the target's.

Both sides use the same stream layout: ``--streams`` streams are opened before timing, and the
appends go round-robin over them; a transaction of 100 touches 10 streams with 10 consecutive
events each. Every statement is signed before timing (signing is the client's work): each one
names the expected version and the previous statement's event hash, so a whole chain can be
signed offline.

Each side gets its own fresh database (``bench_append_<random>_{plain,ours}``, dropped at the
end), and every measurement uses fresh tables (a fresh ledger name / application name), so each
round starts from the same state. After a warm-up, rounds interleave plain and ours (the order
alternates per round); the table reports median events/s and the median of the per-round
ours/plain ratios. The run always exits 0: it is a report.

Then, in the same run, statements that carry personal data: v1 in clear against v2 (salted
commitments, disclosures kept in a key-file vault, and in a SoftHSM2 token when installed),
and each against plain (``bench.append_v2``; ``--no-v2`` leaves it out, ``--v2-only`` runs only
it). ``--events``/``--rounds`` (or ``BENCH_EVENTS``/``BENCH_ROUNDS``) set the run time: the
defaults take several minutes on a quiet machine; ``--events 200 --rounds 1`` checks it works.

``--profile`` instead runs cProfile over our 1-event and 100-event paths (and, for comparison,
the plain ones) and prints the top entries by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from uuid import UUID, uuid4

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from ledger.application import Ledger
from ledger.commitments import commit_statement_data
from ledger.domain.operators import KeyStorage
from ledger.domain.permissions import Role, Scope
from ledger.domain.rules import cid_check_digit
from ledger.genesis import compose, enrolment_data, initialise, register_organization, submit
from ledger.settings import LedgerSettings
from ledger.signing import SoftwareSigner
from ledger.statement import (
    GENESIS_PREV_HASH,
    SignerRef,
    build_statement,
    digest,
    event_hash,
    key_id_of,
)

TARGET = 0.8
BATCH = 100
STREAMS_PER_BATCH = 10
LAO = "6340101"
PROVINCE = "เชียงใหม่"


# The statements, signed before any timing.


def make_cid(first_twelve: str) -> str:
    return first_twelve + str(cid_check_digit(first_twelve))


@dataclass(frozen=True, slots=True)
class Item:
    """One pre-signed statement, and where it goes."""

    stream: int  # index into the layout's streams
    canonical: bytes
    signature: bytes
    hash: str
    disclosures: dict[str, Any] | None = None  # a v2 statement's, as JSON

    @property
    def text(self) -> str:
        return self.canonical.decode("utf-8")


@dataclass
class Operator:
    signer: SoftwareSigner
    cid: str

    @property
    def ref(self) -> SignerRef:
        return SignerRef(cid=self.cid, key=key_id_of(self.signer.public_key))


def sign_item(
    operator: Operator,
    stream_index: int,
    stream: UUID,
    version: int,
    prev_hash: str,
    type_: str,
    data: dict[str, Any],
    v: Literal[1, 2] = 1,
) -> Item:
    """A signed statement; ``v=2``: its personal values committed, with their disclosures."""
    disclosed = None
    if v == 2:
        data, disclosures = commit_statement_data(type_, stream, data)
        disclosed = {path: item.as_json() for path, item in disclosures.items()}
    statement = build_statement(
        stream=stream,
        expected_version=version,
        prev_hash=prev_hash,
        type=type_,
        data=data,
        effective=date(2019, 4, 1),
        signer=operator.ref,
        signed_at=datetime.now(UTC),
        v=v,
    )
    canonical = statement.canonical_bytes()
    signature = operator.signer.sign(digest(canonical))
    return Item(stream_index, canonical, signature, event_hash(canonical, signature), disclosed)


def entry_data(n: int) -> tuple[str, dict[str, Any]]:
    """Alternating education and position-and-salary entries of realistic size."""
    if n % 2 == 0:
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
        "salary": f"{25000 + n}.00",
        "allowance": "3500.00",
        "order": {"number": f"{n % 9999 + 1}/2562", "date": "2019-04-01", "issuer": "อบต.ตัวอย่าง"},
    }


@dataclass
class Layout:
    """The streams, their pre-signed opening statements, and the timed sequence."""

    streams: list[UUID]
    openings: list[Item]
    sequence: list[Item]
    per_txn: int


def stream_order(events: int, streams: int, per_txn: int) -> list[int]:
    """Which stream each timed event goes to, in submission order.

    One event per transaction: round-robin. A transaction of ``per_txn`` events: 10 streams with
    ``per_txn / 10`` consecutive events each, successive transactions moving on to the next
    10 streams (round-robin over all of them).
    """
    if per_txn == 1:
        return [i % streams for i in range(events)]
    touched = min(STREAMS_PER_BATCH, streams)
    each = max(per_txn // touched, 1)
    order: list[int] = []
    txn = 0
    while len(order) < events:
        for k in range(touched):
            order.extend([(txn * touched + k) % streams] * each)
        txn += 1
    return order[:events]


def sign_layout(operator: Operator, events: int, streams: int, per_txn: int) -> Layout:
    ids = [uuid4() for _ in range(streams)]
    versions = [0] * streams
    heads = [GENESIS_PREV_HASH] * streams
    openings = []
    for index, stream in enumerate(ids):
        cid = make_cid(f"1{index:011d}")
        item = sign_item(
            operator,
            index,
            stream,
            0,
            GENESIS_PREV_HASH,
            "RecordOpened",
            {
                "cid": cid,
                "category": "official",
                "lao": LAO,
                "province": PROVINCE,
                "birth_date": "1985-07-14",
            },
        )
        openings.append(item)
        versions[index], heads[index] = 1, item.hash
    sequence = []
    for n, index in enumerate(stream_order(events, streams, per_txn)):
        type_, data = entry_data(n)
        item = sign_item(operator, index, ids[index], versions[index], heads[index], type_, data)
        sequence.append(item)
        versions[index] += 1
        heads[index] = item.hash
    return Layout(ids, openings, sequence, per_txn)


def batches(items: Sequence[Item], size: int) -> Iterator[Sequence[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Databases.


class Databases:
    """Creates fresh databases on the server and drops them at the end."""

    def __init__(self, server: str) -> None:
        self.server = server.rstrip("/")
        self.created: list[str] = []

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(f"{self.server}/postgres", autocommit=True)

    def create(self, suffix: str) -> str:
        name = f"bench_append_{secrets.token_hex(4)}_{suffix}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.created.append(name)
        return f"{self.server}/{name}"

    def drop_all(self) -> None:
        with self._admin() as conn:
            for name in self.created:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
        self.created.clear()


# The plain baseline.


class PlainRecord(Aggregate):
    """A plain aggregate: the same payload sizes, nothing signed or checked."""

    @event("Opened")
    def __init__(self, statement: str, signature: str, hash: str) -> None:
        self.head_hash = hash
        self.count = 0

    @event("Appended")
    def append(self, statement: str, signature: str, hash: str) -> None:
        self.head_hash = hash
        self.count += 1


class PlainApp(Application[UUID]):
    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name  # names the tables, like Ledger does
        super().__init__(env=env)


def plain_env(database_url: str) -> dict[str, str]:
    """The library's own PostgreSQL recorder, with the same pool settings as a ledger.

    Deliberately not ``ledger.storage.eventsourcing_env``: that one may swap in the ledger's own
    recorder, and the baseline is the library as it comes.
    """
    parts = urlsplit(database_url)
    defaults = LedgerSettings()
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": parts.username or "postgres",
        "POSTGRES_PASSWORD": parts.password or "",
        "POSTGRES_POOL_SIZE": str(defaults.pool_size),
        "POSTGRES_MAX_OVERFLOW": str(defaults.pool_max_overflow),
        "CREATE_TABLE": "y",
    }


class PlainSide:
    label = "plain"

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def prepare(self, name: str, layout: Layout) -> Callable[[Sequence[Item]], None]:
        """A fresh app with the layout's streams opened; returns the timed append function."""
        app = PlainApp(name, plain_env(self.database_url))
        self.app = app
        self.recorder = type(app.recorder).__name__
        records = [
            PlainRecord(statement=o.text, signature=o.signature.hex(), hash=o.hash)
            for o in layout.openings
        ]
        app.save(*records)
        ids = [r.id for r in records]

        if layout.per_txn == 1:

            def run(items: Sequence[Item]) -> None:
                for item in items:
                    record: PlainRecord = app.repository.get(ids[item.stream])
                    record.append(item.text, item.signature.hex(), item.hash)
                    app.save(record)

        else:

            def run(items: Sequence[Item]) -> None:
                for chunk in batches(items, layout.per_txn):
                    working: dict[UUID, PlainRecord] = {}
                    for item in chunk:
                        stream = ids[item.stream]
                        record = working.get(stream)
                        if record is None:
                            record = working[stream] = app.repository.get(stream)
                        record.append(item.text, item.signature.hex(), item.hash)
                    app.save(*working.values())

        return run

    def close(self) -> None:
        self.app.close()


# Ours.


class LedgerSide:
    def __init__(
        self,
        database_url: str,
        system: Operator,
        admin: Operator,
        hr: Operator,
        *,
        stream_cache: bool = True,
        label: str | None = None,
        settings: Callable[[], dict[str, Any]] = dict,
    ) -> None:
        """``settings``: more ledger settings for each fresh ledger (a vault, for v2)."""
        self.database_url = database_url
        self.system, self.admin, self.hr = system, admin, hr
        self.stream_cache = stream_cache
        self.label = label or ("ours" if stream_cache else "uncached")
        self.settings = settings

    def prepare(self, name: str, layout: Layout) -> Callable[[Sequence[Item]], None]:
        """A fresh ledger: genesis, admin, the LAO registered, its HR officer enrolled, streams
        opened."""
        settings = LedgerSettings(database_url=self.database_url, name=name, **self.settings())
        if not self.stream_cache:
            settings = settings.model_copy(update={"stream_cache_size": 0})
        ledger = Ledger(settings)
        self.ledger = ledger
        self.recorder = type(ledger.recorder).__name__
        software = KeyStorage(kind="software")
        initialise(
            ledger,
            system_signer=self.system.signer,
            system_storage=software,
            admin_cid=self.admin.cid,
            admin_public_key=self.admin.signer.public_key,
            admin_storage=software,
        )
        register_organization(
            ledger,
            code=LAO,
            province=PROVINCE,
            name="เทศบาลตำบลทดสอบ",
            district="เมืองเชียงใหม่",
            signer=self.admin.signer,
            cid=self.admin.cid,
        )
        enrol = compose(
            ledger,
            stream=ledger.registry_id,
            type="OperatorEnrolled",
            data=enrolment_data(
                cid=self.hr.cid,
                public_key=self.hr.signer.public_key,
                roles=[Role.LAO_HR_OFFICER],
                scope=Scope(level="lao", province=PROVINCE, lao=LAO),
                storage=software,
            ),
            signer=self.admin.signer,
            cid=self.admin.cid,
        )
        submit(ledger, enrol)
        for chunk in batches(layout.openings, BATCH):
            ledger.submit_batch(
                [(o.canonical, o.signature) for o in chunk], [o.disclosures for o in chunk]
            )

        if layout.per_txn == 1:

            def run(items: Sequence[Item]) -> None:
                for item in items:
                    ledger.submit(item.canonical, item.signature, item.disclosures)

        else:

            def run(items: Sequence[Item]) -> None:
                for chunk in batches(items, layout.per_txn):
                    ledger.submit_batch(
                        [(item.canonical, item.signature) for item in chunk],
                        [item.disclosures for item in chunk],
                    )

        return run

    def close(self) -> None:
        self.ledger.close()


# Measuring.


class Names:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def measure(side: PlainSide | LedgerSide, name: str, layout: Layout, count: int) -> float:
    """Events per second for the first ``count`` events of the layout on a fresh app."""
    run = side.prepare(name, layout)
    items = layout.sequence[:count]
    try:
        start = time.perf_counter()
        run(items)
        elapsed = time.perf_counter() - start
    finally:
        side.close()
    return len(items) / elapsed


def profile(side: PlainSide | LedgerSide, name: str, layout: Layout, title: str, top: int) -> None:
    run = side.prepare(name, layout)
    profiler = cProfile.Profile()
    try:
        start = time.perf_counter()
        profiler.enable()
        run(layout.sequence)
        profiler.disable()
        elapsed = time.perf_counter() - start
    finally:
        side.close()
    rate = len(layout.sequence) / elapsed
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"\n=== {title}: {len(layout.sequence)} events, {rate:,.0f} events/s under cProfile ===")
    print("--- by cumulative time ---")
    print(_trim(out.getvalue()))
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(max(top // 2, 5))
    print("--- by own time ---")
    print(_trim(out.getvalue()))


def _trim(report: str) -> str:
    lines = report.splitlines()
    for i, line in enumerate(lines):
        if line.lstrip().startswith("ncalls"):
            return "\n".join(lines[i - 2 :] if i >= 2 else lines[i:])
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, default=int(os.environ.get("BENCH_EVENTS", 2000)),
        help="timed events per measurement",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", 7)),
        help="interleaved rounds",
    )  # fmt: skip
    parser.add_argument("--streams", type=int, default=100, help="streams opened before timing")
    parser.add_argument(
        "--server",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument(
        "--profile", action="store_true", help="cProfile our (and the plain) append paths instead"
    )
    parser.add_argument("--top", type=int, default=25, help="profile entries to print")
    parser.add_argument("--no-v2", action="store_true", help="leave out bench.append_v2")
    parser.add_argument("--v2-only", action="store_true", help="only bench.append_v2")
    args = parser.parse_args(argv)
    events = max(args.events, BATCH)
    rounds = max(args.rounds, 1)
    streams = max(args.streams, STREAMS_PER_BATCH)

    system = Operator(SoftwareSigner.generate(), "system")
    admin = Operator(SoftwareSigner.generate(), make_cid("310060273568"))
    hr = Operator(SoftwareSigner.generate(), make_cid("150990001234"))
    if args.v2_only:
        return _v2(system, admin, hr, args, events, rounds, streams)

    started = time.perf_counter()
    print(f"Signing {2 * (events + streams)} statements offline ...", flush=True)
    layouts = {n: sign_layout(hr, events, streams, n) for n in (1, BATCH)}
    size = statistics.mean(len(i.canonical) for i in layouts[1].sequence)
    print(
        f"  done in {time.perf_counter() - started:.1f}s; statement {size:.0f} bytes average, "
        f"{streams} streams, {events} events per measurement, {rounds} rounds"
    )

    databases = Databases(args.server)
    try:
        plain = PlainSide(databases.create("plain"))
        ours = LedgerSide(databases.create("ours"), system, admin, hr)
        uncached = LedgerSide(databases.create("uncached"), system, admin, hr, stream_cache=False)
        sides: tuple[PlainSide | LedgerSide, ...] = (plain, ours, uncached)
        names = Names()
        if args.profile:
            for n in (1, BATCH):
                profile(ours, names("prof_ours_"), layouts[n], f"ours, {n} event(s)/txn", args.top)
                profile(
                    plain, names("prof_plain_"), layouts[n], f"plain, {n} event(s)/txn", args.top
                )
            return 0

        print("Warm-up ...", flush=True)
        warm = min(events, 300)
        for n in (1, BATCH):
            measure(plain, names("warm_plain_"), layouts[n], warm)
            measure(ours, names("warm_ours_"), layouts[n], warm)
            measure(uncached, names("warm_uncached_"), layouts[n], warm)
        print(f"  recorders: plain {plain.recorder}, ours {ours.recorder}")

        results: dict[tuple[str, int], list[float]] = {}
        for r in range(rounds):
            for n in (1, BATCH):
                order = sides if r % 2 == 0 else sides[::-1]
                for side in order:
                    rate = measure(side, names(f"{side.label}_"), layouts[n], events)
                    results.setdefault((side.label, n), []).append(rate)
            line = ", ".join(
                f"{label} {n}/txn {results[(label, n)][-1]:,.0f}"
                for n in (1, BATCH)
                for label in ("plain", "ours", "uncached")
            )
            print(f"  round {r + 1}: {line} events/s", flush=True)
    finally:
        databases.drop_all()

    print()
    header = (
        f"{'configuration':<24}{'plain ev/s':>12}{'ours ev/s':>12}{'ours/plain':>12}"
        f"{'target':>9}  result"
    )
    print(header)
    print("-" * len(header))
    for n in (1, BATCH):
        p = statistics.median(results[("plain", n)])
        label = f"{n} event{'s' if n > 1 else ''}/transaction"
        for which, gated in (("ours", True), ("uncached", False)):
            o = statistics.median(results[(which, n)])
            # Each round's measurements ran back to back, so the median of paired ratios
            # resists drift in the machine's load better than the ratio of two medians.
            per_round = [
                b / a for a, b in zip(results[("plain", n)], results[(which, n)], strict=True)
            ]
            ratio = statistics.median(per_round)
            if gated:
                verdict = f"{'>= ' + str(TARGET):>9}  {'PASS' if ratio >= TARGET else 'FAIL'}"
                name = label
            else:
                verdict = f"{'':>9}  info"
                name = "  no stream cache"
            print(
                f"{name:<24}{p:>12,.0f}{o:>12,.0f}{ratio:>12.2f}{verdict}"
                f"   (per-round ratios {', '.join(f'{x:.2f}' for x in per_round)})"
            )
    print(
        f"\nevents/s: medians of {rounds} interleaved rounds; ours/plain: median of the per-round "
        f"ratios.\n{events} events per measurement over {streams} streams (a 100-event "
        f"transaction touches {STREAMS_PER_BATCH} streams); "
        f"total {time.perf_counter() - started:.0f}s."
    )
    if args.no_v2:
        return 0
    return _v2(system, admin, hr, args, events, rounds, streams)


def _v2(
    system: Operator, admin: Operator, hr: Operator, args: argparse.Namespace, *sizes: int
) -> int:
    """The same run goes on with personal statements, v1 in clear against v2 (issue 17)."""
    from bench import append_v2  # it builds on this module

    events, rounds, streams = sizes
    keys = {"system": system, "admin": admin, "hr": hr}
    results = append_v2.compare(keys, args.server, events=events, rounds=rounds, streams=streams)
    append_v2.report(results, events, rounds)
    return 0


if __name__ == "__main__":
    # A report, not a gate: always exit 0, but say so loudly when the run did not complete.
    try:
        main()
    except KeyboardInterrupt:
        print("\nINTERRUPTED: no results.")
    except Exception:
        traceback.print_exc()
        print("\nERROR: the benchmark did not complete; no results.")
    sys.exit(0)
