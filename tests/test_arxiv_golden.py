"""Golden tests: every recorded arXiv response beside the records we parse from it.

Feeds go through the pure feed parser; API responses go through the real ``arxiv``
client over HTTP from the local server. To regenerate after a deliberate change:
``PAPERFEED_UPDATE_GOLDEN=1 pytest tests/test_arxiv_golden.py`` and review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from sync.arxiv.source import ArxivSource
from sync.errors import ArxivQueryError
from sync.arxiv.feed_parser import parse_feed
from sync.models import Paper
from tests.support.arxiv_server import FIXTURES, LocalArxiv, first_page_only

GOLDEN = Path(__file__).parent / "golden" / "arxiv"
UPDATE = os.environ.get("PAPERFEED_UPDATE_GOLDEN") == "1"

FEEDS = sorted(p.name for p in FIXTURES.glob("rss_*.xml") if "error" not in p.name)
API = sorted(p.name for p in FIXTURES.glob("api_*.xml") if "http400" not in p.name)


def paper_record(paper: Paper) -> dict:
    record = dataclasses.asdict(paper)
    for key, value in record.items():
        if hasattr(value, "isoformat"):
            record[key] = value.isoformat()
        elif isinstance(value, tuple):
            record[key] = list(value)
        elif hasattr(value, "value"):
            record[key] = value.value
    return record


def check_golden(name: str, actual: object) -> None:
    path = GOLDEN / (name.removesuffix(".xml") + ".json")
    text = json.dumps(actual, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with PAPERFEED_UPDATE_GOLDEN=1"
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(text)


@pytest.mark.parametrize("name", FEEDS)
def test_feed_parser_matches_golden(name):
    announcement = parse_feed((FIXTURES / name).read_bytes(), ("cs.AI",)).announcement
    check_golden(name, {
        "announce_date": announcement.announce_date.isoformat() if announcement.announce_date else None,
        "entries": [dict(paper_record(e.paper), announce_type=e.announce_type.value) for e in announcement.entries],
    })


def test_feed_parser_error_feed_is_an_error():
    with pytest.raises(ArxivQueryError, match="Bad archive"):
        parse_feed((FIXTURES / "rss_error_bad_archive_2024-11-28.xml").read_bytes())


@pytest.fixture(scope="module")
def local_arxiv():
    with LocalArxiv() as server:
        yield server


@pytest.mark.parametrize("name", API)
def test_api_response_matches_golden(name, local_arxiv, config):
    local_arxiv.api = first_page_only(name)
    papers = list(ArxivSource(local_arxiv.config(config))._results(_search_for(name)))
    check_golden(name, [paper_record(p) for p in papers])


def _search_for(name: str):
    import arxiv

    if "search" in name:
        return arxiv.Search(query="all:electron", max_results=10)
    return arxiv.Search(id_list=["2201.13455", "2201.13452"], max_results=10)
