"""The Atom feed of matches, validated by feedparser (what feed readers use)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from xml.etree import ElementTree as ET

import feedparser

from sync.reports import render_atom
from sync.reports.atom import ATOM_NS, announced_at
from tests.support.report_data import HOSTILE_TITLE, rank, seeded

FEED_URL = "http://127.0.0.1:8765/feed.atom"


def test_render_atom_is_valid_atom_with_every_match(store, config):
    xml = render_atom(seeded(store), config, feed_url=FEED_URL)
    feed = feedparser.parse(xml)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "paperfeed: arXiv cs.DC, cs.PL, cs.PF, cs.NI matches"
    assert feed.feed.id == FEED_URL
    assert [e.link for e in feed.entries] == ["https://arxiv.org/abs/2509.18001", "https://arxiv.org/abs/2509.18002",
                                             "https://arxiv.org/abs/hep-th/0601001"]
    first = feed.entries[0]
    assert first.id == "https://arxiv.org/abs/2509.18001"
    assert [a.name for a in first.authors] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert {t.term for t in first.tags} >= {"cs.PL", "cs.LG", "autotuning", "rl"}
    assert first.updated_parsed[:5] == (2025, 9, 24, 0, 0)  # 20:00 EDT on the 23rd
    assert "Autotuning compilers is expensive." in first.content[0].value


def test_render_atom_escapes_hostile_text(store, config):
    xml = render_atom(seeded(store), config, feed_url=FEED_URL)
    root = ET.fromstring(xml.encode())  # well-formed XML despite <script> and & in the data
    titles = [e.findtext(f"{{{ATOM_NS}}}title") for e in root.iter(f"{{{ATOM_NS}}}entry")]
    assert HOSTILE_TITLE in titles
    content = feedparser.parse(xml).entries[1].content[0].value
    assert "&lt;b&gt;markup&lt;/b&gt;" in content  # the abstract's markup stays text inside the HTML


def test_render_atom_dedupes_papers_across_days(store, config):
    report_store = seeded(store)
    later = date(2025, 9, 25)
    rank(report_store, later, [("2509.18001", 0.8, "again", ())])
    feed = feedparser.parse(render_atom(report_store, config, feed_url=FEED_URL))
    links = [e.link for e in feed.entries]
    assert links.count("https://arxiv.org/abs/2509.18001") == 1 and len(links) == 3


def test_render_atom_empty_store_is_valid(store, config):
    feed = feedparser.parse(render_atom(store, config, feed_url=FEED_URL))
    assert not feed.bozo and feed.entries == []


def test_announced_at_is_eight_pm_eastern_the_evening_before():
    assert announced_at(date(2025, 9, 24)) == datetime(2025, 9, 24, 0, 0, tzinfo=timezone.utc)  # EDT
    assert announced_at(date(2025, 12, 2)) == datetime(2025, 12, 2, 1, 0, tzinfo=timezone.utc)  # EST
