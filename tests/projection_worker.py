"""A projection process for the crash tests: catch up every view, announcing each committed batch.

``python -m tests.projection_worker URL NAME BATCH_SIZE PAUSE`` prints ``batch <events done>``
after each batch commits, then pauses, so a test can kill it between batches.
"""

from __future__ import annotations

import sys
import time

from ledger.application import Ledger
from ledger.settings import LedgerSettings
from projections.views.catalogue import Projections


def main(url: str, name: str, batch_size: int, pause: float) -> None:
    ledger = Ledger(LedgerSettings(database_url=url, name=name))
    projections = Projections.open(ledger)
    projections.runner.batch_size = batch_size

    def announce(done: int, total: int) -> None:
        print(f"batch {done} {total}", flush=True)
        time.sleep(pause)

    projections.catch_up(announce)
    print("done", flush=True)
    projections.close()
    ledger.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
