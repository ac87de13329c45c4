"""Faithful re-implementations of the two rankers users compare us with (recipes: ../shared/notes/anchors.md).

- zotero-arxiv-daily: library sorted by date added, newest first; w_i = 1/(1+log10(i+1)),
  normalised; score(c) = 10 * sum_i w_i cos(E(abstract_c), E(abstract_i)) with all-MiniLM-L6-v2.
- arxiv-sanity-lite: TfidfVectorizer(ngram (1,2), max_features 20000, min_df 5, max_df 0.1,
  sublinear_tf, english stop words) on title + abstract + authors of every paper in its database
  (here: every paper announced up to the candidate day); LinearSVC(C=0.01, balanced) with the
  library as positives and all other papers as negatives; score = decision function.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np


def zotero_arxiv_daily(library: Sequence[dict], candidates: Sequence[dict],
                       embed_abstracts: Callable[[Sequence[dict]], np.ndarray]) -> np.ndarray:
    ordered = sorted(library, key=lambda r: r["date_added"], reverse=True)
    weights = np.array([1.0 / (1.0 + math.log10(i + 1)) for i in range(len(ordered))])
    weights /= weights.sum()
    lib = embed_abstracts(ordered)
    cand = embed_abstracts(candidates)
    return 10.0 * (cand @ lib.T) @ weights


def arxiv_sanity_lite(library: Sequence[dict], candidates: Sequence[dict], database: Sequence[dict]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    def text(r: dict) -> str:
        return f"{r['title']} {r['abstract']} {' '.join(r.get('authors') or [])}"

    index = {r["id"]: n for n, r in enumerate(database)}
    vectorizer = TfidfVectorizer(input="content", encoding="utf-8", decode_error="replace", strip_accents="unicode",
                                 lowercase=True, analyzer="word", stop_words="english",
                                 token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                                 max_features=20000, norm="l2", use_idf=True, smooth_idf=True,
                                 sublinear_tf=True, max_df=0.1, min_df=5)
    x = vectorizer.fit_transform([text(r) for r in database])
    positive = {r["id"] for r in library}
    y = np.array([1 if r["id"] in positive else 0 for r in database])
    clf = LinearSVC(class_weight="balanced", verbose=False, max_iter=10000, tol=1e-6, C=0.01)
    clf.fit(x, y)
    rows = [index[r["id"]] for r in candidates]
    return clf.decision_function(x[rows])
