"""Rank candidate papers against a profile: scores in [0, 1], reasons, suggestions, selection.

Pure: no IO, no clock (``now`` is passed in), the text encoder is handed in.
Same input, same output: papers are ordered by their unrounded score, then arXiv id; the
stored/displayed score is rounded to 4 decimals.

How a score is made (details in docs/ranking.md): each kind of evidence is a
number in [0, 1] (closeness to the library and saved papers, a phrase that marks
the library, keywords, authors, categories) and they are combined as a noisy-OR,
``1 - prod(1 - e)``, so any one strong signal is enough and more signals only raise
the score. Closeness to dismissed papers then scales the score down.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

import numpy as np

from ..models import Paper
from .backends import BACKENDS, Encoder
from .contrast import contrast_scores, counted_text
from .keywords import NAMED_SPECIFICITY, keyword_specificities
from .phrases import PHRASE_WEIGHT, library_phrases, phrase_evidence
from .profile import (DEFAULT_HALF_LIFE_DAYS, Profile, ProfileDoc, author_key, negative_documents,
                      positive_documents)
from .similarity import (CALIBRATION, DISMISSAL_CALIBRATION, HYBRID_EMBEDDING_SHARE, KEYWORD_CALIBRATION,
                         compute_similarities, knn_score)
from .text import document_text, normalise_phrase, shorten, words

KEYWORD_IN_TITLE = 0.55
KEYWORD_IN_ABSTRACT = 0.35
FAVOURITE_AUTHOR = 0.6
# An author of a paper you saved, or of one in your library, is named in the reason but adds nothing to
# the score outside the contrast model (which already learns authors as terms, with a weight fitted to
# the evidence). A fixed boost misled: a 0.15 boost for library authors cost 0.028 nDCG@10 on the tuning
# users (big libraries share authors with many off-topic papers), and a 0.4 boost for saved authors cost
# 0.11 nDCG@10 over 10 days of the feedback benchmark (one day's saves lifted every later paper of their
# co-authors above the user's real interests). Favourite authors are the user's own statement and boost.
SAVED_AUTHOR = 0.0
LIBRARY_AUTHOR = 0.0
PRIMARY_CATEGORY = 0.12
CROSS_LIST_CATEGORY = 0.06
KEYWORD_ONLY_SEMANTIC = 0.5  # weight of "close to a keyword" when the profile has no documents
DISMISS_STRENGTH = 0.8


@dataclass(frozen=True)
class RankOptions:
    backend: str = "hybrid"
    threshold: float = 0.3
    max_results: int = 50
    include_keywords: tuple[str, ...] = ()
    exclude_keywords: tuple[str, ...] = ()
    already_shown: frozenset[str] = frozenset()  # ids ranked on an earlier day: not new today
    neighbours: int = 5
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    phrase_weight: float = PHRASE_WEIGHT  # 0: phrases that mark the library add nothing (bench/ablate_phrases.py)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown ranking backend {self.backend!r} (choose {', '.join(BACKENDS)})")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be within [0, 1], got {self.threshold}")
        if self.max_results < 0:
            raise ValueError(f"max_results must be >= 0, got {self.max_results}")
        if not 0.0 <= self.phrase_weight <= 1.0:
            raise ValueError(f"phrase_weight must be within [0, 1], got {self.phrase_weight}")


@dataclass(frozen=True)
class ScoredPaper:
    paper: Paper
    score: float
    reason: str
    tags: tuple[str, ...] = ()
    collection: str | None = None
    raw_score: float = field(default=0.0, compare=False)  # unrounded: the order, so rounding creates no ties


@dataclass
class RankResult:
    """All scored candidates (best first), the selected ones, and why the others were left out."""

    scored: list[ScoredPaper]
    selected: list[ScoredPaper]
    dropped: dict[str, int] = field(default_factory=dict)
    backend: str = ""


def rank_papers(candidates: Sequence[Paper], profile: Profile, *, now: datetime,
                options: RankOptions = RankOptions(), encoder: Encoder | None = None) -> RankResult:
    """Score every candidate, then select: dedupe, filters, threshold, max count."""
    unique: dict[str, Paper] = {}
    for paper in candidates:
        unique.setdefault(paper.arxiv_id, paper)
    papers = sorted(unique.values(), key=lambda p: p.arxiv_id)
    scored = _score(papers, profile, now, options, encoder)
    scored.sort(key=lambda s: (-s.raw_score, s.paper.arxiv_id))
    selected, dropped = _select(scored, profile, options)
    return RankResult(scored=scored, selected=selected, dropped=dropped, backend=options.backend)


def _score(papers: list[Paper], profile: Profile, now: datetime, options: RankOptions,
           encoder: Encoder | None) -> list[ScoredPaper]:
    if not papers:
        return []
    texts = [document_text(p.title, p.abstract) for p in papers]
    positives = positive_documents(profile, now, options.half_life_days)
    negatives = negative_documents(profile)
    keywords = [k for k in dict.fromkeys(profile.keywords) if normalise_phrase(k)]
    # a liked paper is never a negative: known by its arXiv id or, for library items without one, its text
    own_ids = {d.arxiv_id for d in positives if d.arxiv_id}
    own_texts = {d.text for d in positives}
    background_authors: dict[str, tuple[str, ...]] = {}
    for p in profile.background:
        if p.arxiv_id not in own_ids:
            text = document_text(p.title, p.abstract)
            if text and text not in own_texts:
                background_authors.setdefault(text, tuple(p.authors))
    background = list(background_authors)
    authors = ([p.authors for p in papers], [d.authors for d in positives], list(background_authors.values()),
               [d.authors for d in negatives])
    semantic, neighbours, close_cal, neg_penalty, kw_semantic = _semantic(
        options, texts, positives, negatives, keywords, background, encoder, authors)
    phrases = _phrases(options, texts, papers, positives, negatives, background_authors)

    favourite = {author_key(a): a for a in profile.favourite_authors if author_key(a)}
    saved_authors = {author_key(a): a for p in profile.saved for a in p.authors}
    library_authors = {author_key(a): a for d in positives if d.source == "library" for a in d.authors}
    wanted_categories = set(profile.categories)
    keyword_norm = [(k, normalise_phrase(k)) for k in keywords]
    haystacks = [words(t) for t in texts] if keyword_norm else []
    specificity = keyword_specificities([p for _, p in keyword_norm], haystacks) if keyword_norm else {}

    out = []
    for row, (paper, text) in enumerate(zip(papers, texts)):
        evidence: list[tuple[float, str]] = []
        sem = float(semantic[row])
        near = [(int(j), float(close_cal[row, n])) for n, j in enumerate(neighbours[row])] if neighbours.size else []
        if sem > 0:
            evidence.append((sem, _closeness_reason(near, positives)))
        if phrases[row] is not None:
            evidence.append(phrase_evidence(phrases[row], options.phrase_weight))
        title_words, all_words = (words(paper.title), haystacks[row]) if keyword_norm else ("", "")
        for original, phrase in keyword_norm:
            weight = specificity[phrase]
            # a keyword in a large share of today's papers adds little and is not named as the reason
            label = f"keyword: {original}" if weight >= NAMED_SPECIFICITY else ""
            if f" {phrase} " in title_words:
                evidence.append((KEYWORD_IN_TITLE * weight, label))
            elif f" {phrase} " in all_words:
                evidence.append((KEYWORD_IN_ABSTRACT * weight, label))
        if kw_semantic is not None and kw_semantic[row] > 0:
            evidence.append((KEYWORD_ONLY_SEMANTIC * float(kw_semantic[row]), kw_semantic.reason(row)))
        evidence += _author_evidence(paper, favourite, saved_authors, library_authors)
        if wanted_categories:
            if paper.primary_category in wanted_categories:
                evidence.append((PRIMARY_CATEGORY, f"category: {paper.primary_category}"))
            else:
                hit = next((c for c in paper.categories if c in wanted_categories), None)
                if hit:
                    evidence.append((CROSS_LIST_CATEGORY, f"cross-listed in {hit}"))
        combined = 1.0 - float(np.prod([1.0 - e for e, _ in evidence])) if evidence else 0.0
        penalty = float(neg_penalty[row])
        reason = _reason(evidence)
        if penalty > 0:
            combined *= 1.0 - DISMISS_STRENGTH * penalty
            if penalty >= 0.5:
                reason = (reason + "; " if reason else "") + "similar to papers you dismissed"
        tags, collection = _suggestions(near, positives)
        combined = min(1.0, max(0.0, combined))
        out.append(ScoredPaper(paper=paper, score=round(combined, 4), reason=reason, tags=tags,
                               collection=collection, raw_score=combined))
    return out


def _phrases(options: RankOptions, texts: list[str], papers: list[Paper], positives: list[ProfileDoc],
             negatives: list[ProfileDoc], background_authors: dict[str, tuple[str, ...]]) -> list:
    """Per candidate, the strongest phrase of the library it contains (None: none)."""
    if options.phrase_weight <= 0:
        return [None] * len(texts)
    # the texts as the contrast model counts them, so their term counts come from its memo (author
    # terms never match a phrase)
    counted = [counted_text(t, p.authors) for t, p in zip(texts, papers)]
    background = [counted_text(t, a) for t, a in background_authors.items()]
    # without a background, the day's candidates are what the library's phrases are compared with
    phrases = library_phrases([d.text for d in positives], background or counted,
                              saved_texts=[d.text for d in positives if d.source == "saved"],
                              dismissed_texts=[d.text for d in negatives])
    return phrases.best(counted)


class _KeywordCloseness:
    """For a profile without documents: how close each paper is to the keyword phrases."""

    def __init__(self, calibrated: np.ndarray, raw: np.ndarray, keywords: list[str]):
        self.calibrated, self.raw, self.keywords = calibrated, raw, keywords

    def __getitem__(self, row: int) -> float:
        return float(self.calibrated[row])

    def reason(self, row: int) -> str:
        return f"about {self.keywords[int(np.argmax(self.raw[row]))]}"


def _semantic(options: RankOptions, texts: list[str], positives: list[ProfileDoc], negatives: list[ProfileDoc],
              keywords: list[str], background: list[str], encoder: Encoder | None, authors=None):
    """(semantic evidence, neighbour indices, neighbour "closeness" in [0,1], dismissal penalty, keyword closeness)."""
    n = len(texts)
    weights = np.array([d.weight for d in positives], dtype=np.float32)
    backends = ("embeddings", "tfidf") if options.backend == "hybrid" else (options.backend,)
    shares = {"embeddings": HYBRID_EMBEDDING_SHARE, "tfidf": 1.0 - HYBRID_EMBEDDING_SHARE} \
        if options.backend == "hybrid" else {options.backend: 1.0}
    semantic = np.zeros(n, dtype=np.float32)
    penalty = np.zeros(n, dtype=np.float32)
    neighbours = np.zeros((n, 0), dtype=np.int64)
    closeness = np.zeros((n, 0), dtype=np.float32)
    kw_raw = np.zeros((n, len(keywords)), dtype=np.float32)
    kw_cal = np.zeros(n, dtype=np.float32)
    use_kw = bool(keywords) and not positives
    contrast = contrast_scores(
        options.backend, texts, [d.text for d in positives], [d.weight for d in positives],
        background, [d.text for d in negatives], encoder, authors=authors)
    for name in backends:
        cal = CALIBRATION[name]
        sims = compute_similarities(name, texts, [d.text for d in positives], [d.text for d in negatives],
                                    keywords if use_kw else [], encoder if name == "embeddings" else None)
        if positives:
            score, top = knn_score(sims.positive, weights, options.neighbours)
            if contrast is None:
                semantic += shares[name] * cal(score)
            if name == backends[0]:  # neighbours (for reasons and tags) from the primary backend
                neighbours = top
                closeness = np.clip((np.take_along_axis(sims.positive, top, axis=1) - cal.close)
                                    / max(1e-6, cal.high - cal.close) + 1.0, 0.0, 1.0) \
                    * (np.take_along_axis(sims.positive, top, axis=1) >= cal.close)
        if negatives:
            neg_best = sims.negative.max(axis=1)
            pos_best = sims.positive.max(axis=1) if positives else np.zeros(n, dtype=np.float32)
            # only when a paper is nearer to something dismissed than to anything liked, and only for
            # near-duplicates of it
            penalty += shares[name] * np.where(neg_best > pos_best, DISMISSAL_CALIBRATION[name](neg_best), 0.0)
        if use_kw:
            kw_raw += shares[name] * sims.keywords
            kw_cal += shares[name] * KEYWORD_CALIBRATION[name](sims.keywords.max(axis=1))
    if contrast is not None:
        # the contrast model alone: fusing it with kNN or per-interest-cluster similarity (by rank or by
        # fixed weights) cost 0.04-0.10 nDCG@10 on tuning users (bench/ablate_ranking.py)
        semantic = contrast
    kw = _KeywordCloseness(kw_cal, kw_raw, keywords) if use_kw else None
    return semantic, neighbours, closeness, penalty, kw


def _closeness_reason(near: list[tuple[int, float]], positives: list[ProfileDoc]) -> str:
    close = [positives[j] for j, c in near if c > 0]
    if not close:
        nearest = positives[near[0][0]] if near else None
        return f"closest in your library: “{shorten(nearest.title)}”" if nearest else ""
    saved = [d for d in close if d.source == "saved"]
    if saved:
        return f"close to a paper you saved: “{shorten(saved[0].title)}”"
    titles = ", ".join(f"“{shorten(d.title, 50)}”" for d in close[:2])
    count = len(close)
    return f"close to {count} paper{'s' if count != 1 else ''} in your library: {titles}"


def _author_evidence(paper: Paper, favourite: dict, saved: dict, library: dict) -> list[tuple[float, str]]:
    keys = [author_key(a) for a in paper.authors]
    for key in keys:
        if key in favourite:
            return [(FAVOURITE_AUTHOR, f"favourite author: {favourite[key]}")]
    for key in keys:
        if key in saved:
            return [(SAVED_AUTHOR, f"author you saved before: {saved[key]}")]
    for key in keys:
        if key in library:
            return [(LIBRARY_AUTHOR, f"author in your library: {library[key]}")]
    return []


def _reason(evidence: list[tuple[float, str]]) -> str:
    """The strongest one or two pieces of evidence, in words."""
    keywords = [text.removeprefix("keyword: ") for _, text in evidence if text.startswith("keyword: ")]
    merged = [e for e in evidence if e[1] and not e[1].startswith("keyword: ")]
    if keywords:
        best = max(e for e, text in evidence if text.startswith("keyword: "))
        merged.append((best, f"keyword{'s' if len(keywords) > 1 else ''}: {', '.join(keywords)}"))
    ranked = sorted(merged, key=lambda e: -e[0])
    parts = list(dict.fromkeys(text for _, text in ranked))[:2]
    return "; ".join(parts) if parts else "no match with your library, keywords or categories"


def _suggestions(near: list[tuple[int, float]], positives: list[ProfileDoc]) -> tuple[tuple[str, ...], str | None]:
    """Tags and collection that the close library items share, most supported first."""
    tag_support: dict[str, float] = defaultdict(float)
    collection_support: Counter = Counter()
    for j, closeness in near:
        if closeness <= 0:
            continue
        doc = positives[j]
        for tag in doc.tags:
            tag_support[tag] += closeness
        for key in doc.collections:
            collection_support[key] += closeness
    tags = tuple(t for t, _ in sorted(tag_support.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:3])
    collection = min(collection_support.items(), key=lambda kv: (-kv[1], kv[0]))[0] if collection_support else None
    return tags, collection


def _select(scored: list[ScoredPaper], profile: Profile, options: RankOptions) -> tuple[list[ScoredPaper], dict]:
    dropped: Counter = Counter()
    in_library = {i.arxiv_id for i in profile.library if i.arxiv_id}
    include = [normalise_phrase(k) for k in options.include_keywords if normalise_phrase(k)]
    exclude = [normalise_phrase(k) for k in options.exclude_keywords if normalise_phrase(k)]
    selected = []
    for item in scored:
        paper = item.paper
        haystack = words(document_text(paper.title, paper.abstract)) if include or exclude else ""
        if paper.arxiv_id in options.already_shown:
            dropped["shown_before"] += 1
        elif paper.arxiv_id in in_library:
            dropped["in_library"] += 1
        elif any(f" {k} " in haystack for k in exclude):
            dropped["excluded_keyword"] += 1
        elif include and not any(f" {k} " in haystack for k in include):
            dropped["no_include_keyword"] += 1
        elif item.score < options.threshold:
            dropped["below_threshold"] += 1
        elif len(selected) >= options.max_results:
            dropped["over_max_results"] += 1
        else:
            selected.append(item)
    return selected, dict(sorted(dropped.items()))
