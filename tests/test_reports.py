"""Daily report and weekly digest: Markdown against golden files, HTML parsed and checked.

Regenerate the golden files after an intended change with
``PAPERFEED_UPDATE_GOLDEN=1 pytest tests/test_reports.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sync.errors import InvalidInputError
from sync.models import FetchOutcome
from sync.reports import EmptyReason, build_daily, render_report
from tests.support.report_data import DAY, HOSTILE_TITLE, NOW, PAPERS, rank, seed_papers, seeded

GOLDEN = Path(__file__).parent / "golden" / "reports"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def check_golden(name: str, text: str) -> None:
    text = _TIMESTAMP.sub("<timestamp>", text)  # fetch-run times come from the real clock
    path = GOLDEN / name
    if os.environ.get("PAPERFEED_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing golden file {path}: run with PAPERFEED_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


class ParsedHTML(HTMLParser):
    """Tags, links and visible text of an HTML document."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [value for name, value in attrs if name == "href"]

    def handle_data(self, data):
        self.text.append(data)

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


@pytest.fixture
def report_store(store):
    return seeded(store)


def test_render_report_daily_markdown_matches_golden(report_store, config):
    check_golden("daily.md", render_report(report_store, config, day=DAY, now=NOW))


def test_render_report_weekly_markdown_matches_golden(report_store, config):
    check_golden("weekly.md", render_report(report_store, config, day=DAY, week=True, now=NOW))


def test_render_report_default_day_is_latest_ranking(report_store, config):
    assert render_report(report_store, config, now=NOW) == render_report(report_store, config, day=DAY, now=NOW)


@pytest.mark.parametrize("week", [False, True])
def test_render_report_html_links_valid_and_user_text_escaped(report_store, config, week):
    html = render_report(report_store, config, day=DAY, week=week, fmt="html", now=NOW)
    parsed = ParsedHTML(html)
    assert "script" not in parsed.tags and "b" not in parsed.tags  # titles/abstracts never become markup
    assert parsed.tags.count("a") == len(parsed.hrefs)
    ids = {p.arxiv_id for p in PAPERS}
    assert parsed.hrefs
    for href in parsed.hrefs:
        parts = urlsplit(href)
        assert (parts.scheme, parts.netloc) == ("https", "arxiv.org"), href
        kind, _, arxiv_id = parts.path.lstrip("/").partition("/")
        assert kind in ("abs", "pdf") and arxiv_id in ids, href
    text = parsed.all_text
    assert HOSTILE_TITLE in text
    assert "Mallory <m@evil.example>, Bob & Alice" in text
    if not week:
        assert '<a href="javascript:alert(1)">this</a> & that' in text  # the comment, as text
        assert "An abstract with <b>markup</b>" in text


def test_render_report_html_has_same_content_as_markdown(report_store, config):
    report = build_daily(report_store, config, day=DAY, now=NOW)
    text = ParsedHTML(render_report(report_store, config, day=DAY, fmt="html", now=NOW)).all_text
    for ranked in report.papers:
        paper = ranked.paper
        for piece in (paper.title, paper.comment or "", ranked.reason, *ranked.tags, f"{ranked.score:.2f}"):
            assert piece in text
        assert " ".join(paper.abstract.split()) in text
    for table in report.keyword_tables:
        assert table.keyword in text
    assert report.found_line in text
    assert "Generated" in text or "generated" in text


def test_render_report_html_abstracts_are_collapsible(report_store, config):
    html = render_report(report_store, config, day=DAY, fmt="html", now=NOW)
    parsed = ParsedHTML(html)
    assert parsed.tags.count("details") == len(PAPERS) + 3  # each paper + each keyword-table row


def test_render_report_keyword_tables_newest_first_and_capped(store, config):
    report_store = seeded(store)
    report = build_daily(report_store, config, day=DAY, now=NOW)
    table = {t.keyword: t for t in report.keyword_tables}["performance"]
    assert [p.arxiv_id for p in table.papers] == ["2509.18002", "hep-th/0601001"]


def _empty_store(store, outcome: FetchOutcome | None, day: date, message: str = ""):
    if outcome is not None:
        run = store.start_fetch_run(kind="feed", query="https://rss.arxiv.org/atom/cs.DC")
        store.finish_fetch_run(run, outcome=outcome, announce_date=day, message=message)
    return store


@pytest.mark.parametrize("name, outcome, day, message, reason", [
    ("empty-holiday", FetchOutcome.NO_ANNOUNCEMENT, date(2025, 11, 27), "", EmptyReason.NO_ANNOUNCEMENT),
    ("empty-saturday", None, date(2025, 9, 27), "", EmptyReason.NO_ANNOUNCEMENT),
    ("empty-feed", FetchOutcome.NO_ANNOUNCEMENT, date(2025, 9, 24), "the feed listed no items",
     EmptyReason.NO_ANNOUNCEMENT),
    ("empty-unreachable", FetchOutcome.UNREACHABLE, date(2025, 9, 24), "HTTP 503 after 4 retries",
     EmptyReason.UNREACHABLE),
    ("empty-not-fetched", None, date(2025, 9, 24), "", EmptyReason.NOT_FETCHED),
])
def test_render_report_empty_day_states_reason(store, config, name, outcome, day, message, reason):
    report_store = _empty_store(store, outcome, day, message)
    report = build_daily(report_store, config, day=day, now=NOW)
    assert report.empty_reason is reason and not report.papers
    check_golden(f"{name}.md", render_report(report_store, config, day=day, now=NOW))
    html = ParsedHTML(render_report(report_store, config, day=day, fmt="html", now=NOW))
    assert _TIMESTAMP.sub("", report.empty_message)[:40] in _TIMESTAMP.sub("", html.all_text)


def test_render_report_nothing_above_threshold(store, config):
    report_store = seeded(store)
    strict = config.with_values(ranking__threshold=0.95)
    report = build_daily(report_store, strict, day=DAY, now=NOW)
    assert report.empty_reason is EmptyReason.NOTHING_ABOVE_THRESHOLD
    assert "3 papers were announced and ranked; none scored above the relevance threshold 0.95" in \
        report.empty_message
    check_golden("empty-threshold.md", render_report(report_store, strict, day=DAY, now=NOW))


def test_render_report_threshold_filters_papers(store, config):
    report = build_daily(seeded(store), config.with_values(ranking__threshold=0.5), day=DAY, now=NOW)
    assert [r.paper.arxiv_id for r in report.papers] == ["2509.18001", "2509.18002"]
    assert report.found_line == "Found 2 relevant papers among 3 announced."


def test_render_report_caps_papers_and_says_so(store, config):
    report = build_daily(seeded(store), config.with_values(reports__max_papers=1), day=DAY, now=NOW)
    assert len(report.papers) == 1
    assert report.found_line == "Found 3 relevant papers among 3 announced (showing the top 1)."


def test_render_report_unreachable_today_wins_over_older_ranking(store, config):
    report_store = seeded(store)
    later = date(2025, 9, 25)
    run = store.start_fetch_run(kind="feed", query="https://rss.arxiv.org/atom/cs.DC")
    store.finish_fetch_run(run, outcome=FetchOutcome.UNREACHABLE, announce_date=later, message="timed out")
    report = build_daily(report_store, config, now=NOW)
    assert report.day == later and report.empty_reason is EmptyReason.UNREACHABLE


def test_render_report_unknown_format_is_clear_error(report_store, config):
    with pytest.raises(InvalidInputError, match="unknown report format 'pdf'"):
        render_report(report_store, config, fmt="pdf")


def test_render_report_weekly_skips_days_before_first_fetch(store, config):
    seed_papers(store, DAY)
    report_store = store
    rank(store, DAY, [("2509.18001", 0.9, "r", ())])
    text = render_report(report_store, config, day=date(2025, 9, 26), week=True, now=NOW)
    assert "Wednesday 2025-09-24 (1 paper)" in text
    assert "Monday 2025-09-22" not in text  # nothing was fetched then: not noise in the digest
    assert "Friday 2025-09-26 (0 papers)" not in text



def test_render_report_ranking_that_kept_nothing_is_nothing_above_threshold(store, config):
    """A ranking that stores only the papers above its threshold, and kept none of the day's."""
    seed_papers(store, DAY)
    report_store = store
    run = store.start_rank_run(day=DAY, backend="tfidf")
    rank(store, DAY, [])
    store.finish_rank_run(run, outcome="ok", candidates=3, ranked=0)
    report = build_daily(report_store, config, day=DAY, now=NOW)
    assert report.empty_reason is EmptyReason.NOTHING_ABOVE_THRESHOLD
