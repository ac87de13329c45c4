"""Faithful re-implementations of the two rankers users compare us with (recipes: ../shared/notes/anchors.md).

- zotero-arxiv-daily: library sorted by date added, newest first; w_i = 1/(1+log10(i+1)),
  normalised; score(c) = 10 * sum_i w_i cos(E(abstract_c), E(abstract_i)) with all-MiniLM-L6-v2.
- arxiv-sanity-lite: TfidfVectorizer(ngram (1,2), max_features 20000, min_df 5, max_df 0.1,
  sublinear_tf, english stop words) on title + abstract + authors of every paper in its database
  (here: every paper announced up to and including the candidate day, as its deployed version holds);
  LinearSVC(C=0.01, balanced) with the library as positives and every other paper of the database
  as negatives; score = decision function. Saved papers (feedback benchmark) join the positives.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

_TFIDF_MEMO: dict[tuple, tuple] = {}


def zotero_arxiv_daily(library: Sequence[dict], candidates: Sequence[dict],
                       embed_abstracts: Callable[[Sequence[dict]], np.ndarray]) -> np.ndarray:
    ordered = sorted(library, key=lambda r: r["date_added"], reverse=True)
    weights = np.array([1.0 / (1.0 + math.log10(i + 1)) for i in range(len(ordered))])
    weights /= weights.sum()
    lib = embed_abstracts(ordered)
    cand = embed_abstracts(candidates)
    return 10.0 * (cand @ lib.T) @ weights


def _database_matrix(database: Sequence[dict]):
    """The TF-IDF matrix of a database (memoised: it depends only on which papers it holds)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    key = (len(database), database[0]["id"] if database else "", database[-1]["id"] if database else "")
    if key not in _TFIDF_MEMO:
        def text(r: dict) -> str:
            return f"{r['title']} {r['abstract']} {' '.join(r.get('authors') or [])}"

        vectorizer = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace",
                                     strip_accents="unicode", lowercase=True, analyzer="word", stop_words="english",
                                     token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                                     max_features=20000, norm="l2", use_idf=True, smooth_idf=True,
                                     sublinear_tf=True, max_df=0.1, min_df=5)
        if len(_TFIDF_MEMO) > 8:
            _TFIDF_MEMO.clear()
        _TFIDF_MEMO[key] = (vectorizer.fit_transform([text(r) for r in database]),
                            {r["id"]: n for n, r in enumerate(database)})
    return _TFIDF_MEMO[key]


def arxiv_sanity_lite(library: Sequence[dict], candidates: Sequence[dict], database: Sequence[dict]) -> np.ndarray:
    from sklearn.svm import LinearSVC

    x, index = _database_matrix(database)
    positive = {r["id"] for r in library}
    y = np.array([1 if r["id"] in positive else 0 for r in database])
    clf = LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01)
    clf.fit(x, y)
    rows = [index[r["id"]] for r in candidates]
    return clf.decision_function(x[rows])
