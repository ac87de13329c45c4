"""The hashed TF-IDF backend: same vectors as scikit-learn's vocabulary-based TF-IDF, memo or not."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from sync.ranking import backends
from sync.ranking.backends import tfidf_vectors
from sync.ranking.similarity import knn_score

TEXTS = [f"{topic} paper number {n}: we study {topic} with {other} methods and loop tiling"
         for n, (topic, other) in enumerate([("compilers", "polyhedral"), ("robots", "grasping"),
                                             ("retrieval", "dense"), ("compilers", "vectorizing"),
                                             ("speech", "multilingual"), ("robots", "legged")] * 4)]


def test_tfidf_vectors_match_scikit_learn_tfidf():
    ours = tfidf_vectors(TEXTS).toarray()
    reference = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english", max_df=0.5,
                                token_pattern=r"(?u)\b\w[\w-]*\w\b|\b\w\b").fit_transform(TEXTS).toarray()
    # hashing changes the columns, not the geometry: every cosine is the same
    np.testing.assert_allclose(ours @ ours.T, reference @ reference.T, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_tfidf_vectors_same_with_and_without_memo():
    warm = tfidf_vectors(TEXTS)
    backends._count_cache.clear()
    cold = tfidf_vectors(TEXTS)
    assert (warm != cold).nnz == 0


def test_tfidf_vectors_only_stop_words_gives_zero_rows():
    matrix = tfidf_vectors(["the and of", "a an the"])
    assert matrix.shape[0] == 2 and matrix.nnz == 0


@pytest.mark.parametrize("k", [1, 3, 6, 10])
def test_knn_score_ties_broken_by_index(k):
    sims = np.array([[0.5, 0.9, 0.5, 0.9, 0.1, 0.5]], dtype=np.float32)
    score, top = knn_score(sims, np.ones(6, dtype=np.float32), k)
    expected = sorted(range(6), key=lambda j: (-sims[0, j], j))[:min(k, 6)]
    assert top[0].tolist() == expected
    assert score[0] == pytest.approx(float(np.mean(sims[0, expected])))


@pytest.mark.parametrize("seed", range(5))
def test_knn_score_neighbours_equal_a_full_stable_sort(seed):
    rng = np.random.default_rng(seed)
    sims = rng.integers(0, 4, size=(50, 30)).astype(np.float32)  # many ties on purpose
    _, top = knn_score(sims, np.ones(30, dtype=np.float32), 5)
    np.testing.assert_array_equal(top, np.argsort(-sims, axis=1, kind="stable")[:, :5])
