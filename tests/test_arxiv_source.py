"""arXiv source against a local server serving recorded real responses, over real HTTP."""

from __future__ import annotations

import pytest

from sync.arxiv.source import ArxivSource
from sync.errors import ArxivQueryError, ArxivUnavailableError
from sync.models import AnnounceType
from sync.settings import Config
from tests.support.arxiv_server import LocalArxiv, Reply, first_page_only, fixture_reply

ALL_ARCHIVES = "rss_all_archives_2024-11-28_TRIMMED_18_of_1504_items.xml"


@pytest.fixture
def source(local_arxiv: LocalArxiv, config: Config) -> ArxivSource:
    return ArxivSource(local_arxiv.config(config))


def test_announcement_tells_new_cross_and_replace_apart(local_arxiv, source):
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    announcement = source.announcement(("cs.DC", "cs.PL"))
    kinds = [e.announce_type for e in announcement.entries]
    assert kinds.count(AnnounceType.NEW) == 10
    assert kinds.count(AnnounceType.CROSS) == 3
    assert kinds.count(AnnounceType.REPLACE) == 5
    assert local_arxiv.requests_to("/atom/")[0].path == "/atom/cs.DC+cs.PL"


def test_announcement_without_cross_lists_drops_them(local_arxiv, source):
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    announcement = source.announcement(("cs.DC",), include_cross_lists=False)
    assert {e.announce_type for e in announcement.entries} == {AnnounceType.NEW, AnnounceType.REPLACE}


def test_announcement_empty_feed_is_not_an_error(local_arxiv, source):
    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    announcement = source.announcement(("cs.DC",))
    assert announcement.is_empty
    assert str(announcement.announce_date) == "2024-11-28"


def test_announcement_error_feed_becomes_clear_error(local_arxiv, source):
    local_arxiv.feed = lambda cats: fixture_reply("rss_error_bad_archive_2024-11-28.xml")
    with pytest.raises(ArxivQueryError, match="Bad archive 'astroph'"):
        source.announcement(("astroph",))


def test_retry_after_429_is_honoured(local_arxiv, source):
    local_arxiv.faults = [Reply(429, b"slow down", {"Retry-After": "1"})]
    local_arxiv.feed = lambda cats: fixture_reply(ALL_ARCHIVES)
    announcement = source.announcement(("cs.DC",))
    assert len(announcement.entries) == 18
    first, second = local_arxiv.requests_to("/atom/")
    assert second.at - first.at >= 0.95


def test_503_with_retry_after_then_success(local_arxiv, source):
    local_arxiv.faults = [Reply(503, b"<h1>Retry after 1 seconds</h1>", {"Retry-After": "1",
                                                                       "Content-Type": "text/html"})]
    local_arxiv.feed = lambda cats: fixture_reply("rss_atom_cs.AI_2025-08-20_TRIMMED_5_real_entries.xml")
    assert len(source.announcement(("cs.AI",)).entries) == 5
    assert len(local_arxiv.seen) == 2


def test_arxiv_down_gives_up_after_bounded_retries(local_arxiv, source):
    local_arxiv.feed = lambda cats: Reply(503, b"down", {"Retry-After": "0"})
    with pytest.raises(ArxivUnavailableError, match=r"unreachable after 3 attempts: HTTP 503"):
        source.announcement(("cs.DC",))
    assert len(local_arxiv.seen) == 3  # 1 + max_retries(2), never unbounded


def test_retry_after_too_long_gives_up_at_once(local_arxiv, source):
    local_arxiv.feed = lambda cats: Reply(429, b"", {"Retry-After": "86400"})
    with pytest.raises(ArxivUnavailableError, match="exceeds"):
        source.announcement(("cs.DC",))
    assert len(local_arxiv.seen) == 1


def test_timeout_is_retried_then_reported(local_arxiv, config):
    slow = ArxivSource(local_arxiv.config(config, arxiv__timeout_seconds=0.3, arxiv__max_retries=1))
    local_arxiv.feed = lambda cats: Reply(200, b"", delay=1.0)
    with pytest.raises(ArxivUnavailableError, match="timed out"):
        slow.announcement(("cs.DC",))


def test_requests_are_spaced_by_the_delay(local_arxiv, config):
    polite = ArxivSource(local_arxiv.config(config, arxiv__delay_seconds=0.4))
    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    for _ in range(3):
        polite.announcement(("cs.DC",))
    times = [s.at for s in local_arxiv.seen]
    assert all(later - earlier >= 0.38 for earlier, later in zip(times, times[1:]))


def test_api_http_400_error_feed_becomes_clear_error(local_arxiv, source):
    local_arxiv.api = lambda q: fixture_reply("api_2026-04_id_abc_http400_error.xml", status=400)
    with pytest.raises(ArxivQueryError, match="incorrect id format"):
        source.search_keyword("compiler", max_results=10)
    assert len(local_arxiv.seen) == 1  # a 400 is not retried


@pytest.mark.parametrize("name", [
    "api_legacy_idlist_nonexistent_2025-08.xml",
    "api_new_idlist_nonexistent_2025-11.xml",
    "api_2026-04_id_0000.0000_zero_results.xml",
])
def test_papers_by_id_unknown_id_is_absent(local_arxiv, source, name):
    local_arxiv.api = first_page_only(name)
    assert source.papers_by_id(["2501.99999"]) == []


@pytest.mark.parametrize("name", ["api_legacy_idlist_missing_ids_2025-08.xml", "api_new_idlist_missing_ids_2025-11.xml"])
def test_papers_by_id_skips_ghost_entries_on_both_backends(local_arxiv, source, name):
    local_arxiv.api = first_page_only(name)
    papers = source.papers_by_id(["2201.13455", "2201.13452", "2201.13453", "2201.13454"])
    assert [p.arxiv_id for p in papers] == ["2201.13452"]
    query = local_arxiv.requests_to("/api/query")[0].query
    assert query["id_list"] == ["2201.13455,2201.13452,2201.13453,2201.13454"]


def test_keyword_search_is_a_phrase_query_newest_first(local_arxiv, source):
    local_arxiv.api = first_page_only("api_new_search_2025-11.xml")
    papers = source.search_keyword("reinforcement learning", max_results=10)
    assert len(papers) == 10
    query = local_arxiv.requests_to("/api/query")[0].query
    assert query["search_query"] == ['ti:"reinforcement learning" OR abs:"reinforcement learning"']
    assert query["sortBy"] == ["submittedDate"] and query["sortOrder"] == ["descending"]
