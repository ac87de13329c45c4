"""The two linear models of the contrast evidence, fitted with NumPy (no scikit-learn import).

- :func:`fit_svm`: L2-regularised squared-hinge linear SVM, the model of scikit-learn's
  ``LinearSVC`` (and LIBLINEAR's ``-s 1/2``), with its intercept handling (a constant feature of 1
  whose weight is regularised like the others).
- :func:`fit_logistic`: L2-regularised logistic regression with an unregularised intercept, the
  model of scikit-learn's ``LogisticRegression`` (lbfgs).

Both objectives are convex, so any solver that converges finds the same model; these use Newton's
method (conjugate gradients for the sparse, wide TF-IDF problem, a direct solve for the 384
embedding dimensions), to a tighter tolerance than scikit-learn's defaults.
``tests/test_ranking_linear.py`` checks the decision values against scikit-learn's. Why not
scikit-learn itself: importing it takes 2-4 s on a 2-core machine, most of a ``paperfeed rank``
file-mode call.

``costs`` is the per-sample C (scikit-learn's ``C * class_weight[y] * sample_weight``);
:func:`balanced_costs` computes it for ``class_weight="balanced"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRADIENT_TOLERANCE = 1e-6  # stop when |gradient| falls below this share of the starting gradient
MAX_NEWTON_STEPS = 100
MAX_CG_STEPS = 200


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
    (the others stay 0, as they would at the optimum). Newton steps with the generalised Hessian
    ``I + 2 X_A' D X_A`` over the samples ``A`` inside the margin, solved by conjugate gradients,
    and a backtracking line search (the objective is piecewise quadratic).
    """
    x = x.tocsr()
    used, remapped = np.unique(x.indices, return_inverse=True)
    compact = type(x)((x.data.astype(np.float64), remapped.ravel(), x.indptr), shape=(x.shape[0], len(used)))
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0)
    costs = np.asarray(costs, dtype=np.float64)
    theta = np.zeros(len(used) + 1)  # weights, then the intercept (its feature is a constant 1)

    def margins(t):
        return compact @ t[:-1] + t[-1]

    def objective(t, z):
        slack = np.maximum(0.0, 1.0 - y * z)
        return 0.5 * t @ t + costs @ (slack * slack)

    def gradient(t, z, active):
        r = 2.0 * costs[active] * (z[active] - y[active])
        return t + np.r_[compact[active].T @ r, r.sum()]

    z = margins(theta)
    f = objective(theta, z)
    active = y * z < 1.0
    g = gradient(theta, z, active)
    g0 = np.linalg.norm(g)
    for _ in range(MAX_NEWTON_STEPS):
        if np.linalg.norm(g) <= GRADIENT_TOLERANCE * g0:
            break
        xa, da = compact[active], 2.0 * costs[active]

        def hess(v, xa=xa, da=da):
            xv = da * (xa @ v[:-1] + v[-1])
            return v + np.r_[xa.T @ xv, xv.sum()]

        # inexact Newton: a loose solve far from the optimum, tighter near it (superlinear convergence)
        step = _conjugate_gradient(hess, -g, tolerance=min(0.1, np.sqrt(np.linalg.norm(g) / g0)))
        dz = margins(np.r_[step[:-1], 0.0]) + step[-1]
        slope = g @ step
        alpha = 1.0
        while True:
            z_new = z + alpha * dz
            t_new = theta + alpha * step
            f_new = objective(t_new, z_new)
            if f_new <= f + 1e-4 * alpha * slope or alpha < 1e-10:
                break
            alpha *= 0.5
        theta, z, f = t_new, z_new, f_new
        active = y * z < 1.0
        g = gradient(theta, z, active)
    weights = np.zeros(x.shape[1])
    weights[used] = theta[:-1]
    return LinearModel(weights, float(theta[-1]))


def fit_logistic(x: np.ndarray, labels: np.ndarray, costs: np.ndarray) -> LinearModel:
    """Minimise ``0.5 |w|^2 + sum_i costs_i * log(1 + exp(-y_i (x_i w + b)))`` (intercept unregularised).

    ``x``: a dense array (rows = samples, a few hundred columns). Newton steps with the exact Hessian
    and a backtracking line search.
    """
    x = np.asarray(x, dtype=np.float64)
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    y = np.where(np.asarray(labels) > 0, 1.0, -1.0)
    costs = np.asarray(costs, dtype=np.float64)
    regularised = np.r_[np.ones(x.shape[1]), 0.0]
    theta = np.zeros(design.shape[1])

    def objective(t):
        return 0.5 * (regularised * t) @ t + costs @ np.logaddexp(0.0, -y * (design @ t))

    f = objective(theta)
    g0 = None
    for _ in range(MAX_NEWTON_STEPS):
        z = design @ theta
        p = 0.5 * (1.0 + np.tanh(0.5 * y * z))  # sigmoid(y z), overflow-free
        g = regularised * theta - design.T @ (costs * y * (1.0 - p))
        norm = np.linalg.norm(g)
        g0 = norm if g0 is None else g0
        if norm <= GRADIENT_TOLERANCE * g0:
            break
        h = (design.T * (costs * p * (1.0 - p))) @ design
        h[np.diag_indices_from(h)] += regularised + 1e-12
        step = np.linalg.solve(h, -g)
        slope = g @ step
        alpha = 1.0
        while True:
            t_new = theta + alpha * step
            f_new = objective(t_new)
            if f_new <= f + 1e-4 * alpha * slope or alpha < 1e-10:
                break
            alpha *= 0.5
        theta, f = t_new, f_new
    return LinearModel(theta[:-1], float(theta[-1]))


def _conjugate_gradient(matvec, b: np.ndarray, *, tolerance: float) -> np.ndarray:
    """Approximately solve ``A s = b`` for a symmetric positive definite ``A`` (inexact Newton)."""
    s = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    rr = r @ r
    stop = (tolerance * np.sqrt(rr)) ** 2
    for _ in range(MAX_CG_STEPS):
        if rr <= stop:
            break
        ad = matvec(d)
        step = rr / (d @ ad)
        s += step * d
        r -= step * ad
        rr_new = r @ r
        d = r + (rr_new / rr) * d
        rr = rr_new
    return s
