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
from .users import User, UsersMixin

__all__ = ["Store", "open_store", "FetchRun", "UpsertResult", "User"]


class Store(PapersMixin, RunsMixin, RankingsMixin, LibraryMixin, OutboxMixin, CycleMixin, LookupsMixin, UsersMixin,
            StoreBase):
    """paperfeed's store, on SQLite (default) or PostgreSQL (a lab server)."""


def open_store(target: Path | str, *, user_id: int | None = None) -> Store:
    """A SQLite file path or a ``postgresql://`` URL (then optionally as lab user ``user_id``)."""
    return Store(target, user_id=user_id)
