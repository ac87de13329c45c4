"""The contrast models without scikit-learn: the same decision values as LinearSVC and LogisticRegression."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from sync.ranking.backends import tfidf_vectors
from sync.ranking.linear import balanced_costs, fit_logistic, fit_svm
from tests.support.dev_data import dev_records


@pytest.fixture(scope="module")
def contrast_problem():
    """A real contrast problem: 120 papers of one cross-list category vs 600 others, 200 to score."""
    records = dev_records()
    positives = [r for r in records if "cs.RO" in r["categories"]][:120]
    others = [r for r in records if "cs.RO" not in r["categories"]][:800]
    texts = [f"{r['title']}. {r['abstract']}" for r in positives + others]
    labels = np.r_[np.ones(len(positives)), np.zeros(600)]
    weights = np.r_[np.full(len(positives), 2.0), np.ones(590), np.full(10, 3.0)]  # saves and dismissals weigh more
    return tfidf_vectors(texts, min_df=2), labels, weights


def test_balanced_costs_follow_scikit_learn():
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.array([1, 1, 0, 0, 0, 0, 0])
    weights = np.array([2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 3.0])
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels, sample_weight=weights)
    np.testing.assert_allclose(balanced_costs(labels, weights, 0.5), 0.5 * expected[labels] * weights)


@pytest.mark.parametrize("c", [0.3, 3.0])
def test_svm_matches_linear_svc(contrast_problem, c):
    matrix, labels, weights = contrast_problem
    n = len(labels)
    ours = fit_svm(matrix[:n], labels, balanced_costs(labels, weights, c)).decision_function(matrix[n:])
    reference = LinearSVC(C=c, class_weight="balanced", random_state=0, max_iter=5000, tol=1e-6).fit(
        matrix[:n], labels, sample_weight=weights).decision_function(matrix[n:])
    spread = reference.max() - reference.min()
    assert np.abs(ours - reference).max() < 1e-3 * spread
    assert list(np.argsort(-ours)[:20]) == list(np.argsort(-reference)[:20])


def test_logistic_matches_logistic_regression_and_is_at_least_as_optimal():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(700, 48))
    labels = (x[:, 0] + 0.5 * x[:, 1] + rng.normal(scale=1.0, size=700) > 1.2).astype(float)
    weights = rng.choice([1.0, 2.0, 3.0], size=700)
    costs = balanced_costs(labels, weights, 1.0)
    ours = fit_logistic(x, labels, costs)
    sk = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000, tol=1e-10).fit(
        x, labels, sample_weight=weights)
    np.testing.assert_allclose(ours.decision_function(x), sk.decision_function(x), atol=1e-4)

    def objective(w, b):
        y = np.where(labels > 0, 1.0, -1.0)
        return 0.5 * w @ w + costs @ np.logaddexp(0.0, -y * (x @ w + b))

    assert objective(ours.weights, ours.intercept) <= objective(sk.coef_.ravel(), sk.intercept_[0]) + 1e-9


def test_svm_on_rows_without_any_term_learns_only_an_intercept():
    from scipy.sparse import csr_matrix

    labels = np.r_[np.ones(3), np.zeros(7)]
    model = fit_svm(csr_matrix((10, 5)), labels, balanced_costs(labels, np.ones(10), 1.0))
    assert not model.weights.any()
    scores = model.decision_function(csr_matrix((2, 5)))
    assert np.allclose(scores, scores[0])
