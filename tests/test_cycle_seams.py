"""The real fetch stage inside the daily cycle, over real HTTP against the local arXiv."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sync.cycle import run_cycle
from tests.support.arxiv_server import Reply, fixture_reply

ATOM_CS_AI = "rss_atom_cs.AI_2025-08-20_TRIMMED_5_real_entries.xml"
NOW = datetime(2025, 8, 20, 6, 0, tzinfo=timezone.utc)


def test_cycle_fetch_step_reports_failed_keyword_watches(local_arxiv, config, store):
    local_arxiv.feed = lambda cats: fixture_reply(ATOM_CS_AI)

    def api(query):
        if query.get("id_list", [""])[0]:
            return fixture_reply("api_new_idlist_nonexistent_2025-11.xml")
        return Reply(400, b"bad query", {"Content-Type": "text/plain"})  # every keyword search refused

    local_arxiv.api = api
    cfg = local_arxiv.config(config, arxiv__categories=["cs.AI"], arxiv__keywords=["electron"],
                             ranking__backend="tfidf", reports__formats=[])
    result = run_cycle(cfg, store, now=NOW)
    [fetch] = [s for s in result.steps if s.name == "fetch"]
    assert fetch.status == "ok"
    assert "keyword 'electron'" in fetch.message and "HTTP 400" in fetch.message
    assert "5 papers not found by the API" in fetch.message


def test_fetch_cli_no_announcement_still_shows_keyword_failures(local_arxiv, monkeypatch):
    from click.testing import CliRunner

    from sync.cli import cli

    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    local_arxiv.api = lambda query: Reply(400, b"bad query", {"Content-Type": "text/plain"})
    for name, value in local_arxiv.settings().items():
        monkeypatch.setenv("PAPERFEED_" + name.replace(".", "_").upper(), str(value))
    monkeypatch.setenv("PAPERFEED_ARXIV_KEYWORDS", "compiler")
    result = CliRunner().invoke(cli, ["fetch"])
    assert result.exit_code == 0, result.output
    assert "no announcement today" in result.output
    assert "note: keyword 'compiler': arXiv rejected the request (HTTP 400)" in result.output


def test_rank_day_on_the_sample_day_matches_the_sample_cycle(config, store):
    """`paperfeed rank` after `paperfeed daily --sample` must not reshuffle the day with the user's categories."""
    from sync.fetch import run_fetch
    from sync.rank_stage import rank_day
    from sync.sample import SAMPLE_CATEGORIES, SAMPLE_DATE

    cfg = config.with_values(ranking__backend="tfidf", arxiv__categories=["cs.DC", "cs.PL"])
    run_fetch(store, cfg, sample=True)
    as_cycle = rank_day(store, cfg.with_values(arxiv__categories=list(SAMPLE_CATEGORIES)), SAMPLE_DATE, now=NOW)
    cycle_rows = [(r.paper.arxiv_id, r.score) for r in store.ranked_papers(SAMPLE_DATE, limit=500)]
    as_command = rank_day(store, cfg, SAMPLE_DATE, now=NOW)
    assert [(r.paper.arxiv_id, r.score) for r in store.ranked_papers(SAMPLE_DATE, limit=500)] == cycle_rows
    assert as_command.dropped == as_cycle.dropped and cycle_rows


def test_rank_day_takes_keyword_hits_of_the_weekend_before(config, store):
    """Hits a keyword watch found on a Saturday run (no announcement) are ranked on Monday, not lost."""
    from datetime import date

    from sync.models import AnnouncementEntry, AnnounceType, Paper
    from sync.rank_stage import rank_day

    friday, saturday, monday = date(2025, 9, 26), date(2025, 9, 27), date(2025, 9, 29)

    def entry(arxiv_id: str, title: str) -> AnnouncementEntry:
        return AnnouncementEntry(Paper(arxiv_id=arxiv_id, title=title, abstract=title, categories=("cs.PL",)),
                                 AnnounceType.NEW)

    store.upsert_entries([entry("2509.30001", "A compiler for loops")], announce_date=friday, source="feed")
    store.upsert_entries([entry("2509.30002", "Compiler passes for GPUs")], announce_date=None, source="keyword")
    store.record_keyword_hits("compiler", ["2509.30002"], on=saturday)  # the Saturday run's watch
    store.upsert_entries([entry("2509.30003", "Register allocation")], announce_date=monday, source="feed")
    cfg = config.with_values(ranking__backend="tfidf", ranking__threshold=0.0)
    summary = rank_day(store, cfg, monday, now=NOW)
    assert summary.candidates == 2
    assert {r.paper.arxiv_id for r in store.ranked_papers(monday)} == {"2509.30002", "2509.30003"}
    assert rank_day(store, cfg, friday, now=NOW).candidates == 1  # not before the hit was found


@pytest.mark.parametrize("content", [
    '[email]\npassword = ["hunter2-secret"]\n',
    '[server]\ntoken = {a = "hunter2-secret"}\n',
    '[zotero]\napi_key = ["hunter2-secret"]\n',
    '[reports]\nsummary_api_key = true\n',
])
def test_load_config_wrong_type_of_secret_does_not_echo_it(tmp_path, content):
    from sync.errors import ConfigError
    from sync.settings import load_config

    path = tmp_path / "config.toml"
    path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "hunter2" not in caught.value.message and "True" not in caught.value.message
    assert "the value is secret" in caught.value.message


def test_fetch_past_date_leaves_keyword_watches_to_the_next_run(local_arxiv, config, store):
    """Today's keyword results must not be filed under a past day (they would never be shown as new)."""
    from datetime import date

    from sync.fetch import run_fetch
    from tests.support.arxiv_server import first_page_only

    keyword_search = first_page_only("api_new_search_2025-11.xml")

    def api(query):
        if "submittedDate" in query.get("search_query", [""])[0]:  # the past day: nothing submitted
            return fixture_reply("api_2026-04_id_0000.0000_zero_results.xml")
        return keyword_search(query)

    local_arxiv.api = api
    local_arxiv.feed = lambda cats: fixture_reply("rss_empty_feed_2024-11-28.xml")
    cfg = local_arxiv.config(config, arxiv__categories=["cs.AI"], arxiv__keywords=["proton"],
                             arxiv__keyword_max_results=10)
    past = run_fetch(store, cfg, day=date(2025, 9, 24))  # a past Wednesday, rebuilt from the API
    assert past.outcome.value == "no_announcement", past.message
    assert store.keyword_papers("proton") == []
    assert not any(s.query.get("search_query", [""])[0].startswith("ti:") for s in local_arxiv.seen)
    summary = run_fetch(store, cfg)  # the next regular run
    assert summary.keyword_new == 10
