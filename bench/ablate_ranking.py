"""Ablations of the contrastive score on the TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_ranking.py

Rebuilds the two margins the ranker combines (TF-IDF linear SVM, embedding logistic regression, as in
sync/ranking/contrast.py) and the "author in your library" flag per candidate, then ranks by variants of
the combination: fixed sigmoid vs per-day z-scores, rounding to 4 decimals, the former 0.15 noisy-OR
library-author boost, and background sizes. This is what docs/benchmarks.md cites for the choices.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import mean

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ranking import (TUNING_DAYS, LibraryItem, Profile, SentenceEncoder, TableEncoder,  # noqa: E402
                           _with_dates, average_precision, build_users, date, datetime, document_text,
                           embedding_table, load_records, ndcg_at, paper_from_record, precision_at, timezone)

from dev_data import add_data_option  # noqa: E402
from sync.ranking.backends import tfidf_vectors  # noqa: E402
from sync.ranking.contrast import EMBEDDING_C, EMBEDDING_SHARE, TFIDF_C  # noqa: E402
from sync.ranking.profile import author_key, positive_documents  # noqa: E402

BACKGROUND_SIZES = (1000, 3000, 10_000)


def components(user, encoder, by_day) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    papers = [paper_from_record(r) for r in user.candidates]
    texts = [document_text(p.title, p.abstract) for p in papers]
    library = tuple(LibraryItem(key=f"K{n:07d}", title=r["title"], abstract=r["abstract"], date_added=r["date_added"],
                                creators=tuple(r.get("authors") or ())) for n, r in enumerate(_with_dates(user)))
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    positives = positive_documents(Profile(library=library), now)
    pos_texts, pos_weights = [d.text for d in positives], np.array([d.weight for d in positives])
    library_ids = {r["id"] for r in user.library}
    earlier = [r for d in sorted(by_day, reverse=True) if d < user.day for r in by_day[d] if r["id"] not in library_ids]
    authors = {author_key(a) for d in positives for a in d.authors}
    out = {"ids": [p.arxiv_id for p in papers], "relevant": user.relevant,
           "library_author": np.array([any(author_key(a) in authors for a in p.authors) for p in papers], float)}
    cand_vectors = encoder.encode(texts)
    for size in BACKGROUND_SIZES:
        background = [t for t in dict.fromkeys(document_text(r["title"], r["abstract"]) for r in earlier[:size]) if t]
        train = pos_texts + background
        labels = np.r_[np.ones(len(pos_texts)), np.zeros(len(background))]
        weights = np.r_[pos_weights, np.ones(len(background))]
        matrix = tfidf_vectors(train + texts, min_df=2)
        svm = LinearSVC(C=TFIDF_C, class_weight="balanced", random_state=0, max_iter=5000)
        out[f"svm{size}"] = svm.fit(matrix[:len(train)], labels, sample_weight=weights).decision_function(matrix[len(train):])
        lr = LogisticRegression(C=EMBEDDING_C, class_weight="balanced", max_iter=2000)
        lr.fit(np.vstack([encoder.encode(pos_texts), encoder.encode(background)]), labels, sample_weight=weights)
        out[f"lr{size}"] = lr.decision_function(cand_vectors)
    return out


def sigmoid_score(c: dict, size: int) -> np.ndarray:
    """The shipped combination (sync/ranking/contrast.py)."""
    margin = (2.5 * c[f"svm{size}"] + EMBEDDING_SHARE * 0.25 * c[f"lr{size}"]) / (1 + EMBEDDING_SHARE)
    return 1 / (1 + np.exp(-(margin - 1.0)))


def z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_data_option(parser)
    records = load_records(parser.parse_args(argv).data)
    model = SentenceEncoder.load()
    encoder = TableEncoder(embedding_table(records, model), model)
    users = build_users(records, count=40, days=TUNING_DAYS, seed=1)
    by_day: dict = {}
    for r in records:
        by_day.setdefault(date.fromisoformat(r["announced"]), []).append(r)
    comps = [components(u, encoder, by_day) for u in users]
    variants = {
        "svm only (3,000 background)": lambda c: c["svm3000"],
        "lr only (3,000 background)": lambda c: c["lr3000"],
        "sigmoid(svm + 0.5 lr), unrounded": lambda c: sigmoid_score(c, 3000),
        "sigmoid(svm + 0.5 lr), rounded to 4 decimals": lambda c: np.round(sigmoid_score(c, 3000), 4),
        "per-day z(svm) + 0.5 z(lr)": lambda c: z(c["svm3000"]) + 0.5 * z(c["lr3000"]),
        "per-day z(svm) + 0.25 z(lr)": lambda c: z(c["svm3000"]) + 0.25 * z(c["lr3000"]),
        "sigmoid + 0.15 noisy-OR library author (former)": lambda c: 1 - (1 - sigmoid_score(c, 3000))
        * (1 - 0.15 * c["library_author"]),
        **{f"sigmoid, background {size}": (lambda c, size=size: sigmoid_score(c, size)) for size in BACKGROUND_SIZES},
    }
    print(f"tuning users: {len(users)} (candidate days {TUNING_DAYS[0]}..{TUNING_DAYS[1]})\n")
    print("| variant | nDCG@10 | P@10 | MAP |\n|---|---|---|---|")
    for name, score in variants.items():
        rows = []
        for c in comps:
            s = score(c)
            ranked = [c["ids"][i] for i in sorted(range(len(s)), key=lambda i: (-s[i], c["ids"][i]))]
            rows.append((ndcg_at(ranked, c["relevant"]), precision_at(ranked, c["relevant"]),
                         average_precision(ranked, c["relevant"])))
        print(f"| {name} | " + " | ".join(f"{mean(col):.3f}" for col in zip(*rows)) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
