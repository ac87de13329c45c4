"""Term counts without scikit-learn: exactly scikit-learn's HashingVectorizer counts, on real abstracts."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction._stop_words import ENGLISH_STOP_WORDS
from sklearn.feature_extraction.text import HashingVectorizer

from sync.ranking.terms import HASH_FEATURES, STOP_WORDS, TOKEN_PATTERN, hashed_counts, term_columns, terms
from tests.support.dev_data import dev_records

EDGE_CASES = ["", "the and of", "É café naïve x-ray 3D a b", "self-supervised -- foo_bar  über",
              "--foo- bar-- a-b -x x- é-ü __ _a_ a__b 3-d --", "foo--bar-baz---", "ǅ x² ½ ٣ a‐b",
              "Graph Neural Networks (GNNs) for O(n log n) SAT-solving: 95.3% on SAT-2024.", "a- -b- c--d-- - x-_y-"]


def _reference(texts):
    vectorizer = HashingVectorizer(n_features=HASH_FEATURES, ngram_range=(1, 2), stop_words="english",
                                   alternate_sign=False, norm=None, token_pattern=TOKEN_PATTERN, dtype=np.float32)
    matrix = vectorizer.transform(texts)
    matrix.sort_indices()
    return matrix


def _assert_same_counts(texts):
    reference = _reference(texts)
    ours = hashed_counts(texts)
    assert len(ours) == len(texts)
    for n, (columns, counts) in enumerate(ours):
        lo, hi = reference.indptr[n], reference.indptr[n + 1]
        assert np.array_equal(columns, reference.indices[lo:hi]), texts[n][:80]
        assert np.array_equal(counts, reference.data[lo:hi]), texts[n][:80]


def test_stop_words_are_scikit_learns():
    assert STOP_WORDS == ENGLISH_STOP_WORDS


def test_counts_equal_scikit_learns_on_edge_cases():
    _assert_same_counts(EDGE_CASES)


def test_counts_equal_scikit_learns_on_real_abstracts():
    records = dev_records(2000)
    _assert_same_counts([f"{r['title']}. {r['abstract']}" for r in records])


def test_terms_are_unigrams_then_bigrams_without_stop_words():
    assert terms("The self-supervised model of the year-") == [
        "self-supervised", "model", "year", "self-supervised model", "model year"]


def test_the_one_hash_without_absolute_value_keeps_a_valid_column():
    # scikit-learn maps MurmurHash3 == -2**31 (no positive counterpart) to a fixed in-range column
    [column] = term_columns(np.array([-2**31]))
    assert 0 <= column < HASH_FEATURES and column == (2**31 - 1 - (HASH_FEATURES - 1)) % HASH_FEATURES
