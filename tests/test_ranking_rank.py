"""The pure ranking: scores, reasons, suggestions, selection (TF-IDF backend, no model)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from sync.models import LibraryItem, Paper
from sync.ranking import Profile, RankOptions, rank_papers

NOW = datetime(2025, 9, 24, 12, tzinfo=timezone.utc)


def paper(arxiv_id: str, title: str, abstract: str = "", authors=(), categories=("cs.LG",)) -> Paper:
    return Paper(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=tuple(authors),
                 categories=tuple(categories))


def item(key: str, title: str, abstract: str = "", *, tags=(), collections=(), added=NOW) -> LibraryItem:
    return LibraryItem(key=key, title=title, abstract=abstract, tags=tuple(tags), collections=tuple(collections),
                       date_added=added)


COMPILERS = [
    item("C1", "Loop tiling in an optimizing compiler", "We present a polyhedral compiler pass for loop tiling "
         "and vectorization of nested loops on CPUs.", tags=("compilers",), collections=("COLLC",)),
    item("C2", "Register allocation for GPU kernels", "A register allocation algorithm in the compiler backend "
         "reduces spills for GPU kernels.", tags=("compilers", "gpu"), collections=("COLLC",)),
    item("C3", "Auto-vectorization with MLIR", "An MLIR compiler pipeline that auto-vectorizes loops and tiles "
         "tensor programs.", tags=("compilers",), collections=("COLLC",)),
]
CANDIDATES = [
    paper("2509.00001", "A polyhedral compiler for loop tiling on GPUs",
          "Loop tiling and vectorization in a compiler pass for GPU kernels with register pressure."),
    paper("2509.00002", "Protein folding with diffusion models", "We fold proteins with a diffusion model."),
    paper("2509.00003", "Sentiment analysis of tweets", "A transformer classifies the sentiment of tweets."),
    paper("2509.00004", "Graph coloring register allocation revisited",
          "Register allocation by graph coloring in a production compiler backend."),
]


def ids(result) -> list[str]:
    return [s.paper.arxiv_id for s in result.scored]


def tfidf(**kw) -> RankOptions:
    return RankOptions(backend="tfidf", threshold=kw.pop("threshold", 0.0), **kw)


def test_rank_papers_library_puts_close_papers_first():
    result = rank_papers(CANDIDATES, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    assert set(ids(result)[:2]) == {"2509.00001", "2509.00004"}
    top = result.scored[0]
    assert 0.0 <= top.score <= 1.0 and top.score > result.scored[-1].score
    assert "in your library" in top.reason and "“" in top.reason
    assert top.tags[0] == "compilers" and top.collection == "COLLC"


def test_rank_papers_empty_library_uses_keywords_and_categories():
    profile = Profile(keywords=("diffusion",), categories=("q-bio.BM",))
    cands = CANDIDATES[:3] + [replace(CANDIDATES[2], arxiv_id="2509.00009", categories=("q-bio.BM",),
                                  primary_category="q-bio.BM")]
    result = rank_papers(cands, profile, now=NOW, options=tfidf())
    assert ids(result)[0] == "2509.00002"
    assert result.scored[0].reason.startswith("keyword: diffusion")
    assert ids(result)[1] == "2509.00009" and "category: q-bio.BM" in result.scored[1].reason
    assert result.scored[-1].score == 0.0


def test_rank_papers_empty_everything_scores_zero_with_reason():
    result = rank_papers(CANDIDATES, Profile(), now=NOW, options=tfidf(threshold=0.1))
    assert all(s.score == 0.0 for s in result.scored)
    assert result.selected == [] and result.dropped == {"below_threshold": 4}
    assert result.scored[0].reason.startswith("no match")


def test_rank_papers_tiny_library_of_one_item():
    result = rank_papers(CANDIDATES, Profile(library=(COMPILERS[1],)), now=NOW, options=tfidf())
    assert set(ids(result)[:2]) == {"2509.00001", "2509.00004"}  # both about compilers and registers
    assert "close to 1 paper in your library" in result.scored[0].reason


@pytest.mark.parametrize("abstract", [
    r"Nous étudions l'allocation de registres $\mathcal{O}(n^2)$ dans un \emph{compilateur} pour GPU.",
    r"$$\sum_{i=1}^{n} x_i^2$$ \begin{equation} \frac{a}{b} \end{equation} register allocation \cite{x}",
    "基于图着色的寄存器分配 register allocation compiler",
])
def test_rank_papers_non_english_and_latex_abstracts_rank_without_error(abstract):
    cands = CANDIDATES + [paper("2509.00010", "Allocation de registres", abstract)]
    result = rank_papers(cands, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    scored = {s.paper.arxiv_id: s for s in result.scored}
    assert 0.0 <= scored["2509.00010"].score <= 1.0
    assert "\\" not in scored["2509.00010"].reason


def test_rank_papers_duplicate_library_items_count_once():
    doubled = tuple(COMPILERS) + (replace(COMPILERS[0], key="DUP1", tags=("loops",)),)
    single = rank_papers(CANDIDATES, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    double = rank_papers(CANDIDATES, Profile(library=doubled), now=NOW, options=tfidf())
    assert [(s.paper.arxiv_id, s.score) for s in single.scored] == [(s.paper.arxiv_id, s.score) for s in double.scored]
    assert "loops" in double.scored[0].tags  # tags of both copies are kept


def test_rank_papers_library_item_without_abstract_still_counts():
    title_only = (item("T1", "Register allocation by graph coloring"),)
    result = rank_papers(CANDIDATES, Profile(library=title_only), now=NOW, options=tfidf())
    assert ids(result)[0] == "2509.00004" and result.scored[0].score > 0


def test_rank_papers_item_without_any_text_is_ignored():
    result = rank_papers(CANDIDATES, Profile(library=(item("E1", ""),)), now=NOW, options=tfidf())
    assert all(s.score == 0.0 for s in result.scored)


def test_rank_papers_feedback_shifts_the_ranking():
    library = Profile(library=tuple(COMPILERS[:1]))
    base = rank_papers(CANDIDATES, library, now=NOW, options=tfidf())
    base_scores = {s.paper.arxiv_id: s.score for s in base.scored}
    saved = replace(library, saved=(paper("2508.1", "Register allocation with graph coloring",
                                          "Graph coloring register allocation for compiler backends."),))
    after_save = {s.paper.arxiv_id: s for s in rank_papers(CANDIDATES, saved, now=NOW, options=tfidf()).scored}
    assert after_save["2509.00004"].score > base_scores["2509.00004"]
    assert "you saved" in after_save["2509.00004"].reason
    dismissed = replace(library, dismissed=(paper("2508.2", "Register allocation by graph coloring",
                                                  "Register allocation by graph coloring in a compiler backend."),))
    after_dismiss = {s.paper.arxiv_id: s for s in rank_papers(CANDIDATES, dismissed, now=NOW, options=tfidf()).scored}
    assert after_dismiss["2509.00004"].score < base_scores["2509.00004"]
    assert "dismissed" in after_dismiss["2509.00004"].reason


def test_rank_papers_favourite_authors_raise_scores_saved_authors_are_named_only():
    cands = [paper("2509.1", "Sentiment", "tweets", authors=("Jane Doe",)),
             paper("2509.2", "Sentiment again", "tweets", authors=("Max Mustermann",))]
    profile = Profile(favourite_authors=("Doe, Jane",))
    result = rank_papers(cands, profile, now=NOW, options=tfidf())
    assert ids(result)[0] == "2509.1" and result.scored[0].reason == "favourite author: Doe, Jane"
    assert result.scored[0].score > result.scored[1].score
    # a saved paper's author is named, but lifts nothing by itself (the feedback benchmark: a fixed boost
    # pushed every later paper of the co-authors above the user's real interests)
    saved = Profile(saved=(paper("2501.1", "Old", "x", authors=("Max Mustermann",)),))
    by_id = {s.paper.arxiv_id: s for s in rank_papers(cands, saved, now=NOW, options=tfidf()).scored}
    assert by_id["2509.2"].reason.startswith("author you saved before: Max Mustermann")
    assert by_id["2509.2"].raw_score == by_id["2509.1"].raw_score


@pytest.mark.parametrize("options, expected, dropped", [
    (dict(threshold=0.0, max_results=2), 2, {"over_max_results": 2}),
    (dict(max_results=0), 0, {"over_max_results": 4}),
    (dict(exclude_keywords=("GPU",)), 3, {"excluded_keyword": 1}),
    (dict(include_keywords=("register allocation", "tweets")), 2, {"no_include_keyword": 2}),
    (dict(already_shown=frozenset({"2509.00001"})), 3, {"shown_before": 1}),
])
def test_rank_papers_selection_rules(options, expected, dropped):
    result = rank_papers(CANDIDATES, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf(**options))
    assert len(result.selected) == expected and result.dropped == dropped
    assert [s.paper.arxiv_id for s in result.selected] == [s for s in ids(result) if s in
                                                          {x.paper.arxiv_id for x in result.selected}]


def test_rank_papers_threshold_keeps_exactly_the_papers_at_or_above_it():
    scored = rank_papers(CANDIDATES, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf()).scored
    cut = scored[1].score
    result = rank_papers(CANDIDATES, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf(threshold=cut))
    assert all(s.score >= cut for s in result.selected) and len(result.selected) >= 2


def test_rank_papers_paper_already_in_library_is_not_selected():
    library = tuple(COMPILERS) + (replace(COMPILERS[0], key="X", arxiv_id="2509.00001", title="Other"),)
    result = rank_papers(CANDIDATES, Profile(library=library), now=NOW, options=tfidf())
    assert "2509.00001" not in [s.paper.arxiv_id for s in result.selected]
    assert result.dropped["in_library"] == 1


def test_rank_papers_output_is_deterministic_whatever_the_input_order():
    profile = Profile(library=tuple(COMPILERS), keywords=("compiler",))
    first = rank_papers(CANDIDATES, profile, now=NOW, options=tfidf())
    second = rank_papers(list(reversed(CANDIDATES)) + CANDIDATES[:1],
                         replace(profile, library=tuple(reversed(COMPILERS))), now=NOW, options=tfidf())
    assert [(s.paper.arxiv_id, s.score, s.reason, s.tags) for s in first.scored] == \
        [(s.paper.arxiv_id, s.score, s.reason, s.tags) for s in second.scored]


def test_rank_papers_newer_library_items_weigh_more():
    old, new = datetime(2015, 1, 1, tzinfo=timezone.utc), NOW
    library = (replace(COMPILERS[0], date_added=old), replace(COMPILERS[1], date_added=new))
    flipped = (replace(COMPILERS[0], date_added=new), replace(COMPILERS[1], date_added=old))
    a = {s.paper.arxiv_id: s.score for s in rank_papers(CANDIDATES, Profile(library=library), now=NOW,
                                                         options=tfidf(neighbours=2)).scored}
    b = {s.paper.arxiv_id: s.score for s in rank_papers(CANDIDATES, Profile(library=flipped), now=NOW,
                                                         options=tfidf(neighbours=2)).scored}
    assert a["2509.00004"] > b["2509.00004"]  # 00004 is about register allocation (C2)


@pytest.mark.parametrize("bad", [dict(backend="bm25"), dict(threshold=1.5), dict(max_results=-1)])
def test_rank_options_rejects_bad_values(bad):
    with pytest.raises(ValueError):
        RankOptions(**bad)


def test_rank_papers_orders_by_unrounded_score_so_rounding_creates_no_ties():
    cands = [paper(f"2509.{n:05d}", f"Loop tiling compiler pass {n}", "Loop tiling and register allocation in a "
                   "polyhedral compiler backend for GPU kernels " + "vectorization " * n) for n in range(1, 9)]
    result = rank_papers(cands, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    raw = [s.raw_score for s in result.scored]
    assert raw == sorted(raw, reverse=True)
    assert all(s.score == round(s.raw_score, 4) for s in result.scored)
    # equal rounded scores keep the order of their unrounded scores, not of their ids
    for a, b in zip(result.scored, result.scored[1:]):
        if a.score == b.score and a.raw_score != b.raw_score:
            assert a.raw_score > b.raw_score


def test_rank_papers_exact_ties_are_broken_by_arxiv_id():
    cands = [paper(i, "Sentiment of tweets", "A transformer classifies tweets.") for i in ("2509.3", "2509.1", "2509.2")]
    result = rank_papers(cands, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    assert ids(result) == ["2509.1", "2509.2", "2509.3"]


def test_rank_papers_library_author_is_named_but_does_not_reorder():
    lib = tuple(replace(i, creators=("Ada Lovelace",)) for i in COMPILERS)
    cands = [paper("2509.1", "Sentiment of tweets", "A transformer classifies tweets.", authors=("Ada Lovelace",)),
             paper("2509.2", "Sentiment of reviews", "A transformer classifies reviews.")]
    with_author = rank_papers(cands, Profile(library=lib), now=NOW, options=tfidf())
    without = rank_papers(cands, Profile(library=tuple(COMPILERS)), now=NOW, options=tfidf())
    by_id = {s.paper.arxiv_id: s for s in with_author.scored}
    assert {s.paper.arxiv_id: s.raw_score for s in without.scored} == {k: s.raw_score for k, s in by_id.items()}
    assert "author in your library: Ada Lovelace" in by_id["2509.1"].reason


def test_author_terms_are_separate_tfidf_terms_and_lift_papers_by_library_authors():
    from sync.ranking.contrast import author_terms

    assert author_terms(["Doe, Jane", "Max  Roe", ""]) == " au_jane_doe au_max_roe"
    # contrast model (5+ library items, 50+ background papers): two equally off-topic candidates,
    # the one by the library's author ranks first
    library = tuple(item(f"A{n}", f"Loop tiling study {n}", "Polyhedral compilers tile loops.") for n in range(6))
    library = tuple(replace(i, creators=("Jane Doe",)) for i in library)
    background = tuple(paper(f"2508.{n:05d}", f"Sentiment corpus {n}", f"Tweets and sentiment number {n}.",
                             authors=(f"Person {n}",)) for n in range(60))
    candidates = [paper("2509.00001", "Protein folding", "Proteins fold.", authors=("Jane Doe",)),
                  paper("2509.00002", "Protein folding again", "Proteins fold.", authors=("Max Roe",))]
    result = rank_papers(candidates, Profile(library=library, background=background), now=NOW, options=tfidf())
    assert ids(result) == ["2509.00001", "2509.00002"]
    assert result.scored[0].raw_score > result.scored[1].raw_score
