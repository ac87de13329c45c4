"""The store: the only code in paperfeed that speaks SQL.

:class:`Store` is composed of one mixin per subject (papers, fetch runs, ...),
each in its own module, over :class:`StoreBase` (connection, transactions,
numbered migrations in ``migrations/``).
"""

from __future__ import annotations

from pathlib import Path

from .base import StoreBase
from .cycle import CycleMixin, CycleRun, LockHolder
from .lookups import LookupsMixin
from .library import LibraryMixin, LibrarySyncState
from .outbox import OutboxEntry, OutboxMixin
from .papers import PapersMixin, UpsertResult
from .rankings import RankingRow, RankingsMixin, RankRun
from .runs import FetchRun, RunsMixin

__all__ = ["Store", "open_store", "FetchRun", "UpsertResult"]


class Store(PapersMixin, RunsMixin, RankingsMixin, LibraryMixin, OutboxMixin, CycleMixin, LookupsMixin, StoreBase):
    """paperfeed's SQLite store."""


def open_store(path: Path | str) -> Store:
    return Store(path)
