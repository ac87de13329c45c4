"""Semantic evidence: how close each candidate is to the profile documents.

The score is a kNN aggregate, not a centroid: a library with two interests
(robotics and retrieval) has a centroid that matches neither, while the mean of
the k nearest items stays high for a paper squarely in one of them. Each
neighbour counts with its recency/feedback weight. Raw cosines live on
different scales per backend, so each is mapped to [0, 1] with a fixed affine
calibration (chosen on tuning users, see docs/ranking.md) before combining.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .backends import MODEL_NAME, Encoder, tfidf_vectors


@dataclass(frozen=True)
class Calibration:
    """Raw kNN similarity ``low`` maps to 0, ``high`` to 1; "close" marks a neighbour worth naming."""

    low: float
    high: float
    close: float

    def __call__(self, raw: np.ndarray) -> np.ndarray:
        return np.clip((raw - self.low) / (self.high - self.low), 0.0, 1.0)


CALIBRATION = {
    "embeddings": Calibration(low=0.20, high=0.62, close=0.50),
    "tfidf": Calibration(low=0.03, high=0.20, close=0.15),
}
# A short keyword phrase against an abstract scores lower than two abstracts do.
KEYWORD_CALIBRATION = {
    "embeddings": Calibration(low=0.15, high=0.55, close=0.40),
    "tfidf": Calibration(low=0.02, high=0.15, close=0.10),
}
# Closeness to a dismissed paper that scales a candidate down: near-duplicates only (another version, a
# companion paper), not the dismissed paper's whole subject, which your library may share. With the
# ranker's CALIBRATION here, later days' rankings dropped by up to 0.23 nDCG@10 after dismissals on the
# tuning window of the feedback benchmark; with these, by up to 0.11 in replays of the same clicks
# (docs/benchmarks.md).
DISMISSAL_CALIBRATION = {
    "embeddings": Calibration(low=0.45, high=0.80, close=0.80),
    "tfidf": Calibration(low=0.10, high=0.40, close=0.40),
}
HYBRID_EMBEDDING_SHARE = 0.6


@dataclass(frozen=True)
class CosineScale:
    """Where a model's cosines lie: the median and the 99th percentile of the cosines between two of one
    announcement day's papers (pairs of different papers; at most :data:`SCALE_SAMPLE` of them)."""

    median: float
    p99: float


# The embedding calibrations above are the bundled all-MiniLM-L6-v2's. On each of the 31 announcement
# days of the dev data set its day's papers give a median of 0.217 (0.171-0.245 over the days) and a
# 99th percentile of 0.523 (0.481-0.564). Another model (ranking.model) may run on another scale: a model
# whose vectors share a strong common direction (e5 and bge are known for it) puts most pairs above 0.6,
# where the bundled calibrations would call every paper close to the library and to any dismissed paper.
# Its cosines are therefore mapped onto the bundled model's scale by matching these two points of the same
# statistic on the day's candidates (docs/ranking.md, "Another embedding model").
REFERENCE_SCALE = CosineScale(median=0.217, p99=0.523)
SCALE_SAMPLE = 400  # candidates whose pairs estimate a day's scale (the first ones, so it is deterministic)
SCALE_MIN_CANDIDATES = 20  # with fewer, a day's scale means little and cosines are left as they are


def cosine_scale(vectors: np.ndarray) -> CosineScale | None:
    """The scale of unit ``vectors`` (one day's papers), or None for fewer than :data:`SCALE_MIN_CANDIDATES`."""
    rows = vectors[:SCALE_SAMPLE]
    if len(rows) < SCALE_MIN_CANDIDATES:
        return None
    pairs = (rows @ rows.T)[np.triu_indices(len(rows), k=1)]
    median, p99 = np.quantile(pairs, [0.5, 0.99])
    return CosineScale(float(median), float(p99))


def to_reference_scale(sims: np.ndarray, scale: CosineScale | None) -> np.ndarray:
    """Cosines of a model with ``scale`` mapped (affinely) onto :data:`REFERENCE_SCALE`."""
    if scale is None or scale.p99 - scale.median < 1e-6:
        return sims
    stretch = (REFERENCE_SCALE.p99 - REFERENCE_SCALE.median) / (scale.p99 - scale.median)
    return (REFERENCE_SCALE.median + (sims - scale.median) * stretch).astype(np.float32)


@dataclass
class Similarities:
    """Candidate x document cosine matrices of one backend (dense numpy)."""

    backend: str
    positive: np.ndarray  # (n_candidates, n_positive)
    negative: np.ndarray  # (n_candidates, n_negative)
    keywords: np.ndarray  # (n_candidates, n_keywords)


def compute_similarities(backend: str, candidate_texts: Sequence[str], positive_texts: Sequence[str],
                         negative_texts: Sequence[str], keyword_texts: Sequence[str],
                         encoder: Encoder | None) -> Similarities:
    n_c = len(candidate_texts)
    groups = [list(positive_texts), list(negative_texts), list(keyword_texts)]
    if backend == "tfidf":
        all_texts = list(candidate_texts) + [t for g in groups for t in g]
        matrix = tfidf_vectors(all_texts)
        if matrix is None:
            return Similarities(backend, *(np.zeros((n_c, len(g)), dtype=np.float32) for g in groups))
        cand = matrix[:n_c]
        blocks, start = [], n_c
        for group in groups:
            block = matrix[start:start + len(group)]
            start += len(group)
            blocks.append(np.asarray((cand @ block.T).todense(), dtype=np.float32))
        return Similarities(backend, *blocks)
    if encoder is None:
        raise ValueError("the embeddings backend needs an encoder")
    cand = encoder.encode(list(candidate_texts))
    scale = None if encoder.name == MODEL_NAME else cosine_scale(cand)
    blocks = []
    for group in groups:
        vectors = encoder.encode(group) if group else np.zeros((0, cand.shape[1] if cand.size else 384), np.float32)
        blocks.append(to_reference_scale((cand @ vectors.T).astype(np.float32), scale) if n_c and len(group) else
                      np.zeros((n_c, len(group)), dtype=np.float32))
    return Similarities(backend, *blocks)


def knn_score(sims: np.ndarray, weights: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean of each row's k largest similarities, and the row's neighbour indices (best first)."""
    n_rows, n_docs = sims.shape
    if n_docs == 0:
        return np.zeros(n_rows, dtype=np.float32), np.zeros((n_rows, 0), dtype=np.int64)
    k = max(1, min(k, n_docs))
    top = _top_k(sims, k)
    top_sims = np.take_along_axis(sims, top, axis=1)
    order = np.lexsort((top, -top_sims), axis=1)
    top = np.take_along_axis(top, order, axis=1)
    top_sims = np.take_along_axis(top_sims, order, axis=1)
    top_weights = weights[top]
    score = (top_sims * top_weights).sum(axis=1) / np.maximum(top_weights.sum(axis=1), 1e-9)
    return score.astype(np.float32), top


def _top_k(sims: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's k largest values, ties at the k-th value going to the lower index.

    Linear time (argpartition for the k-th value) instead of sorting every row: a 2,000 x 5,000
    matrix sorts in about a second, this takes a few vectorised passes.
    """
    n_rows, n_docs = sims.shape
    if k >= n_docs:
        return np.tile(np.arange(n_docs), (n_rows, 1))
    kth = -np.partition(-sims, k - 1, axis=1)[:, k - 1:k]  # the k-th largest value per row
    above = sims > kth
    equal = sims == kth
    room = k - above.sum(axis=1, keepdims=True)  # how many of the tied values still fit
    chosen = above | (equal & (np.cumsum(equal, axis=1, dtype=np.int32) <= room))
    return np.nonzero(chosen)[1].reshape(n_rows, k)

