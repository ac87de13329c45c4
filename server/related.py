"""Related new papers for the popup on an arXiv page: the day's matches closest in wording.

Pure: TF-IDF (title twice + abstract) over the candidates plus the target, cosine
similarity, best first. Cheap enough per request for a day's few hundred matches.
"""

from __future__ import annotations

from typing import Sequence

from sync.models import Paper, RankedPaper

MIN_SIMILARITY = 0.08


def _text(paper: Paper) -> str:
    return f"{paper.title} {paper.title} {paper.abstract}"


def related_matches(target: Paper, candidates: Sequence[RankedPaper], *, limit: int = 5,
                    min_similarity: float = MIN_SIMILARITY) -> list[RankedPaper]:
    others = [c for c in candidates if c.paper.arxiv_id != target.arxiv_id]
    if not others or limit <= 0 or not (target.title or target.abstract):
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy import, only when needed

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
    try:
        matrix = vectorizer.fit_transform([_text(target)] + [_text(c.paper) for c in others])
    except ValueError:  # empty vocabulary: nothing but stop words
        return []
    similarities = (matrix[1:] @ matrix[0].T).toarray().ravel()
    order = sorted(range(len(others)), key=lambda i: (-similarities[i], others[i].rank))
    return [others[i] for i in order[:limit] if similarities[i] >= min_similarity]
