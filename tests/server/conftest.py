"""Fixtures of the API tests: an app over an isolated store, seeded through the store API."""

from __future__ import annotations

from datetime import date

import pytest

from server import create_app
from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, Paper, RankedPaper
from sync.sample import sample_announcement
from sync.settings import Config
from sync.store import Store
from sync.store.rankings import RankingRow

TOKEN = "test-token-0123456789abcdef"
FEED_TOKEN = "feed-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DAY = date(2025, 9, 24)


def sample_papers(n: int) -> list[Paper]:
    return [e.paper for e in sample_announcement().entries[:n]]


def seed_day(store: Store, papers: list[Paper], *, day: date = DAY, outcome: FetchOutcome = FetchOutcome.OK) -> list[RankedPaper]:
    """Store ``papers`` as ``day``'s announcement, record the fetch run, and rank them in order."""
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=day,
                         source="sample")
    run = store.start_fetch_run(kind="sample", query="test")
    store.finish_fetch_run(run, outcome=outcome, announce_date=day, new=len(papers))
    rows = [RankingRow(p.arxiv_id, score=round(0.9 - i * 0.01, 4), reason=f"close to your library item {i}",
                       tags=("ml",) if i % 2 else (), collection="COLL0001" if i == 0 else None)
            for i, p in enumerate(papers)]
    store.save_ranking(day, rows)
    return store.ranked_papers(day, limit=len(rows))


@pytest.fixture
def server_config(config: Config) -> Config:
    return config.with_values(server__token=TOKEN, server__feed_token=FEED_TOKEN, zotero__api_key="ZOTERO-SECRET-KEY-abcdef123456",
                              zotero__library_id="12345", zotero__api_url="http://127.0.0.1:9/",
                              arxiv__api_url="http://127.0.0.1:9/api/query", arxiv__max_retries=0,
                              arxiv__delay_seconds=0.0, arxiv__timeout_seconds=1.0)


@pytest.fixture
def api_store(server_config: Config):
    s = Store(server_config.store_path)
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


def pg_activity(observer) -> dict[int, tuple]:
    """Every other backend on ``observer``'s database: pid -> (application, when its last statement started)."""
    rows = observer.execute("SELECT pid, application_name, query_start FROM pg_stat_activity"
                            " WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchall()
    return {pid: (app, started) for pid, app, started in rows}


def statements_during(observer, action) -> int:
    """How many of the server's connections (not its listener) started a statement while ``action``
    ran, as PostgreSQL's own ``pg_stat_activity`` shows it to ``observer`` (a connection of the test's)."""
    before = pg_activity(observer)
    action()
    after = pg_activity(observer)
    return sum(1 for pid, (app, started) in after.items()
               if app != "paperfeed-listener" and before.get(pid, (app, None))[1] != started)
