"""The fetch stage end to end: local arXiv over real HTTP -> store."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from sync.fetch import run_fetch
from sync.models import FetchOutcome
from sync.settings import Config
from sync.store import Store
from tests.support.arxiv_server import LocalArxiv, Reply, first_page_only, fixture_reply

ALL_ARCHIVES = "rss_all_archives_2024-11-28_TRIMMED_18_of_1504_items.xml"
ATOM_CS_AI = "rss_atom_cs.AI_2025-08-20_TRIMMED_5_real_entries.xml"


@pytest.fixture
def arxiv_config(local_arxiv: LocalArxiv, config: Config) -> Config:
    return local_arxiv.config(config, arxiv__categories=["cs.AI"], arxiv__keywords=[])


def snapshot(store: Store) -> tuple:
    papers = [tuple(r) for r in store.query("SELECT * FROM papers ORDER BY arxiv_id")]
    announcements = [tuple(r) for r in store.query("SELECT * FROM announcements ORDER BY arxiv_id, source")]
    return papers, announcements


def test_fetch_stores_announcement_with_counts(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.OK
    assert (summary.new, summary.cross, summary.updated) == (10, 3, 5)
    assert summary.line() == "cs.AI: 10 new, 3 cross-lists, 5 updated"
    assert store.count_papers() == 18
    listed = store.announced_papers(date(2024, 11, 28), types=("new", "cross"))
    assert len(listed) == 13  # replacements are updates, not new papers
    run = store.last_fetch_run()
    assert run.outcome is FetchOutcome.OK and run.new_count == 10


def test_fetch_fills_metadata_from_the_api(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply(ATOM_CS_AI)
    local_arxiv.api = first_page_only("api_new_search_2025-11.xml")  # answers with other papers
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.OK
    assert "5 papers not found by the API" in summary.message
    id_lists = [s.query["id_list"][0] for s in local_arxiv.requests_to("/api/query")]
    feed_ids = [p.arxiv_id for p in store.announced_papers(date(2025, 8, 20))]
    assert sorted(id_lists[0].split(",")) == sorted(feed_ids) and len(feed_ids) == 5
    assert all(p.title and p.authors for p in store.announced_papers(date(2025, 8, 20)))


def test_fetch_same_day_twice_changes_nothing(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    run_fetch(store, arxiv_config)
    before = snapshot(store)
    run_fetch(store, arxiv_config)
    assert snapshot(store) == before


def test_fetch_weekend_reports_no_announcement(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.NO_ANNOUNCEMENT
    assert summary.line() == "cs.AI: no announcement today (2024-11-28)"
    assert store.last_fetch_run().outcome is FetchOutcome.NO_ANNOUNCEMENT
    assert store.count_papers() == 0


def test_fetch_past_weekend_date_needs_no_network(local_arxiv, arxiv_config, store):
    summary = run_fetch(store, arxiv_config, day=date(2025, 9, 27))  # a Saturday
    assert summary.outcome is FetchOutcome.NO_ANNOUNCEMENT
    assert local_arxiv.seen == []


def test_fetch_unreachable_is_recorded_not_raised(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: Reply(503, b"", {"Retry-After": "0"})
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.UNREACHABLE
    assert "unreachable" in summary.line()
    assert store.last_fetch_run().outcome is FetchOutcome.UNREACHABLE


def test_fetch_429_then_success_stores_once(local_arxiv, arxiv_config, store):
    local_arxiv.faults = [Reply(429, b"", {"Retry-After": "1"})]
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.OK
    assert store.query("SELECT count(*) FROM announcements")[0][0] == 18


def test_fetch_bad_archive_is_an_error_and_stores_nothing(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply("rss_error_bad_archive_2024-11-28.xml")
    summary = run_fetch(store, arxiv_config)
    assert summary.outcome is FetchOutcome.ERROR
    assert "Bad archive" in summary.message
    assert store.count_papers() == 0


def test_fetch_keyword_watches_record_hits(local_arxiv, arxiv_config, store):
    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    local_arxiv.api = first_page_only("api_new_search_2025-11.xml")
    config = arxiv_config.with_values(arxiv__keywords=["proton"], arxiv__keyword_max_results=10)
    summary = run_fetch(store, config)
    assert summary.keyword_new == 10
    assert summary.line() == "cs.AI: no announcement today (2024-11-28); 1 keyword watch: 10 new"
    assert len(store.keyword_papers("proton")) == 10
    assert run_fetch(store, config).keyword_new == 0  # the same hits are not new twice


def test_fetch_sample_needs_no_network_and_is_idempotent(store, config):
    first = run_fetch(store, config, sample=True)
    assert (first.new, first.cross) == (231, 4)
    before = snapshot(store)
    run_fetch(store, config, sample=True)
    assert snapshot(store) == before


def test_fetch_killed_mid_fetch_leaves_store_consistent(local_arxiv, arxiv_config, tmp_path):
    """SIGKILL the CLI while it waits for the API: nothing half-stored; a re-run completes."""
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    local_arxiv.api = lambda q: Reply(200, b"", delay=30)
    env = {**os.environ, "PAPERFEED_STORAGE_DATA_DIR": str(tmp_path / "data"),
           "PAPERFEED_ARXIV_FEED_URL": f"{local_arxiv.url}/atom", "PAPERFEED_ARXIV_API_URL": f"{local_arxiv.url}/api/query",
           "PAPERFEED_ARXIV_DELAY_SECONDS": "0.05", "PAPERFEED_ARXIV_TIMEOUT_SECONDS": "60",
           "PAPERFEED_ARXIV_KEYWORDS": ",", "PAPERFEED_ARXIV_CATEGORIES": "cs.AI"}
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "fetch"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not local_arxiv.requests_to("/api/query") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert local_arxiv.requests_to("/api/query"), "the fetch never reached the API"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    db = sqlite3.connect(tmp_path / "data" / "paperfeed.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT count(*) FROM papers").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM announcements").fetchone() == (0,)
    db.close()

    local_arxiv.api = first_page_only("api_2026-04_id_0000.0000_zero_results.xml")
    store = Store(tmp_path / "data" / "paperfeed.sqlite3")
    summary = run_fetch(store, arxiv_config.with_values(storage__data_dir=str(tmp_path / "data")))
    assert summary.outcome is FetchOutcome.OK and store.count_papers() == 18
