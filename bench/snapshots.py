"""An LAO's snapshot (what ``LaoDataSubmitted`` names) on a large ledger, against a full replay.

Run with ``python bench/snapshots.py [--events N]`` (default 100,000). In one run, on this
machine's PostgreSQL, it:

1. creates a database of its own (dropped at the end unless ``--keep``) holding N signed events
   (``bench/audit.py``'s generator: records of 20 events each, in 20 LAOs);
2. times ``Ledger.snapshot`` for one LAO: the first (the custody index reads every custody
   event of the log once), then again at the log's end (warm: one heads query per 500
   records), and at an earlier position;
3. times the baseline: the LAO's records found by scanning the log for their custody events,
   each loaded and replayed in full for its head (what ``lao_snapshot`` did before positions).

It prints the times and the warm snapshot's ratio to the baseline, and checks both name the
same records. It always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

if __package__ in (None, ""):  # run as a script: make the project and bench/audit.py importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.path.insert(1, str(Path(__file__).resolve().parent))

import audit as log_generator  # bench/audit.py: the signed-log generator

from ledger.application import Ledger
from ledger.domain.personnel import PersonnelRecord
from ledger.domain.snapshot import LaoSnapshot
from ledger.processes import scan
from ledger.settings import LedgerSettings

LAO = "6000000"
"""The first LAO of the generator's officers (one record in 20 is held there)."""


def replayed_heads(ledger: Ledger, lao: str) -> dict[uuid.UUID, int]:
    """The baseline: every custody event scanned, every candidate record replayed in full."""
    candidates = {
        event.originator_id
        for _, event in scan(ledger, [PersonnelRecord.RecordOpened, PersonnelRecord.TransferredOut])
        if lao
        in (getattr(event.parse()[1], "lao", None), getattr(event.parse()[1], "to_lao", None))
    }
    return {
        stream: record.version
        for stream, record in ledger.load(candidates).items()
        if isinstance(record, PersonnelRecord) and record.lao == lao
    }


T = TypeVar("T")


def _timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    t0 = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - t0
    print(f"  {label}: {seconds * 1000:,.1f} ms")
    return result, seconds


def _snapshot(ledger: Ledger, position: int | None = None) -> LaoSnapshot:
    found = ledger.snapshot(LAO, position)
    if found is None:
        raise SystemExit(f"position {position} is beyond the log")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--server", default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"snapshot benchmark: {args.events:,} events, {cores} cores")
    bench = log_generator.Bench(args.server, args.events, args.keep)
    bench.database = f"bench_snapshots_{uuid.uuid4().hex[:8]}"
    bench.url = f"{args.server}/{bench.database}"
    with bench:
        bench.populate(cores)
        ledger = Ledger(LedgerSettings(database_url=bench.url, name=log_generator.LEDGER))
        try:
            end = ledger.lao_snapshots.log_end()
            _, cold = _timed("first snapshot (reads the custody events)", lambda: _snapshot(ledger))
            snapshot, warm = _timed("snapshot at the log's end (warm)", lambda: _snapshot(ledger))
            _timed("snapshot at half the log", lambda: _snapshot(ledger, end // 2))
            heads, baseline = _timed(
                "baseline: scan and replay every record", lambda: replayed_heads(ledger, LAO)
            )
        finally:
            ledger.close()
    same = {leaf.stream: leaf.version for leaf in snapshot.leaves} == heads
    print()
    print(f"  LAO {LAO}: {snapshot.record_count:,} records at position {end:,}")
    print(
        f"  ratio: warm {baseline / warm:,.1f}x faster than the baseline, "
        f"cold {baseline / cold:,.1f}x"
    )
    print(f"  same records and versions as the baseline: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
