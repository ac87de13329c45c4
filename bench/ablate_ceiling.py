"""Ceilings, not rankers: the shipped ranker given answers no ranker has, on TUNING users only:

    .venv/bin/python bench/ablate_ceiling.py --users 40 [--seed 1]

Every background paper is labelled by the hidden truth (relevant to the user's interests or not), so
the contrast model learns from 1,000-3,700 labelled papers instead of the library's ~150 positives
against unlabelled ones. The earlier ceiling (``bench/ablate_ranking.py``, before the phrases) did this
for the TF-IDF SVM alone; here each of the shipped ranker's two models, and both, are refitted on the
labelled background, and the rest of the score (phrases, constants) stays as shipped. If such a
ranker is not much better than the shipped one, the labels are not what limits it: the text
representation is (docs/benchmarks.md, "Fifth round").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ablate_evidence import SHIPPED, SHIPPED_RAMP, anchor_scores, components, score, table_printer  # noqa: E402
from ablate_models import tfidf_rows  # noqa: E402
from ablate_phrases import tuning_parser  # noqa: E402
from bench_ranking import TUNING_DAYS, background_for, build_users, by_day, load_encoder, load_records  # noqa: E402
from sync.ranking import contrast  # noqa: E402
from sync.ranking.linear import balanced_costs, fit_logistic, fit_svm  # noqa: E402
from sync.ranking.text import document_text  # noqa: E402

C, WEIGHT, SHARE = SHIPPED


def background_truth(user, u: dict, days, records_by_id: dict[str, dict]) -> np.ndarray:
    """1.0 for each background paper (in the order the ranker sees them) relevant to the user's interests."""
    relevant = {}
    for paper in background_for(user, days):
        record = records_by_id[paper.arxiv_id]
        relevant.setdefault(document_text(paper.title, paper.abstract), bool(user.interests_of(record)))
    return np.array([relevant[text] for text in u["inputs"]["bg"]], dtype=float)


def labelled_margins(u: dict, truth: np.ndarray, embedding_cs: tuple[float, ...]) -> dict:
    """Per candidate, the TF-IDF SVM's margin (``"svm"``) and the embedding model's for each C of
    ``embedding_cs``, every model fitted with the background labelled by ``truth``."""
    inp = u["inputs"]
    labels = np.r_[np.ones(len(inp["pos"])), truth]
    weights = np.r_[inp["pos_w"], np.ones(len(truth))]
    rows = tfidf_rows(u)
    out = {"svm": fit_svm(rows[:len(labels)], labels, balanced_costs(labels, weights, C)).decision_function(
        rows[len(labels):])}
    vectors = np.vstack([u["vectors"]["pos"], u["vectors"]["bg"]])
    for c in embedding_cs:
        out[c] = fit_logistic(vectors, labels, balanced_costs(labels, weights, c)).decision_function(
            u["vectors"]["cand"])
    return out


def main(argv: list[str] | None = None) -> int:
    args = tuning_parser(__doc__).parse_args(argv)
    records = load_records(args.data)
    records_by_id = {r["id"]: r for r in records}
    encoder = load_encoder(records)
    days = by_day(records)
    users = []
    for user in build_users(records, count=args.users, days=TUNING_DAYS, seed=args.seed):
        u = components(user, encoder, days)
        truth = background_truth(user, u, days, records_by_id)
        u["labelled"] = labelled_margins(u, truth, (contrast.EMBEDDING_C, 10.0))
        u["relevant_background"] = int(truth.sum())
        users.append(u)
    counts = [u["relevant_background"] for u in users]
    print(f"relevant background papers per user: median {int(np.median(counts))}, range {min(counts)}-{max(counts)}")
    row = table_printer(users, args.seed)
    embedding_c = contrast.EMBEDDING_C
    row("arxiv-sanity-lite (anchor)", anchor_scores)
    row("**shipped**", lambda u: score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP))
    row("the shipped embedding model alone", lambda u: u["lr"])
    for c in (embedding_c, 10.0):
        row(f"CEILING: the embedding model alone, background labelled, C {c:g}", lambda u, c=c: u["labelled"][c])
    row("CEILING: the TF-IDF SVM alone, background labelled", lambda u: u["labelled"]["svm"])
    row("CEILING: shipped ranker, its embedding model fitted on the labelled background",
        lambda u: score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP, lr=u["labelled"][embedding_c]))
    row("CEILING: shipped ranker, its TF-IDF SVM fitted on the labelled background",
        lambda u: score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP, svm=u["labelled"]["svm"]))
    row("CEILING: shipped ranker, both models fitted on the labelled background",
        lambda u: score(u, C, WEIGHT, SHARE, phrase_value=SHIPPED_RAMP, svm=u["labelled"]["svm"],
                        lr=u["labelled"][embedding_c]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
