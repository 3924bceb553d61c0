"""The reports over v1 and v2 records: what revealing through the vault costs a read.

Run with ``python bench/reports.py [--records N] [--database-url URL]`` (default 1,000 records on
a SQLite file in a temporary folder). It loads the same made-up records twice, into a ledger as
v1 statements and into another as v2 statements (personal values committed, kept in a vault
with development key files): each record opened (birth dates spread over 40 years), named, with
an education, a position-and-salary line, its start of service and a leave, one batch per
record, all in one LAO. It catches the views up and times each report of the LAO (the best of
``--runs``), counting the vault reads a v2 report makes. It prints, per report, the v1 and v2
times, their ratio and the vault reads. It always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ledger.application import Ledger
from ledger.commitments import Disclosure
from ledger.settings import LedgerSettings
from ledger.vault import Vault
from projections.personal import Revealer
from projections.reports.facade import Reports
from projections.reports.scope import ReadScope
from projections.store import ViewDatabase
from projections.views.catalogue import Projections
from tests import domain_data as d
from tests.ledger_kit import NAKHON_PHANOM_LAO, LedgerKit, build_kit
from tests.people import made_up_cid

SCOPE = ReadScope(lao=str(NAKHON_PHANOM_LAO.lao))
TODAY = date(2020, 1, 15)


class CountingVault:
    """The vault, counting its reads: one commitment at a time, and batches (and what
    they asked for)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.reads = 0
        self.batches = 0

    def disclosure(self, subject: str, hexed: str) -> tuple[str, Disclosure]:
        self.reads += 1
        return self.vault.disclosure(subject, hexed)

    def subjects_of(self, cid: str) -> set[str]:
        return self.vault.subjects_of(cid)

    def disclosures(
        self, wanted: Collection[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, Disclosure]]:
        self.batches += 1
        return self.vault.disclosures(wanted)


REPORTS: dict[str, Callable[[Reports], Any]] = {
    "registry": lambda r: r.registry(SCOPE),
    "registry_as_of": lambda r: r.registry(SCOPE, valid_on=date(2019, 10, 1)),
    "kpi": lambda r: r.kpi(SCOPE),
    "record_certification": lambda r: r.record_certification(SCOPE),
    "retirements": lambda r: r.retirements(SCOPE, 2560, 2610),
    "records_to_do": lambda r: r.records_to_do(SCOPE, 2563, 2567),
    "section35": lambda r: r.section35(SCOPE, 2563),
    "leave": lambda r: r.leave(SCOPE),
}


def load(kit: LedgerKit, records: int) -> float:
    """Load the records (one batch each); the seconds it took."""
    started = time.perf_counter()
    for number in range(records):
        born = date(1960 + number % 40, 1 + number % 12, 1 + number % 28).isoformat()
        opened = d.record(NAKHON_PHANOM_LAO, cid=made_up_cid(number), birth_date=born)
        name = {
            "prefix": "นาย",
            "first_name": "ทดสอบ" + "".join("กขคงจฉชซญฎ"[int(c)] for c in str(number)),
            "last_name": "สมมติ",
        }
        leave = {"leave_type": "sick", "start": "2019-06-03", "end": "2019-06-04", "days": "2"}
        items = [
            ("RecordOpened", opened),
            ("PersonalDataRecorded", name),
            ("EducationAdded", d.education()),
            ("PositionSalaryEntryAdded", d.salary_entry()),
            ("EmploymentStarted", d.status_data("EmploymentStarted", kind="appointed")),
            ("LeaveTaken", leave),
        ]
        kit.submit_all(kit.chain(kit.hr, uuid.uuid4(), items))
    return time.perf_counter() - started


def measure(url: str, folder: Path, records: int, v2: bool, runs: int) -> dict[str, Any]:
    """Load a ledger and time its reports: {report: (best seconds, vault reads)}, and the load."""
    name = f"bench{'v2' if v2 else 'v1'}{uuid.uuid4().hex[:6]}"
    keys = folder / f"{name}-keys" if v2 else None
    ledger = Ledger(LedgerSettings(database_url=url, name=name, vault_key_dir=keys))
    try:
        kit = build_kit(ledger)
        kit.v2 = v2
        found: dict[str, Any] = {"load": load(kit, records)}
        vault = CountingVault(ledger.vault) if isinstance(ledger.vault, Vault) else None
        projections = Projections(ledger, ViewDatabase(url), revealer=Revealer(vault))
        with projections:
            projections.catch_up()
            reports = Reports(projections, today=lambda: TODAY)
            for report, ask in REPORTS.items():
                best = float("inf")
                for _ in range(runs):
                    before = (vault.reads, vault.batches) if vault else (0, 0)
                    started = time.perf_counter()
                    ask(reports)
                    best = min(best, time.perf_counter() - started)
                    after = (vault.reads, vault.batches) if vault else (0, 0)
                found[report] = (best, f"{after[0] - before[0]}/{after[1] - before[1]}")
        return found
    finally:
        ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="default: SQLite files in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        urls = [args.database_url] * 2 if args.database_url else [
            f"sqlite:///{folder}/v1.sqlite", f"sqlite:///{folder}/v2.sqlite"
        ]  # fmt: skip
        v1 = measure(urls[0], folder, args.records, False, args.runs)
        v2 = measure(urls[1], folder, args.records, True, args.runs)
    print(f"{args.records} records, one LAO; best of {args.runs} runs")
    print(f"load: v1 {v1['load']:.1f} s, v2 {v2['load']:.1f} s")
    print("vault reads: one commitment at a time / batch reads (Revealer.preloaded)")
    print(f"{'report':<22}{'v1 ms':>10}{'v2 ms':>10}{'ratio':>8}{'vault reads':>13}")
    for report in REPORTS:
        (one, _), (two, reads) = v1[report], v2[report]
        print(f"{report:<22}{one * 1000:>10.1f}{two * 1000:>10.1f}{two / one:>8.1f}{reads:>13}")


if __name__ == "__main__":
    main()
