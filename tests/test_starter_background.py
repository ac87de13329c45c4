"""The bundled starter background: a short background is topped up with real arXiv papers, whose
embeddings come bundled, and a library paper is never one of the negatives."""

from __future__ import annotations

from datetime import date, datetime, timezone

import numpy as np
import pytest

from sync.models import AnnouncementEntry, AnnounceType, LibraryItem, Paper
from sync.rank_stage import (STARTER_BACKGROUND_BELOW, KnownVectorsEncoder, rank_day, with_starter_background,
                             with_starter_vectors)
from sync.ranking import Profile, RankOptions, rank_papers
from sync.ranking.backends import MODEL_NAME
from sync.ranking.text import content_hash, document_text
from sync.sample import starter_background, starter_background_vectors

NOW = datetime(2025, 9, 25, 8, tzinfo=timezone.utc)
DAY = date(2025, 9, 24)
COMPILERS = [("Loop tiling in an optimizing compiler", "A polyhedral compiler pass for loop tiling."),
             ("Register allocation for GPU kernels", "Register allocation in the compiler backend."),
             ("Vectorizing compilers", "Auto-vectorization of loops in compilers."),
             ("MLIR pipelines", "Compiler pipelines in MLIR lower tensor programs."),
             ("JIT compilation", "A just-in-time compiler for dynamic languages."),
             ("Superoptimization", "A superoptimizer searches for the shortest instruction sequence."),
             ("Polyhedral scheduling", "Affine scheduling of loop nests in a compiler.")]
LIBRARY = [LibraryItem(key=f"L{i}", title=t, abstract=a, date_added=NOW) for i, (t, a) in enumerate(COMPILERS)]


def test_starter_papers_are_real_and_dated_before_every_benchmark_day():
    papers = starter_background()
    assert len(papers) == 882 and len({p.arxiv_id for p in papers}) == 882
    assert {p.announce_date for p in papers} == {date(2025, 4, 1), date(2025, 4, 6), date(2025, 4, 11),
                                                date(2025, 4, 16)}
    assert all(p.title and p.abstract and p.authors and p.categories for p in papers)


def _papers(n: int, prefix: str = "2509") -> tuple[Paper, ...]:
    return tuple(Paper(arxiv_id=f"{prefix}.{i:05d}", title=f"Paper {i}", abstract="Text.") for i in range(n))


def test_short_background_gets_the_days_candidates_then_the_starter_papers_long_one_nothing():
    own, day = _papers(10), _papers(3, "2510")
    starters = starter_background()
    completed = with_starter_background(own, limit=10_000, candidates=day + day[:1], exclude={starters[0].arxiv_id})
    assert (completed.candidates, completed.starters) == (3, 881)
    assert completed.papers[:13] == own + day and starters[0] not in completed.papers
    assert [p.arxiv_id for p in completed.papers[13:]] == [p.arxiv_id for p in starters[1:]]
    # never past the background size the settings allow, and never a paper twice
    capped = with_starter_background(own, limit=100, candidates=day)
    assert len(capped.papers) == 100 and (capped.candidates, capped.starters) == (3, 87)
    assert with_starter_background(own + starters[:5], limit=10_000, candidates=starters[5:7]).starters == 875
    many = _papers(STARTER_BACKGROUND_BELOW)
    long_enough = with_starter_background(many, limit=10_000, candidates=day)
    assert long_enough.papers == many and (long_enough.candidates, long_enough.starters) == (0, 0)


class _CountingEncoder:
    name = MODEL_NAME

    def __init__(self):
        self.asked: list[str] = []

    def encode(self, texts):
        self.asked += list(texts)
        return np.ones((len(texts), 384), dtype=np.float32) / np.sqrt(384)


def test_starter_papers_are_answered_from_their_bundled_vectors():
    inner = _CountingEncoder()
    encoder = with_starter_vectors(inner, added=882)
    assert isinstance(encoder, KnownVectorsEncoder)
    starter_texts = [document_text(p.title, p.abstract) for p in starter_background()[:3]]
    vectors = encoder.encode(starter_texts + ["A new paper.", starter_texts[0]])
    assert inner.asked == ["A new paper."]
    known = starter_background_vectors()
    assert np.allclose(vectors[0], known[content_hash(starter_texts[0])]) and np.allclose(vectors[4], vectors[0])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # another model's space, or nothing added: the encoder is left as it is
    other = _CountingEncoder()
    other.name = "local:other-model"
    assert with_starter_vectors(other, added=882) is other and with_starter_vectors(inner, added=0) is inner


def test_bundled_vectors_are_the_models_own():
    pytest.importorskip("sentence_transformers", reason="needs the embeddings extra")
    from sync.ranking.backends import shared_encoder

    papers = starter_background()[::90]
    texts = [document_text(p.title, p.abstract) for p in papers]
    fresh = shared_encoder(MODEL_NAME).encode(texts)
    bundled = np.stack([starter_background_vectors()[content_hash(t)] for t in texts])
    assert np.min(np.sum(fresh * bundled, axis=1)) > 0.999  # float16 storage, cosine to the model's own


def test_first_day_of_a_new_installation_contrasts_with_the_starter_papers(store, config):
    """Nothing stored before the day: the ranker still has a background to contrast the library with."""
    store.upsert_entries([
        AnnouncementEntry(Paper("2509.30001", "A compiler for loop tiling", "Loop tiling in a polyhedral compiler.",
                                categories=("cs.PL",)), AnnounceType.NEW),
        AnnouncementEntry(Paper("2509.30002", "Tweets and sentiment", "Sentiment of tweets.", categories=("cs.CL",)),
                          AnnounceType.NEW)], announce_date=DAY, source="feed")
    cfg = config.with_values(ranking__backend="tfidf", ranking__threshold=0.0)
    summary = rank_day(store, cfg, DAY, now=NOW, library=LIBRARY)
    assert "background 0 stored papers, 2 of the day's and 882 bundled ones" in summary.line()
    assert [r.paper.arxiv_id for r in store.ranked_papers(DAY)] == ["2509.30001", "2509.30002"]
    off = rank_day(store, cfg.with_values(ranking__background_size=0), DAY, now=NOW, library=LIBRARY)
    assert "bundled" not in off.line()


def test_a_library_paper_is_never_a_negative_even_without_an_arxiv_id():
    """A background paper with the text of a library item (which has no arXiv id) is left out of the
    negatives: ranking with it is ranking without it."""
    candidates = [Paper("2509.1", "Tiling compilers revisited", abstract="Loop tiling in a compiler."),
                  Paper("2509.2", "Cooking robots", abstract="Robots cook dinner.")]
    others = tuple(starter_background()[:200])
    copies = tuple(Paper(f"2504.{n:05d}", t, abstract=a) for n, (t, a) in enumerate(COMPILERS))
    options = RankOptions(backend="tfidf", threshold=0.0)

    def scores(background):
        result = rank_papers(candidates, Profile(library=tuple(LIBRARY), background=background), now=NOW,
                             options=options)
        return [(s.paper.arxiv_id, s.raw_score) for s in result.scored]

    with_copies, without = scores(others + copies), scores(others)
    assert with_copies == without and without[0][0] == "2509.1"


def test_file_mode_adds_each_candidate_once_to_a_short_background(tmp_path, config):
    """A short background gets the day's candidates and the starter papers, each paper once: a starter
    paper that is also a candidate is there as a candidate."""
    import json

    from sync.rank_stage import rank_files

    def jsonl(name, rows):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return path

    starter = starter_background()[0]
    library = jsonl("library.jsonl", [{"id": f"2501.{i:05d}", "title": t, "abstract": a, "announced": "2025-01-02"}
                                      for i, (t, a) in enumerate(COMPILERS)])
    candidates = jsonl("candidates.jsonl", [
        {"id": starter.arxiv_id, "title": starter.title, "abstract": starter.abstract, "announced": "2025-04-01"},
        {"id": "2509.00002", "title": "Tiling compilers revisited", "abstract": "Loop tiling in a compiler."}])
    background = jsonl("background.jsonl", [{"id": f"2508.{n:05d}", "title": f"Sentiment study {n}",
                                             "abstract": f"Tweets and sentiment, corpus {n}."} for n in range(60)])
    line = rank_files(config.with_values(ranking__backend="tfidf"), library, candidates, tmp_path / "out.jsonl",
                      now=NOW, background_file=background)
    assert "background 943 papers (60 given, 2 candidates and 881 bundled)" in line
    assert json.loads((tmp_path / "out.jsonl").read_text().splitlines()[0])["id"] == "2509.00002"


def test_a_candidate_that_is_also_a_background_paper_is_scored_by_a_model_without_it(monkeypatch):
    """Cross-fitting: each candidate found in the background is scored by a model whose negatives leave
    it out, so its own words do not push it down; the other candidates see every negative."""
    from sync.ranking import contrast
    from sync.ranking.contrast import CROSS_FIT_FOLDS, contrast_scores, cross_fit_folds

    library = [f"{t}. {a}" for t, a in COMPILERS]
    others = [f"{p.title}. {p.abstract}" for p in starter_background()[:120]]
    candidates = ["Tiling compilers revisited. Loop tiling in a compiler.", others[0], "Cooking robots. Robots cook."]
    background = others + [candidates[0]]

    def scores(cands, bg):
        return contrast_scores("tfidf", cands, library, [1.0] * len(library), bg, [], None)

    crossed = scores(candidates, background)
    monkeypatch.setattr(contrast, "cross_fit_folds", lambda cands, bg: [(np.arange(len(cands)), [])])
    own_negative = scores(candidates, background)  # one model: each paper a negative of the model scoring it
    assert crossed[0] > own_negative[0] + 0.05 and crossed[2] == pytest.approx(own_negative[2])
    # folds: the candidates found nowhere in the background in one model, the others spread over five
    folds = cross_fit_folds([f"c{i}" for i in range(12)] + ["own"], [f"c{i}" for i in range(12)])
    assert len(folds) == 1 + CROSS_FIT_FOLDS and folds[0][0].tolist() == [12] and folds[0][1] == []
    assert sorted(i for scored, _ in folds[1:] for i in scored.tolist()) == list(range(12))
    assert all(sorted(left_out) == sorted(scored.tolist()) for scored, left_out in folds[1:])
    assert len(cross_fit_folds(["a"], ["b"])) == 1
