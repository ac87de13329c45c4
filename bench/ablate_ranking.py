"""Ablations of the ranker's evidence on the TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_ranking.py --users 30

Builds, per tuning user, the pieces the ranker can combine (TF-IDF linear SVM margin with and without
author terms, embedding logistic-regression margin, kNN similarity, per-interest-cluster similarity)
once, then ranks by variants of their combination. docs/benchmarks.md cites this table for each choice.
Components are cached in memory per run; embeddings come from bench/.cache/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from statistics import mean

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ranking import (METRICS, TUNING_DAYS, background_for, build_users, by_day, datetime,  # noqa: E402
                           library_items, load_encoder, load_records, metrics, paired_bootstrap, timezone, _cached,
                           anchor_asl, user_key)

from dev_data import add_data_option  # noqa: E402
from sync.ranking.backends import tfidf_vectors  # noqa: E402
from sync.ranking.contrast import EMBEDDING_C, author_terms  # noqa: E402
from sync.ranking.profile import Profile, positive_documents  # noqa: E402
from sync.ranking.similarity import knn_score  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402
from users import ranker_view  # noqa: E402

# the SVM's C when this table was made (2026-12-01, before the library's phrases); the ranker now uses
# sync.ranking.contrast.TFIDF_C = 1.0, chosen with the phrases in place (bench/ablate_evidence.py)
TFIDF_C = 0.3


def components(user, encoder, days, record_of: dict) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    cands = [ranker_view(r) for r in user.candidates]
    texts = [document_text(r["title"], r["abstract"]) for r in cands]
    now = datetime.combine(user.day, datetime.min.time(), tzinfo=timezone.utc)
    positives = positive_documents(Profile(library=library_items(user)), now)
    pos_texts, pos_w = [d.text for d in positives], np.array([d.weight for d in positives])
    background = background_for(user, days)
    bg_texts = [document_text(p.title, p.abstract) for p in background]
    labels = np.r_[np.ones(len(pos_texts)), np.zeros(len(bg_texts))]
    weights = np.r_[pos_w, np.ones(len(bg_texts))]
    out = {"ids": [r["id"] for r in cands], "relevant": user.relevant}

    def svm(train, test, c=TFIDF_C, y=None, w=None, both=False):
        y = labels if y is None else y
        w = weights if w is None else w
        m = tfidf_vectors(train + test, min_df=2)
        model = LinearSVC(C=c, class_weight="balanced", random_state=0, max_iter=5000)
        model.fit(m[:len(y)], y, sample_weight=w)
        return (model.decision_function(m[len(train):]), model.decision_function(m[:len(pos_texts)])) if both \
            else model.decision_function(m[len(train):])

    out["svm"] = svm(pos_texts + bg_texts, texts)
    pos_auth = [t + author_terms(d.authors) for t, d in zip(pos_texts, positives)]
    bg_auth = [t + author_terms(p.authors) for t, p in zip(bg_texts, background)]
    cand_auth = [t + author_terms(r.get("authors") or ()) for t, r in zip(texts, cands)]
    out["svm_auth"], train_margin = svm(pos_auth + bg_auth, cand_auth, both=True)
    for c in (0.03, 0.3, 1.0):
        out[f"svm_auth_c{c}"] = svm(pos_auth + bg_auth, cand_auth, c=c)
    # transductive: the day's candidates as extra (unlabelled) negatives, as arxiv-sanity-lite's database does
    y_t = np.r_[labels, np.zeros(len(cand_auth))]
    w_t = np.r_[weights, np.ones(len(cand_auth))]
    out["svm_auth_trans"] = _fit_predict(pos_auth + bg_auth + cand_auth, y_t, w_t, cand_auth)
    # denoise: library items the first model itself places on the wrong side count less
    w_d = weights.copy()
    w_d[:len(pos_texts)] *= np.where(train_margin < 0, 0.3, 1.0)
    out["svm_auth_denoise"] = svm(pos_auth + bg_auth, cand_auth, w=w_d)
    # a ceiling, not a ranker: the same model when every background paper is labelled by the hidden truth
    # (its categories and phrases), i.e. with 10-25x more labelled examples than any ranker gets
    truth = np.array([bool(user.interests_of(record_of[p.arxiv_id])) for p in background])
    y_c, w_c = np.r_[np.ones(len(pos_auth)), truth.astype(float)], np.ones(len(pos_auth) + len(bg_auth))
    for c in (0.3, 3.0):
        out[f"ceiling_c{c}"] = svm(pos_auth + bg_auth, cand_auth, c=c, y=y_c, w=w_c)
    cand_v = encoder.encode(texts)
    pos_v = encoder.encode(pos_texts)
    lr = LogisticRegression(C=EMBEDDING_C, class_weight="balanced", max_iter=2000)
    lr.fit(np.vstack([pos_v, encoder.encode(bg_texts)]), labels, sample_weight=weights)
    out["lr"] = lr.decision_function(cand_v)
    x_lr = np.vstack([pos_v, encoder.encode(bg_texts)])
    for c in (0.3, 3.0):
        out[f"lr_c{c}"] = LogisticRegression(C=c, class_weight="balanced", max_iter=2000).fit(
            x_lr, labels, sample_weight=weights).decision_function(cand_v)
    sims = cand_v @ pos_v.T
    for k in (3, 5, 10):
        out[f"knn{k}"] = knn_score(sims, pos_w.astype(np.float32), k)[0]
    labels_c = interest_clusters(pos_v)
    out["svm_per_interest"] = per_interest_svm(pos_v, pos_auth, bg_auth, cand_auth, svm)
    out["cluster"] = cluster_score(sims, labels_c, pos_w)
    out["n_clusters"] = len(set(labels_c[labels_c >= 0]))
    out["asl"] = _cached("asl", user_key(user), lambda: anchor_asl(user, days))
    out["interests"] = len(user.interests)
    return out


def interest_clusters(vectors: np.ndarray, distance: float = 0.6, min_size: int = 3) -> np.ndarray:
    """Average-linkage clusters of the library embeddings (cosine distance); -1 for groups under min_size."""
    from scipy.cluster.hierarchy import fcluster, linkage

    raw = fcluster(linkage(np.asarray(vectors, np.float64), method="average", metric="cosine"), t=distance,
                   criterion="distance")
    sizes = np.bincount(raw)
    return np.array([c if sizes[c] >= min_size else -1 for c in raw])


def per_interest_svm(pos_v, pos_auth, bg_auth, cand_auth, svm) -> np.ndarray:
    """One SVM per interest of the library (k-means on the embeddings, k = 2..4 by silhouette; groups of
    >= 12 items), each against the whole background; a candidate's score is its best interest's margin."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    best, best_fit = None, -1.0
    for k in (2, 3, 4):
        labels = KMeans(k, n_init=5, random_state=0).fit_predict(pos_v)
        fit = silhouette_score(pos_v, labels, metric="cosine")
        if fit > best_fit:
            best, best_fit = labels, fit
    margins = []
    for group in set(best):
        members = np.nonzero(best == group)[0]
        if len(members) >= 12:
            y = np.r_[np.ones(len(members)), np.zeros(len(bg_auth))]
            margins.append(svm([pos_auth[i] for i in members] + bg_auth, cand_auth, y=y, w=np.ones(len(y))))
    return np.max(margins, axis=0) if margins else np.zeros(len(cand_auth))


def _fit_predict(train, y, w, test):
    from sklearn.svm import LinearSVC

    m = tfidf_vectors(train, min_df=2)
    model = LinearSVC(C=TFIDF_C, class_weight="balanced", random_state=0, max_iter=5000).fit(m, y, sample_weight=w)
    return model.decision_function(m[len(train) - len(test):])


def cluster_score(sims: np.ndarray, labels: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Best over interest clusters of the mean cosine to the cluster's 5 nearest members."""
    best = np.full(sims.shape[0], -1.0)
    for c in set(labels[labels >= 0]):
        idx = np.nonzero(labels == c)[0]
        best = np.maximum(best, knn_score(sims[:, idx], w[idx].astype(np.float32), 5)[0])
    return best


def rank_of(x: np.ndarray) -> np.ndarray:
    order = np.argsort(-x, kind="stable")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    return r


def rrf(*scores, k=60.0, weights=None) -> np.ndarray:
    weights = weights or [1.0] * len(scores)
    return sum(w / (k + rank_of(s)) for w, s in zip(weights, scores))


def sig(c, svm="svm", share=0.5, lr="lr"):
    return (2.5 * c[svm] + share * 0.25 * c[lr]) / (1 + share)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=30)
    add_data_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    users = build_users(records, count=args.users, days=TUNING_DAYS, seed=1)
    days = by_day(records)
    record_of = {r["id"]: r for r in records}
    comps = [components(u, encoder, days, record_of) for u in users]
    variants = {
        "arxiv-sanity-lite (anchor)": None,
        "shipped before: svm + 0.5 lr": lambda c: sig(c),
        "svm only": lambda c: c["svm"],
        "lr only": lambda c: c["lr"],
        "knn5 only": lambda c: c["knn5"],
        "cluster only": lambda c: c["cluster"],
        "+ authors in svm": lambda c: sig(c, "svm_auth"),
        "+ authors, lr share 1.0": lambda c: sig(c, "svm_auth", 1.0),
        "+ authors, lr share 0.25": lambda c: sig(c, "svm_auth", 0.25),
        "authors; fixed 0.5 contrast + 0.5 knn5 (calibrated)": lambda c: 1 / (1 + np.exp(-(sig(c, "svm_auth") - 1)))
        + 0.5 * np.clip((c["knn5"] - 0.2) / 0.42, 0, 1),
        "authors; rrf(contrast, knn5)": lambda c: rrf(sig(c, "svm_auth"), c["knn5"]),
        "authors; rrf(contrast, cluster)": lambda c: rrf(sig(c, "svm_auth"), c["cluster"]),
        "authors; rrf(svm, lr, cluster)": lambda c: rrf(c["svm_auth"], c["lr"], c["cluster"]),
        "authors; rrf(svm, lr, knn5)": lambda c: rrf(c["svm_auth"], c["lr"], c["knn5"]),
        "authors; rrf(contrast x2, cluster)": lambda c: rrf(sig(c, "svm_auth"), c["cluster"], weights=[2, 1]),
        "authors; rrf(contrast, knn10)": lambda c: rrf(sig(c, "svm_auth"), c["knn10"]),
        **{f"authors, svm C={x}": (lambda c, x=x: sig(c, f"svm_auth_c{x}")) for x in (0.03, 0.3, 1.0)},
        **{f"authors, lr C={x}": (lambda c, x=x: sig(c, "svm_auth", lr=f"lr_c{x}")) for x in (0.3, 3.0)},
        "authors, candidates as extra negatives": lambda c: sig(c, "svm_auth_trans"),
        "authors, denoised library (wrong-side items x0.3)": lambda c: sig(c, "svm_auth_denoise"),
        "authors, denoised, lr share 1.0": lambda c: sig(c, "svm_auth_denoise", 1.0),
        "authors; one svm per library interest (k-means), best interest": lambda c: c["svm_per_interest"],
        "authors; max(svm, best per-interest svm)": lambda c: np.maximum(c["svm_auth"], c["svm_per_interest"]),
        **{f"CEILING (not a ranker): svm C={x}, background labelled by the hidden truth":
           (lambda c, x=x: c[f"ceiling_c{x}"]) for x in (0.3, 3.0)},
    }
    print(f"tuning users: {len(users)} (candidate days {TUNING_DAYS[0]}..{TUNING_DAYS[1]}); mean clusters "
          f"{mean(c['n_clusters'] for c in comps):.1f}\n")
    print("| variant | nDCG@10 | P@10 | MAP | nDCG@10 1/2/3 interests | nDCG@10 vs asl [95% CI] |")
    print("|---|---|---|---|---|---|")
    asl = [metrics(c["asl"], c["relevant"]) for c in comps]
    for name, score in variants.items():
        rows = []
        for c in comps:
            if score is None:
                ranked = c["asl"]
            else:
                s = np.asarray(score(c))
                ranked = [c["ids"][i] for i in sorted(range(len(s)), key=lambda i: (-s[i], c["ids"][i]))]
            rows.append(metrics(ranked, c["relevant"]))
        nd = [r["ndcg@10"] for r in rows]
        per = "/".join(f"{mean(nd[i] for i, c in enumerate(comps) if c['interests'] == k):.3f}"
                       for k in (1, 2, 3) if any(c["interests"] == k for c in comps))
        low, mid, high = paired_bootstrap(nd, [a["ndcg@10"] for a in asl])
        print(f"| {name} | " + " | ".join(f"{mean(r[m] for r in rows):.3f}" for m in METRICS)
              + f" | {per} | {mid:+.3f} [{low:+.3f}, {high:+.3f}] |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
