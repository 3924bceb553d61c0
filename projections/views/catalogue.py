"""The catalogue of read models, and ``Projections``: a ledger's views in one database.

``ledger project catch-up`` and the API keep every view of ``VIEW_CLASSES`` current with one
pass over the log (``ViewsRunner``), first rebuilding any view whose stored version is not its
code's ``View.version`` (``upgrade``); ``ledger project rebuild NAME`` rebuilds one. Queries read
a view's tables by the names ``tables`` gives (the kpi, retirement and section 35 reports join
the registry's, certification's and organizations' tables).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ledger.application import Ledger
from ledger.vault import Vault
from projections.log import log_end
from projections.personal import Revealer
from projections.store import Cursor, ViewDatabase
from projections.views.audit_trail import AuditTrailView
from projections.views.certification import CertificationView
from projections.views.eplan_book import EplanBookView
from projections.views.eplan_status import EplanStatusView
from projections.views.leave import LeaveView
from projections.views.organizations import OrganizationsView
from projections.views.positions import PositionsView
from projections.views.registry import RegistryView
from projections.views.runner import DEFAULT_BATCH_SIZE, Progress, View, ViewsRunner
from projections.views.section35 import Section35View
from projections.views.stream_heads import StreamHeadsView

VIEW_CLASSES: tuple[type[View], ...] = (
    StreamHeadsView,
    RegistryView,
    PositionsView,
    OrganizationsView,
    CertificationView,
    LeaveView,
    Section35View,
    AuditTrailView,
    EplanStatusView,
    EplanBookView,
)
"""Every view the ledger keeps, in the order a catch-up feeds them."""

VIEW_NAMES: tuple[str, ...] = tuple(cls.name for cls in VIEW_CLASSES)


def all_views() -> list[View]:
    return [cls() for cls in VIEW_CLASSES]


class Projections:
    """A ledger's views in ``db``: catch up, rebuild, and read them (one thread at a time)."""

    def __init__(
        self,
        ledger: Ledger,
        db: ViewDatabase,
        views: Sequence[View] | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        revealer: Revealer | None = None,
    ) -> None:
        """``revealer``: how reads reveal v2 records' personal values (default: through the
        ledger's vault, or withheld when it has none; ``projections.personal``)."""
        self.ledger = ledger
        self.db = db
        if revealer is None:
            vault = ledger.vault
            revealer = Revealer(vault if isinstance(vault, Vault) else None)
        self.revealer = revealer
        self.runner = ViewsRunner(
            ledger, db, list(views) if views is not None else all_views(), batch_size=batch_size
        )
        self._lock = threading.RLock()

    @classmethod
    def open(
        cls,
        ledger: Ledger,
        database_url: str | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Projections:
        """The views in ``database_url`` (default: the ledger's own database); close them, or
        use them as a context manager."""
        db = ViewDatabase(database_url or ledger.settings.database_url)
        return cls(ledger, db, batch_size=batch_size)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Projections:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def tables(self, name: str) -> dict[str, str]:
        return self.runner.tables_of(self.runner.view(name))

    def catch_up(self, progress: Progress | None = None) -> int:
        with self._lock:
            return self.runner.catch_up(progress)

    def refresh(self) -> int:
        """Catch up only when the log moved on since the views' lowest position (cheap when not)."""
        with self._lock:
            rebuilt = sum(self.runner.upgrade().values())  # views of an older version first
            if min(self.runner.positions().values(), default=0) >= log_end(self.ledger):
                return rebuilt
            return rebuilt + self.runner.catch_up()

    def upgrade(self, progress: Progress | None = None) -> dict[str, int]:
        """Rebuild the views built by another version of their code (``ViewsRunner.upgrade``);
        each rebuilt view's name -> the events it replayed."""
        with self._lock:
            return self.runner.upgrade(progress)

    def rebuild(self, name: str, progress: Progress | None = None) -> int:
        with self._lock:
            return self.runner.rebuild(name, progress)

    @contextmanager
    def read(self) -> Iterator[Cursor]:
        """A cursor for queries (one transaction, so a report reads one state of the views)."""
        with self._lock, self.db.transaction() as cursor:
            yield cursor
