"""Fixtures of the API tests: an app over an isolated store, seeded through the store API."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Iterable

import pytest

from server import create_app
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, Paper, RankedPaper
from sync.sample import sample_announcement
from sync.settings import Config
from sync.store import Store

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DAY = date(2025, 9, 24)


class RankingStandIn(Store):
    """The ranking part's store contract (docs/architecture.md) over a list, until its mixin lands."""

    def __init__(self, path):
        super().__init__(path)
        self._ranked: list[RankedPaper] = []
        self._feedback: dict[str, str] = {}

    def seed_ranked(self, ranked: Iterable[RankedPaper]) -> None:
        self._ranked.extend(ranked)

    def _filtered(self, day, min_score, status):
        day = day or self.latest_ranking_date()
        rows = [replace(r, status=self._feedback[r.paper.arxiv_id]) if r.paper.arxiv_id in self._feedback else r
                for r in self._ranked if r.day == day]
        rows = [r for r in rows if (min_score is None or r.score >= min_score) and (status is None or r.status == status)]
        return sorted(rows, key=lambda r: r.rank)

    def ranked_papers(self, day=None, *, min_score=None, status=None, limit=100, offset=0):
        return self._filtered(day, min_score, status)[offset:offset + limit]

    def count_ranked(self, day=None, *, min_score=None, status=None):
        return len(self._filtered(day, min_score, status))

    def latest_ranking_date(self):
        return max((r.day for r in self._ranked), default=None)

    def set_feedback(self, arxiv_id, action):
        assert action in ("saved", "dismissed")
        self._feedback[arxiv_id] = action

    def clear_feedback(self, arxiv_id):
        self._feedback.pop(arxiv_id, None)

    def last_rank_run(self):
        return None


def make_store(path) -> Store:
    return RankingStandIn(path) if not hasattr(Store, "seed_ranked") else Store(path)


def sample_papers(n: int) -> list[Paper]:
    return [e.paper for e in sample_announcement().entries[:n]]


def seed_day(store: Store, papers: list[Paper], *, day: date = DAY, outcome: FetchOutcome = FetchOutcome.OK) -> list[RankedPaper]:
    """Store ``papers`` as ``day``'s announcement, record the fetch run, and rank them in order."""
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=day,
                         source="sample")
    run = store.start_fetch_run(kind="sample", query="test")
    store.finish_fetch_run(run, outcome=outcome, announce_date=day, new=len(papers))
    ranked = [RankedPaper(paper=store.get_paper(p.arxiv_id), day=day, score=round(0.9 - i * 0.01, 4),
                          reason=f"close to your library item {i}", rank=i + 1, tags=("ml",) if i % 2 else (),
                          collection="COLL0001" if i == 0 else None)
              for i, p in enumerate(papers)]
    store.seed_ranked(ranked)
    return ranked


@pytest.fixture
def server_config(config: Config) -> Config:
    return config.with_values(server__token=TOKEN, zotero__api_key="ZOTERO-SECRET-KEY-abcdef123456",
                              zotero__library_id="12345", zotero__api_url="http://127.0.0.1:9/",
                              arxiv__api_url="http://127.0.0.1:9/api/query", arxiv__max_retries=0,
                              arxiv__delay_seconds=0.0, arxiv__timeout_seconds=1.0)


@pytest.fixture
def api_store(server_config: Config):
    s = make_store(server_config.store_path)
    yield s
    s.close()


@pytest.fixture
def app(server_config: Config, api_store: Store):
    return create_app(server_config, store=api_store)


@pytest.fixture
def client(app):
    return app.test_client()


def seed_library(store: Store, *, in_library: dict[str, str]) -> None:
    """A synced Zotero index: two collections, tagged items, some of them arXiv papers."""
    from sync.models import LibraryCollection, LibraryItem

    store.reset_library_index("users/12345")
    store.begin_library_pull(target_version=7, item_keys=[], collection_keys=[])
    items = [LibraryItem(key=key, title=f"Item {key}", arxiv_id=arxiv_id, tags=("ml", "to-read") if i % 2 else ("ml",))
             for i, (arxiv_id, key) in enumerate(in_library.items())]
    items.append(LibraryItem(key="BOOK0001", title="A book", item_type="book", tags=("ml", "theory")))
    store.apply_library_page(items=items, collections=[
        LibraryCollection(key="COLL0001", name="Reading group"),
        LibraryCollection(key="COLL0002", name="Attention", parent_key="COLL0001"),
    ])
    store.finish_library_pull(version=7, result="3 items, 2 collections")
