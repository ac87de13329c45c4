"""A learned combination of the ranker's evidence, on TUNING users only (never the evaluation users):

    .venv/bin/python bench/ablate_stacking.py --users 40

The fifth round of ablations of the issue-12 ranker (docs/benchmarks.md). The rounds before added one
piece of evidence at a time to the shipped score by hand (closeness to the nearest library paper, the
library's share among a candidate's neighbours, fusion with arxiv-sanity-lite), each level or lower.
Here a model learns how to combine them, from the hidden truth of the tuning users themselves: the
three sets of 40 tuning users (seeds 1, 5 and 7, the same tuning days) take turns, each ranked by a
combination learned on the other two (80 users, about 19,000 labelled candidates), so no user is ranked
by a model that saw its answers. Features per candidate, from ``ablate_evidence.components``:

- the shipped score (as a logit), its TF-IDF SVM and embedding margins, the best phrase's value and the
  number of the library's phrases the candidate holds;
- embedding cosines: to the nearest library paper, the mean of the 5 and 20 nearest, to the library's
  centroid, the mean of the 5 nearest background papers (how crowded the candidate's neighbourhood is);
- the class-balanced share of library papers among the candidate's 30 and 100 nearest papers.

Combinations: a logistic regression on the features standardised within each user's day (pointwise,
each user's relevant and irrelevant candidates weighted equally; C 0.01 and 1), a pairwise one
(relevant minus irrelevant candidate of the same day, RankNet's loss with a linear scorer), gradient
boosted trees (scikit-learn's ``HistGradientBoostingClassifier``, pointwise), and the shipped score plus
one feature at a time on their own scales (pointwise logistic regression).
Each row: per held-out set, nDCG@10 and its paired bootstrap interval against the shipped ranker.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ablate_evidence import SHIPPED, SHIPPED_RAMP, components, library_share_nearby, order, score, unit  # noqa: E402
from bench_ranking import (TUNING_DAYS, build_users, by_day, load_encoder, load_records, metrics,  # noqa: E402
                           paired_bootstrap)
from dev_data import add_data_option  # noqa: E402

SEEDS = (1, 5, 7)
FEATURES = ("shipped", "svm", "lr", "phrase", "phrases", "nearest", "nearest5", "nearest20", "centroid",
            "background5", "library_share30", "library_share100")
ONE_MORE = ("nearest", "centroid", "library_share100", "background5")
MAX_PAIRS = 3000  # per user, drawn at random when a day has more relevant x irrelevant pairs


def features(user, encoder, days) -> dict:
    """The user's candidates: ids, the hidden truth and one column per name of :data:`FEATURES`."""
    u = components(user, encoder, days)
    c, weight, share = SHIPPED
    cand, lib, bg = (unit(u["vectors"][k]) for k in ("cand", "pos", "bg"))
    nearest = -np.sort(-(cand @ lib.T), axis=1)
    centroid = unit(lib.mean(axis=0, keepdims=True))[0]
    values = [[SHIPPED_RAMP(s, lift) for s, lift in hits] for hits in u["phrases"]]
    columns = {
        "shipped": logit(score(u, c, weight, share, phrase_value=SHIPPED_RAMP)), "svm": u["svm"][c], "lr": u["lr"],
        "phrase": np.array([max(v, default=0.0) for v in values]),
        "phrases": np.array([sum(x > 0 for x in v) for v in values], dtype=float),
        "nearest": nearest[:, 0], "nearest5": nearest[:, :5].mean(axis=1), "nearest20": nearest[:, :20].mean(axis=1),
        "centroid": cand @ centroid, "background5": -np.sort(-(cand @ bg.T), axis=1)[:, :5].mean(axis=1),
        "library_share30": library_share_nearby(u, 30), "library_share100": library_share_nearby(u, 100),
    }
    truth = np.array([i in u["relevant"] for i in u["ids"]], dtype=float)
    return {"ids": u["ids"], "relevant": u["relevant"], "truth": truth,
            "x": np.column_stack([columns[name] for name in FEATURES])}


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def standardised(x: np.ndarray) -> np.ndarray:
    """Each feature as a z-score over the user's day: the combination sees where a candidate stands that day."""
    return (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-9)


def balanced_weights(users: list[dict]) -> np.ndarray:
    """Each user's relevant and irrelevant candidates weigh 1/2 each in total."""
    return np.concatenate([np.where(u["truth"] > 0, 0.5 / max(u["truth"].sum(), 1),
                                    0.5 / max((1 - u["truth"]).sum(), 1)) for u in users]) * len(users)


def pointwise(model, users: list[dict], view):
    return model.fit(np.vstack([view(u) for u in users]), np.concatenate([u["truth"] for u in users]),
                     sample_weight=balanced_weights(users))


def pairwise(users: list[dict], view):
    """A linear scorer fitted on (relevant - irrelevant) feature differences of the same day."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    diffs, weights = [], []
    for u in users:
        x, pos, neg = view(u), np.flatnonzero(u["truth"] > 0), np.flatnonzero(u["truth"] == 0)
        pairs = np.array([(p, n) for p in pos for n in neg])
        if len(pairs) > MAX_PAIRS:
            pairs = pairs[rng.choice(len(pairs), MAX_PAIRS, replace=False)]
        diffs.append(x[pairs[:, 0]] - x[pairs[:, 1]])
        weights.append(np.full(len(pairs), 1.0 / len(pairs)))
    d, w = np.vstack(diffs), np.concatenate(weights)
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=3000)
    return model.fit(np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w] * 1000)


def ndcg(u: dict, scores: np.ndarray) -> float:
    return metrics(order(u, scores), u["relevant"])["ndcg@10"]


def main(argv: list[str] | None = None) -> int:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40, help="tuning users per set (seeds 1, 5 and 7)")
    add_data_option(parser)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    encoder = load_encoder(records)
    days = by_day(records)
    sets = {seed: [features(user, encoder, days)
                   for user in build_users(records, count=args.users, days=TUNING_DAYS, seed=seed)] for seed in SEEDS}
    z = lambda u: standardised(u["x"])  # noqa: E731
    index = {name: i for i, name in enumerate(FEATURES)}

    def raw(names):
        return lambda u: u["x"][:, [index[n] for n in names]]

    variants = {
        "pointwise logistic regression, C 0.01": lambda train: (
            pointwise(LogisticRegression(C=0.01, max_iter=3000), train, z).decision_function, z),
        "pointwise logistic regression, C 1": lambda train: (
            pointwise(LogisticRegression(C=1.0, max_iter=3000), train, z).decision_function, z),
        "pairwise logistic regression (RankNet loss, linear)": lambda train: (
            pairwise(train, z).decision_function, z),
        "gradient boosted trees, pointwise": lambda train: (
            lambda x, m=pointwise(HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                                 min_samples_leaf=100, random_state=0),
                                  train, z): m.predict_proba(x)[:, 1], z),
    }
    for name in ONE_MORE:
        view = raw(("shipped", name))
        variants[f"the shipped score + {name}, learned weights"] = lambda train, view=view: (
            pointwise(LogisticRegression(C=1.0, max_iter=3000), train, view).decision_function, view)

    print(f"{args.users} tuning users per set (seeds {', '.join(map(str, SEEDS))}, candidate days "
          f"{TUNING_DAYS[0]}..{TUNING_DAYS[1]}); each set ranked by a combination learned on the other two\n")
    print("| variant | " + " | ".join(f"held-out seed {s}: nDCG@10 (minus shipped [95%])" for s in SEEDS) + " |")
    print("|---|" + "---|" * len(SEEDS))
    shipped = {s: [ndcg(u, u["x"][:, index["shipped"]]) for u in users] for s, users in sets.items()}
    print("| **shipped** | " + " | ".join(f"{np.mean(shipped[s]):.3f}" for s in SEEDS) + " |", flush=True)
    for name, fit in variants.items():
        cells = []
        for held_out in SEEDS:
            scorer, view = fit([u for s in SEEDS if s != held_out for u in sets[s]])
            ours = [ndcg(u, scorer(view(u))) for u in sets[held_out]]
            low, mid, high = paired_bootstrap(ours, shipped[held_out])
            cells.append(f"{np.mean(ours):.3f} ({mid:+.3f} [{low:+.3f}, {high:+.3f}])")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
