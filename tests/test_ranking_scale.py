"""Another embedding model's cosines are read on the bundled model's scale (sync/ranking/similarity.py)."""

from __future__ import annotations

import numpy as np

from sync.ranking import MODEL_NAME
from sync.ranking.similarity import (REFERENCE_SCALE, SCALE_MIN_CANDIDATES, CosineScale, compute_similarities,
                                     cosine_scale, to_reference_scale)


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _shifted(rows: np.ndarray, by: float) -> np.ndarray:
    """Unit rows with a common direction added: every cosine between two of them rises."""
    direction = np.zeros(rows.shape[1], dtype=np.float32)
    direction[0] = 1.0
    return _unit(rows + by * direction)


class _TableEncoder:
    def __init__(self, table: dict[str, np.ndarray], name: str):
        self.table, self.name = table, name

    def encode(self, texts):
        return np.stack([self.table[t] for t in texts]) if texts else np.zeros((0, 64), np.float32)


def test_the_scale_of_a_model_is_mapped_onto_the_reference_points():
    scale = CosineScale(median=0.6, p99=0.8)
    mapped = to_reference_scale(np.array([0.6, 0.8, 0.7], dtype=np.float32), scale)
    assert np.allclose(mapped[:2], [REFERENCE_SCALE.median, REFERENCE_SCALE.p99], atol=1e-6)
    assert np.isclose(mapped[2], (REFERENCE_SCALE.median + REFERENCE_SCALE.p99) / 2, atol=1e-6)
    assert to_reference_scale(np.array([0.5]), None)[0] == 0.5  # no scale: left as it is
    assert to_reference_scale(np.array([0.5]), CosineScale(0.7, 0.7))[0] == 0.5  # a degenerate scale too


def test_cosine_scale_needs_enough_papers_and_reads_the_pairs_of_different_papers():
    rng = np.random.default_rng(0)
    rows = _unit(rng.normal(size=(SCALE_MIN_CANDIDATES - 1, 64)))
    assert cosine_scale(rows) is None
    rows = _unit(rng.normal(size=(200, 64)))
    scale = cosine_scale(rows)
    assert abs(scale.median) < 0.05 and 0.2 < scale.p99 < 0.5  # random directions; the diagonal (1.0) left out
    shifted = cosine_scale(_shifted(rows, 1.5))
    assert shifted.median > 0.5 and shifted.p99 > shifted.median


def test_another_models_cosines_are_mapped_and_the_bundled_models_are_not():
    rng = np.random.default_rng(1)
    candidates = [f"c{i}" for i in range(60)]
    library = [f"l{i}" for i in range(10)]
    base = _unit(rng.normal(size=(70, 64)))
    shifted = _shifted(base, 1.5)
    plain = compute_similarities("embeddings", candidates, library, [], [],
                                 _TableEncoder(dict(zip(candidates + library, base)), MODEL_NAME))
    assert np.allclose(plain.positive, base[:60] @ base[60:].T, atol=1e-5)  # the bundled model: as they are
    other = _TableEncoder(dict(zip(candidates + library, shifted)), "local:other")
    raw = shifted[:60] @ shifted[60:].T
    mapped = compute_similarities("embeddings", candidates, library, [], [], other).positive
    assert np.allclose(mapped, to_reference_scale(raw, cosine_scale(shifted[:60])), atol=1e-5)
    assert np.median(raw) > 0.5 and abs(np.median(mapped) - REFERENCE_SCALE.median) < 0.1
    # the order of each candidate's neighbours is kept
    assert (np.argsort(mapped, axis=1) == np.argsort(raw, axis=1)).all()
