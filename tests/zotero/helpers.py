"""Paper builders shared by the Zotero tests (importable, unlike conftest)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from arxiv import _feed as arxiv_feed

from sync.arxiv.source import paper_from_result
from sync.models import AnnouncementEntry, AnnounceType, Paper

ARXIV_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arxiv"


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
