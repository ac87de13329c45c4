"""Fixtures for the Zotero tests: a local Zotero API server and a config pointing at it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from arxiv import _feed as arxiv_feed

from sync.arxiv_source import paper_from_result
from sync.models import AnnouncementEntry, AnnounceType, Paper
from sync.settings import Config
from tests.support.zotero_server import ZoteroServer

ARXIV_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv"


@pytest.fixture
def zotero_server():
    with ZoteroServer(api_key="test-api-key", user_id=1) as server:
        yield server


@pytest.fixture
def zconfig(tmp_path: Path, zotero_server: ZoteroServer) -> Config:
    """Zotero configured against the local server; retry waits kept short through settings."""
    return Config({
        "storage.data_dir": str(tmp_path / "data"), "zotero.library_id": "1", "zotero.api_key": "test-api-key",
        "zotero.api_url": zotero_server.url, "zotero.max_wait_seconds": 2.0, "zotero.retry_base_seconds": 0.01,
        "zotero.max_retries": 3, "zotero.timeout_seconds": 5.0,
        # an arXiv that refuses connections at once: lookups of unknown papers fail fast
        "arxiv.api_url": "http://127.0.0.1:9/api/query", "arxiv.max_retries": 0, "arxiv.delay_seconds": 0.0,
    }, path=tmp_path / "config.toml")


def fixture_papers(name: str) -> dict[str, Paper]:
    """Papers of a recorded arXiv API response, parsed the way paperfeed's arXiv source parses them."""
    papers = {}
    for result in arxiv_feed.parse((ARXIV_FIXTURES / name).read_bytes()).results:
        paper = paper_from_result(result) if result is not None else None
        if paper is not None:
            papers[paper.arxiv_id] = paper
    return papers


def make_paper(n: int, **changes) -> Paper:
    base = dict(arxiv_id=f"2501.{n:05d}", title=f"A study of thing {n}", authors=("Ada Lovelace", "Alan Turing"),
                abstract=f"Abstract {n}.", categories=("cs.DC", "cs.LG"), comment="12 pages",
                updated=datetime(2025, 1, 2, tzinfo=timezone.utc))
    base.update(changes)
    return Paper(**base)


def store_papers(store, papers) -> None:
    store.upsert_entries([AnnouncementEntry(p, AnnounceType.NEW) for p in papers], announce_date=None,
                         source="sample")
