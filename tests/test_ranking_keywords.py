"""Keywords weighted by how specific they are on the day: common ones add little and are not named."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sync.models import Paper
from sync.ranking import Profile, RankOptions, rank_papers
from sync.ranking.keywords import keyword_specificities, keyword_specificity
from sync.ranking.text import document_text, words

NOW = datetime(2025, 9, 24, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize("matches, total, expected", [
    (1, 100, 1.0), (5, 100, 1.0), (40, 100, 0.0), (60, 100, 0.0), (0, 100, 1.0),
    (15, 15, 1.0),  # too few candidates to judge: full weight
])
def test_keyword_specificity_edges(matches, total, expected):
    assert keyword_specificity(matches, total) == pytest.approx(expected)


def test_keyword_specificity_falls_with_the_share():
    values = [keyword_specificity(m, 200) for m in (10, 20, 40, 60, 79, 80)]
    assert values == sorted(values, reverse=True) and 0.0 < values[2] < 1.0 and values[-1] == 0.0


def test_keyword_specificities_counts_whole_words():
    haystacks = [words("Performance of compilers")] * 30 + [words("A compiler for loops")] + [words("paragraph")] * 9
    spec = keyword_specificities(["performance", "compiler", "graph"], haystacks)
    assert spec["performance"] == 0.0 and spec["compiler"] == 1.0 and spec["graph"] == 1.0


def _day() -> list[Paper]:
    """40 papers: 30 mention "performance", 2 mention "compiler"."""
    papers = [Paper(arxiv_id=f"2509.{n:05d}", title=f"Study {n} of image classifiers",
                    abstract=f"We report the performance of classifier family {n} on benchmarks.")
              for n in range(30)]
    papers += [Paper(arxiv_id=f"2509.{n:05d}", title=f"Topic {n} sentiment", abstract=f"Tweets number {n}.")
               for n in range(30, 38)]
    papers += [Paper(arxiv_id="2509.90001", title="A compiler pass for loop tiling", abstract="Loops are tiled."),
               Paper(arxiv_id="2509.90002", title="Tiling revisited", abstract="A compiler tiles loops.")]
    return papers


def test_common_keyword_is_not_named_and_adds_little_rare_one_lifts():
    profile = Profile(keywords=("performance", "compiler"))
    result = rank_papers(_day(), profile, now=NOW, options=RankOptions(backend="tfidf", threshold=0.0))
    by_id = {s.paper.arxiv_id: s for s in result.scored}
    assert [s.paper.arxiv_id for s in result.scored[:2]] == ["2509.90001", "2509.90002"]
    assert by_id["2509.90001"].reason.startswith("keyword: compiler")
    common = by_id["2509.00000"]
    assert "performance" not in common.reason and common.score < 0.1
    # alone on a small day (too few papers to judge) the same keyword still counts fully
    small = rank_papers(_day()[:5], profile, now=NOW, options=RankOptions(backend="tfidf", threshold=0.0))
    assert "keyword: performance" in small.scored[0].reason


def test_sample_day_top_50_rarely_names_a_keyword_most_papers_contain(store, config):
    from sync.rank_stage import rank_day
    from sync.sample import SAMPLE_DATE, sample_announcement

    entries = sample_announcement().entries
    store.upsert_entries(entries, announce_date=SAMPLE_DATE, source="sample")
    # default keywords and max_results (50); threshold 0 so that the top 50 are all shown
    config = config.with_values(ranking__backend="tfidf", ranking__threshold=0.0)
    rank_day(store, config, SAMPLE_DATE, now=NOW)
    top = store.ranked_papers(SAMPLE_DATE, limit=50)
    assert len(top) == 50
    day = [words(document_text(e.paper.title, e.paper.abstract)) for e in entries]
    common = [k for k in config["arxiv.keywords"] if sum(f" {k} " in h for h in day) >= 0.4 * len(day)]
    assert common == ["performance"]  # the default keyword that occurs in about half of the day's abstracts
    naming = [r for r in top if any(k in r.reason for k in common)]
    assert len(naming) <= len(top) // 5
