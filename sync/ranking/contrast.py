"""Contrastive evidence: what sets the user's papers apart from everything else arXiv announced.

Similarity alone ranks "generic" papers high (every LLM paper is somewhat close
to an LLM-heavy library). A linear model trained with the profile documents as
positives and recently announced papers the user did not keep as negatives
(the *background*) learns which words and directions actually distinguish this
user's reading, the idea behind arxiv-sanity-lite's per-tag SVM. We use both
representations: a linear SVM on TF-IDF and a logistic regression on the
sentence embeddings, balanced classes (both fitted by :mod:`sync.ranking.linear`).
Dismissed papers join the negatives with a higher weight. Candidates that are also background papers
(file mode without a background; a short background completed with the day's papers) are scored by
models that leave them out of the negatives (:func:`cross_fit_folds`).
"""

from __future__ import annotations

import functools

from typing import Sequence

import numpy as np

from .backends import Encoder, tfidf_vectors
from .linear import balanced_costs, fit_logistic, fit_svm

MIN_POSITIVES = 5
MIN_BACKGROUND = 50
# chosen on tuning users together with the phrase weight and the embedding share once the library's phrases
# were in the score (bench/ablate_evidence.py: C / weight / share 0.3 / 0.3 / 0.5 -> 1 / 0.4 / 0.75 was
# +0.010 to +0.013 nDCG@10 on three sets of tuning users; without the phrases C 0.3 had been best,
# bench/ablate_ranking.py)
TFIDF_C = 1.0
EMBEDDING_C = 1.0
DISMISSED_WEIGHT = 3.0
EMBEDDING_SHARE = 0.75  # relative to the TF-IDF margin (chosen on tuning users, with TFIDF_C)
CROSS_FIT_FOLDS = 5  # candidates that are also background papers are scored in five folds
AUTHOR_TERMS = True  # authors as extra TF-IDF terms of the contrast model (chosen on tuning users)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def contrast_scores(backend: str, candidates: Sequence[str], positives: Sequence[str],
                    positive_weights: Sequence[float], background: Sequence[str], dismissed: Sequence[str],
                    encoder: Encoder | None, *, authors: Sequence[Sequence[Sequence[str]]] | None = None
                    ) -> np.ndarray | None:
    """Probability-like score in [0, 1] per candidate, or None when there is too little to learn from.

    ``authors``: the author lists of (candidates, positives, background, dismissed), each aligned with
    its texts; with :data:`AUTHOR_TERMS` they join the TF-IDF model as terms of their own, so the
    model learns which people write what you read (the embeddings see the text only).
    """
    if len(positives) < MIN_POSITIVES or len(background) < MIN_BACKGROUND or not candidates:
        return None
    n_pos, n_bg = len(positives), len(background)
    train = list(positives) + list(background) + list(dismissed)
    labels = np.r_[np.ones(n_pos), np.zeros(n_bg + len(dismissed))]
    weights = np.r_[np.asarray(positive_weights, dtype=np.float64), np.ones(n_bg),
                    np.full(len(dismissed), DISMISSED_WEIGHT)]
    tfidf = embedded = None
    if backend in ("tfidf", "hybrid"):
        # a candidate that is also a background paper is counted twice in the document frequencies, so
        # its rare words pass min_df; counting it once was lower on tuning users (docs/benchmarks.md)
        tfidf_texts = train + list(candidates)
        if AUTHOR_TERMS and authors is not None:
            cand_a, pos_a, bg_a, dis_a = authors
            names = list(pos_a) + list(bg_a) + list(dis_a) + list(cand_a)
            tfidf_texts = list(map(counted_text, tfidf_texts, names))
        matrix = tfidf_vectors(tfidf_texts, min_df=2)
        tfidf = (matrix[:len(train)], matrix[len(train):])
    if backend in ("embeddings", "hybrid") and encoder is not None:
        blocks = [encoder.encode(list(positives)), encoder.encode(list(background))]
        if dismissed:
            blocks.append(encoder.encode(list(dismissed)))
        embedded = (np.vstack(blocks), encoder.encode(list(candidates)))
    if tfidf is None and embedded is None:
        return None
    share = EMBEDDING_SHARE if backend == "hybrid" else 1.0
    total = (1.0 if tfidf is not None else 0.0) + (share if embedded is not None else 0.0)
    margin = np.zeros(len(candidates), dtype=np.float64)
    for scored, left_out in cross_fit_folds(candidates, background):
        keep: slice | np.ndarray = slice(None)  # every training paper (no copy), unless some are left out
        if left_out:
            keep = np.ones(len(train), dtype=bool)
            keep[n_pos + np.asarray(left_out, dtype=np.int64)] = False
        if tfidf is not None:
            svm = fit_svm(tfidf[0][keep], labels[keep], balanced_costs(labels[keep], weights[keep], TFIDF_C))
            # a margin of +-1 is the SVM's own "clearly in / clearly out"
            margin[scored] += 2.5 * svm.decision_function(tfidf[1][scored]) / total
        if embedded is not None:
            lr = fit_logistic(embedded[0][keep], labels[keep],
                              balanced_costs(labels[keep], weights[keep], EMBEDDING_C))
            # logits run about 4x wider than the scaled SVM margin
            margin[scored] += share * 0.25 * lr.decision_function(embedded[1][scored]) / total
    return _sigmoid(margin - 1.0).astype(np.float32)


def cross_fit_folds(candidates: Sequence[str], background: Sequence[str]) -> list[tuple[np.ndarray, list[int]]]:
    """(candidate rows, background rows left out of the negatives) for each model to fit.

    One model for all, unless some candidates are also background papers: in file mode without
    ``--background``, or when a short background is completed with the day's candidates
    (``sync.rank_stage.with_starter_background``). A paper that is a negative of the model scoring it
    is pushed down by its own words, relevant or not, so those candidates are cross-fitted: each
    :data:`CROSS_FIT_FOLDS`-th of them is scored by a model whose negatives leave it out (chosen on
    tuning users: a first day with nothing stored, TF-IDF backend, 0.778 -> 0.780 and 0.789 -> 0.825
    nDCG@10; docs/benchmarks.md, "The starter background").
    """
    rows: dict[str, list[int]] = {}
    for row, text in enumerate(background):
        rows.setdefault(text, []).append(row)
    shared = [i for i, text in enumerate(candidates) if text in rows]
    if not shared:
        return [(np.arange(len(candidates)), [])]
    own = np.array([i for i, text in enumerate(candidates) if text not in rows], dtype=np.int64)
    folds = [(own, [])] if len(own) else []
    for first in range(min(CROSS_FIT_FOLDS, len(shared))):
        scored = np.array(shared[first::CROSS_FIT_FOLDS], dtype=np.int64)
        folds.append((scored, [r for i in scored.tolist() for r in rows[candidates[i]]]))
    return folds


def counted_text(text: str, authors) -> str:
    """A paper as the TF-IDF contrast model counts it: its text, plus its authors when
    :data:`AUTHOR_TERMS` is on. Others that count the same papers (the library's phrases) use this
    so that the term counts come from one per-process memo."""
    return text + author_terms(authors) if AUTHOR_TERMS else text


def author_terms(authors) -> str:
    """Authors as extra terms for the TF-IDF model ("Jane Doe" -> " au_jane_doe"): papers by the people
    you read share them, and they cannot collide with ordinary words."""
    return _author_terms(tuple(authors))


@functools.lru_cache(maxsize=65_536)  # the ranker asks twice per paper (contrast model, phrases), a server daily
def _author_terms(authors: tuple[str, ...]) -> str:
    from .profile import author_key

    keys = [author_key(a).replace(" ", "_") for a in authors]
    return "".join(f" au_{k}" for k in keys if k)
