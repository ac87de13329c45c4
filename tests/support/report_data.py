"""Seeded data for report, feed and delivery tests: real-looking papers, hostile text included.

Papers, fetch runs and rankings go through the real store API; rankings are
written with ``save_ranking`` (as ``rank_day`` does), so report tests do not
depend on the ranker's scores.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

from sync.models import AnnouncementEntry, AnnounceType, FetchOutcome, Paper
from sync.store import Store
from sync.store.rankings import RankingRow

DAY = date(2025, 9, 24)
NOW = datetime(2025, 9, 24, 1, 30, tzinfo=timezone.utc)
HOSTILE_TITLE = '<script>alert("x")</script> & Co: a [test] of *markdown* | pipes_and_underscores'

PAPERS = (
    Paper(arxiv_id="2509.18001", title="Scaling Laws for Compiler Autotuning with Reinforcement Learning",
          authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
          abstract="Autotuning compilers is expensive. We propose a reinforcement learning agent that learns "
                   "tuning policies across programs. Our method outperforms random search by 2.1x on 40 "
                   "benchmarks. We release code and data.",
          categories=("cs.PL", "cs.LG"), comment="12 pages, 4 figures; accepted at PLDI 2026",
          published=datetime(2025, 9, 22, 17, 0, tzinfo=timezone.utc)),
    Paper(arxiv_id="2509.18002", title=HOSTILE_TITLE,
          authors=("Mallory <m@evil.example>", "Bob & Alice"),
          abstract='An abstract with <b>markup</b>, an "injection" </details> attempt & ampersands. '
                   "It studies performance of distributed systems.",
          categories=("cs.DC",), comment='see <a href="javascript:alert(1)">this</a> & that',
          published=datetime(2025, 9, 23, 9, 0, tzinfo=timezone.utc)),
    Paper(arxiv_id="hep-th/0601001", title="An Old-Style Identifier Paper on Performance",
          authors=("E. Witten",), abstract="A paper whose identifier has a slash. It is about performance.",
          categories=("hep-th", "cs.PF"), published=datetime(2006, 1, 1, 12, 0, tzinfo=timezone.utc)),
)


def rank(store: Store, day: date, rows: list[tuple[str, float, str, tuple[str, ...]]]) -> None:
    """Store a day's ranking through the ranking store API (what ``rank_day`` writes)."""
    ordered = sorted(rows, key=lambda r: -r[1])
    store.save_ranking(day, [RankingRow(aid, score, reason, tags) for aid, score, reason, tags in ordered])


def seed_papers(store: Store, day: date = DAY) -> None:
    entries = [AnnouncementEntry(replace(p, announce_date=day), AnnounceType.NEW) for p in PAPERS[:2]]
    entries.append(AnnouncementEntry(PAPERS[2], AnnounceType.CROSS))
    store.upsert_entries(entries, announce_date=day, source="feed")
    run = store.start_fetch_run(kind="feed", query="https://rss.arxiv.org/atom/cs.DC+cs.PL")
    store.finish_fetch_run(run, outcome=FetchOutcome.OK, announce_date=day, new=2, cross=1)
    store.record_keyword_hits("performance", ["2509.18002", "hep-th/0601001"], on=day)
    store.record_keyword_hits("compiler", ["2509.18001"], on=day)


def seeded(store: Store, day: date = DAY) -> Store:
    """Papers, a fetch run, keyword hits and a ranking of ``day``."""
    seed_papers(store, day)
    rank(store, day, [
        ("2509.18001", 0.91, "close to 3 papers in your library, e.g. “Learning to Optimize Tensor Programs”",
         ("autotuning", "rl")),
        ("2509.18002", 0.55, "matches keyword “performance”", ("systems",)),
        ("hep-th/0601001", 0.32, "weak match", ()),
    ])
    return store
