"""The two linear models of the contrast evidence, fitted with NumPy (no scikit-learn import).

- :func:`fit_svm`: L2-regularised squared-hinge linear SVM, the model of scikit-learn's
  ``LinearSVC`` (and LIBLINEAR's ``-s 1/2``), with its intercept handling (a constant feature of 1
  whose weight is regularised like the others).
- :func:`fit_logistic`: L2-regularised logistic regression with an unregularised intercept, the
  model of scikit-learn's ``LogisticRegression`` (lbfgs).

Both objectives are convex, so any solver that converges finds the same model; these use Newton's
method with Hessian-vector products only, solved by conjugate gradients preconditioned as
LIBLINEAR's primal solver does (mostly identity, a little of the Hessian's diagonal), to a tighter
tolerance than scikit-learn's defaults.
``tests/test_ranking_linear.py`` checks the decision values against scikit-learn's. Why not
scikit-learn itself: importing it takes 2-4 s on a 2-core machine, most of a ``paperfeed rank``
file-mode call.

``costs`` is the per-sample C (scikit-learn's ``C * class_weight[y] * sample_weight``);
:func:`balanced_costs` computes it for ``class_weight="balanced"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# stop when |gradient| falls below this share of the starting gradient: for the SVM, decision values
# are then within ~1e-4 of the exact optimum (scores are reported to 4 decimals); the small dense
# logistic problem is cheap to solve to near machine precision
SVM_TOLERANCE = 1e-4
LOGISTIC_TOLERANCE = 1e-8
MAX_NEWTON_STEPS = 100
MAX_CG_STEPS = 200
PRECONDITIONER_MIX = 0.01
LINE_SEARCH_SLOPE = 1e-4  # Armijo: accept a step that achieves this share of the predicted decrease


@dataclass(frozen=True)
class LinearModel:
    weights: np.ndarray
    intercept: float

    def decision_function(self, x) -> np.ndarray:
        return np.asarray(x @ self.weights).ravel() + self.intercept


def balanced_costs(labels: np.ndarray, sample_weights: np.ndarray, c: float) -> np.ndarray:
    """``C * class_weight[y] * sample_weight`` per sample, with scikit-learn's (>= 1.6) "balanced" weights.

    ``class_weight[k] = sum(sample_weight) / (2 * sum of sample_weight in class k)``: each class
    carries half of the total weight. Labels 0/1, both present.
    """
    labels = np.asarray(labels).astype(np.int64)
    sample_weights = np.asarray(sample_weights, dtype=np.float64)
    per_class = np.bincount(labels, weights=sample_weights, minlength=2)
    class_weight = sample_weights.sum() / (2.0 * per_class)
    return c * class_weight[labels] * sample_weights


def fit_svm(x, labels: np.ndarray, costs: np.ndarray) -> LinearModel:
    """Minimise ``0.5 |w|^2 + 0.5 b^2 + sum_i costs_i * max(0, 1 - y_i (x_i w + b))^2``, y in {-1, +1}.

    ``x``: a SciPy sparse matrix (rows = samples). Only the columns some sample uses are solved for
    (the others stay 0, as they would at the optimum), in float32 (about 1.4x faster than float64 on
    2 cores, and as close to LIBLINEAR's tight solution). The Hessian is the generalised one,
    ``I + 2 X_A' D X_A`` over the samples ``A`` inside the margin (the objective is piecewise quadratic).
    """
    x = x.tocsr()
    used, remapped = np.unique(x.indices, return_inverse=True)
    compact = type(x)((x.data.astype(np.float32), remapped.ravel(), x.indptr), shape=(x.shape[0], len(used)))
    squared = compact.multiply(compact).tocsr()
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0).astype(np.float32)
    costs64 = np.asarray(costs, dtype=np.float64)
    costs = costs64.astype(np.float32)

    def margins(t):
        return compact @ t[:-1] + t[-1]

    last = {}  # the margins of the last point valued: the accepted step's are needed again at once

    def value(t):  # summed in float64: the line search compares values that differ in late digits
        last["t"], last["z"] = t, margins(t)
        slack = np.maximum(0.0, 1.0 - y * last["z"]).astype(np.float64)
        t64 = t.astype(np.float64)
        return 0.5 * float(t64 @ t64) + float(costs64 @ (slack * slack))

    def derivatives(t):
        z = last["z"] if last.get("t") is t else margins(t)
        active = y * z < 1.0
        xa, da = compact[active], 2.0 * costs[active]
        r = da * (z[active] - y[active])
        gradient = t + np.r_[xa.T @ r, r.sum()]

        def hessian_product(v):
            xv = da * (xa @ v[:-1] + v[-1])
            return v + np.r_[xa.T @ xv, xv.sum()]

        diagonal = 1.0 + np.r_[squared[active].T @ da, da.sum()]
        return gradient, hessian_product, diagonal

    theta = _newton(np.zeros(len(used) + 1, dtype=np.float32), value, derivatives, SVM_TOLERANCE)  # weights, then the intercept
    weights = np.zeros(x.shape[1])
    weights[used] = theta[:-1]
    return LinearModel(weights, float(theta[-1]))


def fit_logistic(x: np.ndarray, labels: np.ndarray, costs: np.ndarray) -> LinearModel:
    """Minimise ``0.5 |w|^2 + sum_i costs_i * log(1 + exp(-y_i (x_i w + b)))`` (intercept unregularised).

    ``x``: a dense array (rows = samples, a few hundred columns).
    """
    x = np.asarray(x, dtype=np.float64)
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    squared = design * design
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0)
    costs = np.asarray(costs, dtype=np.float64)
    regularised = np.r_[np.ones(x.shape[1]), 0.0]

    def value(t):
        return 0.5 * (regularised * t) @ t + costs @ np.logaddexp(0.0, -y * (design @ t))

    def derivatives(t):
        p = 0.5 * (1.0 + np.tanh(0.5 * y * (design @ t)))  # sigmoid(y z), overflow-free
        gradient = regularised * t - design.T @ (costs * y * (1.0 - p))
        d = costs * p * (1.0 - p)

        def hessian_product(v):
            return regularised * v + design.T @ (d * (design @ v))

        return gradient, hessian_product, regularised + squared.T @ d + 1e-12

    theta = _newton(np.zeros(design.shape[1]), value, derivatives, LOGISTIC_TOLERANCE)
    return LinearModel(theta[:-1], float(theta[-1]))


def _newton(theta: np.ndarray, value, derivatives, tolerance: float) -> np.ndarray:
    """Inexact Newton with a backtracking line search.

    ``value(theta)`` is the objective; ``derivatives(theta)`` gives its gradient, a Hessian-vector
    product and the Hessian's diagonal. Each Newton system is solved loosely far from the optimum and
    more tightly near it (superlinear convergence), by preconditioned conjugate gradients.
    """
    f = value(theta)
    g0 = None
    for _ in range(MAX_NEWTON_STEPS):
        gradient, hessian_product, diagonal = derivatives(theta)
        norm = np.linalg.norm(gradient)
        g0 = norm if g0 is None else g0
        if norm <= tolerance * g0 or norm == 0.0:
            break
        # LIBLINEAR's preconditioner (Hsia, Chiang and Lin, 2018): mostly identity, a little diagonal
        preconditioner = 1.0 / ((1.0 - PRECONDITIONER_MIX) + PRECONDITIONER_MIX * diagonal)
        step = _conjugate_gradient(hessian_product, -gradient, preconditioner,
                                   tolerance=min(0.1, np.sqrt(norm / g0)))
        slope = gradient @ step
        alpha = 1.0
        while True:
            candidate = theta + alpha * step
            f_new = value(candidate)
            if f_new <= f + LINE_SEARCH_SLOPE * alpha * slope or alpha < 1e-10:
                break
            alpha *= 0.5
        theta, f = candidate, f_new
    return theta


def _conjugate_gradient(matvec, b: np.ndarray, preconditioner: np.ndarray, *, tolerance: float) -> np.ndarray:
    """Approximately solve ``A s = b`` (A symmetric positive definite); ``preconditioner`` is the
    inverse of a diagonal approximation of ``A``."""
    s = np.zeros_like(b)
    r = b.copy()
    z = preconditioner * r
    d = z.copy()
    rz = r @ z
    stop = tolerance * np.linalg.norm(b)
    for _ in range(MAX_CG_STEPS):
        if np.linalg.norm(r) <= stop:
            break
        ad = matvec(d)
        step = rz / (d @ ad)
        s += step * d
        r -= step * ad
        z = preconditioner * r
        rz_new = r @ z
        d = z + (rz_new / rz) * d
        rz = rz_new
    return s
